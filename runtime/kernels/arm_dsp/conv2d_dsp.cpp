// CONV_2D on cores with the DSP extension (Cortex-M4, M7, M33): an im2col panel of two
// output pixels in int16 (input + offset, SXTB16 halfword order) and a 2-pixel x 2-channel
// SMLAD kernel, 18 instructions per 16 multiply-accumulates. Bytes of
// reference_integer_ops::ConvPerChannel (firmware golden tests).
#include "arm_kernels.hpp"
#include "scratch_sizes.hpp"

#if defined(CHORUS_ARM_DSP)

namespace chorus::runtime::kernels {
namespace {

using arm::load32;
using arm::sxtab16_ror8;
using arm::sxtb16;
using arm::sxtb16_ror8;

int32_t taps_of(const ConvShape& s) { return s.filter_h * s.filter_w * s.input_c; }
// Groups of four taps, the last one possibly partial.
int32_t groups_of(const ConvShape& s) { return (taps_of(s) + 3) / 4; }

// Panel layout: group g of four taps is 16 bytes, pixel 0's then pixel 1's four int16 in the
// order [t0 t2 t1 t3] - what SXTB16 and SXTB16 ROR #8 make of four filter bytes.
constexpr int kSlot[4] = {0, 2, 1, 3};

// Writes output pixel (oy, ox)'s receptive field into panel lane `pixel` (0 or 1); taps in
// the padding and the partial group's unused taps are 0, so they add nothing (the
// reference skips padding taps).
void pack_pixel(const ConvShape& s, const int8_t* image, int32_t oy, int32_t ox, int32_t input_offset, int16_t* panel,
                int pixel) {
  int16_t* lane = panel + 4 * pixel;
  const int32_t depth = s.input_c;
  const int32_t iy0 = oy * s.stride_h - s.pad_h;
  const int32_t ix0 = ox * s.stride_w - s.pad_w;
  if (depth % 4 == 0) {
    // Whole groups per filter position: four channels per word.
    const int32_t offset2 = arm::dup16(input_offset);
    int16_t* g = lane;
    for (int32_t ky = 0; ky < s.filter_h; ++ky) {
      const int32_t iy = iy0 + s.dilation_h * ky;
      const bool row_inside = iy >= 0 && iy < s.input_h;
      for (int32_t kx = 0; kx < s.filter_w; ++kx) {
        const int32_t ix = ix0 + s.dilation_w * kx;
        if (!row_inside || ix < 0 || ix >= s.input_w) {
          for (int32_t c = 0; c < depth; c += 4, g += 8) {
            const uint32_t zero[2] = {0, 0};
            std::memcpy(g, zero, 8);
          }
          continue;
        }
        const int8_t* src = image + (static_cast<size_t>(iy) * s.input_w + ix) * depth;
        for (int32_t c = 0; c < depth; c += 4, g += 8) {
          const uint32_t xv = load32(src + c);
          const int32_t pair[2] = {__sxtab16(offset2, static_cast<int32_t>(xv)), sxtab16_ror8(offset2, xv)};
          std::memcpy(g, pair, 8);
        }
      }
    }
    return;
  }
  int32_t t = 0;
  for (int32_t ky = 0; ky < s.filter_h; ++ky) {
    const int32_t iy = iy0 + s.dilation_h * ky;
    const bool row_inside = iy >= 0 && iy < s.input_h;
    for (int32_t kx = 0; kx < s.filter_w; ++kx) {
      const int32_t ix = ix0 + s.dilation_w * kx;
      const bool inside = row_inside && ix >= 0 && ix < s.input_w;
      const int8_t* src = inside ? image + (static_cast<size_t>(iy) * s.input_w + ix) * depth : nullptr;
      for (int32_t c = 0; c < depth; ++c, ++t)
        lane[(t >> 2) * 8 + kSlot[t & 3]] = inside ? static_cast<int16_t>(src[c] + input_offset) : int16_t{0};
    }
  }
  for (; (t & 3) != 0; ++t) lane[(t >> 2) * 8 + kSlot[t & 3]] = 0;
}

void zero_pixel(const ConvShape& s, int16_t* panel, int pixel) {
  const int32_t groups = groups_of(s);
  for (int32_t g = 0; g < groups; ++g)
    for (int i = 0; i < 4; ++i) panel[g * 8 + 4 * pixel + i] = 0;
}

// acc[0..3] (pixel 0 x channel 0, pixel 0 x channel 1, pixel 1 x channel 0, pixel 1 x
// channel 1) += the dot products over `n` >= 1 whole groups.
inline void kernel_2x2(const int16_t* panel, const int8_t* w0, const int8_t* w1, int32_t n, int32_t acc[4]) {
  int32_t a00 = acc[0], a01 = acc[1], a10 = acc[2], a11 = acc[3];
  int32_t xa, xb, xc, xd, we, wo;
  __asm__ volatile(
      "1:\n"
      "ldrd %[xc], %[xd], [%[p], #8]\n"
      "ldrd %[xa], %[xb], [%[p]], #16\n"
      "ldr %[wo], [%[w0]], #4\n"
      "sxtb16 %[we], %[wo]\n"
      "sxtb16 %[wo], %[wo], ror #8\n"
      "smlad %[a00], %[we], %[xa], %[a00]\n"
      "smlad %[a00], %[wo], %[xb], %[a00]\n"
      "smlad %[a10], %[we], %[xc], %[a10]\n"
      "smlad %[a10], %[wo], %[xd], %[a10]\n"
      "ldr %[wo], [%[w1]], #4\n"
      "sxtb16 %[we], %[wo]\n"
      "sxtb16 %[wo], %[wo], ror #8\n"
      "smlad %[a01], %[we], %[xa], %[a01]\n"
      "smlad %[a01], %[wo], %[xb], %[a01]\n"
      "smlad %[a11], %[we], %[xc], %[a11]\n"
      "smlad %[a11], %[wo], %[xd], %[a11]\n"
      "subs %[n], %[n], #1\n"
      "bne 1b\n"
      : [p] "+r"(panel), [w0] "+r"(w0), [w1] "+r"(w1), [n] "+r"(n), [a00] "+r"(a00), [a01] "+r"(a01), [a10] "+r"(a10),
        [a11] "+r"(a11), [xa] "=&r"(xa), [xb] "=&r"(xb), [xc] "=&r"(xc), [xd] "=&r"(xd), [we] "=&r"(we), [wo] "=&r"(wo)
      :
      : "cc", "memory");
  acc[0] = a00;
  acc[1] = a01;
  acc[2] = a10;
  acc[3] = a11;
}

// One group for one filter row word `wv` and both pixels.
inline void group_1x2(const int16_t* g, uint32_t wv, int32_t* acc0, int32_t* acc1) {
  const int32_t we = sxtb16(wv), wo = sxtb16_ror8(wv);
  *acc0 = __smlad(we, static_cast<int32_t>(load32(g)), *acc0);
  *acc0 = __smlad(wo, static_cast<int32_t>(load32(g + 2)), *acc0);
  *acc1 = __smlad(we, static_cast<int32_t>(load32(g + 4)), *acc1);
  *acc1 = __smlad(wo, static_cast<int32_t>(load32(g + 6)), *acc1);
}

template <bool kFast>
inline int8_t requant(int32_t acc, const arm::DspRequant& r, const ConvRequant& q) {
  return arm::dsp_output<kFast>(acc, r, q.output_offset, q.act_min, q.act_max);
}

// Scratch (scratch_sizes.hpp, kArmDsp): the DspRequant records take the place of the
// multipliers (arm_kernels.hpp); the bytes they need beyond the multipliers' area come first,
// the panel after them.
static_assert(sizeof(arm::DspRequant) == kDspRequantBytes, "scratch_sizes.hpp sizes the records");
size_t records_beyond_multipliers(const ConvShape& s) { return conv2d_dsp_records_bytes(s); }

}  // namespace

namespace {

// The layer's pixels in pairs; kFast: every output rescaled by dsp_output<true>.
template <bool kFast>
void conv_pixels(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                 int8_t* output, int16_t* panel, const arm::DspRequant* requants) {
  const int32_t taps = taps_of(s);
  const int32_t full = taps / 4;
  const int32_t tail = taps % 4;
  const size_t ldw = static_cast<size_t>(taps);
  const size_t image_size = static_cast<size_t>(s.input_h) * s.input_w * s.input_c;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + b * image_size;
    const int32_t first = s.first_row() * s.output_w;
    const int32_t end = s.last_row() * s.output_w;
    int8_t* out_base = output + static_cast<size_t>(b) * s.output_h * s.output_w * s.output_c;
    for (int32_t p = first; p < end; p += 2) {
      const bool pair = p + 1 < end;
      pack_pixel(s, image, p / s.output_w, p % s.output_w, q.input_offset, panel, 0);
      if (pair)
        pack_pixel(s, image, (p + 1) / s.output_w, (p + 1) % s.output_w, q.input_offset, panel, 1);
      else
        zero_pixel(s, panel, 1);
      int8_t* out0 = out_base + static_cast<size_t>(p) * s.output_c;
      int8_t* out1 = out0 + s.output_c;
      const int16_t* last_group = panel + full * 8;
      int32_t oc = 0;
      for (; oc + 2 <= s.output_c; oc += 2) {
        const int8_t* w0 = filter + static_cast<size_t>(oc) * ldw;
        const int8_t* w1 = w0 + ldw;
        int32_t acc[4] = {0, 0, 0, 0};
        if (bias != nullptr) {
          acc[0] = acc[2] = bias[oc];
          acc[1] = acc[3] = bias[oc + 1];
        }
        if (full > 0) kernel_2x2(panel, w0, w1, full, acc);
        if (tail != 0) {
          group_1x2(last_group, arm::load_tail(w0 + full * 4, tail), &acc[0], &acc[2]);
          group_1x2(last_group, arm::load_tail(w1 + full * 4, tail), &acc[1], &acc[3]);
        }
        out0[oc] = requant<kFast>(acc[0], requants[oc], q);
        out0[oc + 1] = requant<kFast>(acc[1], requants[oc + 1], q);
        if (pair) {
          out1[oc] = requant<kFast>(acc[2], requants[oc], q);
          out1[oc + 1] = requant<kFast>(acc[3], requants[oc + 1], q);
        }
      }
      if (oc < s.output_c) {
        const int8_t* w = filter + static_cast<size_t>(oc) * ldw;
        int32_t acc0 = bias != nullptr ? bias[oc] : 0;
        int32_t acc1 = acc0;
        for (int32_t g = 0; g < full; ++g) group_1x2(panel + g * 8, load32(w + g * 4), &acc0, &acc1);
        if (tail != 0) group_1x2(last_group, arm::load_tail(w + full * 4, tail), &acc0, &acc1);
        out0[oc] = requant<kFast>(acc0, requants[oc], q);
        if (pair) out1[oc] = requant<kFast>(acc1, requants[oc], q);
      }
    }
  }
}

}  // namespace

void conv2d_arm(const ConvShape& s, const ConvRequant& q, const int8_t* input, const int8_t* filter, const int32_t* bias,
                int8_t* output, uint8_t* scratch) {
  int16_t* panel = reinterpret_cast<int16_t*>(scratch + records_beyond_multipliers(s));
  const arm::DspRequant* requants = arm::expand_requants(q.channels, s.output_c);
  if (arm::dsp_fast_outputs(requants, s.output_c, q.act_min, q.act_max))
    conv_pixels<true>(s, q, input, filter, bias, output, panel, requants);
  else
    conv_pixels<false>(s, q, input, filter, bias, output, panel, requants);
}

}  // namespace chorus::runtime::kernels

#endif  // CHORUS_ARM_DSP
