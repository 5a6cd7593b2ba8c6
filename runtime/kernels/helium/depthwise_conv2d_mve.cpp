// DEPTHWISE_CONV_2D (depth multiplier 1 or a multiple of 4) on Helium (MVE, Cortex-M55):
// pixel by pixel, each output pixel's window clipped to the image once (the reference
// skips padding taps), then four output channels per vector of int32 lanes (VLDRB.S32
// widening loads), the last group predicated; with a multiplier of 4 G the input value is
// broadcast to the G groups that read it. The requantisation is four channels per vector
// (arm_int8.hpp). Bytes of
// reference_integer_ops::DepthwiseConvPerChannel (firmware golden tests).
#include "arm_kernels.hpp"
#include "scratch_sizes.hpp"

#if defined(CHORUS_ARM_MVE)

namespace chorus::runtime::kernels {
namespace {

size_t channel_words(const ConvShape& s) { return (static_cast<size_t>(s.output_c) + 3) / 4 * 4; }

// Steps of one output pixel's window, clipped to the image.
struct Window {
  int32_t rows, cols;
  size_t x_row, x_col;  // input steps between taps (bytes)
  size_t w_row, w_col;  // filter steps between taps
};

// The G groups of four output channels that read one input channel (multiplier 4 G): the
// input value is loaded once per tap and broadcast.
template <int G>
inline void window_broadcast(const int8_t* x, const int8_t* w, const Window& win, int32_t input_offset, int32x4_t (&acc)[G]) {
  for_each_tap(x, w, win.rows, win.cols, win.x_row, win.x_col, win.w_row, win.w_col, [&](const int8_t* xp, const int8_t* wp) {
    const int32_t xv = *xp + input_offset;
#pragma GCC unroll 4
    for (int g = 0; g < G; ++g) acc[g] = vmlaq_n_s32(acc[g], vldrbq_s32(wp + 4 * g), xv);  // VMLA: acc + w x
  });
}

class Requant4 {
 public:
  Requant4(const ConvShape& s, const ConvRequant& q, const int32_t* words)
      : words_(words), stride_(channel_words(s)), q_(q) {}
  int32x4_t bias(int32_t c) const { return vldrwq_s32(words_ + 4 * stride_ + c); }
  int32x4_t operator()(int32x4_t acc, int32_t c) const {
    const arm::ChannelVectors cv{vldrwq_s32(words_ + c), vldrwq_s32(words_ + stride_ + c),
                                 vldrwq_s32(words_ + 2 * stride_ + c), vldrwq_s32(words_ + 3 * stride_ + c)};
    return arm::requantize4(acc, cv, vdupq_n_s32(q_.output_offset), vdupq_n_s32(q_.act_min), vdupq_n_s32(q_.act_max));
  }

