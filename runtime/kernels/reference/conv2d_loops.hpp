// The CONV_2D int8 loop nests, apart from the kernel glue so tests can run them directly.
// Both give the bytes of TFLM reference_integer_ops::ConvPerChannel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "convolution.hpp"

namespace chorus::runtime::kernels {

// The reference loop nest (per-tap bounds checks, offset added per MAC).
void conv2d_reference(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                      const int32_t* bias, int8_t* output);



// Filters larger than 1x1 without an im2col panel (conv2d_fast calls it for them).
void conv2d_direct(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                   const int32_t* bias, int8_t* output);

// im2col of a block of output pixels into int16 (input + offset, 0 for padding) followed by
// an int8 x int16 GEMM with int32 accumulators. `scratch` must be 16-byte aligned and hold
// conv2d_scratch_bytes(shape, build_kernel_variant()) (scratch_sizes.hpp).
void conv2d_fast(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 int8_t* output, uint8_t* scratch);

}  // namespace chorus::runtime::kernels
