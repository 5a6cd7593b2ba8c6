// DEPTHWISE_CONV_2D (depth multiplier 1 or a multiple of 4) on cores with the DSP extension
// (Cortex-M4, M7, M33): four output channels per word, split into halfword pairs by SXTAB16
// (input, offset added) and SXTB16 (filter), each channel accumulated by its own
// SMLABB/SMLATT, over each output pixel's window clipped to the image (the reference skips
// padding taps). Bytes of reference_integer_ops::DepthwiseConvPerChannel (firmware golden
// tests).
#include "arm_kernels.hpp"
#include "scratch_sizes.hpp"

#if defined(CHORUS_ARM_DSP)

namespace chorus::runtime::kernels {
namespace {

using arm::load32;

template <bool kFast = false>
inline int8_t requant(int32_t acc, const arm::DspRequant& r, const ConvRequant& q) {
  return arm::dsp_output<kFast>(acc, r, q.output_offset, q.act_min, q.act_max);
}

// One filter row of three taps for four channels, x and w advancing by the same `step`
// (multiplier 1, dilation 1: both step by the channel count): per tap one LDR of the four
// inputs and of the four weights, SXTAB16 (input + offset) and SXTB16 (weight) into
// halfword pairs, and one SMLABB/SMLATT per channel. In assembly because GCC 12 spills the
// sums when it allocates the window loop itself (about 17 instructions a tap, not 10); the
// taps at step and 2 step use LDR's register offset, so the row needs no pointer updates.
inline void row3_same_step(const int8_t* x, const int8_t* w, size_t step, int32_t offset2, int32_t& a0, int32_t& a1,
                           int32_t& a2, int32_t& a3) {
  uint32_t xv, wv, xe, t;
#define CHORUS_DW_TAP(ADDR_X, ADDR_W)                  \
  "ldr %[xv], " ADDR_X "\n"                             \
  "ldr %[wv], " ADDR_W "\n"                             \
  "sxtab16 %[xe], %[off], %[xv]\n"                      \
  "sxtab16 %[xv], %[off], %[xv], ror #8\n"              \
  "sxtb16 %[t], %[wv]\n"                                \
  "smlabb %[a0], %[xe], %[t], %[a0]\n"                  \
  "smlatt %[a2], %[xe], %[t], %[a2]\n"                  \
  "sxtb16 %[t], %[wv], ror #8\n"                        \
  "smlabb %[a1], %[xv], %[t], %[a1]\n"                  \
  "smlatt %[a3], %[xv], %[t], %[a3]\n"
  __asm__(CHORUS_DW_TAP("[%[x]]", "[%[w]]") CHORUS_DW_TAP("[%[x], %[s]]", "[%[w], %[s]]")
              CHORUS_DW_TAP("[%[x], %[s], lsl #1]", "[%[w], %[s], lsl #1]")
          : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [xv] "=&r"(xv), [wv] "=&r"(wv), [xe] "=&r"(xe),
            [t] "=&r"(t)
          : [x] "r"(x), [w] "r"(w), [s] "r"(step), [off] "r"(offset2)
          : "memory");
#undef CHORUS_DW_TAP
}

// acc[0..3] += the products of four channels over one window (x, w at the first valid tap
// of the group's first channel). Out of line with scalar arguments, so the tap loop keeps
// its pointers and steps in registers; windows three taps wide are unrolled by row.
template <bool kBroadcast>
__attribute__((always_inline)) inline void window4(const int8_t* x, const int8_t* w, int32_t rows, int32_t cols, size_t x_row,
                                       size_t x_col, size_t w_row, size_t w_col, int32_t input_offset, int32_t* acc) {
  const int32_t offset2 = arm::dup16(input_offset);
  int32_t a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3];
  auto tap = [&](const int8_t* xp, const int8_t* wp) {
    const uint32_t wv = load32(wp);
    int32_t xe, xo;
    if constexpr (kBroadcast) {
      xe = xo = arm::dup16(*xp + input_offset);
    } else {
      const uint32_t xv = load32(xp);
      xe = __sxtab16(offset2, static_cast<int32_t>(xv));
      xo = arm::sxtab16_ror8(offset2, xv);
    }
    const int32_t we = arm::sxtb16(wv);
    const int32_t wo = arm::sxtb16_ror8(wv);
    a0 = __smlabb(xe, we, a0);
    a2 = __smlatt(xe, we, a2);
    a1 = __smlabb(xo, wo, a1);
    a3 = __smlatt(xo, wo, a3);
  };
  if (!kBroadcast && cols == 3 && x_col == w_col) {
    for (int32_t r = 0; r < rows; ++r, x += x_row, w += w_row) row3_same_step(x, w, x_col, offset2, a0, a1, a2, a3);
  } else {
    for_each_tap(x, w, rows, cols, x_row, x_col, w_row, w_col, tap);
  }
  acc[0] = a0;
  acc[1] = a1;
  acc[2] = a2;
  acc[3] = a3;
}

// Every group of four channels of one output pixel (pixel-major: the window is clipped
// once for all groups). `requants` holds each channel's DspRequant.
template <bool kBroadcast, bool kFast>
__attribute__((noinline)) void pixel_groups(const ConvShape& s, const ConvRequant& q, const arm::DspRequant* requants,
                                            const int32_t* bias, const int8_t* x, const int8_t* w, int32_t rows,
                                            int32_t cols, int8_t* out) {
  const size_t x_row = static_cast<size_t>(s.dilation_h) * s.input_w * s.input_c;
  const size_t x_col = static_cast<size_t>(s.dilation_w) * s.input_c;
  const size_t w_row = static_cast<size_t>(s.filter_w) * s.output_c;
  const size_t w_col = static_cast<size_t>(s.output_c);
  const int32_t groups = s.output_c / 4;
  for (int32_t g = 0; g < groups; ++g) {
    const int32_t c = 4 * g;
    int32_t acc[4] = {0, 0, 0, 0};
    if (bias != nullptr)
      for (int i = 0; i < 4; ++i) acc[i] = bias[c + i];
    window4<kBroadcast>(x + (kBroadcast ? c / s.depth_multiplier : c), w + c, rows, cols, x_row, x_col, w_row, w_col,
                        q.input_offset, acc);
    for (int i = 0; i < 4; ++i) out[c + i] = requant<kFast>(acc[i], requants[c + i], q);
  }
}

template <bool kBroadcast, bool kFast>
void image_groups(const ConvShape& s, const ConvRequant& q, const arm::DspRequant* requants, const int8_t* image,
                  const int8_t* filter, const int32_t* bias, int8_t* out_image) {
  const int32_t channels = s.output_c;
  const size_t tap_row = static_cast<size_t>(s.filter_w) * channels;
  for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
    const int32_t iy0 = oy * s.stride_h - s.pad_h;
    int32_t ky0, ky1;
    clip_taps(iy0, s.dilation_h, s.filter_h, s.input_h, &ky0, &ky1);
    int8_t* out = out_image + static_cast<size_t>(oy) * s.output_w * channels;
    for (int32_t ox = 0; ox < s.output_w; ++ox, out += channels) {
      const int32_t ix0 = ox * s.stride_w - s.pad_w;
      int32_t kx0, kx1;
      clip_taps(ix0, s.dilation_w, s.filter_w, s.input_w, &kx0, &kx1);
      const int8_t* x =
          image + (static_cast<size_t>(iy0 + ky0 * s.dilation_h) * s.input_w + (ix0 + kx0 * s.dilation_w)) * s.input_c;
      const int8_t* w = filter + static_cast<size_t>(ky0) * tap_row + static_cast<size_t>(kx0) * channels;
      pixel_groups<kBroadcast, kFast>(s, q, requants, bias, x, w, ky1 - ky0, kx1 - kx0, out);
    }
  }
}

