// DIV: int32 truncation and the zero divisor (an error, at prepare for a constant and at
// eval otherwise), float, and quantised int8 arithmetic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "reference/div_ref.hpp"
#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using namespace runtime::kernels;

TEST(DivInt32, TruncatesTowardZeroAndWrapsTheOneOverflow) {
  EXPECT_EQ(div_int32(7, 2), 3);
  EXPECT_EQ(div_int32(-7, 2), -3);
  EXPECT_EQ(div_int32(7, -2), -3);
  EXPECT_EQ(div_int32(-7, -2), 3);
  EXPECT_EQ(div_int32(5, -1), -5);
  EXPECT_EQ(div_int32(std::numeric_limits<int32_t>::min(), -1), std::numeric_limits<int32_t>::min());
}

TEST(DivKernel, Int32ByConstantScalarAsInTheAudioFrontEnd) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt32, {4});
  const int b = m.add_const<int32_t>(DType::kInt32, {}, {666});
  const int out = m.add_tensor(DType::kInt32, {4});
  m.set_op(OpCode::kDiv, {a, b}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int32_t>{1332, -1332, 665, -1997})}}, &outputs, &error)) << error;
  EXPECT_EQ(from_bytes<int32_t>(outputs[0]), (std::vector<int32_t>{2, -2, 0, -2}));
}

TEST(DivKernel, ZeroDivisorIsAnEvalErrorNotACrash) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt32, {3});
  const int b = m.add_tensor(DType::kInt32, {3});
  const int out = m.add_tensor(DType::kInt32, {3});
  m.set_op(OpCode::kDiv, {a, b}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(
      m.run({{a, to_bytes(std::vector<int32_t>{1, 2, 3})}, {b, to_bytes(std::vector<int32_t>{1, 0, 3})}}, &outputs, &error));
  EXPECT_NE(error.find("division by zero"), std::string::npos) << error;
  ASSERT_TRUE(
      m.run({{a, to_bytes(std::vector<int32_t>{1, 2, 3})}, {b, to_bytes(std::vector<int32_t>{1, -1, 3})}}, &outputs, &error))
      << error;
  EXPECT_EQ(from_bytes<int32_t>(outputs[0]), (std::vector<int32_t>{1, -2, 1}));
}

TEST(DivKernel, ConstantZeroDivisorIsRefusedAtPrepare) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt32, {2});
  const int b = m.add_const<int32_t>(DType::kInt32, {2}, {4, 0});
  const int out = m.add_tensor(DType::kInt32, {2});
  m.set_op(OpCode::kDiv, {a, b}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(m.run({{a, to_bytes(std::vector<int32_t>{1, 2})}}, &outputs, &error));
  EXPECT_NE(error.find("contains a zero"), std::string::npos) << error;
}

TEST(DivKernel, FloatByZeroIsClampedToTheActivationRange) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kFloat32, {3});
  const int b = m.add_tensor(DType::kFloat32, {3});
  const int out = m.add_tensor(DType::kFloat32, {3});
  m.set_op(OpCode::kDiv, {a, b}, {out}, chorus::tflite::BuiltinOptions::DivOptions, [](flatbuffers::FlatBufferBuilder& fbb) {
    return chorus::tflite::CreateDivOptions(fbb, chorus::tflite::ActivationFunctionType::RELU).Union();
  });
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<float>{1.0f, -1.0f, 3.0f})}, {b, to_bytes(std::vector<float>{0.0f, 4.0f, 4.0f})}},
                    &outputs, &error))
      << error;
  const std::vector<float> got = from_bytes<float>(outputs[0]);
  // 1/0 = inf, clamped to the activation's upper bound FLT_MAX as in TFLM (whose
  // activation range is the float range even for NONE).
  EXPECT_EQ(got[0], std::numeric_limits<float>::max());
  EXPECT_EQ(got[1], 0.0f);
  EXPECT_EQ(got[2], 0.75f);
}

DivQuantParams int8_params(float s1, int32_t z1, float s2, int32_t z2, float so, int32_t zo) {
  DivQuantParams p = make_div_quant_params(s1, z1, s2, z2, so, zo);
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

TEST(DivQuantized, ExactQuotientsAreExact) {
  const DivQuantParams p = int8_params(1.0f, 0, 1.0f, 0, 1.0f, 0);
  EXPECT_EQ(div_quantized(6, 3, p), 2);
  EXPECT_EQ(div_quantized(-100, 4, p), -25);
  EXPECT_EQ(div_quantized(100, -5, p), -20);
  EXPECT_EQ(div_quantized(127, 1, p), 127);
  EXPECT_EQ(div_quantized(-128, -1, p), 127);  // 128 saturates
  EXPECT_EQ(div_quantized(7, 2, p), 4);        // 3.5 rounds away from zero
}

TEST(DivQuantized, ZeroNumeratorGivesTheOutputZeroPoint) {
  // Dividend at its zero point: the total right shift exceeds 31 bits, where TFLM's
  // result is machine-dependent; the real quotient is 0.
  const DivQuantParams p = int8_params(0.1f, 5, 0.2f, -3, 0.05f, -7);
  for (int y = -128; y <= 127; ++y)
    if (y != -3) EXPECT_EQ(div_quantized(5, y, p), -7) << y;
}

TEST(DivQuantized, EveryInt8PairIsWithinOneStepOfTheRealQuotient) {
  const float s1 = 0.05f, s2 = 0.02f, so = 0.1f;
  const int32_t z1 = 10, z2 = -20, zo = 4;
  const DivQuantParams p = int8_params(s1, z1, s2, z2, so, zo);
  int worst = 0;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      if (y == z2) continue;
      const double real = s1 * (x - z1) / (s2 * (y - z2));
      const double ideal = std::min(127.0, std::max(-128.0, std::round(real / so) + zo));
      worst = std::max(worst, std::abs(div_quantized(x, y, p) - static_cast<int>(ideal)));
    }
  }
  EXPECT_LE(worst, 1);
}

TEST(DivKernel, Int8DivisorAtItsZeroPointIsAnEvalError) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt8, {2}, 0.5f, 0);
  const int b = m.add_tensor(DType::kInt8, {2}, 0.5f, 7);
  const int out = m.add_tensor(DType::kInt8, {2}, 0.5f, 0);
  m.set_op(OpCode::kDiv, {a, b}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(m.run({{a, to_bytes(std::vector<int8_t>{4, 4})}, {b, to_bytes(std::vector<int8_t>{9, 7})}}, &outputs, &error));
  EXPECT_NE(error.find("division by zero"), std::string::npos) << error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int8_t>{4, 4})}, {b, to_bytes(std::vector<int8_t>{9, 5})}}, &outputs, &error))
      << error;
  EXPECT_EQ(from_bytes<int8_t>(outputs[0]), (std::vector<int8_t>{4, -4}));  // 2/1 and 2/-1 on scale 0.5
}

}  // namespace
}  // namespace chorus::test
