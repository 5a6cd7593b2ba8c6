// SVDF arithmetic: a hand-computed two-invoke case, the int8 state's wrap quirk, and
// random shapes (rank > 1, batches > 1, int8 and int16 state) against the loop structure
// of TFLM svdf_common.cc EvalIntegerSvdfReference transcribed below (separate int32
// scratch buffers, bias copied then the rank reduction added).
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "reference/svdf_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

const Requantizer kOne = Requantizer::from(quantize_multiplier(1.0));

SvdfShape make_shape(int32_t batches, int32_t input_size, int32_t units, int32_t rank, int32_t memory) {
  return SvdfShape{batches, input_size, units * rank, units, rank, memory};
}

TEST(Svdf, HandComputedTwoInvokes) {
  const SvdfShape s = make_shape(1, 2, 2, 1, 3);
  const SvdfQuant q{0, 0, 0, kOne, kOne};
  const int8_t wf[] = {1, 2, 3, -1};
  const int16_t wt[] = {1, 1, 2, 0, 0, -3};
  const int32_t bias[] = {1, 100};
  int16_t state[6] = {};
  int16_t scratch[2];
  int8_t out[2];

  const int8_t x1[] = {5, 7};  // filter activations 19 and 8
  svdf_integer(s, q, x1, wf, wt, bias, state, out, scratch);
  const int16_t state1[] = {0, 0, 19, 0, 0, 8};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(state[i], state1[i]) << i;
  EXPECT_EQ(out[0], 1 + 2 * 19);
  EXPECT_EQ(out[1], 100 - 3 * 8);

  const int8_t x2[] = {1, 0};  // activations 1 and 3; the whole buffer shifts by one
  svdf_integer(s, q, x2, wf, wt, bias, state, out, scratch);
  const int16_t state2[] = {0, 19, 1, 0, 8, 3};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(state[i], state2[i]) << i;
  EXPECT_EQ(out[0], 1 + 19 + 2 * 1);
  EXPECT_EQ(out[1], 100 - 3 * 3);
}

TEST(Svdf, ZeroPointsAndOutputClamp) {
  const SvdfShape s = make_shape(1, 1, 1, 1, 2);
  const SvdfQuant q{-10, 0, -128, kOne, kOne};
  const int8_t wf[] = {2};
  const int16_t wt[] = {0, 5};
  int16_t state[2] = {};
  int16_t scratch[1];
  int8_t out[1];
  const int8_t x[] = {-4};  // (-4 - -10) * 2 = 12 -> 60 - 128
  svdf_integer(s, q, x, wf, wt, static_cast<const int32_t*>(nullptr), state, out, scratch);
  EXPECT_EQ(state[1], 12);
  EXPECT_EQ(out[0], 60 - 128);
  const int8_t big[] = {127};  // 274 -> 1370 - 128 clamps to 127
  svdf_integer(s, q, big, wf, wt, static_cast<const int32_t*>(nullptr), state, out, scratch);
  EXPECT_EQ(out[0], 127);
}

TEST(Svdf, Int8StateWrapsAfterTheZeroPointLikeTheReference) {
  // The activation is clamped to [-128, 127] *before* the state zero point is added, and
  // the sum is narrowed without a second clamp: 127 + 100 = 227 is stored as -29.
  const SvdfShape s = make_shape(1, 1, 1, 1, 1);
  const SvdfQuant q{0, 100, 0, kOne, kOne};
  const int8_t wf[] = {100};
  const int8_t wt[] = {1};
  int8_t state[1] = {100};
  int16_t scratch[1];
  int8_t out[1];
  const int8_t x[] = {3};  // 300 -> clamp 127
  svdf_integer(s, q, x, wf, wt, static_cast<const int32_t*>(nullptr), state, out, scratch);
  EXPECT_EQ(state[0], -29);
  EXPECT_EQ(out[0], -128);  // (-29 - 100) * 1 = -129 -> clamp
}

