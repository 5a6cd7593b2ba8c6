// Arm M-profile int8 building blocks for the target kernels, chosen at build time from the
// compiler's feature macros (ACLE): Helium/MVE on Armv8.1-M (Cortex-M55), the DSP extension's
// dual 16-bit MACs on Armv7E-M/Armv8-M Mainline (Cortex-M4, M7, M33). Every path gives the
// bytes of the reference kernels; CHORUS_REFERENCE_KERNELS turns them all off.
//
// Instruction semantics from the Armv7-M and Armv8-M Architecture Reference Manuals:
//  - SXTB16 Rd, Rm, ROR #r: bytes 0 and 2 of Rm rotated right by r, each sign-extended to a
//    halfword of Rd. With r = 0 and r = 8 a word of four int8 [b0 b1 b2 b3] becomes the
//    halfword pairs [b0 b2] and [b1 b3]; both operands of a dot product are split the same
//    way, so the pairs line up.
//  - SMLAD Rd, Rn, Rm, Ra: Ra + Rn.lo * Rm.lo + Rn.hi * Rm.hi (exact for int16 x int16 sums
//    that fit int32, which int8 x (int8 + offset) products over any tensor here do).
//  - VMLADAVA.S8 Rda, Qn, Qm: Rda + the sum of the sixteen int8 x int8 products.
//  - VQRDMULH.S32: saturate((2 a b + 2^31) >> 32) = floor((a b + 2^30) / 2^31), which is
//    gemmlowp's SaturatingRoundingDoublingHighMul for every multiplier quantize_multiplier
//    yields (its saturating case needs a = b = INT32_MIN).
//  - VRSHL.S32 by -e: (x + 2^(e-1)) >> e computed without overflow, i.e. rounding half up.
//    The reference (gemmlowp RoundingDivideByPOT) rounds half away from zero; subtracting 1
//    from negative inputs first (saturating) makes the two agree: floor((x - [x < 0] +
//    2^(e-1)) / 2^e) is exactly the reference's result (requantizer.hpp derives it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if !defined(CHORUS_REFERENCE_KERNELS) && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#define CHORUS_ARM_MVE 1
#include <arm_mve.h>
#elif !defined(CHORUS_REFERENCE_KERNELS) && defined(__ARM_FEATURE_DSP) && defined(__thumb2__)
#define CHORUS_ARM_DSP 1
#include <arm_acle.h>
#endif
#if defined(CHORUS_ARM_MVE) || defined(CHORUS_ARM_DSP)
#define CHORUS_ARM_KERNELS 1
#endif

#include "chorus/runtime/quantization.hpp"

namespace chorus::runtime::kernels::arm {

// Per-channel requantisation for the target kernels: the reference's
// multiply_by_quantized_multiplier split into its three steps, plus offset and clamp.
struct ChannelParams {
  int32_t multiplier;
  int32_t left_shift;   // >= 0
  int32_t right_shift;  // >= 0
};

inline ChannelParams channel_params(const QuantizedMultiplier& m) {
  return ChannelParams{m.multiplier, m.shift > 0 ? m.shift : 0, m.shift > 0 ? 0 : -m.shift};
}

#if defined(CHORUS_ARM_DSP)

inline uint32_t load32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof(v));  // LDR; unaligned access is allowed on these cores
  return v;
}

// Bytes 1 and 3 sign-extended to halfwords (SXTB16 with ROR #8: one instruction; GCC 12's
// ACLE has no rotate operand for __sxtb16).
inline int32_t sxtb16_ror8(uint32_t x) {
  int32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}

inline int32_t sxtb16(uint32_t x) { return __sxtb16(static_cast<int32_t>(x)); }

// PKHBT Rd, Rn, Rm, LSL #16: [Rn.lo, Rm.lo] (low halfword first); PKHTB Rd, Rn, Rm, ASR #16:
// [Rm.hi, Rn.hi]. GCC 12's ACLE has neither.
inline int32_t pack_low_halves(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));
  return r;
}
inline int32_t pack_high_halves(int32_t lo, int32_t hi) {
  int32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));
  return r;
}

