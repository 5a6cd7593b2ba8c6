// Zero undefined behaviour for every model that loads: multipliers saturate at the largest
// shift the reference defines, and an operator whose int32 accumulator could overflow for
// some input is refused at prepare with the channel and the bound, while one exactly at the
// bound loads and computes the exact (64-bit) value for its worst-case input.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "chorus/runtime/quantization.hpp"
#include "kernel_test_model.hpp"

namespace chorus::runtime {
namespace {

TEST(QuantizeMultiplier, SaturatesShiftsBeyondThirtyOne) {
  // 2^31 * 0.75 is the largest real with shift 31: kept as the reference computes it.
  const QuantizedMultiplier kept = quantize_multiplier(std::ldexp(0.75, 31));
  EXPECT_EQ(kept.shift, 31);
  EXPECT_EQ(kept.multiplier, 3 << 29);
  for (double real : {std::ldexp(1.0, 31), std::ldexp(1.0, 40), 1e300, std::numeric_limits<double>::infinity()}) {
    const QuantizedMultiplier m = quantize_multiplier(real);
    EXPECT_EQ(m.shift, kMaxMultiplierShift) << real;
    EXPECT_EQ(m.multiplier, INT32_MAX) << real;
  }
  const QuantizedMultiplier nan = quantize_multiplier(std::nan(""));
  EXPECT_EQ(nan.multiplier, 0);
  EXPECT_EQ(nan.shift, 0);
  // The exact integer path saturates the same way.
  const QuantizedMultiplier ratio = quantize_multiplier_ratio(1e30f, 1e8f, 1e-30f);
  EXPECT_EQ(ratio.shift, kMaxMultiplierShift);
  EXPECT_EQ(ratio.multiplier, INT32_MAX);
  const QuantizedMultiplier below = quantize_multiplier_ratio(std::ldexp(1.0f, 20), std::ldexp(1.0f, 10), 1.0f);
  EXPECT_EQ(below.shift, 31);
  EXPECT_EQ(below.multiplier, 1 << 30);
}

TEST(QuantizeMultiplier, SaturatedMultiplierIsDefinedForEveryInput) {
  // A left shift of 31 on the extreme accumulators (UBSan checks this build).
  const QuantizedMultiplier m = quantize_multiplier(1e300);
  for (int32_t x : {INT32_MIN, -1, 0, 1, INT32_MAX})
    (void)multiply_by_quantized_multiplier(x, m.multiplier, m.shift);
  SUCCEED();
}

TEST(QuantizedActivationRange, TinyScaleClampsInsteadOfOverflowing) {
  ActivationRange r{};
  ASSERT_TRUE(quantized_activation_range(3, 1e-38f, 0, -128, 127, &r));  // RELU6: 6 / 1e-38
  EXPECT_EQ(r.min, 0);
  EXPECT_EQ(r.max, 127);
}

// FULLY_CONNECTED with `depth` weights of 127 per unit and the given bias: the bound is
// |bias| + 256 * 127 * depth.
struct FcModel {
  test::SingleOpModel model;
  int input = 0;
};

void build_fc(FcModel* m, int32_t depth, int32_t bias, int32_t input_zero_point) {
  m->input = m->model.add_tensor(DType::kInt8, {1, depth}, 1.0f, input_zero_point);
  const int w = m->model.add_const<int8_t>(DType::kInt8, {1, depth}, std::vector<int8_t>(static_cast<size_t>(depth), 127), 1.0f, 0);
  const int b = m->model.add_const<int32_t>(DType::kInt32, {1}, {bias}, 1.0f, 0);
  // Output scale 2^-20 x the accumulator scale: the requantised value shows the
  // accumulator's high bits, so an overflowed (wrapped) sum would give another byte.
  const int out = m->model.add_tensor(DType::kInt8, {1, 1}, std::ldexp(1.0f, 24), 0);
  m->model.set_op(OpCode::kFullyConnected, {m->input, w, b}, {out}, chorus::tflite::BuiltinOptions::FullyConnectedOptions,
                  [](flatbuffers::FlatBufferBuilder& fbb) { return chorus::tflite::CreateFullyConnectedOptions(fbb).Union(); });
}

TEST(AccumulatorRange, FullyConnectedAtTheBoundRunsExactlyAndOneBeyondIsRefused) {
  constexpr int32_t kDepth = 1000;
  const int64_t weights_part = int64_t{256} * 127 * kDepth;
  const auto at_bound = static_cast<int32_t>(INT32_MAX - weights_part);
  {
    FcModel m;
    build_fc(&m, kDepth, at_bound, -128);  // x - zp = x + 128 reaches 255
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    const std::vector<int8_t> x(kDepth, 127);
    ASSERT_TRUE(m.model.run({{m.input, test::to_bytes(x)}}, &outputs, &error)) << error;
    // The exact sum, in 64 bits: 127 * 255 * depth + bias, scaled by 2^-24 and rounded.
    const int64_t exact = int64_t{127} * 255 * kDepth + at_bound;
    ASSERT_LE(exact, INT32_MAX);
    const int64_t expected = std::min<int64_t>(127, (exact + (int64_t{1} << 23)) >> 24);
    ASSERT_EQ(outputs[0].size(), 1u);
    EXPECT_EQ(static_cast<int8_t>(outputs[0][0]), expected);
  }
  for (int32_t bias : {at_bound + 1, -(at_bound + 1)}) {
    FcModel m;
    build_fc(&m, kDepth, bias, 0);
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    EXPECT_FALSE(m.model.run({{m.input, std::vector<uint8_t>(kDepth)}}, &outputs, &error));
    EXPECT_NE(error.find("output channel 0 can accumulate up to 2147483648, beyond int32"), std::string::npos) << error;
  }
}

// CONV_2D and DEPTHWISE_CONV_2D walk their weights in different layouts: the channel that
// overflows is named in both.
TEST(AccumulatorRange, ConvolutionsNameTheChannelThatCanOverflow) {
  for (bool depthwise : {false, true}) {
    test::SingleOpModel model;
    constexpr int32_t kChannels = 3, kTaps = 9;
    const int input = model.add_tensor(DType::kInt8, {1, 3, 3, depthwise ? kChannels : 1}, 1.0f, 0);
    // Channel 1's weights are -128 (bound 256 * 128 * 9 + |bias|); the others 1.
    std::vector<int8_t> w(static_cast<size_t>(kChannels * kTaps), 1);
    for (int32_t k = 0; k < kTaps; ++k) w[depthwise ? static_cast<size_t>(k * kChannels + 1) : static_cast<size_t>(kTaps + k)] = -128;
    const int filter = model.add_const<int8_t>(DType::kInt8, depthwise ? std::vector<int32_t>{1, 3, 3, kChannels}
                                                                      : std::vector<int32_t>{kChannels, 3, 3, 1},
                                               w, 1.0f, 0);
    const int32_t big = INT32_MAX - 256 * 128 * kTaps + 1;  // one beyond the bound for channel 1 only
    const int bias = model.add_const<int32_t>(DType::kInt32, {kChannels}, {big, big, big}, 1.0f, 0);
    const int out = model.add_tensor(DType::kInt8, {1, 1, 1, kChannels}, 1.0f, 0);
    if (depthwise) {
      model.set_op(OpCode::kDepthwiseConv2d, {input, filter, bias}, {out}, chorus::tflite::BuiltinOptions::DepthwiseConv2DOptions,
                   [](flatbuffers::FlatBufferBuilder& fbb) {
                     return chorus::tflite::CreateDepthwiseConv2DOptions(fbb, chorus::tflite::Padding::VALID, 1, 1, 1).Union();
                   });
    } else {
      model.set_op(OpCode::kConv2d, {input, filter, bias}, {out}, chorus::tflite::BuiltinOptions::Conv2DOptions,
                   [](flatbuffers::FlatBufferBuilder& fbb) {
                     return chorus::tflite::CreateConv2DOptions(fbb, chorus::tflite::Padding::VALID, 1, 1).Union();
                   });
    }
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    EXPECT_FALSE(model.run({{input, std::vector<uint8_t>(depthwise ? 27 : 9)}}, &outputs, &error)) << depthwise;
    EXPECT_NE(error.find("output channel 1 can accumulate up to 2147483648"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace chorus::runtime
