// Element-wise (re)quantisation arithmetic of QUANTIZE and DEQUANTIZE (TFLM
// reference_ops::Requantize, AffineQuantize, Dequantize), as plain functions so tests can
// drive them without a model.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "requantizer.hpp"

namespace chorus::runtime::kernels {

// reference/requantize.h: (q - in_zp) * multiplier + out_zp, clamped to Out's range. The
// reference's int8<->uint8 "xor 0x80" fast path gives the same bytes as this formula.
template <class In, class Out>
void requantize(const In* input, size_t count, const Requantizer& m, int32_t input_zero_point, int32_t output_zero_point,
                Out* output) {
  constexpr int32_t kMin = std::numeric_limits<Out>::min();
  constexpr int32_t kMax = std::numeric_limits<Out>::max();
  for (size_t i = 0; i < count; ++i) {
    const int32_t x = static_cast<int32_t>(input[i]) - input_zero_point;
    const int32_t y = m.apply(x) + output_zero_point;
    output[i] = static_cast<Out>(y < kMin ? kMin : (y > kMax ? kMax : y));
  }
}

// float -> int32 with saturation (NaN -> 0), where a plain cast would be undefined. In
// range it is the plain cast the reference uses.
inline int32_t float_to_int32_saturating(float r) {
  if (r >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  if (r <= -2147483648.0f) return std::numeric_limits<int32_t>::min();
  if (r != r) return 0;
  return static_cast<int32_t>(r);
}

// reference/quantize.h AffineQuantize: round(x / scale) + zero_point in float, half away
// from zero, clamped to Out's range.
template <class Out>
void affine_quantize(const float* input, size_t count, float scale, int32_t zero_point, Out* output) {
  constexpr int64_t kMin = std::numeric_limits<Out>::min();
  constexpr int64_t kMax = std::numeric_limits<Out>::max();
  for (size_t i = 0; i < count; ++i) {
    const int64_t q = static_cast<int64_t>(float_to_int32_saturating(std::round(input[i] / scale))) + zero_point;
    output[i] = static_cast<Out>(q < kMin ? kMin : (q > kMax ? kMax : q));
  }
}

// reference/dequantize.h computes float(double(scale) * (q - zero_point)). With |q - zp|
// below 2^24 (guaranteed by prepare) the double product is exact and float(q - zp) is
// exact, so one float multiplication rounds the same exact product once: bit-identical,
// without double arithmetic on a single-precision FPU.
template <class In>
void dequantize(const In* input, size_t count, float scale, int32_t zero_point, float* output) {
  for (size_t i = 0; i < count; ++i) output[i] = scale * static_cast<float>(static_cast<int32_t>(input[i]) - zero_point);
}

}  // namespace chorus::runtime::kernels