// add + bytes 1 and 3 sign-extended, per halfword (SXTAB16 with ROR #8).
inline int32_t sxtab16_ror8(int32_t add, uint32_t x) {
  int32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(add), "r"(x));
  return r;
}

// A halfword pair holding `v` twice.
inline int32_t dup16(int32_t v) { return static_cast<int32_t>((static_cast<uint32_t>(v) & 0xFFFFu) * 0x10001u); }

// One channel's requantisation in a form that costs five instructions before the offset
// and clamp. With e = right shift, left = left shift (at most one is non-zero), t = x m + 2^30
// and x = acc << left, the reference is floor((t + 2^(30+e) - 2^31 [t < 0]) / 2^(31+e)) for
// e >= 1 (requantizer.hpp) and floor(t / 2^31) for e = 0. For e >= 1, [t < 0] equals [x < 0]
// except at x = -1 with m = 2^30 or m = 0, where both forms give 0. So with
// K = 2^30 + 2^(30+e) (2^30 when e = 0) and c = -2^31 (0 when e = 0):
//   T = K + c [x < 0] + x m  (two SMLALs on a 64-bit accumulator)
//   result = T >> (31 + e): hi >> (e - 1) for e >= 1, (hi << 1) | (lo >> 31) for e = 0
// (both exact: T >> 31 itself may not fit 32 bits when e >= 1).
struct DspRequant {
  int32_t multiplier;
  int32_t left_shift;
  int32_t right_shift;
  uint32_t k_lo;
  int32_t k_hi;
  int32_t negative;  // c
};

inline DspRequant dsp_requant(const QuantizedMultiplier& m) {
  DspRequant r;
  r.multiplier = m.multiplier;
  r.left_shift = m.shift > 0 ? m.shift : 0;
  r.right_shift = m.shift > 0 ? 0 : -m.shift;
  const int64_t k = (int64_t{1} << 30) + (r.right_shift > 0 ? int64_t{1} << (30 + r.right_shift) : 0);
  r.k_lo = static_cast<uint32_t>(k);
  r.k_hi = static_cast<int32_t>(k >> 32);
  r.negative = r.right_shift > 0 ? INT32_MIN : 0;
  return r;
}

// Turns `count` multipliers into DspRequant records in place: the records start where the
// multipliers do and take three times their bytes. From the last channel down, record c
// covers multipliers 3c .. 3c + 2, which are c itself (read first) or channels already
// converted. The caller provides the bytes past the multipliers (arm_kernels.hpp).
inline DspRequant* expand_requants(const QuantizedMultiplier* multipliers, int32_t count) {
  static_assert(sizeof(DspRequant) == 3 * sizeof(QuantizedMultiplier), "records are three multipliers wide");
  // Through memcpy: the same bytes change type, and the compiler must not reorder the
  // reads of multipliers past the writes of records.
  auto* bytes = reinterpret_cast<unsigned char*>(const_cast<QuantizedMultiplier*>(multipliers));
  for (int32_t c = count - 1; c >= 0; --c) {
    QuantizedMultiplier m;
    std::memcpy(&m, bytes + static_cast<size_t>(c) * sizeof(m), sizeof(m));
    const DspRequant r = dsp_requant(m);
    std::memcpy(bytes + static_cast<size_t>(c) * sizeof(r), &r, sizeof(r));
  }
  return reinterpret_cast<DspRequant*>(bytes);
}

// T = K + c [x < 0] + x m (K = k_hi:k_lo, c = `negative`) on a 64-bit accumulator: LSR
// for [x < 0] and two SMLALs. Returns the high word; *lo gets the low one.
inline int32_t dsp_accumulate(int32_t x, int32_t multiplier, int32_t negative, uint32_t k_lo, int32_t k_hi, uint32_t* lo) {
  uint32_t l = k_lo;
  int32_t hi = k_hi;
  int32_t sign;
  __asm__(
      "lsr %[sign], %[x], #31\n"
      "smlal %[lo], %[hi], %[sign], %[neg]\n"
      "smlal %[lo], %[hi], %[x], %[m]\n"
      : [lo] "+&r"(l), [hi] "+&r"(hi), [sign] "=&r"(sign)
      : [x] "r"(x), [m] "r"(multiplier), [neg] "r"(negative));
  *lo = l;
  return hi;
}

