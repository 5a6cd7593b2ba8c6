// CONV_2D on Helium (MVE, Cortex-M55): each output pixel's receptive field as one int8 row
// (the input itself for 1x1 filters without padding, at any stride; else an im2col row in
// scratch whose padding taps hold the input zero point), four output channels at a time
// with VMLADAVA.S8 (16 multiply-accumulates per instruction, tails predicated). The input
// offset is applied once per output from the filter row sums: sum(w (x + o)) = sum(w x) +
// o sum(w), and a padding tap x = -o contributes w (x + o) = 0 as the reference's skipped
// tap does. The requantisation runs four channels per vector (arm_int8.hpp) from one
// 64-byte block of parameters per group of four channels, so the channel loop walks a
// single pointer. Bytes of reference_integer_ops::ConvPerChannel (firmware golden tests).
#include "arm_kernels.hpp"
#include "scratch_sizes.hpp"

#if defined(CHORUS_ARM_MVE)

namespace chorus::runtime::kernels {
namespace {

int32_t taps_of(const ConvShape& s) { return s.filter_h * s.filter_w * s.input_c; }
int32_t groups_of(const ConvShape& s) { return (s.output_c + 3) / 4; }
bool reads_input_directly(const ConvShape& s) {
  return s.filter_h == 1 && s.filter_w == 1 && s.pad_h == 0 && s.pad_w == 0;
}
size_t row_bytes(const ConvShape& s) { return conv2d_mve_row_bytes(s); }

// Per group of four channels one requantisation block (arm_int8.hpp) of 20 words; field 0
// is o sum(w) + bias.
constexpr int kGroupWords = 20;

// `n` bytes from src to dst (vectors of 16, the last predicated).
inline void copy_bytes(int8_t* dst, const int8_t* src, int32_t n) {
  for (int32_t c = 0; c < n; c += 16) {
    const mve_pred16_t p = vctp8q(static_cast<uint32_t>(n - c));
    vstrbq_p_s8(dst + c, vldrbq_z_s8(src + c, p), p);
  }
}

inline void fill_bytes(int8_t* dst, int8x16_t value, int32_t n) {
  for (int32_t c = 0; c < n; c += 16) vstrbq_p_s8(dst + c, value, vctp8q(static_cast<uint32_t>(n - c)));
}

// The receptive field of output pixel (oy, ox) in filter order, padding taps = zero point.
// Taps of one filter row that lie inside the image are contiguous in the input when the
// dilation is 1: each filter row is then one copy and at most two fills.
void pack_row(const ConvShape& s, const int8_t* image, int32_t oy, int32_t ox, int8x16_t pad, int8_t* row) {
  const int32_t depth = s.input_c;
  const int32_t iy0 = oy * s.stride_h - s.pad_h;
  const int32_t ix0 = ox * s.stride_w - s.pad_w;
  const int32_t row_taps = s.filter_w * depth;
  int8_t* dst = row;
  for (int32_t ky = 0; ky < s.filter_h; ++ky, dst += row_taps) {
    const int32_t iy = iy0 + s.dilation_h * ky;
    if (iy < 0 || iy >= s.input_h) {
      fill_bytes(dst, pad, row_taps);
      continue;
    }
    const int8_t* src_row = image + static_cast<size_t>(iy) * s.input_w * depth;
    if (s.dilation_w == 1) {
      const int32_t k0 = ix0 < 0 ? -ix0 : 0;
      int32_t k1 = s.input_w - ix0;
      if (k1 > s.filter_w) k1 = s.filter_w;
      if (k1 < k0) k1 = k0;
      fill_bytes(dst, pad, k0 * depth);
      copy_bytes(dst + k0 * depth, src_row + static_cast<ptrdiff_t>(ix0 + k0) * depth, (k1 - k0) * depth);
      fill_bytes(dst + k1 * depth, pad, (s.filter_w - k1) * depth);
      continue;
    }
    for (int32_t kx = 0; kx < s.filter_w; ++kx) {
      const int32_t ix = ix0 + s.dilation_w * kx;
      if (ix < 0 || ix >= s.input_w)
        fill_bytes(dst + kx * depth, pad, depth);
      else
        copy_bytes(dst + kx * depth, src_row + static_cast<size_t>(ix) * depth, depth);
    }
  }
}

// Four dot products of the row x (taps values) with the filter rows w + r ldw (kTail: the
// last taps % 16 predicated, nothing past the rows is read), as one vector. `rows` of the
// four are real; the others repeat row 0 (a last group of fewer than four channels).
template <bool kTail>
inline int32x4_t dot4(const int8_t* x, const int8_t* w, size_t ldw, int32_t taps, int32_t rows = 4) {
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  const int32_t full = taps & ~15;
  if (rows == 4) {
    arm::dot4_blocks(x, w, ldw, taps >> 4, a0, a1, a2, a3);
  } else {
    for (int32_t k = 0; k < full; k += 16) {
      const int8x16_t xv = vldrbq_s8(x + k);
      a0 = vmladavaq_s8(a0, xv, vldrbq_s8(w + k));
      a1 = vmladavaq_s8(a1, xv, vldrbq_s8(w + (rows > 1 ? ldw : 0) + k));
      a2 = vmladavaq_s8(a2, xv, vldrbq_s8(w + (rows > 2 ? 2 * ldw : 0) + k));
    }
  }
  if constexpr (kTail) {
    const mve_pred16_t p = vctp8q(static_cast<uint32_t>(taps - full));
    const int8x16_t xv = vldrbq_z_s8(x + full, p);
    a0 = vmladavaq_s8(a0, xv, vldrbq_z_s8(w + full, p));
    a1 = vmladavaq_s8(a1, xv, vldrbq_z_s8(w + (rows > 1 ? ldw : 0) + full, p));
    a2 = vmladavaq_s8(a2, xv, vldrbq_z_s8(w + (rows > 2 ? 2 * ldw : 0) + full, p));
    if (rows == 4) a3 = vmladavaq_s8(a3, xv, vldrbq_z_s8(w + 3 * ldw + full, p));
  }
  return arm::lanes4(a0, a1, a2, a3);
}

struct Layer {
  const ConvShape* s;
  const int8_t* filter;
  const int32_t* params;
  int32_t taps;
  int32x4_t output_offset, act_min, act_max;
};

// Every channel of one output pixel from its receptive field x.
template <bool kTail, bool kLeft, bool kExact>
__attribute__((noinline)) void pixel(const Layer& l, const int8_t* x, int8_t* out) {
  const int32_t channels = l.s->output_c;
  const int32_t taps = l.taps;
  const size_t ldw = static_cast<size_t>(taps);
  const int8_t* w = l.filter;
  const int32_t* p = l.params;
  const int32x4_t output_offset = l.output_offset, act_min = l.act_min, act_max = l.act_max;
  const int32_t full = channels & ~3;
  for (int32_t c = 0; c < full; c += 4, w += 4 * ldw, p += kGroupWords) {
    const int32x4_t acc = dot4<kTail>(x, w, ldw, taps);
    const int32x4_t v =
        arm::requantize_block<kLeft, kExact, 4>(vaddq_s32(acc, vldrwq_s32(p)), p, output_offset, act_min, act_max);
    vstrbq_s32(out + c, v);
  }
  if (full < channels) {
    // The lanes past the last channel are zero; the predicated store drops them.
    const int32_t rest = channels - full;
    const int32x4_t acc = dot4<kTail>(x, w, ldw, taps, rest);
    const int32x4_t v =
        arm::requantize_block<kLeft, kExact, 4>(vaddq_s32(acc, vldrwq_s32(p)), p, output_offset, act_min, act_max);
    vstrbq_p_s32(out + full, v, vctp32q(static_cast<uint32_t>(rest)));
  }
}

}  // namespace

// Scratch (scratch_sizes.hpp, kArmMve): [receptive field row | parameter blocks].
static_assert(kGroupWords == kMveConvGroupWords, "scratch_sizes.hpp sizes the parameter blocks");

void conv2d_arm(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                int8_t* output, uint8_t* scratch) {
  const int32_t taps = taps_of(s);
  const int32_t channels = s.output_c;
  int8_t* row = reinterpret_cast<int8_t*>(scratch);
  auto* params = reinterpret_cast<int32_t*>(scratch + row_bytes(s));
  arm::BlockFlags flags;
  for (int32_t g = 0; g < groups_of(s); ++g) {
    for (int32_t i = 0; i < 4; ++i) {
      const int32_t c = 4 * g + i < channels ? 4 * g + i : channels - 1;
      const int8_t* w = filter + static_cast<size_t>(c) * taps;
      int32_t sum = 0;
      for (int32_t k = 0; k < taps; k += 16) sum = vaddvaq_s8(sum, vldrbq_z_s8(w + k, vctp8q(static_cast<uint32_t>(taps - k))));
      // Field 0: everything but sum(w x).
      arm::put_channel(params + g * kGroupWords, 4, i, sum * q.input_offset + (bias != nullptr ? bias[c] : 0), q.channels[c],
                       &flags);
    }
  }
  const bool left = flags.left, exact = flags.exact;
  Layer l{&s, filter, params, taps, vdupq_n_s32(q.output_offset), vdupq_n_s32(q.act_min), vdupq_n_s32(q.act_max)};
  const bool tail = (taps & 15) != 0;
  void (*run)(const Layer&, const int8_t*, int8_t*);
  if (tail)
    run = left ? (exact ? pixel<true, true, true> : pixel<true, true, false>) : (exact ? pixel<true, false, true> : pixel<true, false, false>);
  else
    run = left ? (exact ? pixel<false, true, true> : pixel<false, true, false>)
               : (exact ? pixel<false, false, true> : pixel<false, false, false>);
  const int8x16_t pad = vdupq_n_s8(static_cast<int8_t>(-q.input_offset));
  const bool direct = reads_input_directly(s);
  const size_t image_size = static_cast<size_t>(s.input_h) * s.input_w * s.input_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + b * image_size;
    int8_t* out = output + (static_cast<size_t>(b) * s.output_h + s.first_row()) * s.output_w * channels;
    for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
      for (int32_t ox = 0; ox < s.output_w; ++ox, out += channels) {
        const int8_t* x;
        if (direct) {
          x = image + (static_cast<size_t>(oy) * s.stride_h * s.input_w + static_cast<size_t>(ox) * s.stride_w) * s.input_c;
        } else {
          pack_row(s, image, oy, ox, pad, row);
          x = row;
        }
        run(l, x, out);
      }
    }
  }
}

}  // namespace chorus::runtime::kernels

#endif  // CHORUS_ARM_MVE
