#include "reference/depthwise_conv2d_loops.hpp"

#include "arm_kernels.hpp"
#include "int8_vector.hpp"

namespace chorus::runtime::kernels {

void depthwise_conv2d_reference(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                                const int32_t* bias, int8_t* output) {
  // TFLM reference_integer_ops::DepthwiseConvPerChannel: output channel ic * M + m reads
  // input channel ic; taps outside the image are skipped.
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_h;
      for (int32_t ox = 0; ox < s.output_w; ++ox) {
        const int32_t ix0 = ox * s.stride_w - s.pad_w;
        for (int32_t ic = 0; ic < s.input_c; ++ic) {
          for (int32_t m = 0; m < s.depth_multiplier; ++m) {
            const int32_t oc = ic * s.depth_multiplier + m;
            int32_t acc = 0;
            for (int32_t ky = 0; ky < s.filter_h; ++ky) {
              const int32_t iy = iy0 + s.dilation_h * ky;
              for (int32_t kx = 0; kx < s.filter_w; ++kx) {
                const int32_t ix = ix0 + s.dilation_w * kx;
                if (iy < 0 || iy >= s.input_h || ix < 0 || ix >= s.input_w) continue;
                const int32_t x = input[((static_cast<size_t>(b) * s.input_h + iy) * s.input_w + ix) * s.input_c + ic];
                const int32_t w = filter[(static_cast<size_t>(ky) * s.filter_w + kx) * s.output_c + oc];
                acc += w * (x + q.input_offset);
              }
            }
            if (bias != nullptr) acc += bias[oc];
            output[((static_cast<size_t>(b) * s.output_h + oy) * s.output_w + ox) * s.output_c + oc] =
                requantize(acc, q.channels[oc], q);
          }
        }
      }
    }
  }
}

namespace {

using simd::i16x8;
using simd::i32x4;

// Filter taps [start, end) whose input coordinate origin + dilation * k lies in [0, size).
struct TapRange {
  int32_t start;
  int32_t end;
};

TapRange valid_taps(int32_t origin, int32_t dilation, int32_t filter, int32_t size) {
  TapRange r;
  clip_taps(origin, dilation, filter, size, &r.start, &r.end);
  return r;
}

// The receptive field of one output pixel, clipped to the image.
struct Window {
  const int8_t* first;  // input at the first valid tap, channel 0
  int32_t first_tap;    // filter tap index (ky * filter_w + kx) of that input
  int32_t rows, cols;   // valid taps per column and row (<= 0: none)
};

// Visits every output pixel of batch `b` with its clipped window and its output.
template <class Visit>
inline void for_each_window(const ConvShape& s, const int8_t* image, int8_t* out, Visit visit) {
  out += static_cast<size_t>(s.first_row()) * s.output_w * s.output_c;  // a band starts mid-image
  for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
    const int32_t iy0 = oy * s.stride_h - s.pad_h;
    const TapRange ky = valid_taps(iy0, s.dilation_h, s.filter_h, s.input_h);
    for (int32_t ox = 0; ox < s.output_w; ++ox, out += s.output_c) {
      const int32_t ix0 = ox * s.stride_w - s.pad_w;
      const TapRange kx = valid_taps(ix0, s.dilation_w, s.filter_w, s.input_w);
      Window win{image, ky.start * s.filter_w + kx.start, ky.end - ky.start, kx.end - kx.start};
      if (win.rows > 0 && win.cols > 0) {
        const size_t iy = static_cast<size_t>(iy0 + ky.start * s.dilation_h);
        const size_t ix = static_cast<size_t>(ix0 + kx.start * s.dilation_w);
        win.first = image + (iy * s.input_w + ix) * s.input_c;
      }
      visit(win, out);
    }
  }
}

enum class Channels { kContiguous, kBroadcast };