// The reference value of multiply_by_quantized_multiplier(acc, m.multiplier, m.shift).
inline int32_t dsp_scale(int32_t acc, const DspRequant& r) {
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << r.left_shift);
  uint32_t lo;
  const int32_t hi = dsp_accumulate(x, r.multiplier, r.negative, r.k_lo, r.k_hi, &lo);
  if (r.right_shift > 0) return hi >> (r.right_shift - 1);
  return static_cast<int32_t>((static_cast<uint32_t>(hi) << 1) | (lo >> 31));
}

inline int32_t clamp(int32_t v, int32_t lo, int32_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// dsp_scale for a record without a left shift and with a right shift e >= 1 (every
// multiplier below 1/2): the sign term's constant is then -2^31, and the result hi >> (e - 1).
inline int32_t dsp_scale_right(int32_t x, const DspRequant& r) {
  uint32_t lo;
  return dsp_accumulate(x, r.multiplier, INT32_MIN, r.k_lo, r.k_hi, &lo) >> (r.right_shift - 1);
}

// One output: the reference rescaling (kFast: dsp_scale_right, and SSAT for a clamp to the
// whole int8 range) plus the offset, clamped.
template <bool kFast>
inline int8_t dsp_output(int32_t acc, const DspRequant& r, int32_t output_offset, int32_t act_min, int32_t act_max) {
  if constexpr (kFast) return static_cast<int8_t>(__ssat(dsp_scale_right(acc, r) + output_offset, 8));
  return static_cast<int8_t>(clamp(dsp_scale(acc, r) + output_offset, act_min, act_max));
}

// Whether every record shifts right only and the clamp is the whole int8 range (dsp_output<true>).
inline bool dsp_fast_outputs(const DspRequant* r, int32_t count, int32_t act_min, int32_t act_max) {
  if (act_min != -128 || act_max != 127) return false;
  for (int32_t c = 0; c < count; ++c)
    if (r[c].left_shift != 0 || r[c].right_shift < 1) return false;
  return true;
}

// The last n < 4 bytes at p as a word with zero bytes above them (never reads past p + n).
inline uint32_t load_tail(const int8_t* p, int32_t n) {
  uint32_t v = 0;
  for (int32_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(p[i])) << (8 * i);
  return v;
}

// sum(w_r[i] * (x[i] + offset)) for four weight rows w, w + ldw, w + 2 ldw, w + 3 ldw: the
// input is split and offset once per four values (SXTAB16) and shared by the rows, each
// row's word split by SXTB16 and accumulated by two SMLADs. The loop over four columns is
// written out in assembly: its fourteen live values (four sums, two row pointers, the row
// stride, the input pointer and end, the offset, four temporaries) fit the registers only
// when allocated by hand; rows 2 and 3 are addressed as rows 0 and 1 plus twice the stride.
inline void dot4(const int8_t* x, const int8_t* w, size_t ldw, int32_t depth, int32_t input_offset, int32_t out[4]) {
  const int32_t offset2 = dup16(input_offset);
  const int32_t full = depth & ~3;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  if (full > 0) {
    const int8_t* w0 = w;
    const int8_t* w1 = w + ldw;
    const int8_t* xp = x;
    const int8_t* const x_end = x + full;
    uint32_t xe, xo, v, t;
    __asm__ volatile(
        "1:\n"
        "ldr %[v], [%[xp]], #4\n"
        "sxtab16 %[xe], %[off], %[v]\n"
        "sxtab16 %[xo], %[off], %[v], ror #8\n"
        "ldr %[v], [%[w0], %[ldw], lsl #1]\n"  // row 2
        "sxtb16 %[t], %[v]\n"
        "smlad %[a2], %[t], %[xe], %[a2]\n"
        "sxtb16 %[t], %[v], ror #8\n"
        "smlad %[a2], %[t], %[xo], %[a2]\n"
        "ldr %[v], [%[w1], %[ldw], lsl #1]\n"  // row 3
        "sxtb16 %[t], %[v]\n"
        "smlad %[a3], %[t], %[xe], %[a3]\n"
        "sxtb16 %[t], %[v], ror #8\n"
        "smlad %[a3], %[t], %[xo], %[a3]\n"
        "ldr %[v], [%[w0]], #4\n"  // row 0
        "sxtb16 %[t], %[v]\n"
        "smlad %[a0], %[t], %[xe], %[a0]\n"
        "sxtb16 %[t], %[v], ror #8\n"
        "smlad %[a0], %[t], %[xo], %[a0]\n"
        "ldr %[v], [%[w1]], #4\n"  // row 1
        "sxtb16 %[t], %[v]\n"
        "smlad %[a1], %[t], %[xe], %[a1]\n"
        "sxtb16 %[t], %[v], ror #8\n"
        "smlad %[a1], %[t], %[xo], %[a1]\n"
        "cmp %[xp], %[end]\n"
        "bne 1b\n"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [w0] "+r"(w0), [w1] "+r"(w1), [xp] "+r"(xp),
          [xe] "=&r"(xe), [xo] "=&r"(xo), [v] "=&r"(v), [t] "=&r"(t)
        : [ldw] "r"(ldw), [end] "r"(x_end), [off] "r"(offset2)
        : "cc", "memory");
  }
  const int8_t* w2 = w + 2 * ldw;
  const int8_t* w3 = w + 3 * ldw;
  for (int32_t i = full; i < depth; ++i) {
    const int32_t xv = static_cast<int32_t>(x[i]) + input_offset;
    a0 += static_cast<int32_t>(w[i]) * xv;
    a1 += static_cast<int32_t>(w[ldw + i]) * xv;
    a2 += static_cast<int32_t>(w2[i]) * xv;
    a3 += static_cast<int32_t>(w3[i]) * xv;
  }
  out[0] = a0;
  out[1] = a1;
  out[2] = a2;
  out[3] = a3;
}

inline int32_t dot1(const int8_t* x, const int8_t* w, int32_t depth, int32_t input_offset) {
  const int32_t offset2 = static_cast<int32_t>((static_cast<uint32_t>(input_offset) & 0xFFFFu) * 0x10001u);
  int32_t acc = 0;
  int32_t i = 0;
  for (; i + 4 <= depth; i += 4) {
    const uint32_t xv = load32(x + i);
    const uint32_t wv = load32(w + i);
    acc = __smlad(sxtb16(wv), __sadd16(sxtb16(xv), offset2), acc);
    acc = __smlad(sxtb16_ror8(wv), __sadd16(sxtb16_ror8(xv), offset2), acc);
  }
  for (; i < depth; ++i) acc += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + input_offset);
  return acc;
}

