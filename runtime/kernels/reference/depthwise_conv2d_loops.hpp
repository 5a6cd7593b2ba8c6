// The DEPTHWISE_CONV_2D int8 loop nests, apart from the kernel glue so tests can run them
// directly. Both give the bytes of TFLM reference_integer_ops::DepthwiseConvPerChannel.
#pragma once

#include <cstddef>
#include <cstdint>

#include "convolution.hpp"

namespace chorus::runtime::kernels {

// The reference loop nest (per-tap bounds checks inside the channel loops).
void depthwise_conv2d_reference(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                                const int32_t* bias, int8_t* output);



// Eight output channels at a time over the whole image: their filter taps are widened to
// int16 once, then every output pixel accumulates them over its window clipped to the
// image (no per-tap bounds checks) in int32 vectors. Depth multiplier 1 reads the input
// channels contiguously, multiples of 8 broadcast one input channel to the eight outputs;
// other multipliers, and the channels left over, run the same loop one channel at a time.
// `scratch` must hold depthwise_conv2d_scratch_bytes(shape, build_kernel_variant()).
void depthwise_conv2d_fast(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, int8_t* output, uint8_t* scratch);

}  // namespace chorus::runtime::kernels
