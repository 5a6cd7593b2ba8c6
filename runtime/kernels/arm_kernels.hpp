// Target kernels for Arm M-profile cores, used by the CONV_2D and DEPTHWISE_CONV_2D fast
// paths when the build targets one (arm_int8.hpp: Helium/MVE on Cortex-M55, the DSP
// extension on Cortex-M4/M7/M33). Same bytes as the reference loops; the golden tests run
// them under QEMU (firmware/).
#pragma once

#include <cstddef>
#include <cstdint>

#include "arm_int8.hpp"
#include "convolution.hpp"

namespace chorus::runtime::kernels {

#if defined(CHORUS_ARM_KERNELS)

// The per-channel multipliers q.channels are the caller's scratch: they fill the
// channel_multiplier_bytes(shape) bytes right before `scratch` (conv2d.cpp and
// depthwise_conv2d.cpp lay it out so), and the target kernels may overwrite them (the DSP
// kernels expand them in place into their 24-byte requantisation records).
//
// CONV_2D for any filter: an im2col panel of two output pixels (DSP: int16 with the input
// offset added, halfword pairs in SXTB16 order; MVE: int8, padding = the input zero point)
// times the filter rows, two channels (DSP) or four (MVE) at a time. `scratch` is 16-byte
// aligned and holds conv2d_scratch_bytes(shape, kArmDsp or kArmMve) (scratch_sizes.hpp).
void conv2d_arm(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                const int32_t* bias, int8_t* output, uint8_t* scratch);

// DEPTHWISE_CONV_2D with depth multiplier 1 or a multiple of 4, four channels at a time
// over each output pixel's window clipped to the image; returns false for other multipliers
// (the portable loops take them).
bool depthwise_conv2d_arm(const ConvShape& shape, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                          const int32_t* bias, int8_t* output, uint8_t* scratch);

#endif

}  // namespace chorus::runtime::kernels
