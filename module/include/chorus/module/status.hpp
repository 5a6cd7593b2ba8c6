// Errors as values: Status and Result<T>. Firmware code never throws; every error a user
// can cause carries a short message that names the thing and the numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <utility>

namespace chorus {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kMalformedModel,
  kUnsupported,
  kOutOfMemory,
  kOutOfRange,
  kFailedPrecondition,
  kArithmetic,
  kInternal,
  kNotFound,  // nothing stored yet (record stores)
  kDataLoss,  // stored data did not verify
};

const char* status_code_name(StatusCode code);

// A status: a code and a message, 16 bytes (12 on Cortex-M), cheap to return on hot paths.
// The message is either a static string (Status::fixed: no formatting at all) or text
// formatted on the error path into a small static pool of slots (Status::error, no heap;
// CHORUS_STATUS_TEXT_SLOTS, 8 on Cortex-M and 64 on the host). A pooled text stays valid
// until that many later errors have been formatted; after that message() says so instead
// of showing another error's text. An ok status carries no text.
class [[nodiscard]] Status {
 public:
  static constexpr size_t kMessageCapacity = 160;  // bytes of a formatted message, with its NUL

  Status() = default;
  static Status ok() { return Status(); }
  // printf-style message; supports %d %i %u %ld %lu %lld %llu %zu %x %s %c %%.
  static Status error(StatusCode code, const char* fmt, ...)
      __attribute__((format(printf, 2, 3)));
  // A message that is a static string (a literal): nothing is formatted or copied.
  static Status fixed(StatusCode code, const char* message);

  bool is_ok() const { return code_ == StatusCode::kOk; }
  explicit operator bool() const { return is_ok(); }
  StatusCode code() const { return code_; }
  const char* message() const;

  // Prepends context ("op 7 (CONV_2D): ") to an error; ok statuses pass through.
  Status& prefix(const char* fmt, ...) __attribute__((format(printf, 2, 3)));

 private:
  StatusCode code_ = StatusCode::kOk;
  uint16_t slot_ = 0;          // pool slot + 1; 0: `text_` is a static string
  uint32_t generation_ = 0;    // the slot's generation when this text was written
  const char* text_ = "";
};

// A value or the Status explaining why there is none.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : has_value_(true) { new (storage_) T(value); }  // NOLINT
  Result(T&& value) : has_value_(true) { new (storage_) T(std::move(value)); }  // NOLINT
  Result(const Status& status) : status_(status) {}  // NOLINT
  Result(const Result& other) : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (storage_) T(*other);
  }
  Result& operator=(const Result&) = delete;
  ~Result() {
    if (has_value_) ptr()->~T();
  }

  bool is_ok() const { return has_value_; }
  explicit operator bool() const { return has_value_; }
  const Status& status() const { return status_; }
  T& operator*() { return *ptr(); }
  const T& operator*() const { return *ptr(); }
  T* operator->() { return ptr(); }
  const T* operator->() const { return ptr(); }

 private:
  T* ptr() { return reinterpret_cast<T*>(storage_); }
  const T* ptr() const { return reinterpret_cast<const T*>(storage_); }
  Status status_;
  alignas(T) unsigned char storage_[sizeof(T)];
  bool has_value_ = false;
};

}  // namespace chorus

// Returns early from the enclosing function when `expr` yields an error status.
#define CHORUS_RETURN_IF_ERROR(expr)      \
  do {                                    \
    ::chorus::Status chorus_status_ = (expr); \
    if (!chorus_status_.is_ok()) return chorus_status_; \
  } while (0)
