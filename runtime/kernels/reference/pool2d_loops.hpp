// The int8 AVERAGE_POOL_2D and MAX_POOL_2D loops (defined in pooling.cpp), apart from the
// kernel glue so tests can run them directly.
#pragma once

#include <cstdint>

namespace chorus::runtime::kernels {

// NHWC; the same channel count in and out.
struct PoolShape {
  int32_t batches;
  int32_t input_h, input_w, channels;
  int32_t output_h, output_w;
  int32_t filter_h, filter_w;
  int32_t stride_h, stride_w;
  int32_t pad_h, pad_w;  // leading (top, left) padding
  // The band of output rows to compute (see ConvShape).
  int32_t row_begin = 0;
  int32_t row_end = -1;
  int32_t first_row() const { return row_begin; }
  int32_t last_row() const { return row_end < 0 ? output_h : row_end; }
};

// TFLM reference_integer_ops::AveragePool: the mean of the taps inside the image (padding
// is not counted), rounded half away from zero, clamped to [act_min, act_max]. Returns
// false if some window holds no tap (TFLM fails the same way; a validated shape never does).
bool average_pool_int8(const PoolShape& shape, int32_t act_min, int32_t act_max, const int8_t* input, int8_t* output);

// TFLM reference_integer_ops::MaxPool: the largest tap inside the image (-128 for a window
// with none), clamped to [act_min, act_max].
void max_pool_int8(const PoolShape& shape, int32_t act_min, int32_t act_max, const int8_t* input, int8_t* output);

}  // namespace chorus::runtime::kernels