// ADD of two int8 tensors of the same shape (TFLM reference_integer_ops::AddFunc: both
// inputs moved to a common scale with `left_shift` bits of headroom, summed, rescaled; all
// three multipliers are below one, so the scalings have no left shift).
inline void add_s8(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, int32_t offset1, int32_t offset2,
                   int32_t left_shift, const QuantizedMultiplier& m1, const QuantizedMultiplier& m2,
                   const QuantizedMultiplier& mo, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const DspRequant r1 = dsp_requant(m1), r2 = dsp_requant(m2), ro = dsp_requant(mo);
  for (int32_t i = 0; i < n; ++i) {
    const int32_t x = (a[i] + offset1) * (1 << left_shift);
    const int32_t y = (b[i] + offset2) * (1 << left_shift);
    const int32_t sum = dsp_scale(x, r1) + dsp_scale(y, r2);
    out[i] = static_cast<int8_t>(clamp(dsp_scale(sum, ro) + output_offset, act_min, act_max));
  }
}

#endif  // CHORUS_ARM_DSP

#if defined(CHORUS_ARM_MVE)

// Requantisation blocks of the Helium conv kernels: a channel's five fields at
// block[f * stride + slot]: f = 0 what its accumulator still lacks (bias, input offset
// term), 1 the multiplier, 2 -right shift, 3 left shift, 4 a mask of all ones when it shifts
// right. A block holds `stride` (4 or 8) channels per field row.
struct BlockFlags {
  bool left = false;   // some channel shifts left
  bool exact = false;  // some channel has no right shift (a multiplier of 1/2 or more)
};

