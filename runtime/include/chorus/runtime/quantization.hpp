// Fixed-point arithmetic of the TFLite int8 quantization spec, with the reference
// kernels' exact order of operations (TFLM tensorflow/lite/kernels/internal/common.h,
// quantization_util.cc; gemmlowp fixedpoint.h), so results are bit-identical.
#pragma once

#include <cstdint>
#include <limits>

namespace chorus::runtime {

// A real multiplier as a Q31 value and a power-of-two exponent (positive = left shift).
struct QuantizedMultiplier {
  int32_t multiplier = 0;
  int32_t shift = 0;
};

// The largest left shift a multiplier carries. In the double-rounding build TFLM uses by
// default (tensorflow/lite/kernels/internal/quantization_util.cc QuantizeMultiplier), a
// shift of 32 or more is an undefined shift in MultiplyByQuantizedMultiplier
// (x * (1 << shift)), so no valid model needs one; 31 does occur (PreprocessSoftmaxScaling
// caps its multiplier at 2^31 - 1, which QuantizeMultiplier gives as shift 31). TFLite's
// single-rounding build saturates above 30 the same way. Chorus shifts as uint32, defined
// up to 31, and saturates larger exponents to (2^31 - 1, 31) in every build, so a real
// multiplier >= 2^31 (output scale two billion times smaller than the input's) gives the
// same bytes on host and target.
constexpr int32_t kMaxMultiplierShift = 31;

// frexp, round half away from zero, the 2^31 carry, the < -31 underflow to zero and the
// saturation above kMaxMultiplierShift (TFLite QuantizeMultiplier).
QuantizedMultiplier quantize_multiplier(double real_multiplier);

// quantize_multiplier(double(a) * double(b) / double(c)) -- the per-channel multiplier of
// TFLite PopulateConvolutionQuantizationParams (input scale x filter scale / output scale)
// -- computed exactly in integer arithmetic: about fifty instructions on a core without a
// double-precision FPU, where the double expression costs about a thousand. Inputs that
// are not positive normal or subnormal floats take the double expression itself.
QuantizedMultiplier quantize_multiplier_ratio(float a, float b, float c);

// gemmlowp SaturatingRoundingDoublingHighMul.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  if (a == b && a == std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::max();
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return static_cast<int32_t>((ab + nudge) / (1LL << 31));
}

// gemmlowp RoundingDivideByPOT: rounds half away from zero.
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((1LL << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// TFLite MultiplyByQuantizedMultiplier (32-bit accumulator).
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  return rounding_divide_by_pot(
      saturating_rounding_doubling_high_mul(static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), multiplier),
      right_shift);
}

// TFLite MultiplyByQuantizedMultiplier (64-bit accumulator, int16 activations), the
// double-rounding build TFLM uses by default (no TFLITE_SINGLE_ROUNDING, common.cc): the
// multiplier is first reduced to 16 bits, rounding, saturating at 0x7FFF; then one
// rounding shift by 15 - shift.
inline int32_t multiply_by_quantized_multiplier(int64_t x, int32_t multiplier, int shift) {
  const int32_t reduced = multiplier < 0x7FFF0000 ? ((multiplier + (1 << 15)) >> 16) : 0x7FFF;
  const int total_shift = 15 - shift;
  const int64_t round = static_cast<int64_t>(1) << (total_shift - 1);
  int64_t result = x * static_cast<int64_t>(reduced) + round;
  result = result >> total_shift;
  return static_cast<int32_t>(result);
}

// TFLite MultiplyByQuantizedMultiplierSmallerThanOneExp.
inline int32_t multiply_by_quantized_multiplier_smaller_than_one(int32_t x, int32_t multiplier, int left_shift) {
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(x, multiplier), -left_shift);
}

// TFLite MultiplyByQuantizedMultiplierGreaterThanOne.
inline int32_t multiply_by_quantized_multiplier_greater_than_one(int32_t x, int32_t multiplier, int left_shift) {
  return saturating_rounding_doubling_high_mul(static_cast<int32_t>(static_cast<uint32_t>(x) << left_shift), multiplier);
}

template <class T>
inline T clamp_to(int32_t v, int32_t lo, int32_t hi) {
  return static_cast<T>(v < lo ? lo : (v > hi ? hi : v));
}

// A requantised value plus the output zero point, clamped to [lo, hi]: the addition is done
// in 64 bits. A scale ratio far above 1 can bring the value within 128 of the int32 limits,
// where the reference kernels' int32 addition overflows (undefined; a hostile model found it
// through the model-loader fuzzer). Wherever that addition does not overflow, the result is
// the reference's.
template <class T>
inline T clamp_offset_to(int32_t v, int32_t offset, int32_t lo, int32_t hi) {
  const int64_t w = int64_t{v} + offset;
  return static_cast<T>(w < lo ? lo : (w > hi ? hi : w));
}

// Fused activation range for a quantised output (TFLite CalculateActivationRangeQuantized).
// `activation` is the schema's ActivationFunctionType value.
struct ActivationRange {
  int32_t min;
  int32_t max;
};
bool quantized_activation_range(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                                ActivationRange* out);

}  // namespace chorus::runtime
