// Quantised ADD arithmetic, kept apart from the kernel so tests can call it directly.
// TFLM add_common.cc CalculateOpDataAdd (multipliers) and reference_integer_ops::AddFunc /
// reference_ops::AddElementwise (per element): both inputs are moved to a common scale of
// 2 * max(input scales) with `left_shift` bits of headroom (20 for int8, 15 for int16),
// summed, and the sum rescaled to the output.
#pragma once

#include <algorithm>
#include <cstdint>

#include "chorus/runtime/quantization.hpp"

namespace chorus::runtime::kernels {

struct AddQuantParams {
  int32_t input1_offset = 0;  // -zero point
  int32_t input2_offset = 0;
  int32_t output_offset = 0;  // +zero point
  int32_t left_shift = 0;
  QuantizedMultiplier input1;  // shifts <= 0
  QuantizedMultiplier input2;
  QuantizedMultiplier output;
  int32_t act_min = 0;
  int32_t act_max = 0;
};

// TFLite QuantizeMultiplierSmallerThanOneExp: the multiplier must lie in (0, 1) and its
// exponent must not be positive (TFLM aborts otherwise; we report it).
inline bool quantize_multiplier_smaller_than_one(double real, QuantizedMultiplier* out) {
  if (!(real > 0.0 && real < 1.0)) return false;
  *out = quantize_multiplier(real);
  return out->shift <= 0;
}

// False when one of the three multipliers falls outside (0, 1).
inline bool make_add_quant_params(float scale1, int32_t zero_point1, float scale2, int32_t zero_point2, float out_scale,
                                  int32_t out_zero_point, int left_shift, AddQuantParams* p) {
  p->input1_offset = -zero_point1;
  p->input2_offset = -zero_point2;
  p->output_offset = out_zero_point;
  p->left_shift = left_shift;
  // The larger scale is chosen in float, everything after in double, as TFLM does.
  const double twice_max_input_scale = 2 * static_cast<double>(std::max(scale1, scale2));
  const double real1 = static_cast<double>(scale1) / twice_max_input_scale;
  const double real2 = static_cast<double>(scale2) / twice_max_input_scale;
  const double real_out = twice_max_input_scale / ((1 << left_shift) * static_cast<double>(out_scale));
  return quantize_multiplier_smaller_than_one(real1, &p->input1) && quantize_multiplier_smaller_than_one(real2, &p->input2) &&
         quantize_multiplier_smaller_than_one(real_out, &p->output);
}

// One output element, clamped to the activation range. Inputs are raw int8/int16 values.
inline int32_t add_quantized(int32_t x, int32_t y, const AddQuantParams& p) {
  const int32_t shifted1 = (p.input1_offset + x) * (1 << p.left_shift);
  const int32_t shifted2 = (p.input2_offset + y) * (1 << p.left_shift);
  const int32_t scaled1 = multiply_by_quantized_multiplier_smaller_than_one(shifted1, p.input1.multiplier, p.input1.shift);
  const int32_t scaled2 = multiply_by_quantized_multiplier_smaller_than_one(shifted2, p.input2.multiplier, p.input2.shift);
  const int32_t raw =
      multiply_by_quantized_multiplier_smaller_than_one(scaled1 + scaled2, p.output.multiplier, p.output.shift) + p.output_offset;
  return std::min(p.act_max, std::max(p.act_min, raw));
}

}  // namespace chorus::runtime::kernels
