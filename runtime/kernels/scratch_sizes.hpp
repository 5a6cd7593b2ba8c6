// The transient scratch each implementation of the convolutions requests beyond the
// per-channel multipliers, for every kernel variant in every build: a host tool planning a
// firmware image measures with the target's variant (chorus board), the target with its
// own, and both get the same bytes. The variant files use these formulas (one source).
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/runtime/kernel.hpp"
#include "convolution.hpp"

namespace chorus::runtime::kernels {

// Bytes of one requantisation record of the DSP kernels (arm::DspRequant: six words).
constexpr size_t kDspRequantBytes = 24;
// Words per group of four output channels of the Helium convolution (arm_int8.hpp).
constexpr size_t kMveConvGroupWords = 20;
// Words per group of eight channels of the Helium depthwise convolution (multiplier 1).
constexpr size_t kMveDepthwiseWideWords = 40;

// The portable loops' im2col panel: whether a convolution uses one, and its bytes.
bool conv2d_portable_uses_panel(const ConvShape& s);
size_t conv2d_portable_panel_bytes(const ConvShape& s);

// The Arm kernels' parts (their files lay their scratch out by these).
size_t conv2d_dsp_records_bytes(const ConvShape& s);
size_t conv2d_dsp_panel_bytes(const ConvShape& s);
size_t conv2d_mve_row_bytes(const ConvShape& s);
size_t conv2d_mve_params_bytes(const ConvShape& s);

size_t conv2d_scratch_bytes(const ConvShape& s, KernelVariant variant);
size_t depthwise_conv2d_scratch_bytes(const ConvShape& s, KernelVariant variant);

}  // namespace chorus::runtime::kernels
