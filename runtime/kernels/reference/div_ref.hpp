// Quantised DIV arithmetic, kept apart from the kernel so tests can call it directly.
// TFLM div.cc CalculateOpDataDiv (multiplier in1_scale / (in2_scale * out_scale), computed
// in float) and reference_ops::DivElementwise: the divisor's reciprocal as a Q0 mantissa
// and exponent (GetReciprocal), the dividend normalised to use all 31 bits, their
// product rescaled by the output multiplier with the combined shift.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>

#include "chorus/runtime/quantization.hpp"
#include "fixed_point_math.hpp"

namespace chorus::runtime::kernels {

struct DivQuantParams {
  int32_t input1_offset = 0;  // -zero point
  int32_t input2_offset = 0;
  int32_t output_offset = 0;  // +zero point
  QuantizedMultiplier output;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

// The largest output exponent for which every int8 quotient takes a right shift:
// the dividend headroom is at least 23 bits (|x - zp| <= 255) and the reciprocal
// exponent at least 0.
constexpr int kDivMaxOutputShift = 23;

inline DivQuantParams make_div_quant_params(float scale1, int32_t zero_point1, float scale2, int32_t zero_point2, float out_scale,
                                            int32_t out_zero_point) {
  DivQuantParams p;
  p.input1_offset = -zero_point1;
  p.input2_offset = -zero_point2;
  p.output_offset = out_zero_point;
  p.output = quantize_multiplier(static_cast<double>(scale1 / (scale2 * out_scale)));
  return p;
}

// gemmlowp RoundingDivideByPOT extended to exponents past 31. There TFLM shifts an int32
// by 32 or more (undefined; x86 and Arm disagree), so its results depend on the machine;
// we return the correctly rounded quotient, which for |x| <= 2^31 is 0 except for
// -2^31 / 2^32 = -1/2, rounded away from zero as gemmlowp rounds ties.
inline int32_t rounding_divide_by_pot_wide(int32_t x, int exponent) {
  if (exponent <= 31) return rounding_divide_by_pot(x, exponent);
  return exponent == 32 && x == std::numeric_limits<int32_t>::min() ? -1 : 0;
}

// One output element, clamped to the activation range. The divisor `y` must not equal
// its zero point (the caller reports that as a division by zero).
inline int32_t div_quantized(int32_t x, int32_t y, const DivQuantParams& p) {
  int32_t numerator = p.input1_offset + x;
  int32_t denominator = p.input2_offset + y;
  if (denominator < 0) {  // the reciprocal must be positive to serve as a multiplier
    numerator = -numerator;
    denominator = -denominator;
  }
  int reciprocal_shift = 0;
  const int32_t reciprocal = fixed_point::reciprocal(denominator, 31, &reciprocal_shift);
  const int headroom = numerator != 0 ? __builtin_clrsb(numerator) : 31;  // TFLM CountLeadingSignBits
  const int32_t unscaled = multiply_by_quantized_multiplier_greater_than_one(numerator, reciprocal, headroom);
  const int total_shift = p.output.shift - reciprocal_shift - headroom;  // <= 0, see kDivMaxOutputShift
  const int32_t raw = p.output_offset + rounding_divide_by_pot_wide(
                                            saturating_rounding_doubling_high_mul(unscaled, p.output.multiplier), -total_shift);
  return std::min(p.act_max, std::max(p.act_min, raw));
}

// int32 division truncating toward zero. INT32_MIN / -1 wraps to INT32_MIN (what the
// Cortex-M SDIV instruction gives; in C++ it is undefined). `y` must not be 0.
inline int32_t div_int32(int32_t x, int32_t y) {
  if (y == -1) return static_cast<int32_t>(0u - static_cast<uint32_t>(x));
  return x / y;
}

}  // namespace chorus::runtime::kernels
