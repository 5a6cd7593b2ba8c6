// TRANSPOSE_CONV through a one-op model: a hand-computed stride-2 case (VALID 5x5 and its
// SAME 4x4 corner), the 16x8 path with int64 and int16 biases against the same sums, banded
// rows, and prepare's refusals. Random shapes against TFLM's own kernel are in
// cpu_tflm_vectors_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
namespace fb = chorus::tflite;

struct TransposeConvCase {
  DType type = DType::kInt8;
  std::vector<int32_t> input_shape = {1, 2, 2, 1};
  std::vector<int32_t> output_shape = {1, 5, 5, 1};
  std::vector<int32_t> declared_shape;  // the output_shape input; empty: output_shape
  int32_t filter = 3, stride = 2;
  fb::Padding padding = fb::Padding::VALID;
  float in_scale = 1.0f, out_scale = 1.0f;
  int64_t in_zp = 0, out_zp = 0;
  DType bias_type = DType::kInt32;
  std::vector<int64_t> bias;  // empty: no bias
  int activation = 0;
};

// A filter of ones (scale 1): each output is the sum of the inputs whose footprint covers it.
template <class T>
bool run_case(const TransposeConvCase& c, const std::vector<T>& input, std::vector<T>* out, std::string* error) {
  SingleOpModel m;
  const int32_t oc = c.output_shape[3], ic = c.input_shape[3];
  const std::vector<int32_t> declared = c.declared_shape.empty() ? c.output_shape : c.declared_shape;
  const int shape = m.add_const<int32_t>(DType::kInt32, {4}, declared);
  const int filter = m.add_const<int8_t>(DType::kInt8, {oc, c.filter, c.filter, ic},
                                         std::vector<int8_t>(static_cast<size_t>(oc * c.filter * c.filter * ic), 1), 1.0f, 0);
  const int x = m.add_tensor(c.type, c.input_shape, c.in_scale, c.in_zp);
  std::vector<int32_t> inputs = {shape, filter, x};
  if (!c.bias.empty()) {
    if (c.bias_type == DType::kInt64) {
      inputs.push_back(m.add_const<int64_t>(DType::kInt64, {oc}, c.bias));
    } else if (c.bias_type == DType::kInt16) {
      inputs.push_back(m.add_const<int16_t>(DType::kInt16, {oc}, std::vector<int16_t>(c.bias.begin(), c.bias.end())));
    } else {
      inputs.push_back(m.add_const<int32_t>(DType::kInt32, {oc}, std::vector<int32_t>(c.bias.begin(), c.bias.end())));
    }
  }
  const int y = m.add_tensor(c.type, c.output_shape, c.out_scale, c.out_zp);
  m.set_op(OpCode::kTransposeConv, inputs, {y}, fb::BuiltinOptions::TransposeConvOptions, [&c](flatbuffers::FlatBufferBuilder& fbb) {
    return fb::CreateTransposeConvOptions(fbb, c.padding, c.stride, c.stride, static_cast<fb::ActivationFunctionType>(c.activation))
        .Union();
  });
  std::vector<std::vector<uint8_t>> outputs;
  if (!m.run({{x, to_bytes(input)}}, &outputs, error)) return false;
  *out = from_bytes<T>(outputs[0]);
  return true;
}

// The 2x2 input {1, 2; 3, 4} spread by a 3x3 window of ones at stride 2, written out by hand.
const std::vector<int32_t> kValid5x5 = {1, 1, 3,  2, 2,  //
                                        1, 1, 3,  2, 2,  //
                                        4, 4, 10, 6, 6,  //
                                        3, 3, 7,  4, 4,  //
                                        3, 3, 7,  4, 4};

TEST(TransposeConvKernel, StrideTwoSpreadsEveryInputOverItsWindow) {
  std::string error;
  std::vector<int8_t> out;
  TransposeConvCase c;
  ASSERT_TRUE(run_case<int8_t>(c, {1, 2, 3, 4}, &out, &error)) << error;
  EXPECT_EQ(std::vector<int32_t>(out.begin(), out.end()), kValid5x5);
  // SAME on a 4x4 output: TFLM's padding on the output size is 0 here, so the top-left corner.
  c.output_shape = {1, 4, 4, 1};
  c.padding = fb::Padding::SAME;
  ASSERT_TRUE(run_case<int8_t>(c, {1, 2, 3, 4}, &out, &error)) << error;
  std::vector<int32_t> corner;
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) corner.push_back(kValid5x5[static_cast<size_t>(y * 5 + x)]);
  EXPECT_EQ(std::vector<int32_t>(out.begin(), out.end()), corner);
  // Input zero point 1 subtracts one from every input; bias 10 and output zero point -3 add 7.
  c = TransposeConvCase{};
  c.in_zp = 1;
  c.out_zp = -3;
  c.bias = {10};
  ASSERT_TRUE(run_case<int8_t>(c, {2, 3, 4, 5}, &out, &error)) << error;
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], kValid5x5[i] + 7) << i;
  // RELU6 on an output of scale 1: at most 6.
  c.activation = 3;
  ASSERT_TRUE(run_case<int8_t>(c, {2, 3, 4, 5}, &out, &error)) << error;
  for (size_t i = 0; i < out.size(); ++i) EXPECT_EQ(out[i], std::min(kValid5x5[i] + 7, 6 - 3)) << i;
}

