#include "scratch_sizes.hpp"

#include "arm_int8.hpp"

namespace chorus::runtime {

KernelVariant build_kernel_variant() {
#if defined(CHORUS_REFERENCE_KERNELS)
  return KernelVariant::kReference;
#elif defined(CHORUS_ARM_MVE)
  return KernelVariant::kArmMve;
#elif defined(CHORUS_ARM_DSP)
  return KernelVariant::kArmDsp;
#else
  return KernelVariant::kPortable;
#endif
}

const char* kernel_variant_name(KernelVariant v) {
  switch (v) {
    case KernelVariant::kReference: return "reference";
    case KernelVariant::kPortable: return "portable";
    case KernelVariant::kArmDsp: return "arm-dsp";
    case KernelVariant::kArmMve: return "arm-mve";
  }
  return "?";
}

namespace kernels {
namespace {

size_t round16(size_t n) { return (n + 15) / 16 * 16; }
size_t taps_of(const ConvShape& s) {
  return static_cast<size_t>(s.filter_h) * static_cast<size_t>(s.filter_w) * static_cast<size_t>(s.input_c);
}

}  // namespace

// DSP (conv2d_dsp.cpp): [requantisation records past the multipliers' area | a panel of
// int16 tap pairs, 16 bytes per group of four taps].
size_t conv2d_dsp_records_bytes(const ConvShape& s) {
  return round16(static_cast<size_t>(s.output_c) * kDspRequantBytes) - channel_multiplier_bytes(s);
}
size_t conv2d_dsp_panel_bytes(const ConvShape& s) { return (taps_of(s) + 3) / 4 * 16; }
// Helium (conv2d_mve.cpp): [one receptive field, unless a 1x1 unpadded filter reads the
// input directly | a parameter block per group of four channels].
size_t conv2d_mve_row_bytes(const ConvShape& s) {
  const bool direct = s.filter_h == 1 && s.filter_w == 1 && s.pad_h == 0 && s.pad_w == 0;
  return direct ? 0 : round16(taps_of(s));
}
size_t conv2d_mve_params_bytes(const ConvShape& s) {
  return (static_cast<size_t>(s.output_c) + 3) / 4 * kMveConvGroupWords * sizeof(int32_t);
}

size_t conv2d_scratch_bytes(const ConvShape& s, KernelVariant variant) {
  switch (variant) {
    case KernelVariant::kReference: return 0;
    case KernelVariant::kPortable: return conv2d_portable_uses_panel(s) ? conv2d_portable_panel_bytes(s) : 0;
    case KernelVariant::kArmDsp: return conv2d_dsp_records_bytes(s) + conv2d_dsp_panel_bytes(s);
    case KernelVariant::kArmMve: return conv2d_mve_row_bytes(s) + conv2d_mve_params_bytes(s);
  }
  return 0;
}

size_t depthwise_conv2d_scratch_bytes(const ConvShape& s, KernelVariant variant) {
  const size_t channels = static_cast<size_t>(s.output_c);
  switch (variant) {
    case KernelVariant::kReference:
    case KernelVariant::kPortable: return 0;
    // depthwise_conv2d_dsp.cpp: the DspRequant records in place of the multipliers.
    case KernelVariant::kArmDsp: return round16(channels * kDspRequantBytes) - channel_multiplier_bytes(s);
    // depthwise_conv2d_mve.cpp: multiplier, shifts, mask and bias per channel (five words per
    // channel rounded to four), or the eight-channel blocks of multiplier 1.
    case KernelVariant::kArmMve: {
      const size_t wide = (channels + 7) / 8 * kMveDepthwiseWideWords;
      const size_t narrow = 5 * ((channels + 3) / 4 * 4);
      return (wide > narrow ? wide : narrow) * sizeof(int32_t);
    }
  }
  return 0;
}

}  // namespace kernels
}  // namespace chorus::runtime