inline void put_channel(int32_t* block, int32_t stride, int32_t slot, int32_t first, const QuantizedMultiplier& m,
                        BlockFlags* flags) {
  const ChannelParams p = channel_params(m);
  block[slot] = first;
  block[stride + slot] = p.multiplier;
  block[2 * stride + slot] = -p.right_shift;
  block[3 * stride + slot] = p.left_shift;
  block[4 * stride + slot] = p.right_shift > 0 ? -1 : 0;
  flags->left = flags->left || p.left_shift > 0;
  flags->exact = flags->exact || p.right_shift == 0;
}

// The reference requantisation (see the header comment) of four accumulators that already
// hold field 0, from the block at p (field rows kStride words apart), plus offset and
// clamp. kLeft / kExact as BlockFlags; without them the shift and the mask are skipped.
template <bool kLeft, bool kExact, int kStride>
inline int32x4_t requantize_block(int32x4_t v, const int32_t* p, int32x4_t output_offset, int32x4_t act_min,
                                  int32x4_t act_max) {
  if constexpr (kLeft) v = vshlq_s32(v, vldrwq_s32(p + 3 * kStride));
  v = vqrdmulhq_s32(v, vldrwq_s32(p + kStride));
  // -1 where v < 0 and the channel shifts right: the half-away-from-zero fix.
  const int32x4_t negative = kExact ? vshrq_n_s32(vandq_s32(v, vldrwq_s32(p + 4 * kStride)), 31) : vshrq_n_s32(v, 31);
  v = vrshlq_s32(vqaddq_s32(v, negative), vldrwq_s32(p + 2 * kStride));
  return vminq_s32(vmaxq_s32(vaddq_s32(v, output_offset), act_min), act_max);
}

// Four channels' requantisation as vectors (lanes = channels).
struct ChannelVectors {
  int32x4_t multiplier;
  int32x4_t left_shift;
  int32x4_t neg_right_shift;  // -right_shift, for VRSHL
  int32x4_t has_right_shift;  // all ones where right_shift > 0
};

inline ChannelVectors channel_vectors(const ChannelParams* p) {
  int32_t m[4], l[4], r[4], h[4];
  for (int i = 0; i < 4; ++i) {
    m[i] = p[i].multiplier;
    l[i] = p[i].left_shift;
    r[i] = -p[i].right_shift;
    h[i] = p[i].right_shift > 0 ? -1 : 0;
  }
  return ChannelVectors{vldrwq_s32(m), vldrwq_s32(l), vldrwq_s32(r), vldrwq_s32(h)};
}

// Vectors of `count` (1 or 4) multipliers: one multiplier is broadcast to every lane.
inline ChannelVectors channel_vectors(const QuantizedMultiplier* m, int count = 1) {
  ChannelParams p[4];
  for (int i = 0; i < 4; ++i) p[i] = channel_params(m[count == 1 ? 0 : i]);
  return channel_vectors(p);
}

// The reference requantisation of four accumulators (see the header comment), plus
// offset and clamp.
inline int32x4_t requantize4(int32x4_t acc, const ChannelVectors& c, int32x4_t output_offset, int32x4_t act_min,
                             int32x4_t act_max) {
  int32x4_t v = vshlq_s32(acc, c.left_shift);
  v = vqrdmulhq_s32(v, c.multiplier);
  const int32x4_t negative = vshrq_n_s32(vandq_s32(v, c.has_right_shift), 31);  // -1 where v < 0 and shifting
  v = vrshlq_s32(vqaddq_s32(v, negative), c.neg_right_shift);
  v = vaddq_s32(v, output_offset);
  return vminq_s32(vmaxq_s32(v, act_min), act_max);
}