TEST(TransposeConvKernel, SixteenByEightUsesSixtyFourBitAccumulatorsAndEitherBias) {
  std::string error;
  std::vector<int16_t> out;
  TransposeConvCase c;
  c.type = DType::kInt16;
  c.bias_type = DType::kInt64;
  c.bias = {int64_t{3000000}};
  // Inputs near the int16 limits: the sums need more than 16 bits before scaling by 1/256.
  c.out_scale = 256.0f;
  const std::vector<int16_t> in = {32767, -32768, 30000, 12345};
  ASSERT_TRUE(run_case<int16_t>(c, in, &out, &error)) << error;
  // Sum the covering inputs by the window rule written out again: output (y, x) takes input
  // (iy, ix) when 0 <= y - 2 iy < 3 and 0 <= x - 2 ix < 3.
  auto expected = [&](int64_t bias) {
    std::vector<int16_t> e;
    for (int y = 0; y < 5; ++y)
      for (int x = 0; x < 5; ++x) {
        int64_t acc = bias;
        for (int iy = 0; iy < 2; ++iy)
          for (int ix = 0; ix < 2; ++ix)
            if (y - 2 * iy >= 0 && y - 2 * iy < 3 && x - 2 * ix >= 0 && x - 2 * ix < 3) acc += in[static_cast<size_t>(iy * 2 + ix)];
        // Scale 1/256 exactly (multiplier 2^30, shift -7): round half up, as the 64-bit
        // MultiplyByQuantizedMultiplier's single rounding shift does.
        const int64_t v = (acc + 128) >> 8;
        e.push_back(static_cast<int16_t>(v < -32768 ? -32768 : (v > 32767 ? 32767 : v)));
      }
    return e;
  };
  EXPECT_EQ(out, expected(3000000));
  c.bias_type = DType::kInt16;
  c.bias = {-20000};
  ASSERT_TRUE(run_case<int16_t>(c, in, &out, &error)) << error;
  EXPECT_EQ(out, expected(-20000));
  c.bias.clear();
  ASSERT_TRUE(run_case<int16_t>(c, in, &out, &error)) << error;
  EXPECT_EQ(out, expected(0));
}

TEST(TransposeConvKernel, RefusesWhatTheReferenceCannotComputeOrTheModelContradicts) {
  std::string error;
  std::vector<int16_t> out16;
  std::vector<int8_t> out8;
  TransposeConvCase c;
  c.type = DType::kInt16;
  c.in_zp = 3;
  EXPECT_FALSE(run_case<int16_t>(c, {1, 2, 3, 4}, &out16, &error));
  EXPECT_NE(error.find("int16 zero points must be 0"), std::string::npos) << error;
  c.in_zp = 0;
  c.bias = {5};  // int32 bias on a 16x8 operator: TFLM would read it as int64
  EXPECT_FALSE(run_case<int16_t>(c, {1, 2, 3, 4}, &out16, &error));
  EXPECT_NE(error.find("bias must be int64 or int16"), std::string::npos) << error;
  c.bias.clear();
  c.out_scale = 1.0f / 256.0f;  // a scale ratio of 256: the 64-bit rescale cannot shift left by 9
  EXPECT_FALSE(run_case<int16_t>(c, {1, 2, 3, 4}, &out16, &error));
  EXPECT_NE(error.find("at most 7"), std::string::npos) << error;

  TransposeConvCase d;
  d.declared_shape = {1, 6, 5, 1};
  EXPECT_FALSE(run_case<int8_t>(d, {1, 2, 3, 4}, &out8, &error));
  EXPECT_NE(error.find("output_shape says dimension 1 is 6"), std::string::npos) << error;
  d = TransposeConvCase{};
  d.bias = {int64_t{2147483000}};  // bias near INT32_MAX: the int32 accumulator can overflow
  EXPECT_FALSE(run_case<int8_t>(d, {1, 2, 3, 4}, &out8, &error));
  EXPECT_NE(error.find("beyond int32"), std::string::npos) << error;
  d = TransposeConvCase{};
  d.stride = 0;
  EXPECT_FALSE(run_case<int8_t>(d, {1, 2, 3, 4}, &out8, &error));
  EXPECT_NE(error.find("strides 0, 0"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