// One output channel of one image (channels left over by groups of four).
void one_channel(const ConvShape& s, const ConvRequant& q, const arm::DspRequant& r, const int8_t* image, const int8_t* filter,
                 const int32_t* bias, int32_t c, int8_t* out_image) {
  const int32_t channels = s.output_c;
  const int32_t x_channel = c / s.depth_multiplier;
  for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
    const int32_t iy0 = oy * s.stride_h - s.pad_h;
    int32_t ky0, ky1;
    clip_taps(iy0, s.dilation_h, s.filter_h, s.input_h, &ky0, &ky1);
    for (int32_t ox = 0; ox < s.output_w; ++ox) {
      const int32_t ix0 = ox * s.stride_w - s.pad_w;
      int32_t kx0, kx1;
      clip_taps(ix0, s.dilation_w, s.filter_w, s.input_w, &kx0, &kx1);
      int32_t acc = bias != nullptr ? bias[c] : 0;
      for (int32_t ky = ky0; ky < ky1; ++ky) {
        for (int32_t kx = kx0; kx < kx1; ++kx) {
          const size_t pixel = static_cast<size_t>(iy0 + ky * s.dilation_h) * s.input_w + (ix0 + kx * s.dilation_w);
          const int32_t xv = image[pixel * s.input_c + x_channel];
          acc += static_cast<int32_t>(filter[(static_cast<size_t>(ky) * s.filter_w + kx) * channels + c]) * (xv + q.input_offset);
        }
      }
      out_image[(static_cast<size_t>(oy) * s.output_w + ox) * channels + c] = requant(acc, r, q);
    }
  }
}

}  // namespace

// Scratch (scratch_sizes.hpp, kArmDsp): the bytes one DspRequant per output channel needs
// beyond the multipliers' area (the records take the multipliers' place, arm_kernels.hpp).
static_assert(sizeof(arm::DspRequant) == kDspRequantBytes, "scratch_sizes.hpp sizes the records");

bool depthwise_conv2d_arm(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                          const int32_t* bias, int8_t* output, uint8_t* scratch) {
  const int32_t m = s.depth_multiplier;
  if (m != 1 && m % 4 != 0) return false;
  (void)scratch;
  const arm::DspRequant* requants = arm::expand_requants(q.channels, s.output_c);
  const size_t image_size = static_cast<size_t>(s.input_h) * s.input_w * s.input_c;
  const size_t output_size = static_cast<size_t>(s.output_h) * s.output_w * s.output_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out_image = output + b * output_size;
    const bool fast = arm::dsp_fast_outputs(requants, s.output_c, q.act_min, q.act_max);
    if (m == 1)
      (fast ? image_groups<false, true> : image_groups<false, false>)(s, q, requants, image, filter, bias, out_image);
    else
      (fast ? image_groups<true, true> : image_groups<true, false>)(s, q, requants, image, filter, bias, out_image);
    for (int32_t c = s.output_c & ~3; c < s.output_c; ++c) one_channel(s, q, requants[c], image, filter, bias, c, out_image);
  }
  return true;
}

}  // namespace chorus::runtime::kernels

#endif  // CHORUS_ARM_DSP