// a_r += sum(x[i] * w_r[i]) over blocks x 16 values for the four rows w + r ldw: per block
// one VLDRB of x and of each row (post-incremented pointers) and four VMLADAVA.S8, in a
// low-overhead loop (WLS/LE). In assembly, row pointers included, because GCC 12 recomputes
// three of the row addresses on every block when it allocates the loop itself (15
// instructions, not 10) and spills the rows' pointers around it. "Te": VMLADAVA accumulates
// in even-numbered registers.
inline void dot4_blocks(const int8_t* x, const int8_t* w, size_t ldw, int32_t blocks, int32_t& a0, int32_t& a1,
                        int32_t& a2, int32_t& a3) {
  int8x16_t xv, v0, v1, v2, v3;
  const int8_t *w1, *w2, *w3;
  __asm__ volatile(
      "add %[w1], %[w0], %[ldw]\n"
      "add %[w2], %[w0], %[ldw], lsl #1\n"
      "add %[w3], %[w1], %[ldw], lsl #1\n"
      "wls lr, %[n], 2f\n"
      "1:\n"
      "vldrb.8 %q[xv], [%[x]], #16\n"
      "vldrb.8 %q[v0], [%[w0]], #16\n"
      "vldrb.8 %q[v1], [%[w1]], #16\n"
      "vldrb.8 %q[v2], [%[w2]], #16\n"
      "vldrb.8 %q[v3], [%[w3]], #16\n"
      "vmladava.s8 %[a0], %q[xv], %q[v0]\n"
      "vmladava.s8 %[a1], %q[xv], %q[v1]\n"
      "vmladava.s8 %[a2], %q[xv], %q[v2]\n"
      "vmladava.s8 %[a3], %q[xv], %q[v3]\n"
      "le lr, 1b\n"
      "2:\n"
      : [a0] "+Te"(a0), [a1] "+Te"(a1), [a2] "+Te"(a2), [a3] "+Te"(a3), [x] "+r"(x), [w0] "+r"(w), [w1] "=&r"(w1),
        [w2] "=&r"(w2), [w3] "=&r"(w3), [xv] "=&w"(xv), [v0] "=&w"(v0), [v1] "=&w"(v1), [v2] "=&w"(v2), [v3] "=&w"(v3)
      : [n] "r"(blocks), [ldw] "r"(ldw)
      : "lr", "memory");
}

// The vector {a0, a1, a2, a3}: VDUP and three single-lane VMOVs (GCC 12 builds it through
// the stack otherwise). The dual-lane VMOV Qd[2], Qd[0], Rt, Rt2 would save two, but QEMU
// and the assembler disagree with our reading of its lane order, so it is not used.
inline int32x4_t lanes4(int32_t a0, int32_t a1, int32_t a2, int32_t a3) {
  int32x4_t v = vdupq_n_s32(a0);
  v = vsetq_lane_s32(a1, v, 1);
  v = vsetq_lane_s32(a2, v, 2);
  return vsetq_lane_s32(a3, v, 3);
}

