#include "signal/signal_math.hpp"

namespace chorus::runtime::signal {
namespace {

// log2(1 + f) - f on 128 segments of f in [0, 1), scaled by 2^16; two entries of padding.
// Constants from TFLM signal/src/log.cc (kLogLut).
constexpr uint16_t kLog2Correction[130] = {
    0,    224,  442,  654,  861,  1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087, 3224,
    3358, 3487, 3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063,
    5123, 5178, 5231, 5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640,
    5641, 5638, 5633, 5626, 5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203,
    5156, 5106, 5054, 5000, 4944, 4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935,
    3848, 3759, 3668, 3575, 3481, 3384, 3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971,
    1851, 1729, 1605, 1480, 1353, 1224, 1094, 963,  830,  695,  559,  421,  282,  142,  0,    0};

constexpr int kFracBits = 16;      // log2 values are 16.16 fixed point
constexpr int kSegmentBits = 7;    // 128 table segments
constexpr uint32_t kLn2Q16 = 45426;  // round(ln(2) * 2^16)

// Fractional part of log2(x) in Q16, for x with its top bit at position `exponent`.
uint32_t log2_fraction(uint32_t x, uint32_t exponent) {
  // The mantissa below the top bit, aligned to 16 fractional bits.
  int32_t frac = static_cast<int32_t>(static_cast<int64_t>(x) - (int64_t{1} << exponent));
  if (exponent < static_cast<uint32_t>(kFracBits))
    frac = static_cast<int32_t>(static_cast<uint32_t>(frac) << (kFracBits - exponent));
  else
    frac >>= exponent - kFracBits;
  const uint32_t segment = static_cast<uint32_t>(frac) >> (kFracBits - kSegmentBits);
  const int32_t c0 = kLog2Correction[segment];
  const int32_t c1 = kLog2Correction[segment + 1];
  const int32_t segment_start = static_cast<int32_t>(segment << (kFracBits - kSegmentBits));
  // Linear interpolation inside the segment; >> floors negative slopes (arithmetic shift).
  const int32_t interpolated = ((c1 - c0) * (frac - segment_start)) >> kFracBits;
  return static_cast<uint32_t>(frac + c0 + interpolated);
}

}  // namespace

uint16_t sqrt32(uint32_t x) {
  if (x == 0) return 0;
  // Start from the highest even bit position at or below x's top bit.
  const int leading = static_cast<int>(32 - most_significant_bit32(x)) | 1;
  uint32_t bit = 1u << (31 - leading);
  uint32_t root = 0;
  for (int steps = (31 - leading) / 2 + 1; steps > 0; --steps) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (x > root && root != 0xFFFFu) ++root;
  return static_cast<uint16_t>(root);
}

uint32_t sqrt64(uint64_t x) {
  if ((x >> 32) == 0) return sqrt32(static_cast<uint32_t>(x));
  const int leading = static_cast<int>(64 - most_significant_bit64(x)) | 1;
  uint64_t bit = uint64_t{1} << (63 - leading);
  uint64_t root = 0;
  for (int steps = (63 - leading) / 2 + 1; steps > 0; --steps) {
    if (x >= root + bit) {
      x -= root + bit;
      root = (root >> 1) + bit;
    } else {
      root >>= 1;
    }
    bit >>= 2;
  }
  if (x > root && root != 0xFFFFFFFFu) ++root;
  return static_cast<uint32_t>(root);
}

uint32_t log32(uint32_t x, uint32_t out_scale) {
  if (x == 0) return 0;  // log(0) has no value; the reference never calls it with 0
  const uint32_t exponent = most_significant_bit32(x) - 1;
  const uint32_t log2_q16 = (exponent << kFracBits) + log2_fraction(x, exponent);
  constexpr uint32_t kHalf = 1u << (kFracBits - 1);
  const uint32_t ln_q16 = static_cast<uint32_t>((uint64_t{kLn2Q16} * log2_q16 + kHalf) >> kFracBits);
  // 32-bit product, wrapping as the reference's does.
  return (out_scale * ln_q16 + kHalf) >> kFracBits;
}

}  // namespace chorus::runtime::signal