 private:
  const int32_t* words_;
  size_t stride_;
  const ConvRequant& q_;
};

// Multiplier 1: eight channels per vector of int16 lanes (VLDRB.S16 widening loads, the
// input offset added in int16: x + o lies in [-255, 255]), the products widened into two
// int32 accumulators by VMULLB/VMULLT (even and odd lanes). The even and odd channels are
// requantised from their own parameter rows and put back in order by VMOVNB/VMOVNT.
// Parameters per group of eight channels: a requantisation block (arm_int8.hpp) of
// kWideWords words with field 0 the bias, each field row 4 even-channel then 4 odd-channel
// words.
constexpr int kWideWords = 40;

struct WideLayer {
  const int32_t* params;
  int32_t channels;
  int16_t input_offset;
  int32x4_t output_offset, act_min, act_max;
};

// Eight int16 lanes from p: all of them, or (kPred) the ones `lanes` selects.
template <bool kPred>
inline int16x8_t load8(const int8_t* p, mve_pred16_t lanes) {
  if constexpr (kPred)
    return vldrbq_z_s16(p, lanes);
  else
    return vldrbq_s16(p);
}

// One group of eight channels over the window.
template <bool kPred, bool kLeft, bool kExact>
__attribute__((always_inline)) inline void group_wide(const WideLayer& l, const int32_t* p, const int8_t* x, const int8_t* w,
                                                      int32_t rows, int32_t cols, size_t x_row, size_t x_col,
                                                      size_t w_row, size_t w_col, mve_pred16_t lanes, int8_t* out) {
  const int16_t offset = l.input_offset;
  int32x4_t even = vldrwq_s32(p);
  int32x4_t odd = vldrwq_s32(p + 4);
  auto tap = [&](const int8_t* xp, const int8_t* wp) {
    const int16x8_t xv = vaddq_n_s16(load8<kPred>(xp, lanes), offset);
    const int16x8_t wv = load8<kPred>(wp, lanes);
    even = vaddq_s32(even, vmullbq_int_s16(xv, wv));
    odd = vaddq_s32(odd, vmulltq_int_s16(xv, wv));
  };
  for_each_tap(x, w, rows, cols, x_row, x_col, w_row, w_col, tap);
  const int32x4_t re = arm::requantize_block<kLeft, kExact, 8>(even, p, l.output_offset, l.act_min, l.act_max);
  const int32x4_t ro = arm::requantize_block<kLeft, kExact, 8>(odd, p + 4, l.output_offset, l.act_min, l.act_max);
  const int16x8_t both = vmovntq_s32(vmovnbq_s32(vdupq_n_s16(0), re), ro);
  if constexpr (kPred)
    vstrbq_p_s16(out, both, lanes);
  else
    vstrbq_s16(out, both);
}

// Every channel of one output pixel over its window (x, w at the first valid tap).
template <bool kLeft, bool kExact>
__attribute__((noinline)) void pixel_wide(const WideLayer& l, const int8_t* x, const int8_t* w, int32_t rows, int32_t cols,
                                          size_t x_row, size_t x_col, size_t w_row, int8_t* out) {
  const int32_t channels = l.channels;
  const size_t w_col = static_cast<size_t>(channels);
  const int32_t* p = l.params;
  int32_t c = 0;
  for (; c + 8 <= channels; c += 8, p += kWideWords)
    group_wide<false, kLeft, kExact>(l, p, x + c, w + c, rows, cols, x_row, x_col, w_row, w_col, 0, out + c);
  if (c < channels) {
    const mve_pred16_t lanes = vctp16q(static_cast<uint32_t>(channels - c));
    group_wide<true, kLeft, kExact>(l, p, x + c, w + c, rows, cols, x_row, x_col, w_row, w_col, lanes, out + c);
  }
}

using WidePixel = void (*)(const WideLayer&, const int8_t*, const int8_t*, int32_t, int32_t, size_t, size_t, size_t, int8_t*);

// The parameter rows of the multiplier-1 path; returns the pixel function for the layer.
WidePixel wide_params(const ConvShape& s, const ConvRequant& q, const int32_t* bias, int32_t* words) {
  arm::BlockFlags flags;
  for (int32_t g = 0; g < (s.output_c + 7) / 8; ++g) {
    for (int32_t i = 0; i < 8; ++i) {
      const int32_t c = 8 * g + i;
      const bool real = c < s.output_c;
      const int32_t slot = (i & 1) * 4 + i / 2;  // even channels first, then odd
      arm::put_channel(words + g * kWideWords, 8, slot, real && bias != nullptr ? bias[c] : 0, q.channels[real ? c : 0],
                       &flags);
    }
  }
  const bool left = flags.left, exact = flags.exact;
  if (left) return exact ? pixel_wide<true, true> : pixel_wide<true, false>;
  return exact ? pixel_wide<false, true> : pixel_wide<false, false>;
}

// Multiplier 4 G: each input channel's G groups together.
template <int G>
__attribute__((noinline)) void pixel_broadcast(const ConvShape& s, const Requant4& requant, int32_t input_offset, const int8_t* x, const int8_t* w,
                     const Window& win, int8_t* out) {
  for (int32_t ic = 0; ic < s.input_c; ++ic) {
    const int32_t c = ic * 4 * G;
    int32x4_t acc[G];
    for (int g = 0; g < G; ++g) acc[g] = requant.bias(c + 4 * g);
    window_broadcast<G>(x + ic, w + c, win, input_offset, acc);
    for (int g = 0; g < G; ++g) vstrbq_s32(out + c + 4 * g, requant(acc[g], c + 4 * g));
  }
}

// Multipliers above 16: one group of four at a time.
void pixel_broadcast_wide(const ConvShape& s, const Requant4& requant, int32_t input_offset, const int8_t* x,
                          const int8_t* w, const Window& win, int8_t* out) {
  for (int32_t c = 0; c < s.output_c; c += 4) {
    int32x4_t acc[1] = {requant.bias(c)};
    window_broadcast<1>(x + c / s.depth_multiplier, w + c, win, input_offset, acc);
    vstrbq_s32(out + c, requant(acc[0], c));
  }
}

void image_pixels(const ConvShape& s, const ConvRequant& q, const int8_t* image, const int8_t* filter, const int32_t* words,
                  WidePixel wide, int8_t* out_image) {
  const int32_t channels = s.output_c;
  const Requant4 requant(s, q, words);
  const WideLayer layer{words, channels, static_cast<int16_t>(q.input_offset), vdupq_n_s32(q.output_offset),
                        vdupq_n_s32(q.act_min), vdupq_n_s32(q.act_max)};
  Window win;
  win.x_row = static_cast<size_t>(s.dilation_h) * s.input_w * s.input_c;
  win.x_col = static_cast<size_t>(s.dilation_w) * s.input_c;
  win.w_row = static_cast<size_t>(s.filter_w) * channels;
  win.w_col = static_cast<size_t>(channels);
  for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
    const int32_t iy0 = oy * s.stride_h - s.pad_h;
    int32_t ky0, ky1;
    clip_taps(iy0, s.dilation_h, s.filter_h, s.input_h, &ky0, &ky1);
    int8_t* out = out_image + static_cast<size_t>(oy) * s.output_w * channels;
    for (int32_t ox = 0; ox < s.output_w; ++ox, out += channels) {
      const int32_t ix0 = ox * s.stride_w - s.pad_w;
      int32_t kx0, kx1;
      clip_taps(ix0, s.dilation_w, s.filter_w, s.input_w, &kx0, &kx1);
      win.rows = ky1 - ky0;
      win.cols = kx1 - kx0;
      const int8_t* x =
          image + (static_cast<size_t>(iy0 + ky0 * s.dilation_h) * s.input_w + (ix0 + kx0 * s.dilation_w)) * s.input_c;
      const int8_t* w = filter + static_cast<size_t>(ky0) * win.w_row + static_cast<size_t>(kx0) * channels;
      switch (s.depth_multiplier) {
        case 1: wide(layer, x, w, win.rows, win.cols, win.x_row, win.x_col, win.w_row, out); break;
        case 4: pixel_broadcast<1>(s, requant, q.input_offset, x, w, win, out); break;
        case 8: pixel_broadcast<2>(s, requant, q.input_offset, x, w, win, out); break;
        case 12: pixel_broadcast<3>(s, requant, q.input_offset, x, w, win, out); break;
        case 16: pixel_broadcast<4>(s, requant, q.input_offset, x, w, win, out); break;
        default: pixel_broadcast_wide(s, requant, q.input_offset, x, w, win, out); break;
      }
    }
  }
}

}  // namespace