// sum(w_r[i] * (x[i] + offset)) for four weight rows, sixteen values per step: the sum of
// products and the sum of the weights are both accumulated (VMLADAVA, VADDVA), and the offset
// is applied once at the end: sum(w (x + o)) = sum(w x) + o sum(w). Tails are predicated.
inline void dot4(const int8_t* x, const int8_t* w, size_t ldw, int32_t depth, int32_t input_offset, int32_t out[4]) {
  const int8_t* w0 = w;
  const int8_t* w1 = w + ldw;
  const int8_t* w2 = w + 2 * ldw;
  const int8_t* w3 = w + 3 * ldw;
  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0, s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  auto step = [&](int8x16_t xv, int8x16_t v0, int8x16_t v1, int8x16_t v2, int8x16_t v3) {
    a0 = vmladavaq_s8(a0, xv, v0);
    s0 = vaddvaq_s8(s0, v0);
    a1 = vmladavaq_s8(a1, xv, v1);
    s1 = vaddvaq_s8(s1, v1);
    a2 = vmladavaq_s8(a2, xv, v2);
    s2 = vaddvaq_s8(s2, v2);
    a3 = vmladavaq_s8(a3, xv, v3);
    s3 = vaddvaq_s8(s3, v3);
  };
  const int32_t full = depth & ~15;
  for (int32_t i = 0; i < full; i += 16)
    step(vldrbq_s8(x + i), vldrbq_s8(w0 + i), vldrbq_s8(w1 + i), vldrbq_s8(w2 + i), vldrbq_s8(w3 + i));
  if (full < depth) {  // the tail, predicated: nothing past the rows is read
    const mve_pred16_t p = vctp8q(static_cast<uint32_t>(depth - full));
    step(vldrbq_z_s8(x + full, p), vldrbq_z_s8(w0 + full, p), vldrbq_z_s8(w1 + full, p), vldrbq_z_s8(w2 + full, p),
         vldrbq_z_s8(w3 + full, p));
  }
  out[0] = a0 + input_offset * s0;
  out[1] = a1 + input_offset * s1;
  out[2] = a2 + input_offset * s2;
  out[3] = a3 + input_offset * s3;
}

inline int32_t dot1(const int8_t* x, const int8_t* w, int32_t depth, int32_t input_offset) {
  int32_t a = 0, s = 0;
  const int32_t full = depth & ~15;
  for (int32_t i = 0; i < full; i += 16) {
    const int8x16_t wv = vldrbq_s8(w + i);
    a = vmladavaq_s8(a, vldrbq_s8(x + i), wv);
    s = vaddvaq_s8(s, wv);
  }
  if (full < depth) {
    const mve_pred16_t p = vctp8q(static_cast<uint32_t>(depth - full));
    const int8x16_t wv = vldrbq_z_s8(w + full, p);
    a = vmladavaq_s8(a, vldrbq_z_s8(x + full, p), wv);
    s = vaddvaq_s8(s, wv);
  }
  return a + input_offset * s;
}

// x scaled by a multiplier below one (no left shift) with right shift e, four lanes:
// VQRDMULH, then the reference's rounding division (see the header comment).
inline int32x4_t scale_below_one(int32x4_t x, int32x4_t multiplier, int32x4_t neg_right_shift, int32x4_t has_right_shift) {
  const int32x4_t v = vqrdmulhq_s32(x, multiplier);
  return vrshlq_s32(vqaddq_s32(v, vshrq_n_s32(vandq_s32(v, has_right_shift), 31)), neg_right_shift);
}

// x scaled by a multiplier below one broadcast to every lane, with a right shift e >= 1
// (kShifting: the half-away-from-zero fix needs no mask then) or none (e = 0: a multiplier
// of exactly 1/2, as the larger input's scale of an ADD has).
template <bool kShifting>
inline int32x4_t scale_below_one_n(int32x4_t x, int32_t multiplier, int32_t neg_right_shift) {
  const int32x4_t v = vqrdmulhq_n_s32(x, multiplier);
  if constexpr (!kShifting) return v;
  return vrshlq_n_s32(vqaddq_s32(v, vshrq_n_s32(v, 31)), neg_right_shift);
}

