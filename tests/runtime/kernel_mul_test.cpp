// MUL: quantised arithmetic against hand-computed TFLM results and over every int8 pair,
// and the kernel end to end (int16, int32 wrap and activation, float, refused models).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>

#include "kernel_test_model.hpp"
#include "reference/mul_ref.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using namespace runtime::kernels;

MulQuantParams int8_params(float s1, int32_t z1, float s2, int32_t z2, float so, int32_t zo) {
  MulQuantParams p = make_mul_quant_params(s1, z1, s2, z2, so, zo);
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

TEST(MulQuantized, HandComputedValues) {
  // 0.5 * 0.25 / 0.125 = 1.0 -> multiplier 2^30 with shift +1.
  const MulQuantParams p = int8_params(0.5f, 0, 0.25f, 10, 0.125f, -5);
  EXPECT_EQ(p.output.multiplier, 1 << 30);
  EXPECT_EQ(p.output.shift, 1);
  EXPECT_EQ(mul_quantized(3, 12, p), 1);     // 3 * 2 - 5
  EXPECT_EQ(mul_quantized(-3, 12, p), -11);  // -3 * 2 - 5
  EXPECT_EQ(mul_quantized(7, 30, p), 127);   // 140 - 5 saturates
  EXPECT_EQ(mul_quantized(-128, 127, p), -128);
}

TEST(MulQuantized, EveryInt8PairIsWithinOneStepOfTheRealProduct) {
  const float s1 = 0.0211f, s2 = 0.0473f, so = 0.0891f;
  const int32_t z1 = -17, z2 = 40, zo = 3;
  const MulQuantParams p = int8_params(s1, z1, s2, z2, so, zo);
  int worst = 0;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      const double real = s1 * (x - z1) * s2 * (y - z2);
      const double ideal = std::min(127.0, std::max(-128.0, std::round(real / so) + zo));
      worst = std::max(worst, std::abs(mul_quantized(x, y, p) - static_cast<int>(ideal)));
    }
  }
  EXPECT_LE(worst, 1);
}

TEST(MulKernel, Int32WrapsAndAppliesRelu) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt32, {3});
  const int b = m.add_const<int32_t>(DType::kInt32, {}, {65536});
  const int out = m.add_tensor(DType::kInt32, {3});
  m.set_op(OpCode::kMul, {a, b}, {out}, chorus::tflite::BuiltinOptions::MulOptions, [](flatbuffers::FlatBufferBuilder& fbb) {
    return chorus::tflite::CreateMulOptions(fbb, chorus::tflite::ActivationFunctionType::RELU).Union();
  });
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int32_t>{65537, -3, 5})}}, &outputs, &error)) << error;
  EXPECT_EQ(from_bytes<int32_t>(outputs[0]), (std::vector<int32_t>{65536, 0, 327680}));  // 65537*65536 wraps to 65536
}

TEST(MulKernel, Int16SymmetricAndFloat) {
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kInt16, {2}, 1.0f / 256, 0);
    const int b = m.add_tensor(DType::kInt16, {2}, 1.0f / 256, 0);
    const int out = m.add_tensor(DType::kInt16, {2}, 1.0f / 256, 0);
    m.set_op(OpCode::kMul, {a, b}, {out});
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int16_t>{512, -32768})}, {b, to_bytes(std::vector<int16_t>{384, 32767})}},
                      &outputs, &error))
        << error;
    EXPECT_EQ(from_bytes<int16_t>(outputs[0]), (std::vector<int16_t>{768, -32768}));  // 2 * 1.5 = 3; saturates
  }
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kFloat32, {3});
    const int b = m.add_const<float>(DType::kFloat32, {}, {0.0625f});
    const int out = m.add_tensor(DType::kFloat32, {3});
    m.set_op(OpCode::kMul, {a, b}, {out});
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    ASSERT_TRUE(m.run({{a, to_bytes(std::vector<float>{16.0f, -2.0f, 0.0f})}}, &outputs, &error)) << error;
    EXPECT_EQ(from_bytes<float>(outputs[0]), (std::vector<float>{1.0f, -0.125f, 0.0f}));
  }
}

TEST(MulKernel, RefusesInt16WithZeroPointAndUnsupportedTypes) {
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kInt16, {2}, 0.5f, 3);
    const int b = m.add_tensor(DType::kInt16, {2}, 0.5f, 0);
    const int out = m.add_tensor(DType::kInt16, {2}, 0.5f, 0);
    m.set_op(OpCode::kMul, {a, b}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("zero point 0"), std::string::npos) << error;
  }
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kUInt8, {2});
    const int b = m.add_tensor(DType::kUInt8, {2});
    const int out = m.add_tensor(DType::kUInt8, {2});
    m.set_op(OpCode::kMul, {a, b}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("MUL"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace chorus::test
