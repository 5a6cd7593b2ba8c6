// MEAN arithmetic, kept apart from the kernel so tests can call it directly.
//
// TFLM reduce_common.cc / reference_ops::QuantizedMeanOrSum (int8, int16): int32 sums of
// the raw inputs per output, minus input_zero_point * n, requantised by the multiplier of
// input_scale / output_scale with 1/n folded in (shift = floor(log2 n), capped at 32 and
// at 31 + exponent; multiplier = (m << shift) / n, exponent -= shift), plus the output
// zero point, clamped to the type. reference_ops::Mean (float32): the sum in input order
// divided by n. (This TFLM has no separate int8 path for the 4-D mean over H and W; its
// float special case adds in the same order, so one loop serves both.)
#pragma once

#include <cstdint>

#include "chorus/runtime/quantization.hpp"
#include "chorus/runtime/tensor.hpp"

namespace chorus::runtime::kernels {

// The input walked in memory order as a short loop nest (extent-1 axes dropped,
// neighbours that are both reduced or both kept fused), with the output element each
// input element adds into.
struct ReducePlan {
  int32_t input_count = 0;
  int32_t num_outputs = 0;
  int32_t reduced_count = 1;  // n: input elements per output
  int32_t rank = 0;           // loops, 1..kMaxDims (0 when the input is empty)
  int32_t extent[kMaxDims] = {};
  int32_t out_stride[kMaxDims] = {};  // 0 on reduced loops
};

// `axes` may be negative (from the end) and repeat (TFLM ResolveAxis). False when an
// axis lies outside the input's rank.
bool plan_reduce(const Shape& input, const int32_t* axes, int num_axes, ReducePlan* plan);

struct MeanQuantParams {
  int32_t input_zero_point = 0;
  int32_t output_zero_point = 0;
  QuantizedMultiplier multiplier;  // input_scale / output_scale / n
  int32_t qmin = 0;
  int32_t qmax = 0;
};

MeanQuantParams make_mean_quant_params(float input_scale, int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                                       int32_t reduced_count, int32_t qmin, int32_t qmax);

// `sums` holds plan.num_outputs int32 values (scratch).
void mean_int8(const ReducePlan& plan, const MeanQuantParams& q, const int8_t* input, int8_t* output, int32_t* sums);
void mean_int16(const ReducePlan& plan, const MeanQuantParams& q, const int16_t* input, int16_t* output, int32_t* sums);
void mean_float(const ReducePlan& plan, const float* input, float* output);

}  // namespace chorus::runtime::kernels