// The same-shape ADD loop with each input's rescaling shifting right (kShift1, kShift2) or
// not, and the output's shifting right; (x + o) 2^l is one VMLA: x 2^l + o 2^l.
template <bool kShift1, bool kShift2>
void add_s8_loop(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, int32_t offset1, int32_t offset2,
                 int32_t left_shift, const ChannelParams& p1, const ChannelParams& p2, const ChannelParams& po,
                 int32_t output_offset, int32_t act_min, int32_t act_max) {
  const int32_t scale = 1 << left_shift;
  const int32x4_t base1 = vdupq_n_s32(offset1 * scale), base2 = vdupq_n_s32(offset2 * scale);
  const int32x4_t lo = vdupq_n_s32(act_min), hi = vdupq_n_s32(act_max);
  auto sum4 = [&](int32x4_t x, int32x4_t y) {
    x = vmlaq_n_s32(base1, x, scale);
    y = vmlaq_n_s32(base2, y, scale);
    int32x4_t s = vaddq_s32(scale_below_one_n<kShift1>(x, p1.multiplier, -p1.right_shift),
                            scale_below_one_n<kShift2>(y, p2.multiplier, -p2.right_shift));
    s = vaddq_n_s32(scale_below_one_n<true>(s, po.multiplier, -po.right_shift), output_offset);
    return vminq_s32(vmaxq_s32(s, lo), hi);
  };
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const int32x4_t r = sum4(vldrbq_s32(a + i), vldrbq_s32(b + i));
    vstrbq_s32(out + i, r);
  }
  if (i < n) {
    const mve_pred16_t p = vctp32q(static_cast<uint32_t>(n - i));
    const int32x4_t r = sum4(vldrbq_z_s32(a + i, p), vldrbq_z_s32(b + i, p));
    vstrbq_p_s32(out + i, r, p);
  }
}

// ADD of two int8 tensors of the same shape (TFLM reference_integer_ops::AddFunc), four
// elements per vector, the tail predicated.
inline void add_s8(const int8_t* a, const int8_t* b, int8_t* out, int32_t n, int32_t offset1, int32_t offset2,
                   int32_t left_shift, const QuantizedMultiplier& m1, const QuantizedMultiplier& m2,
                   const QuantizedMultiplier& mo, int32_t output_offset, int32_t act_min, int32_t act_max) {
  const ChannelParams p1 = channel_params(m1), p2 = channel_params(m2), po = channel_params(mo);
  if (po.right_shift > 0 && p1.left_shift == 0 && p2.left_shift == 0 && po.left_shift == 0) {
    auto run = p1.right_shift > 0 ? (p2.right_shift > 0 ? add_s8_loop<true, true> : add_s8_loop<true, false>)
                                  : (p2.right_shift > 0 ? add_s8_loop<false, true> : add_s8_loop<false, false>);
    run(a, b, out, n, offset1, offset2, left_shift, p1, p2, po, output_offset, act_min, act_max);
    return;
  }
  const int32x4_t lo = vdupq_n_s32(act_min), hi = vdupq_n_s32(act_max);
  int32_t i = 0;
  // Multipliers of 1/2 or more (no right shift): the general per-lane form.
  auto vectors = [](const QuantizedMultiplier& m, int32x4_t* mult, int32x4_t* neg, int32x4_t* has) {
    const ChannelParams p = channel_params(m);
    *mult = vdupq_n_s32(p.multiplier);
    *neg = vdupq_n_s32(-p.right_shift);
    *has = vdupq_n_s32(p.right_shift > 0 ? -1 : 0);
  };
  int32x4_t mult1, neg1, has1, mult2, neg2, has2, multo, nego, haso;
  vectors(m1, &mult1, &neg1, &has1);
  vectors(m2, &mult2, &neg2, &has2);
  vectors(mo, &multo, &nego, &haso);
  const int32x4_t off1 = vdupq_n_s32(offset1), off2 = vdupq_n_s32(offset2), offo = vdupq_n_s32(output_offset);
  for (; i < n; i += 4) {
    const mve_pred16_t p = vctp32q(static_cast<uint32_t>(n - i));
    const int32x4_t x = vshlq_r_s32(vaddq_s32(vldrbq_z_s32(a + i, p), off1), left_shift);
    const int32x4_t y = vshlq_r_s32(vaddq_s32(vldrbq_z_s32(b + i, p), off2), left_shift);
    const int32x4_t sum = vaddq_s32(scale_below_one(x, mult1, neg1, has1), scale_below_one(y, mult2, neg2, has2));
    const int32x4_t r = vaddq_s32(scale_below_one(sum, multo, nego, haso), offo);
    vstrbq_p_s32(out + i, vminq_s32(vmaxq_s32(r, lo), hi), p);
  }
}

#endif  // CHORUS_ARM_MVE

}  // namespace chorus::runtime::kernels::arm
