#include "reference/conv2d_loops.hpp"
#include "scratch_sizes.hpp"

#include "arm_kernels.hpp"
#include "int8_vector.hpp"

namespace chorus::runtime::kernels {

void conv2d_reference(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                      int8_t* output) {
  // TFLM reference_integer_ops::ConvPerChannel: taps outside the image are skipped.
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_h;
      for (int32_t ox = 0; ox < s.output_w; ++ox) {
        const int32_t ix0 = ox * s.stride_w - s.pad_w;
        for (int32_t oc = 0; oc < s.output_c; ++oc) {
          int32_t acc = 0;
          for (int32_t ky = 0; ky < s.filter_h; ++ky) {
            const int32_t iy = iy0 + s.dilation_h * ky;
            for (int32_t kx = 0; kx < s.filter_w; ++kx) {
              const int32_t ix = ix0 + s.dilation_w * kx;
              if (iy < 0 || iy >= s.input_h || ix < 0 || ix >= s.input_w) continue;
              const int8_t* x = input + ((static_cast<size_t>(b) * s.input_h + iy) * s.input_w + ix) * s.input_c;
              const int8_t* w = filter + ((static_cast<size_t>(oc) * s.filter_h + ky) * s.filter_w + kx) * s.input_c;
              for (int32_t ic = 0; ic < s.input_c; ++ic)
                acc += static_cast<int32_t>(w[ic]) * (static_cast<int32_t>(x[ic]) + q.input_offset);
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

namespace {

using simd::i16x8;
using simd::i32x4;

int32_t taps_per_output(const ConvShape& s) {
  return s.filter_h * s.filter_w * s.input_c;
}
int32_t padded_taps(const ConvShape& s) {
  return (taps_per_output(s) + 7) & ~7;
}

// Output pixels per im2col panel: as many as fit in kPanelBytes (2 to 32, even). Each
// block of output channels sets up its requantisation once per panel, so small filters
// (1x1 over few channels) want many pixels; large ones are dominated by the dot products.
constexpr size_t kPanelBytes = 512;  // transient scratch: 4 pixels of 64 taps
int32_t pixel_block(const ConvShape& s) {
  const size_t row_bytes = static_cast<size_t>(padded_taps(s)) * sizeof(int16_t);
  const size_t fit = kPanelBytes / row_bytes;
  const int32_t block = fit < 2 ? 2 : (fit > 32 ? 32 : static_cast<int32_t>(fit));
  return block & ~1;
}

// The receptive field of output pixel (b, oy, ox) in filter order [ky][kx][ic], each
// value as x + input_offset in int16; taps in the padding and the row's tail up to a
// multiple of 8 are 0, so they add nothing to the dot product (as TFLM skips them).
void pack_row(const ConvShape& s, const int8_t* input, int32_t b, int32_t oy, int32_t ox, int32_t input_offset, int16_t* row) {
  const i16x8 offset = simd::splat16(input_offset);
  const int32_t depth = s.input_c;
  const int32_t iy0 = oy * s.stride_h - s.pad_h;
  const int32_t ix0 = ox * s.stride_w - s.pad_w;
  int16_t* dst = row;
  for (int32_t ky = 0; ky < s.filter_h; ++ky) {
    const int32_t iy = iy0 + s.dilation_h * ky;
    const bool row_inside = iy >= 0 && iy < s.input_h;
    for (int32_t kx = 0; kx < s.filter_w; ++kx, dst += depth) {
      const int32_t ix = ix0 + s.dilation_w * kx;
      if (!row_inside || ix < 0 || ix >= s.input_w) {
        for (int32_t c = 0; c < depth; ++c) dst[c] = 0;
        continue;
      }
      const int8_t* src = input + ((static_cast<size_t>(b) * s.input_h + iy) * s.input_w + ix) * depth;
      int32_t c = 0;
      for (; c + 8 <= depth; c += 8) simd::store16(dst + c, simd::load8_widen(src + c) + offset);
      for (; c < depth; ++c) dst[c] = static_cast<int16_t>(src[c] + input_offset);
    }
  }
  const int32_t end = padded_taps(s);
  for (int32_t k = taps_per_output(s); k < end; ++k) row[k] = 0;
}

// Dot products of P panel rows (int16, stride lda) with C filter rows (int8, stride ldw)
// over `taps` values in chunks of 8, the filter's last partial chunk read without passing
// its end. acc[p][c] holds four partial sums of the dot product.
template <int P, int C>
inline void dot_tile(const int16_t* a, size_t lda, const int8_t* w, size_t ldw, int32_t taps, i32x4 (&acc)[P][C]) {
#pragma GCC unroll 4
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) acc[p][c] = i32x4{0, 0, 0, 0};
  const int32_t full = taps & ~7;
  for (int32_t k = 0; k < full; k += 8) {
    i16x8 av[P];
#pragma GCC unroll 4
    for (int p = 0; p < P; ++p) av[p] = simd::load16(a + p * lda + k);
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      const i16x8 wv = simd::load8_widen(w + c * ldw + k);
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) acc[p][c] += simd::pair_sum(av[p] * wv);
    }
  }
  if (full < taps) {
#pragma GCC unroll 4
    for (int c = 0; c < C; ++c) {
      const i16x8 wv = simd::load_partial_widen(w + c * ldw + full, taps - full);
#pragma GCC unroll 4
      for (int p = 0; p < P; ++p) acc[p][c] += simd::pair_sum(simd::load16(a + p * lda + full) * wv);
    }
  }
}

// Four output channels [oc, oc + 4) for the `count` pixels of a panel, two at a time.
void four_channels(const ConvShape& s, const ConvRequant& q, const int16_t* panel, int32_t count, const int8_t* filter,
                   const int32_t* bias, int32_t oc, int8_t* out) {
  const int32_t taps = taps_per_output(s);
  const size_t lda = static_cast<size_t>(padded_taps(s));
  const size_t ldw = static_cast<size_t>(taps);
  const int8_t* w = filter + static_cast<size_t>(oc) * ldw;
  ChannelRequantizer requant[4];
  i32x4 channel_bias = {0, 0, 0, 0};
  for (int c = 0; c < 4; ++c) {
    requant[c] = ChannelRequantizer(q.channels[oc + c], q);
    if (bias != nullptr) channel_bias[c] = bias[oc + c];
  }
  auto emit = [&](const i32x4(&acc)[4], int8_t* pixel_out) {
    const i32x4 sums = simd::reduce4(acc[0], acc[1], acc[2], acc[3]) + channel_bias;
    for (int c = 0; c < 4; ++c) pixel_out[oc + c] = requant[c](sums[c]);
  };
  int32_t p = 0;
  for (; p + 2 <= count; p += 2) {
    i32x4 acc[2][4];
    dot_tile<2, 4>(panel + p * lda, lda, w, ldw, taps, acc);
    emit(acc[0], out + static_cast<size_t>(p) * s.output_c);
    emit(acc[1], out + static_cast<size_t>(p + 1) * s.output_c);
  }
  if (p < count) {
    i32x4 acc[1][4];
    dot_tile<1, 4>(panel + p * lda, lda, w, ldw, taps, acc);
    emit(acc[0], out + static_cast<size_t>(p) * s.output_c);
  }
}

// One output channel for the `count` pixels of a panel (the channels left over by blocks of four).
void one_channel(const ConvShape& s, const ConvRequant& q, const int16_t* panel, int32_t count, const int8_t* filter,
                 const int32_t* bias, int32_t oc, int8_t* out) {
  const int32_t taps = taps_per_output(s);
  const size_t lda = static_cast<size_t>(padded_taps(s));
  const size_t ldw = static_cast<size_t>(taps);
  const ChannelRequantizer requant(q.channels[oc], q);
  const int32_t channel_bias = bias != nullptr ? bias[oc] : 0;
  for (int32_t p = 0; p < count; ++p) {
    i32x4 acc[1][1];
    dot_tile<1, 1>(panel + p * lda, lda, filter + static_cast<size_t>(oc) * ldw, ldw, taps, acc);
    out[static_cast<size_t>(p) * s.output_c + oc] = requant(simd::reduce1(acc[0][0]) + channel_bias);
  }
}

// Accumulates sum(w_c[i] * (x[i] + offset)) for i < n into acc[c], for the four weight
// rows w, w + ldw, w + 2 ldw, w + 3 ldw; the input is widened once and shared by the rows.
inline void run_dot4(const int8_t* x, const int8_t* w, size_t ldw, int32_t n, int32_t input_offset, i32x4 (&acc)[4],
                     int32_t (&tail)[4]) {
  const i16x8 offset = simd::splat16(input_offset);
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const i16x8 xv = simd::load8_widen(x + i) + offset;
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) acc[c] += simd::pair_sum(xv * simd::load8_widen(w + c * ldw + i));
  }
  for (; i < n; ++i) {
    const int32_t xv = static_cast<int32_t>(x[i]) + input_offset;
#pragma GCC unroll 4
    for (int c = 0; c < 4; ++c) tail[c] += static_cast<int32_t>(w[c * ldw + i]) * xv;
  }
}

inline int32_t run_dot1(const int8_t* x, const int8_t* w, int32_t n, int32_t input_offset) {
  const i16x8 offset = simd::splat16(input_offset);
  i32x4 acc = {0, 0, 0, 0};
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) acc += simd::pair_sum((simd::load8_widen(x + i) + offset) * simd::load8_widen(w + i));
  int32_t sum = simd::reduce1(acc);
  for (; i < n; ++i) sum += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + input_offset);
  return sum;
}

}  // namespace

