#include "chorus/module/status.hpp"

#include <atomic>
#include <cstdarg>
#include <cstring>

#include "chorus/module/format.hpp"

namespace chorus {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kMalformedModel: return "malformed model";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kOutOfMemory: return "out of memory";
    case StatusCode::kOutOfRange: return "out of range";
    case StatusCode::kFailedPrecondition: return "failed precondition";
    case StatusCode::kArithmetic: return "arithmetic error";
    case StatusCode::kInternal: return "internal error";
    case StatusCode::kNotFound: return "not found";
    case StatusCode::kDataLoss: return "data loss";
  }
  return "unknown";
}

namespace {

#ifndef CHORUS_STATUS_TEXT_SLOTS
#if defined(__arm__)
#define CHORUS_STATUS_TEXT_SLOTS 8
#else
#define CHORUS_STATUS_TEXT_SLOTS 64
#endif
#endif
constexpr uint32_t kSlots = CHORUS_STATUS_TEXT_SLOTS;
static_assert(kSlots >= 2 && kSlots < 65535, "CHORUS_STATUS_TEXT_SLOTS: 2 .. 65534");

struct Slot {
  std::atomic<uint32_t> generation{0};  // 0 while being written
  char text[Status::kMessageCapacity];
};
Slot g_slots[kSlots];

// Generations count formatted errors from 1; slot = (generation - 1) % kSlots.
#if defined(__ARM_ARCH_6M__)
// ARMv6-M has no LDREX/STREX (and newlib no libatomic): PRIMASK around the increment.
uint32_t g_count = 0;
uint32_t next_generation() {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  const uint32_t g = ++g_count;
  __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory");
  return g == 0 ? next_generation() : g;
}
#else
std::atomic<uint32_t> g_count{0};
uint32_t next_generation() {
  const uint32_t g = g_count.fetch_add(1, std::memory_order_relaxed) + 1;
  return g == 0 ? next_generation() : g;  // 0 marks a slot being written
}
#endif

}  // namespace

Status Status::fixed(StatusCode code, const char* message) {
  Status s;
  s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  s.text_ = message != nullptr ? message : "";
  return s;
}

const char* Status::message() const {
  if (slot_ == 0) return text_;
  const Slot& slot = g_slots[slot_ - 1];
  if (slot.generation.load(std::memory_order_acquire) != generation_)
    return "(the text of this error was overwritten by later errors)";
  return slot.text;
}

namespace {

// Claims a slot, writes `fmt` (formatted) then `tail` into it, and returns which slot and
// generation hold the text.
void write_text(uint16_t* slot_out, uint32_t* generation_out, const char* fmt, va_list args, const char* tail) {
  const uint32_t g = next_generation();
  Slot& slot = g_slots[(g - 1) % kSlots];
  slot.generation.store(0, std::memory_order_relaxed);
  size_t n = vformat_to(slot.text, Status::kMessageCapacity, fmt, args);
  if (tail != nullptr && n + 1 < Status::kMessageCapacity) format_to(slot.text + n, Status::kMessageCapacity - n, "%s", tail);
  slot.generation.store(g, std::memory_order_release);
  *slot_out = static_cast<uint16_t>((g - 1) % kSlots + 1);
  *generation_out = g;
}

}  // namespace

Status Status::error(StatusCode code, const char* fmt, ...) {
  Status s;
  s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  va_list args;
  va_start(args, fmt);
  write_text(&s.slot_, &s.generation_, fmt, args, nullptr);
  va_end(args);
  return s;
}

Status& Status::prefix(const char* fmt, ...) {
  if (is_ok()) return *this;
  // The old text first (a later error may reuse its slot while the new one is written).
  char old[kMessageCapacity];
  format_to(old, sizeof(old), "%s", message());
  va_list args;
  va_start(args, fmt);
  write_text(&slot_, &generation_, fmt, args, old);
  va_end(args);
  text_ = "";
  return *this;
}

}  // namespace chorus
