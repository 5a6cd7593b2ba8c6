// SOFTMAX arithmetic edge cases: the fixed-point exp/reciprocal against real math, the
// parameter derivation against hand-computed TFLM values, and whole rows against a float
// softmax. Bit-exactness on real models is the golden tests' job (OpInIsolation).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "fixed_point_math.hpp"
#include "reference/softmax_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

double q_to_double(int32_t raw, int integer_bits) {
  return raw / static_cast<double>(1LL << (31 - integer_bits));
}

TEST(SoftmaxFixedPoint, ExpOnNegativeValuesTracksExp) {
  EXPECT_EQ(fixed_point::exp_on_negative_values<5>(0), INT32_MAX);
  double worst = 0.0;
  for (double x = -31.5; x < 0.0; x += 0.0173) {
    const int32_t raw = static_cast<int32_t>(std::lround(x * (1 << 26)));
    const double got = q_to_double(fixed_point::exp_on_negative_values<5>(raw), 0);
    worst = std::max(worst, std::fabs(got - std::exp(q_to_double(raw, 5))));
  }
  EXPECT_LT(worst, 2e-7);
}

TEST(SoftmaxFixedPoint, ExpOfWholeQuartersUsesSeriesAtMinusQuarterThenBarrelShifter) {
  // gemmlowp keeps the series argument in [-1/4, 0): -1/4 itself goes to the series
  // (close to exp(-1/4), not the table's exact constant), and -1 = -1/4 - 3/4 is that
  // times exp(-1/4) and exp(-1/2) from the table.
  const int32_t series_at_minus_quarter = fixed_point::exp_on_interval_between_negative_one_quarter_and_0(-(1 << 29));
  EXPECT_NEAR(series_at_minus_quarter, std::exp(-0.25) * 2147483648.0, 1000.0);
  EXPECT_EQ(fixed_point::exp_on_negative_values<5>(-(1 << 24)), series_at_minus_quarter);
  EXPECT_EQ(fixed_point::exp_on_negative_values<5>(-(1 << 26)),
            fixed_point::mul(fixed_point::mul(series_at_minus_quarter, 1672461947), 1302514674));
  // -32 (the most negative Q5.26 value) multiplies by every factor down to exp(-16): 0.
  EXPECT_EQ(fixed_point::exp_on_negative_values<5>(INT32_MIN), 0);
}

TEST(SoftmaxFixedPoint, OneOverOnePlusXTracksDivision) {
  for (double x = 0.0; x < 1.0; x += 0.01) {
    const int32_t raw = static_cast<int32_t>(x * 2147483648.0);
    EXPECT_NEAR(q_to_double(fixed_point::one_over_one_plus_x_for_x_in_0_1(raw), 0), 1.0 / (1.0 + x), 1e-8) << x;
  }
}

TEST(SoftmaxFixedPoint, ReciprocalSplitsIntoScaleAndBits) {
  int bits = 0;
  // 4.0 in Q12.19 is 2^21: 1/4 = (~1.0) * 2^-2.
  const int32_t s = fixed_point::reciprocal(1 << 21, 12, &bits);
  EXPECT_EQ(bits, 2);
  EXPECT_GT(s, INT32_MAX - 16);
  // 3.0: 1/3 = (1/1.5) * 2^-1.
  const int32_t t = fixed_point::reciprocal(3 << 19, 12, &bits);
  EXPECT_EQ(bits, 1);
  EXPECT_NEAR(q_to_double(t, 0), 2.0 / 3.0, 1e-8);
}