// Output channels [oc, oc + 8) of a whole image. kContiguous: input channel oc + lane
// (multiplier 1); kBroadcast: input channel oc / M for all eight lanes (M a multiple of 8).
template <Channels kMode>
void channel_block(const ConvShape& s, const ConvRequant& q, const int8_t* image, const int8_t* filter, const int32_t* bias,
                   int32_t oc, int8_t* out) {
  // The eight channels' weights are widened as they are used, not cached: a cache of
  // widened taps would cost filter_h x filter_w x 16 bytes of scratch (1.3 KB for a 10x8
  // filter), more than the rest of a small model's RAM besides activations.
  const size_t tap_step = static_cast<size_t>(s.output_c);
  ChannelRequantizer requant[8];
  int32_t channel_bias[8];
  for (int j = 0; j < 8; ++j) {
    requant[j] = ChannelRequantizer(q.channels[oc + j], q);
    channel_bias[j] = bias != nullptr ? bias[oc + j] : 0;
  }
  const i16x8 offset = simd::splat16(q.input_offset);
  const int32_t x_channel = kMode == Channels::kContiguous ? oc : oc / s.depth_multiplier;
  const size_t row_step = static_cast<size_t>(s.dilation_h) * s.input_w * s.input_c;
  const size_t col_step = static_cast<size_t>(s.dilation_w) * s.input_c;
  for_each_window(s, image, out, [&](const Window& win, int8_t* pixel_out) {
    i32x4 lo = {0, 0, 0, 0}, hi = {0, 0, 0, 0};
    for (int32_t i = 0; i < win.rows; ++i) {
      const int8_t* x = win.first + i * row_step + x_channel;
      const int8_t* w = filter + static_cast<size_t>(win.first_tap + i * s.filter_w) * tap_step + oc;
      for (int32_t j = 0; j < win.cols; ++j, x += col_step, w += tap_step) {
        i16x8 xv;
        if constexpr (kMode == Channels::kContiguous)
          xv = simd::load8_widen(x) + offset;
        else
          xv = simd::splat16(*x) + offset;
        const i16x8 p = xv * simd::load8_widen(w);
        lo += simd::widen_low(p);
        hi += simd::widen_high(p);
      }
    }
    for (int j = 0; j < 4; ++j) {
      pixel_out[oc + j] = requant[j](lo[j] + channel_bias[j]);
      pixel_out[oc + 4 + j] = requant[4 + j](hi[j] + channel_bias[4 + j]);
    }
  });
}

// One output channel of a whole image, any multiplier.
void single_channel(const ConvShape& s, const ConvRequant& q, const int8_t* image, const int8_t* filter, const int32_t* bias,
                    int32_t oc, int8_t* out) {
  const ChannelRequantizer requant(q.channels[oc], q);
  const int32_t channel_bias = bias != nullptr ? bias[oc] : 0;
  const int32_t x_channel = oc / s.depth_multiplier;
  const size_t row_step = static_cast<size_t>(s.dilation_h) * s.input_w * s.input_c;
  const size_t col_step = static_cast<size_t>(s.dilation_w) * s.input_c;
  const size_t w_step = static_cast<size_t>(s.output_c);
  for_each_window(s, image, out, [&](const Window& win, int8_t* pixel_out) {
    int32_t acc = channel_bias;
    for (int32_t i = 0; i < win.rows; ++i) {
      const int8_t* x = win.first + i * row_step + x_channel;
      const int8_t* w = filter + static_cast<size_t>(win.first_tap + i * s.filter_w) * w_step + oc;
      for (int32_t j = 0; j < win.cols; ++j, x += col_step, w += w_step)
        acc += static_cast<int32_t>(*w) * (static_cast<int32_t>(*x) + q.input_offset);
    }
    pixel_out[oc] = requant(acc);
  });
}

}  // namespace

void depthwise_conv2d_fast(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter,
                           const int32_t* bias, int8_t* output, uint8_t* scratch) {
#if defined(CHORUS_ARM_KERNELS)
  if (depthwise_conv2d_arm(s, q, input, filter, bias, output, scratch)) return;
#endif
  (void)scratch;
  const int32_t m = s.depth_multiplier;
  // Channels done eight at a time; the rest go one by one.
  int32_t vector_channels = 0;
  if (m == 1)
    vector_channels = s.output_c & ~7;
  else if (m % 8 == 0)
    vector_channels = s.output_c;
  const size_t image_size = static_cast<size_t>(s.input_h) * s.input_w * s.input_c;
  const size_t output_size = static_cast<size_t>(s.output_h) * s.output_w * s.output_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out = output + b * output_size;
    for (int32_t oc = 0; oc < vector_channels; oc += 8) {
      if (m == 1)
        channel_block<Channels::kContiguous>(s, q, image, filter, bias, oc, out);
      else
        channel_block<Channels::kBroadcast>(s, q, image, filter, bias, oc, out);
    }
    for (int32_t oc = vector_channels; oc < s.output_c; ++oc) single_channel(s, q, image, filter, bias, oc, out);
  }
}

}  // namespace chorus::runtime::kernels
