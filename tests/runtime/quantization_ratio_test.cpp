// quantize_multiplier_ratio (integer arithmetic) against the double expression TFLite uses,
// quantize_multiplier(double(a) * double(b) / double(c)), compared field by field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>

#include "chorus/runtime/quantization.hpp"

namespace chorus::runtime {
namespace {

QuantizedMultiplier by_double(float a, float b, float c) {
  return quantize_multiplier(static_cast<double>(a) * static_cast<double>(b) / static_cast<double>(c));
}

float from_bits(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof(f));
  return f;
}

// Counts mismatches (and reports the first few).
int compare(float a, float b, float c) {
  const QuantizedMultiplier want = by_double(a, b, c);
  const QuantizedMultiplier got = quantize_multiplier_ratio(a, b, c);
  if (want.multiplier == got.multiplier && want.shift == got.shift) return 0;
  ADD_FAILURE() << "a=" << a << " b=" << b << " c=" << c << ": double gives " << want.multiplier << "/" << want.shift
                << ", integer gives " << got.multiplier << "/" << got.shift;
  return 1;
}

// True when the double path's Q31 rounding was a tie (fraction exactly one half).
bool q31_tie(float a, float b, float c) {
  int shift = 0;
  const double q = std::frexp(static_cast<double>(a) * static_cast<double>(b) / static_cast<double>(c), &shift);
  const double scaled = q * 2147483648.0;
  return scaled - std::floor(scaled) == 0.5;
}

TEST(QuantizeMultiplierRatio, MatchesTheDoubleExpressionOnRandomScales) {
  std::mt19937 rng(20261122);
  // Biased exponents over the whole normal range and the subnormals, random mantissas.
  std::uniform_int_distribution<uint32_t> exponent(0, 254), mantissa(0, (1u << 23) - 1);
  auto random_float = [&] {
    uint32_t bits = (exponent(rng) << 23) | mantissa(rng);
    if (bits == 0) bits = 1;
    return from_bits(bits);
  };
  int mismatches = 0;
  const int n = 1000000;
  for (int i = 0; i < n && mismatches < 5; ++i) mismatches += compare(random_float(), random_float(), random_float());
  EXPECT_EQ(mismatches, 0);
  // Scales as real models have them (1e-6 .. 1).
  std::uniform_real_distribution<float> log_scale(-14.0f, 0.0f);
  for (int i = 0; i < n && mismatches < 5; ++i)
    mismatches += compare(std::exp(log_scale(rng)), std::exp(log_scale(rng)), std::exp(log_scale(rng)));
  EXPECT_EQ(mismatches, 0);
  std::printf("quantize_multiplier_ratio: %d random scale triples compared with the double expression\n", 2 * n);
}

TEST(QuantizeMultiplierRatio, RoundsQ31TiesAwayFromZero) {
  // With c a power of two the quotient is exact; mantissas x 2^16 (x odd) times odd ones put
  // a one followed by zeros where the Q31 rounding cuts, for some exponents.
  std::mt19937 rng(7);
  std::uniform_int_distribution<uint32_t> odd(0, (1u << 22) - 1), high(64, 255);
  int ties = 0;
  for (int i = 0; i < 200000; ++i) {
    const uint32_t x = high(rng) | 1u;  // 2^23 <= x 2^16 < 2^24
    const float a = std::ldexp(static_cast<float>(x << 16), -30 + static_cast<int>(i % 7));
    const float b = std::ldexp(static_cast<float>((1u << 23) | (odd(rng) | 1u)), -27);
    const float c = std::ldexp(1.0f, -3 - static_cast<int>(i % 5));
    if (q31_tie(a, b, c)) ++ties;
    ASSERT_EQ(compare(a, b, c), 0);
  }
  EXPECT_GT(ties, 1000) << "too few ties exercised";
  std::printf("quantize_multiplier_ratio: %d Q31 ties compared\n", ties);
}

TEST(QuantizeMultiplierRatio, EdgeCases) {
  const float max = std::numeric_limits<float>::max();
  const float tiny = std::numeric_limits<float>::denorm_min();
  // Mantissas whose quotient lies within 2^-32 below a power of two: the Q31 mantissa
  // rounds up to 2^31 and carries into the exponent (found by search).
  const float mantissas[3][3] = {{12039168.0f, 16120429.0f, 11567864.0f},
                                 {8999255.0f, 12897282.0f, 13836137.0f},
                                 {15710278.0f, 13983089.0f, 13093842.0f}};
  for (const auto& m : mantissas) {
    const float a = std::ldexp(m[0], -30), b = std::ldexp(m[1], -24), c = std::ldexp(m[2], -20);
    EXPECT_EQ(compare(a, b, c), 0);
    EXPECT_EQ(quantize_multiplier_ratio(a, b, c).multiplier, 1 << 30);
  }
  // Mantissas whose exact quotient lies less than 1/2 below a Q31 tie, so the 53-bit
  // rounding of the double division lands on the tie and the Q31 rounding then goes up
  // (found by an exhaustive search over the middle mantissa).
  const float near_ties[6][3] = {{15924139.0f, 11602358.0f, 16554471.0f}, {16078291.0f, 9057032.0f, 14794389.0f},
                                 {14941168.0f, 8631143.0f, 16586327.0f},  {12908614.0f, 10661726.0f, 10059466.0f},
                                 {8421198.0f, 16350435.0f, 16000417.0f},  {16702138.0f, 11383687.0f, 16082222.0f}};
  // ... and quotients between 1 and 1/2 below a tie, which round to just below it (down).
  const float below_ties[3][3] = {{15924139.0f, 14998622.0f, 16554471.0f}, {16078291.0f, 16598375.0f, 14794389.0f},
                                  {13154181.0f, 10574141.0f, 11746660.0f}};
  for (const auto& m : below_ties) EXPECT_EQ(compare(std::ldexp(m[0], -31), std::ldexp(m[1], -24), std::ldexp(m[2], -24)), 0);
  for (const auto& m : near_ties) EXPECT_EQ(compare(std::ldexp(m[0], -31), std::ldexp(m[1], -24), std::ldexp(m[2], -24)), 0);
  const float below_one = from_bits(0x3F7FFFFFu);  // 1 - 2^-24
  EXPECT_EQ(compare(1.0f, 1.0f, below_one), 0);
  EXPECT_EQ(compare(1.0f, 1.0f, 1.0f), 0);
  EXPECT_EQ(compare(max, max, tiny), 0);
  EXPECT_EQ(compare(tiny, tiny, max), 0);  // underflows to zero
  EXPECT_EQ(quantize_multiplier_ratio(tiny, tiny, max).multiplier, 0);
  EXPECT_EQ(compare(tiny, 3.0f, 7.0f), 0);
  EXPECT_EQ(compare(from_bits(0x007FFFFFu), 0.5f, 0.25f), 0);  // largest subnormal
  EXPECT_EQ(compare(0.0f, 0.5f, 0.25f), 0);                     // zero: the double path
  EXPECT_EQ(quantize_multiplier_ratio(0.0f, 0.5f, 0.25f).multiplier, 0);
  EXPECT_EQ(compare(-0.5f, 0.5f, 0.25f), 0);  // negative: the double path
  // Shifts just above and below the underflow bound.
  for (int e = -40; e <= -20; ++e) EXPECT_EQ(compare(std::ldexp(0.75f, e), 0.9f, 1.1f), 0) << e;
}

}  // namespace
}  // namespace chorus::runtime