TEST(SoftmaxParams, MatchesTflmPreprocessSoftmaxScaling) {
  SoftmaxQuantParams p;
  // beta * scale = 1: real multiplier 2^26 = 0.5 * 2^27 -> Q31 2^30, shift 27; radius
  // floor(31 * 2^26 / 2^27) = 15.
  ASSERT_TRUE(softmax_quant_params(1.0, 1.0, &p));
  EXPECT_EQ(p.input_multiplier, 1 << 30);
  EXPECT_EQ(p.input_left_shift, 27);
  EXPECT_EQ(p.diff_min, -15);
  // keyword_scrambled op 13: input scale 0.0699627325 (as float), beta 1.
  const float scale = 0.0699627325f;
  ASSERT_TRUE(softmax_quant_params(1.0, static_cast<double>(scale), &p));
  const double real = static_cast<double>(scale) * (1 << 26);
  int exp2 = 0;
  const double mantissa = std::frexp(real, &exp2);
  EXPECT_EQ(p.input_left_shift, exp2);
  EXPECT_EQ(p.input_multiplier, static_cast<int32_t>(std::llround(mantissa * 2147483648.0)));
  EXPECT_EQ(p.diff_min, -static_cast<int32_t>(std::floor(31.0 * (1 << 26) / std::ldexp(1.0, exp2))));
  // The multiplier is capped at 2^31 - 1 for huge beta * scale; the radius
  // floor(31 * 2^26 / 2^31) is then 0, so only the row maximum contributes.
  ASSERT_TRUE(softmax_quant_params(1e6, 1e6, &p));
  EXPECT_EQ(p.input_multiplier, INT32_MAX);
  EXPECT_EQ(p.input_left_shift, 31);
  EXPECT_EQ(p.diff_min, 0);
}

TEST(SoftmaxParams, RejectsScaleTooSmallForTheExp) {
  SoftmaxQuantParams p;
  EXPECT_FALSE(softmax_quant_params(1.0, 1.0 / (1 << 27), &p));  // real multiplier 0.5
  EXPECT_FALSE(softmax_quant_params(0.0, 0.1, &p));
}

template <class OutT>
std::vector<OutT> run_row(const std::vector<int8_t>& in, double scale) {
  SoftmaxQuantParams p;
  EXPECT_TRUE(softmax_quant_params(1.0, scale, &p));
  std::vector<OutT> out(in.size());
  std::vector<int32_t> scratch(in.size());
  softmax_int8(p, in.data(), 1, static_cast<int32_t>(in.size()), out.data(), scratch.data());
  return out;
}

TEST(SoftmaxRow, AllEqualInputsShareProbabilityEvenly) {
  for (int depth : {1, 2, 4, 10, 256}) {
    const std::vector<int8_t> in(static_cast<size_t>(depth), 17);
    const std::vector<int8_t> out8 = run_row<int8_t>(in, 0.05);
    const std::vector<int16_t> out16 = run_row<int16_t>(in, 0.05);
    const double p = 1.0 / depth;
    for (int c = 0; c < depth; ++c) {
      EXPECT_EQ(out8[c], out8[0]);
      EXPECT_EQ(out16[c], out16[0]);
    }
    EXPECT_NEAR(out8[0], std::min(127.0, p * 256 - 128), 1.0) << depth;
    EXPECT_NEAR(out16[0], std::min(32767.0, p * 65536 - 32768), 1.0) << depth;
  }
  // A single element saturates to the largest code, not past it.
  EXPECT_EQ(run_row<int8_t>({-5}, 0.05)[0], 127);
  EXPECT_EQ(run_row<int16_t>({-5}, 0.05)[0], 32767);
}

TEST(SoftmaxRow, OneDominantInputTakesEverything) {
  std::vector<int8_t> in(12, -128);
  in[7] = 127;
  const std::vector<int8_t> out = run_row<int8_t>(in, 0.1);  // differences of 25.5
  for (size_t c = 0; c < in.size(); ++c) EXPECT_EQ(out[c], c == 7 ? 127 : -128) << c;
  const std::vector<int16_t> out16 = run_row<int16_t>(in, 0.1);
  for (size_t c = 0; c < in.size(); ++c) EXPECT_EQ(out16[c], c == 7 ? 32767 : -32768) << c;
}

