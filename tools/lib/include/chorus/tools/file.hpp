// Host-only file helpers shared by the CLI, tests and benchmarks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "chorus/module/span.hpp"

namespace chorus::tools {

// Bytes with a 16-byte-aligned start, as a model needs (a plain vector gives 8 or 16
// depending on the allocator).
class AlignedBytes {
 public:
  AlignedBytes() = default;
  explicit AlignedBytes(size_t size);
  uint8_t* data() { return data_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  Span<const uint8_t> span() const { return Span<const uint8_t>(data_, size_); }
  Span<uint8_t> mutable_span() { return Span<uint8_t>(data_, size_); }

 private:
  std::unique_ptr<uint8_t[]> storage_;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Reads a whole file; false (with `error` set) when it cannot.
// Input size limits, checked before anything is read.
constexpr uint64_t kMaxModelBytes = 64ull << 20;  // .tflite models
constexpr uint64_t kMaxXmlBytes = 1ull << 20;     // board and scenario descriptions

// Whether `path` names a regular file of at most `max_bytes`; otherwise one clear line in
// `error` (missing, a directory, a device or FIFO, too large), and nothing is opened.
bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error);

bool read_file(const std::string& path, AlignedBytes* out, std::string* error, uint64_t max_bytes = kMaxModelBytes);
bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error, uint64_t max_bytes = kMaxModelBytes);
bool write_file(const std::string& path, const uint8_t* data, size_t size, std::string* error);

// Opens `path` for writing (created or truncated) without ever blocking: a FIFO nobody
// reads, a directory or a missing directory is one line in `error` and nullptr. Devices
// such as /dev/null are fine.
std::FILE* open_output(const std::string& path, std::string* error);

}  // namespace chorus::tools