namespace chorus::runtime {
namespace {

// The 64-bit (int16 activations) MultiplyByQuantizedMultiplier of TFLM's default
// double-rounding build (common.cc): the multiplier reduced to 16 bits with rounding, then
// one rounding shift by 15 - shift, adding 2^(14 - shift) first (half rounds up). Hand-computed
// with multiplier 2^30 (0.5) and shift 0: x * 16384 / 32768.
TEST(QuantizedMultiplier64, RoundsHalfUpAfterTheSixteenBitReduction) {
  const int32_t half = 1 << 30;
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{1}, half, 0), 1);    // 0.5 -> 1
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{3}, half, 0), 2);    // 1.5 -> 2
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{-3}, half, 0), -1);  // -1.5 -> -1 (half up)
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{4}, half, 0), 2);
  // Shift 2 (x4): 3 * 0.5 * 4 = 6 exactly; 1000 * 0.5 * 2^-3 = 62.5 -> 63.
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{3}, half, 2), 6);
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{1000}, half, -3), 63);
  // A multiplier at or above 0x7FFF0000 saturates its 16-bit form at 0x7FFF.
  EXPECT_EQ(multiply_by_quantized_multiplier(int64_t{1} << 15, 0x7FFFFFFF, 0), 0x7FFF);
}

}  // namespace
}  // namespace chorus::runtime
