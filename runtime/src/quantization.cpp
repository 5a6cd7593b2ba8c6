#include "chorus/runtime/quantization.hpp"

#include <cmath>
#include <cstring>

namespace chorus::runtime {

QuantizedMultiplier quantize_multiplier(double real_multiplier) {
  // TFLite quantization_util.cc QuantizeMultiplier: frexp into [0.5, 1) * 2^shift, round
  // the mantissa to Q31 half away from zero; a mantissa that rounds to 2^31 carries into
  // the exponent; exponents below -31 flush to zero.
  QuantizedMultiplier out;
  if (real_multiplier == 0.0 || std::isnan(real_multiplier)) return out;
  if (std::isinf(real_multiplier)) {  // a zero output scale in a hostile model: saturate
    out.multiplier = real_multiplier > 0 ? INT32_MAX : -INT32_MAX;
    out.shift = kMaxMultiplierShift;
    return out;
  }
  int shift = 0;
  const double q = std::frexp(real_multiplier, &shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1LL << 31)));
  if (q_fixed == (1LL << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) {
    shift = 0;
    q_fixed = 0;
  }
  if (shift > kMaxMultiplierShift) {  // saturate (see the header)
    shift = kMaxMultiplierShift;
    q_fixed = INT32_MAX;
  }
  out.multiplier = static_cast<int32_t>(q_fixed);
  out.shift = shift;
  return out;
}

namespace {

// A positive finite float as m 2^e with m in [2^23, 2^24); false for zero, negatives,
// infinities and NaNs.
bool float_parts(float f, uint32_t* m, int32_t* e) {
  uint32_t bits;
  std::memcpy(&bits, &f, sizeof(bits));
  const uint32_t biased = (bits >> 23) & 0xFFu;
  uint32_t frac = bits & 0x7FFFFFu;
  if ((bits >> 31) != 0 || biased == 0xFFu || (biased == 0 && frac == 0)) return false;
  int32_t exponent = static_cast<int32_t>(biased) - 150;
  if (biased == 0) {  // subnormal: frac 2^-149, normalised
    exponent = -149;
    while (frac < (1u << 23)) {
      frac <<= 1;
      --exponent;
    }
  } else {
    frac |= 1u << 23;
  }
  *m = frac;
  *e = exponent;
  return true;
}

}  // namespace

QuantizedMultiplier quantize_multiplier_ratio(float a, float b, float c) {
  // With a = ma 2^ea, b = mb 2^eb, c = mc 2^ec (24-bit mantissas), the double product
  // P = ma mb (< 2^48) is exact, and the double quotient is P / mc rounded to 53 bits
  // (nearest, ties to even). With 2^k <= P / mc < 2^(k+1) (k = 22, 23 or 24), frexp's
  // fraction is M / 2^53, M = RNE(T), T = P 2^(52-k) / mc, and the exponent is
  // ea + eb - ec + k + 1. The Q31 multiplier is round-half-away(M / 2^22), the largest n
  // with M >= n 2^22 - 2^21. That threshold is even, so (ties going to it) M >= it exactly
  // when T >= it - 1/2; hence n = floor((T + 2^21 + 1/2) / 2^22). With
  // Q = floor(P 2^(30-k) / mc) and R the remainder, T / 2^22 = Q + R / mc, so
  // n = Q + [2^23 R >= mc (2^22 - 1)]. P 2^(30-k) < 2^56: a long division by mc < 2^24 in
  // 32-bit steps of eight bits.
  uint32_t ma, mb, mc;
  int32_t ea, eb, ec;
  if (!float_parts(a, &ma, &ea) || !float_parts(b, &mb, &eb) || !float_parts(c, &mc, &ec))
    return quantize_multiplier(static_cast<double>(a) * static_cast<double>(b) / static_cast<double>(c));
  const uint64_t p = static_cast<uint64_t>(ma) * mb;
  const uint64_t mc64 = mc;
  const int32_t k = p >= (mc64 << 24) ? 24 : (p >= (mc64 << 23) ? 23 : 22);
  const uint64_t n = p << (30 - k);
  uint32_t q = static_cast<uint32_t>(n >> 24) / mc;
  uint32_t r = static_cast<uint32_t>(n >> 24) - q * mc;
  for (int byte = 2; byte >= 0; --byte) {
    const uint32_t part = (r << 8) | static_cast<uint32_t>((n >> (8 * byte)) & 0xFFu);
    const uint32_t digit = part / mc;
    r = part - digit * mc;
    q = (q << 8) | digit;
  }
  uint64_t fixed = q + ((static_cast<uint64_t>(r) << 23) >= mc64 * ((1u << 22) - 1) ? 1u : 0u);
  int32_t shift = ea + eb - ec + k + 1;
  if (fixed == (uint64_t{1} << 31)) {  // the mantissa rounded up to 1: carry into the exponent
    fixed >>= 1;
    ++shift;
  }
  QuantizedMultiplier out;
  if (shift < -31) return out;  // underflow to zero, as quantize_multiplier
  if (shift > kMaxMultiplierShift) {  // saturate, as quantize_multiplier
    out.multiplier = INT32_MAX;
    out.shift = kMaxMultiplierShift;
    return out;
  }
  out.multiplier = static_cast<int32_t>(fixed);
  out.shift = shift;
  return out;
}

bool quantized_activation_range(int activation, float scale, int32_t zero_point, int32_t qmin, int32_t qmax,
                                ActivationRange* out) {
  // TFLite CalculateActivationRangeQuantized: the float bounds quantised with the output's
  // scale (float division, round half away from zero), clamped to the type's range.
  // A tiny scale puts f / scale beyond int32 (the reference's cast is undefined there); the
  // value is clamped first, which gives the same range after the clamp to [qmin, qmax].
  auto quantize = [&](float f) {
    const double q = std::round(static_cast<double>(f / scale)) + zero_point;
    return q < INT32_MIN ? INT32_MIN : (q > INT32_MAX ? INT32_MAX : static_cast<int32_t>(q));
  };
  auto max_of = [](int32_t a, int32_t b) { return a > b ? a : b; };
  auto min_of = [](int32_t a, int32_t b) { return a < b ? a : b; };
  switch (activation) {
    case 0:  // NONE
      *out = {qmin, qmax};
      return true;
    case 1:  // RELU
      *out = {max_of(qmin, quantize(0.0f)), qmax};
      return true;
    case 2:  // RELU_N1_TO_1
      *out = {max_of(qmin, quantize(-1.0f)), min_of(qmax, quantize(1.0f))};
      return true;
    case 3:  // RELU6
      *out = {max_of(qmin, quantize(0.0f)), min_of(qmax, quantize(6.0f))};
      return true;
    default:
      return false;
  }
}

}  // namespace chorus::runtime