// Direct convolution for filters larger than 1x1: no im2col panel, so no scratch (a
// panel row of a 3x3x64 filter alone is 1152 bytes). Each output pixel's valid taps are
// walked filter row by filter row; with dilation_w 1 a filter row is one contiguous run of
// (kx_end - kx_start) x input_c values in both the input and the filter. Taps outside the
// image are skipped, as the reference does.
void conv2d_direct(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                   int8_t* output) {
  const size_t ldw = static_cast<size_t>(taps_per_output(s));
  const size_t row_stride = static_cast<size_t>(s.input_w) * s.input_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * s.input_h * row_stride;
    for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_h;
      int32_t ky0, ky1;
      clip_taps(iy0, s.dilation_h, s.filter_h, s.input_h, &ky0, &ky1);
      for (int32_t ox = 0; ox < s.output_w; ++ox) {
        const int32_t ix0 = ox * s.stride_w - s.pad_w;
        int32_t kx0, kx1;
        clip_taps(ix0, s.dilation_w, s.filter_w, s.input_w, &kx0, &kx1);
        int8_t* pixel_out = output + ((static_cast<size_t>(b) * s.output_h + oy) * s.output_w + ox) * s.output_c;
        const bool contiguous = s.dilation_w == 1;
        const int32_t run = contiguous ? (kx1 - kx0) * s.input_c : s.input_c;
        const int32_t runs_per_row = contiguous ? (kx1 > kx0 ? 1 : 0) : kx1 - kx0;
        int32_t oc = 0;
        for (; oc + 4 <= s.output_c; oc += 4) {
          i32x4 acc[4] = {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}};
          int32_t tail[4] = {0, 0, 0, 0};
          const int8_t* w_oc = filter + static_cast<size_t>(oc) * ldw;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            const int8_t* x_row = image + static_cast<size_t>(iy0 + s.dilation_h * ky) * row_stride;
            for (int32_t r = 0; r < runs_per_row; ++r) {
              const int32_t kx = kx0 + r;
              const int8_t* x = x_row + static_cast<size_t>(ix0 + s.dilation_w * kx) * s.input_c;
              const int8_t* w = w_oc + (static_cast<size_t>(ky) * s.filter_w + kx) * s.input_c;
              run_dot4(x, w, ldw, run, q.input_offset, acc, tail);
            }
          }
          const i32x4 sums = simd::reduce4(acc[0], acc[1], acc[2], acc[3]);
          for (int c = 0; c < 4; ++c) {
            const int32_t total = sums[c] + tail[c] + (bias != nullptr ? bias[oc + c] : 0);
            pixel_out[oc + c] = ChannelRequantizer(q.channels[oc + c], q)(total);
          }
        }
        for (; oc < s.output_c; ++oc) {
          int32_t total = bias != nullptr ? bias[oc] : 0;
          const int8_t* w_oc = filter + static_cast<size_t>(oc) * ldw;
          for (int32_t ky = ky0; ky < ky1; ++ky) {
            const int8_t* x_row = image + static_cast<size_t>(iy0 + s.dilation_h * ky) * row_stride;
            for (int32_t r = 0; r < runs_per_row; ++r) {
              const int32_t kx = kx0 + r;
              total += run_dot1(x_row + static_cast<size_t>(ix0 + s.dilation_w * kx) * s.input_c,
                                w_oc + (static_cast<size_t>(ky) * s.filter_w + kx) * s.input_c, run, q.input_offset);
            }
          }
          pixel_out[oc] = ChannelRequantizer(q.channels[oc], q)(total);
        }
      }
    }
  }
}

