#include "chorus/runtime/ethosu/arithmetic.hpp"

namespace chorus::runtime::ethosu {
namespace {

// hi * 2^32 + lo, exact.
struct Wide {
  int64_t hi;
  uint32_t lo;
};

Wide multiply(int64_t v, uint32_t m) {
  const int64_t vh = v >> 32;  // arithmetic
  const uint64_t vl = static_cast<uint64_t>(v) & 0xFFFFFFFFu;
  const uint64_t low = vl * m;
  return Wide{vh * static_cast<int64_t>(m) + static_cast<int64_t>(low >> 32), static_cast<uint32_t>(low)};
}

Wide add(Wide w, int64_t a) {
  const uint64_t lo = uint64_t{w.lo} + (static_cast<uint64_t>(a) & 0xFFFFFFFFu);
  return Wide{w.hi + (a >> 32) + static_cast<int64_t>(lo >> 32), static_cast<uint32_t>(lo)};
}

// floor(w / 2^s)
int64_t floor_shift(Wide w, uint32_t s) {
  if (s >= 32) return s - 32 >= 63 ? (w.hi < 0 ? -1 : 0) : w.hi >> (s - 32);
  if (s == 0) return static_cast<int64_t>((static_cast<uint64_t>(w.hi) << 32) | w.lo);
  return static_cast<int64_t>((static_cast<uint64_t>(w.hi) << (32 - s)) | (w.lo >> s));
}

int64_t magnitude_shift(int64_t v, uint32_t scale, uint32_t shift) {
  // Round toward zero: shift the magnitude.
  const bool negative = v < 0;
  const int64_t m = floor_shift(multiply(negative ? -v : v, scale), shift);
  return negative ? -m : m;
}

}  // namespace

int64_t multiply_round_half_up(int64_t value, uint32_t scale, uint32_t shift) {
  Wide p = multiply(value, scale);
  if (shift == 0) return floor_shift(p, 0);
  // 2^(shift-1) as a Wide addend (shift up to 63).
  const uint32_t half = shift - 1;
  p = half < 32 ? add(p, int64_t{1} << half) : Wide{p.hi + (int64_t{1} << (half - 32)), p.lo};
  return floor_shift(p, shift);
}

int64_t doubling_high_mul(int64_t value, uint32_t multiplier) {
  // gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul: (a*b + nudge) / 2^31 truncated,
  // nudge 2^30 for a non-negative product and 1 - 2^30 otherwise, which is floor((a*b + 2^30) / 2^31).
  return multiply_round_half_up(value, multiplier, 31);
}

int64_t rounding_divide_by_pot(int64_t value, uint32_t exponent) {
  // gemmlowp fixedpoint.h RoundingDivideByPOT: remainder against half the divisor, ties away from zero.
  if (exponent == 0) return value;
  if (exponent >= 63) return 0;
  const int64_t mask = (int64_t{1} << exponent) - 1;
  const int64_t remainder = value & mask;
  const int64_t threshold = (mask >> 1) + (value < 0 ? 1 : 0);
  return (value >> exponent) + (remainder > threshold ? 1 : 0);
}

int64_t apply_scale(int64_t value, uint32_t scale, uint32_t shift, Rounding rounding) {
  switch (rounding) {
    case Rounding::kTfl:
      // TFLite MultiplyByQuantizedMultiplier (tensorflow/lite/kernels/internal/common.h) with
      // TFLite shift = 31 - shift: a left shift then one rounding (which, for a product shifted
      // by fewer than 31 bits, is rounding half up), or the doubling high multiply and then a
      // rounding right shift (two roundings).
      if (shift < 31) return multiply_round_half_up(value, scale, shift);
      return rounding_divide_by_pot(doubling_high_mul(value, scale), shift - 31);
    case Rounding::kTruncate:
      return magnitude_shift(value, scale, shift);
    case Rounding::kNatural:
    default:
      return multiply_round_half_up(value, scale, shift);
  }
}

}  // namespace chorus::runtime::ethosu