// TFLM EvalIntegerSvdfReference's structure, kept deliberately literal, with the shared
// multiply_by_quantized_multiplier (zero points come from `q`).
template <class T>
void reference_svdf(const SvdfShape& s, const SvdfQuant& q, QuantizedMultiplier feature_to_state,
                    QuantizedMultiplier state_to_output, const int8_t* input, const int8_t* wf, const T* wt, const int32_t* bias,
                    T* state, int8_t* output) {
  const int n = s.batches * s.num_filters * s.memory_size;
  for (int i = 0; i + 1 < n; ++i) state[i] = state[i + 1];
  T* result = state + (s.memory_size - 1);
  for (int b = 0; b < s.batches; ++b) {
    const int8_t* m = wf;
    for (int r = 0; r < s.num_filters; ++r) {
      int32_t dot = 0;
      for (int c = 0; c < s.input_size; ++c) dot += *m++ * (input[b * s.input_size + c] - q.input_zero_point);
      dot = multiply_by_quantized_multiplier(dot, feature_to_state.multiplier, feature_to_state.shift);
      dot = std::min<int32_t>(std::max<int32_t>(std::numeric_limits<T>::min(), dot), std::numeric_limits<T>::max());
      *result = static_cast<T>(q.state_zero_point + dot);
      result += s.memory_size;
    }
  }
  std::vector<int32_t> scratch(static_cast<size_t>(s.batches * s.num_filters));
  for (int b = 0; b < s.batches; ++b) {
    const T* v1 = wt;
    const T* v2 = state + b * s.memory_size * s.num_filters;
    for (int i = 0; i < s.num_filters; ++i) {
      int32_t acc = 0;
      for (int j = 0; j < s.memory_size; ++j) acc += *v1++ * (*v2++ - q.state_zero_point);
      scratch[static_cast<size_t>(b * s.num_filters + i)] = acc;
    }
  }
  std::vector<int32_t> out(static_cast<size_t>(s.batches * s.num_units));
  for (int b = 0; b < s.batches; ++b)
    for (int j = 0; j < s.num_units; ++j) out[static_cast<size_t>(b * s.num_units + j)] = bias ? bias[j] : 0;
  for (int b = 0; b < s.batches; ++b) {
    const int32_t* sp = scratch.data() + b * s.num_filters;
    for (int i = 0; i < s.num_units; ++i)
      for (int j = 0; j < s.rank; ++j) out[static_cast<size_t>(b * s.num_units + i)] += *sp++;
  }
  for (size_t i = 0; i < out.size(); ++i) {
    const int32_t x =
        multiply_by_quantized_multiplier(out[i], state_to_output.multiplier, state_to_output.shift) + q.output_zero_point;
    output[i] = static_cast<int8_t>(std::min(std::max(x, -128), 127));
  }
}

template <class T>
void random_sequence_matches_reference(uint32_t seed) {
  std::mt19937 rng(seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int trial = 0; trial < 40; ++trial) {
    const SvdfShape s = make_shape(uniform(1, 3), uniform(1, 40), uniform(1, 12), uniform(1, 3), uniform(1, 10));
    SvdfQuant q;
    q.input_zero_point = uniform(-128, 127);
    q.state_zero_point = sizeof(T) == 1 ? uniform(-60, 60) : 0;
    q.output_zero_point = uniform(-128, 127);
    const QuantizedMultiplier f2s = quantize_multiplier(std::ldexp(1.0 + uniform(0, 999) / 1000.0, uniform(-14, -4)));
    const QuantizedMultiplier s2o = quantize_multiplier(std::ldexp(1.0 + uniform(0, 999) / 1000.0, uniform(-16, -6)));
    q.feature_to_state = Requantizer::from(f2s);
    q.state_to_output = Requantizer::from(s2o);
    std::vector<int8_t> wf(static_cast<size_t>(s.num_filters * s.input_size));
    std::vector<T> wt(static_cast<size_t>(s.num_filters * s.memory_size));
    std::vector<int32_t> bias(static_cast<size_t>(s.num_units));
    for (int8_t& v : wf) v = static_cast<int8_t>(uniform(-127, 127));
    for (T& v : wt) v = static_cast<T>(sizeof(T) == 1 ? uniform(-127, 127) : uniform(-1000, 1000));  // no int32 overflow
    for (int32_t& v : bias) v = uniform(-100000, 100000);
    const size_t state_size = static_cast<size_t>(s.batches * s.num_filters * s.memory_size);
    std::vector<T> state(state_size, static_cast<T>(q.state_zero_point));
    std::vector<T> ref_state = state;
    std::vector<int16_t> scratch(static_cast<size_t>(s.input_size));
    const bool with_bias = trial % 4 != 0;
    for (int invoke = 0; invoke < 6; ++invoke) {
      std::vector<int8_t> input(static_cast<size_t>(s.batches * s.input_size));
      for (int8_t& v : input) v = static_cast<int8_t>(uniform(-128, 127));
      std::vector<int8_t> out(static_cast<size_t>(s.batches * s.num_units)), ref_out(out.size());
      svdf_integer(s, q, input.data(), wf.data(), wt.data(), with_bias ? bias.data() : nullptr, state.data(), out.data(),
                   scratch.data());
      reference_svdf(s, q, f2s, s2o, input.data(), wf.data(), wt.data(), with_bias ? bias.data() : nullptr, ref_state.data(),
                     ref_out.data());
      ASSERT_EQ(state, ref_state) << "trial " << trial << " invoke " << invoke;
      ASSERT_EQ(out, ref_out) << "trial " << trial << " invoke " << invoke;
    }
  }
}

TEST(Svdf, RandomInt16StateSequencesMatchReferenceStructure) {
  random_sequence_matches_reference<int16_t>(7);
}
TEST(Svdf, RandomInt8StateSequencesMatchReferenceStructure) {
  random_sequence_matches_reference<int8_t>(8);
}

}  // namespace
}  // namespace chorus::runtime::kernels
