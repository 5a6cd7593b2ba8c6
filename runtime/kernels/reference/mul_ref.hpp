// Quantised MUL arithmetic, kept apart from the kernel so tests can call it directly.
// TFLM mul_common.cc CalculateOpDataMul (one multiplier in1_scale * in2_scale / out_scale,
// in double) and reference_integer_ops::MulElementwise (product of the zero-point-shifted
// inputs, requantised with the 32-bit MultiplyByQuantizedMultiplier).
#pragma once

#include <algorithm>
#include <cstdint>

#include "chorus/runtime/quantization.hpp"

namespace chorus::runtime::kernels {

struct MulQuantParams {
  int32_t input1_offset = 0;  // -zero point
  int32_t input2_offset = 0;
  int32_t output_offset = 0;  // +zero point
  QuantizedMultiplier output;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

inline MulQuantParams make_mul_quant_params(float scale1, int32_t zero_point1, float scale2, int32_t zero_point2, float out_scale,
                                            int32_t out_zero_point) {
  MulQuantParams p;
  p.input1_offset = -zero_point1;
  p.input2_offset = -zero_point2;
  p.output_offset = out_zero_point;
  p.output = quantize_multiplier(static_cast<double>(scale1) * static_cast<double>(scale2) / static_cast<double>(out_scale));
  return p;
}

// One output element, clamped to the activation range. Inputs are raw int8/int16 values
// (int16 has zero points 0, so the product stays within int32).
inline int32_t mul_quantized(int32_t x, int32_t y, const MulQuantParams& p) {
  const int32_t product = (p.input1_offset + x) * (p.input2_offset + y);
  return clamp_offset_to<int32_t>(multiply_by_quantized_multiplier(product, p.output.multiplier, p.output.shift), p.output_offset, p.act_min,
                                  p.act_max);
}

}  // namespace chorus::runtime::kernels