TEST(SoftmaxRow, DifferencesBelowDiffMinAreSkipped) {
  // Scale 1: diff_min is -15. -15 is still evaluated (exp(-15) is ~3e-7, which rounds to
  // the lowest code), -16 takes the skip branch; both must give the lowest code and must
  // not disturb the others.
  SoftmaxQuantParams p;
  ASSERT_TRUE(softmax_quant_params(1.0, 1.0, &p));
  ASSERT_EQ(p.diff_min, -15);
  const std::vector<int8_t> in = {10, -5, -6, 10, 9};
  const std::vector<int16_t> out = run_row<int16_t>(in, 1.0);
  EXPECT_EQ(out[1], -32768);
  EXPECT_EQ(out[2], -32768);
  EXPECT_EQ(out[0], out[3]);
  const double e1 = std::exp(-1.0), sum = 2.0 + e1;
  EXPECT_NEAR(out[0], 65536.0 / sum - 32768, 2.0);
  EXPECT_NEAR(out[4], 65536.0 * e1 / sum - 32768, 2.0);
}

TEST(SoftmaxRow, RandomRowsTrackFloatSoftmax) {
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int> value(-128, 127);
  for (int trial = 0; trial < 200; ++trial) {
    const int depth = 2 + trial % 20;
    const double scale = 0.01 + 0.2 * (trial % 7);
    std::vector<int8_t> in(static_cast<size_t>(depth));
    for (int8_t& v : in) v = static_cast<int8_t>(value(rng));
    const std::vector<int8_t> out8 = run_row<int8_t>(in, scale);
    const std::vector<int16_t> out16 = run_row<int16_t>(in, scale);
    int max_in = -128;
    for (int8_t v : in) max_in = std::max(max_in, static_cast<int>(v));
    double sum = 0.0;
    for (int8_t v : in) sum += std::exp(scale * (v - max_in));
    for (int c = 0; c < depth; ++c) {
      const double p = std::exp(scale * (in[c] - max_in)) / sum;
      EXPECT_NEAR(out8[c], std::min(127.0, p * 256 - 128), 1.0) << trial << " " << c;
      EXPECT_NEAR(out16[c], std::min(32767.0, p * 65536 - 32768), 2.0) << trial << " " << c;
    }
  }
}

TEST(SoftmaxRow, RowsAreIndependent) {
  SoftmaxQuantParams p;
  ASSERT_TRUE(softmax_quant_params(1.0, 0.1, &p));
  const std::vector<int8_t> in = {1, 2, 3, 100, -100, 0};
  std::vector<int8_t> both(6);
  std::vector<int32_t> scratch(3);
  softmax_int8(p, in.data(), 2, 3, both.data(), scratch.data());
  const std::vector<int8_t> first = run_row<int8_t>({1, 2, 3}, 0.1);
  const std::vector<int8_t> second = run_row<int8_t>({100, -100, 0}, 0.1);
  for (int c = 0; c < 3; ++c) {
    EXPECT_EQ(both[c], first[c]);
    EXPECT_EQ(both[3 + c], second[c]);
  }
}

TEST(SoftmaxRow, LongestAcceptedRowKeepsTheShiftInRange) {
  // All-equal rows are the worst case for the sum; at the limits the outputs must still be
  // the even share (1/511 * 256 rounds to 1 above the lowest code).
  const std::vector<int8_t> in8(static_cast<size_t>(softmax_max_depth<int8_t>()), 3);
  const std::vector<int8_t> out8 = run_row<int8_t>(in8, 0.1);
  EXPECT_EQ(out8.front(), -128 + 1);
  const std::vector<int8_t> in16(static_cast<size_t>(softmax_max_depth<int16_t>()), 3);
  const std::vector<int16_t> out16 = run_row<int16_t>(in16, 0.1);
  EXPECT_NEAR(out16.back(), 65536.0 / 4095 - 32768, 1.0);
}

}  // namespace
}  // namespace chorus::runtime::kernels
