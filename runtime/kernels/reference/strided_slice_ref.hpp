// STRIDED_SLICE index arithmetic and copy, kept apart from the kernel so tests can call
// them directly. Per-axis start/stop follow TFLM strided_slice_logic.h
// (StridedSliceStartForAxis / StridedSliceEndForAxis, the functions its eval uses).
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/tensor.hpp"

namespace chorus::runtime::kernels {

// First index visited on an axis: negative `begin` counts from the end, then clamped to
// [0, size] (stride > 0) or [-1, size - 1] (stride < 0); begin_mask means "from the start
// in the direction of travel".
int64_t slice_start(int64_t begin, int32_t stride, int32_t size, bool begin_masked);

// One past the last index visited (C-style, in the direction of travel). `offset`
// (StridedSliceOptions.offset) makes `end` relative to the start.
int64_t slice_stop(int64_t end, int64_t start, int32_t stride, int32_t size, bool end_masked, bool offset);

// Elements visited from start toward stop: ceil((stop - start) / stride), at least 0.
int64_t slice_count(int64_t start, int64_t stop, int32_t stride);

// The slice as a short loop nest over the input (extent-1 axes dropped, contiguous
// neighbours fused), element units.
struct SlicePlan {
  int32_t count = 0;              // output elements
  int32_t rank = 0;               // loops, 1..kMaxDims (0 when count is 0)
  int32_t base = 0;               // input element of the first output element
  int32_t extent[kMaxDims] = {};  // outermost first
  int32_t step[kMaxDims] = {};    // input element step per loop (negative strides allowed)
};

// `start[d]`, `stride[d]`, `count[d]` per input axis (count 1 for shrunk axes).
SlicePlan plan_slice(const Shape& input, const int64_t* start, const int32_t* stride, const int64_t* count);

// Copies the slice of `input` to `output` in output order; `element_size` bytes each.
void copy_slice(const SlicePlan& plan, const uint8_t* input, uint8_t* output, size_t element_size);

// The op data and eval of the kernels that are one planned copy of input 0 into output 0
// (STRIDED_SLICE, TRANSPOSE).
struct SliceCopyData {
  SlicePlan plan;
  uint32_t element_size;
};
Status eval_slice_copy(const EvalContext& ctx);

}  // namespace chorus::runtime::kernels
