#include "chorus/runtime/kernel.hpp"

#include <cstdarg>
#include <cstring>

#include "chorus/module/format.hpp"
#include "chorus/module/strings.hpp"

namespace chorus::runtime {

void* PersistentAllocator::allocate(size_t bytes, size_t align) {
  const size_t start = (used_ + align - 1) / align * align;
  used_ = start + bytes;
  if (base_ == nullptr) return nullptr;
  if (used_ > capacity_) {
    overflowed_ = true;
    return nullptr;
  }
  return base_ + start;
}

Status PrepareContext::error(const char* fmt, ...) const {
  char text[Status::kMessageCapacity];
  va_list args;
  va_start(args, fmt);
  vformat_to(text, sizeof(text), fmt, args);
  va_end(args);
  return Status::error(StatusCode::kInvalidArgument, "op %zu (%s): %s", op_index_, op_.name(), text);
}

const Kernel* OpResolver::find(const OpInfo& op) const {
  for (size_t i = 0; i < count_; ++i) {
    const Kernel& k = kernels_[i];
    if (k.code != op.code) continue;
    if (op.code == static_cast<int32_t>(OpCode::kCustom)) {
      if (k.custom_name != nullptr && op.custom_code != nullptr && equal_strings(k.custom_name, op.custom_code)) return &k;
      continue;
    }
    return &k;
  }
  return nullptr;
}

}  // namespace chorus::runtime