namespace {
// 1x1 filters keep the im2col panel: their panel rows are the input pixels themselves and
// blocking pixels amortises the weight loads.
bool uses_panel(const ConvShape& s) { return s.filter_h * s.filter_w == 1; }
}  // namespace

bool conv2d_portable_uses_panel(const ConvShape& s) { return uses_panel(s); }
size_t conv2d_portable_panel_bytes(const ConvShape& s) {
  return static_cast<size_t>(pixel_block(s)) * static_cast<size_t>(padded_taps(s)) * sizeof(int16_t);
}

void conv2d_fast(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 int8_t* output, uint8_t* scratch) {
#if defined(CHORUS_ARM_KERNELS)
  return conv2d_arm(s, q, input, filter, bias, output, scratch);
#endif
  if (!uses_panel(s)) {
    conv2d_direct(s, q, input, filter, bias, output);
    return;
  }
  int16_t* panel = reinterpret_cast<int16_t*>(scratch);
  const size_t lda = static_cast<size_t>(padded_taps(s));
  const int32_t block = pixel_block(s);
  // Pixels of the row band, batch by batch, in blocks.
  for (int32_t b = 0; b < s.batches; ++b) {
    const int64_t begin = (static_cast<int64_t>(b) * s.output_h + s.first_row()) * s.output_w;
    const int64_t end = (static_cast<int64_t>(b) * s.output_h + s.last_row()) * s.output_w;
    int32_t oy = s.first_row(), ox = 0;
    for (int64_t first = begin; first < end; first += block) {
      const int32_t count = static_cast<int32_t>(end - first < block ? end - first : block);
      for (int32_t p = 0; p < count; ++p) {
        pack_row(s, input, b, oy, ox, q.input_offset, panel + static_cast<size_t>(p) * lda);
        if (++ox == s.output_w) {
          ox = 0;
          ++oy;
        }
      }
      int8_t* out = output + static_cast<size_t>(first) * s.output_c;
      int32_t oc = 0;
      for (; oc + 4 <= s.output_c; oc += 4) four_channels(s, q, panel, count, filter, bias, oc, out);
      for (; oc < s.output_c; ++oc) one_channel(s, q, panel, count, filter, bias, oc, out);
    }
  }
}

}  // namespace chorus::runtime::kernels