// Scratch (scratch_sizes.hpp, kArmMve): multiplier, left shift, -right shift, right shift
// mask and bias per channel (multiplier 1: the same per group of eight, see kWideWords).
static_assert(kWideWords == kMveDepthwiseWideWords, "scratch_sizes.hpp sizes the wide blocks");

bool depthwise_conv2d_arm(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                          const int32_t* bias, int8_t* output, uint8_t* scratch) {
  const int32_t m = s.depth_multiplier;
  if (m != 1 && m % 4 != 0) return false;
  const size_t stride = channel_words(s);
  auto* words = reinterpret_cast<int32_t*>(scratch);
  WidePixel wide = nullptr;
  if (m == 1) wide = wide_params(s, q, bias, words);
  for (size_t c = 0; c < stride && m != 1; ++c) {
    const bool real = c < static_cast<size_t>(s.output_c);
    const arm::ChannelParams p = arm::channel_params(q.channels[real ? c : 0]);
    words[c] = p.multiplier;
    words[stride + c] = p.left_shift;
    words[2 * stride + c] = -p.right_shift;
    words[3 * stride + c] = p.right_shift > 0 ? -1 : 0;
    words[4 * stride + c] = real && bias != nullptr ? bias[c] : 0;
  }
  const size_t image_size = static_cast<size_t>(s.input_h) * s.input_w * s.input_c;
  const size_t output_size = static_cast<size_t>(s.output_h) * s.output_w * s.output_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    image_pixels(s, q, input + b * image_size, filter, words, wide, output + b * output_size);
  }
  return true;
}

}  // namespace chorus::runtime::kernels

#endif  // CHORUS_ARM_MVE
