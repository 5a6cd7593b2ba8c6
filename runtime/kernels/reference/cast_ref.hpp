// CAST element conversion, kept apart from the kernel so tests can call it directly.
// TFLM cast.cc converts with static_cast. Where that is defined Chorus gives the same
// value: integer to integer wraps modulo 2^bits (two's complement), integer to float
// rounds to nearest, float to integer truncates toward zero. Where static_cast is
// undefined (a float outside the target's range, or NaN) Chorus defines the result:
// it saturates to the target's minimum or maximum, and NaN becomes 0. Anything to bool
// is `!= 0` (NaN -> true); bool is stored as one byte, any nonzero byte reads as true.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace chorus::runtime::kernels {

template <class To, class From>
inline To cast_value(From x) {
  if constexpr (std::is_same_v<To, bool>) {
    return x != From(0);
  } else if constexpr (std::is_floating_point_v<From> && std::is_integral_v<To>) {
    if (x != x) return To(0);
    // Both bounds are exact in float (0 or minus a power of two; the max rounds up to a
    // power of two for 32/64 bits). A float just under the max truncates into range.
    if (x <= static_cast<From>(std::numeric_limits<To>::min())) return std::numeric_limits<To>::min();
    if (x >= static_cast<From>(std::numeric_limits<To>::max())) return std::numeric_limits<To>::max();
    return static_cast<To>(x);
  } else {
    return static_cast<To>(x);
  }
}

// How an element type sits in memory: bool as one byte read as `!= 0`.
template <class T>
struct CastStorage {
  using Raw = T;
  static T load(Raw r) { return r; }
  static Raw store(T v) { return v; }
};
template <>
struct CastStorage<bool> {
  using Raw = uint8_t;
  static bool load(uint8_t r) { return r != 0; }
  static uint8_t store(bool v) { return v ? 1 : 0; }
};

template <class From, class To>
void cast_elements(const void* in, void* out, size_t count) {
  const auto* src = static_cast<const typename CastStorage<From>::Raw*>(in);
  auto* dst = static_cast<typename CastStorage<To>::Raw*>(out);
  for (size_t i = 0; i < count; ++i) dst[i] = CastStorage<To>::store(cast_value<To>(CastStorage<From>::load(src[i])));
}

}  // namespace chorus::runtime::kernels
