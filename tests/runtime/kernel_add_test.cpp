// ADD: the quantised arithmetic against hand-computed TFLM results, its accuracy over
// every int8 pair, and the kernel end to end (broadcasting, activation, int32, float,
// refused models).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "reference/add_ref.hpp"
#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using namespace runtime::kernels;

AddQuantParams int8_params(float s1, int32_t z1, float s2, int32_t z2, float so, int32_t zo) {
  AddQuantParams p;
  EXPECT_TRUE(make_add_quant_params(s1, z1, s2, z2, so, zo, 20, &p));
  p.act_min = -128;
  p.act_max = 127;
  return p;
}

TEST(AddQuantized, MultipliersFollowTflmCalculateOpDataAdd) {
  // twice_max = 1.0: input 1 at 0.5 (2^30, shift 0), input 2 at 0.25 (2^30, shift -1),
  // output 2^-20 (2^30, shift -19).
  const AddQuantParams p = int8_params(0.5f, 0, 0.25f, 10, 1.0f, -5);
  EXPECT_EQ(p.input1.multiplier, 1 << 30);
  EXPECT_EQ(p.input1.shift, 0);
  EXPECT_EQ(p.input2.multiplier, 1 << 30);
  EXPECT_EQ(p.input2.shift, -1);
  EXPECT_EQ(p.output.multiplier, 1 << 30);
  EXPECT_EQ(p.output.shift, -19);
  EXPECT_EQ(p.input1_offset, 0);
  EXPECT_EQ(p.input2_offset, -10);
  EXPECT_EQ(p.output_offset, -5);
}

TEST(AddQuantized, HandComputedValuesRoundHalfAwayFromZero) {
  const AddQuantParams p = int8_params(0.5f, 0, 0.25f, 10, 1.0f, -5);
  // 7*0.5 + (30-10)*0.25 = 8.5 -> 9 (8912896 / 2^20 rounds up), -5 -> 4.
  EXPECT_EQ(add_quantized(7, 30, p), 4);
  // -7*0.5 + (-10-10)*0.25 = -8.5 -> -9, -5 -> -14.
  EXPECT_EQ(add_quantized(-7, -10, p), -14);
  EXPECT_EQ(add_quantized(0, 10, p), -5);
  // 127*0.5 + 117*0.25 = 92.75 -> 93, -5 -> 88; on a 0.25 output scale it saturates.
  EXPECT_EQ(add_quantized(127, 127, p), 88);
  const AddQuantParams fine = int8_params(0.5f, 0, 0.25f, 10, 0.25f, 0);
  EXPECT_EQ(add_quantized(127, 127, fine), 127);
  EXPECT_EQ(add_quantized(-128, -128, fine), -128);
}

TEST(AddQuantized, EveryInt8PairIsWithinOneStepOfTheRealSum) {
  const float s1 = 0.0509456731f, s2 = 0.0312f, so = 0.0532362163f;
  const int32_t z1 = -128, z2 = 3, zo = -20;
  const AddQuantParams p = int8_params(s1, z1, s2, z2, so, zo);
  int worst = 0;
  for (int x = -128; x <= 127; ++x) {
    for (int y = -128; y <= 127; ++y) {
      const double real = s1 * (x - z1) + s2 * (y - z2);
      const double ideal = std::min(127.0, std::max(-128.0, std::round(real / so) + zo));
      worst = std::max(worst, std::abs(add_quantized(x, y, p) - static_cast<int>(ideal)));
    }
  }
  EXPECT_LE(worst, 1);
}

TEST(AddQuantized, RefusesAnOutputScaleTooSmallForTheHeadroom) {
  AddQuantParams p;
  EXPECT_FALSE(make_add_quant_params(1.0f, 0, 1.0f, 0, 1e-7f, 0, 20, &p));
  EXPECT_TRUE(make_add_quant_params(1.0f, 0, 1.0f, 0, 1e-5f, 0, 20, &p));
}

flatbuffers::Offset<void> add_options(flatbuffers::FlatBufferBuilder& fbb, chorus::tflite::ActivationFunctionType act) {
  return chorus::tflite::CreateAddOptions(fbb, act).Union();
}

TEST(AddKernel, Int8BroadcastOfAChannelVectorMatchesElementwise) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt8, {1, 2, 2, 3}, 0.5f, 0);
  const int b = m.add_tensor(DType::kInt8, {3}, 0.25f, 10);
  const int out = m.add_tensor(DType::kInt8, {1, 2, 2, 3}, 1.0f, -5);
  m.set_op(OpCode::kAdd, {a, b}, {out});
  const std::vector<int8_t> va{7, -7, 0, 1, 2, 3, 4, 5, 6, -1, -2, -3};
  const std::vector<int8_t> vb{30, -10, 10};
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(va)}, {b, to_bytes(vb)}}, &outputs, &error)) << error;
  const std::vector<int8_t> got = from_bytes<int8_t>(outputs[0]);
  const AddQuantParams p = int8_params(0.5f, 0, 0.25f, 10, 1.0f, -5);
  for (size_t i = 0; i < va.size(); ++i) EXPECT_EQ(got[i], add_quantized(va[i], vb[i % 3], p)) << i;
  EXPECT_EQ(got[0], 4);
  EXPECT_EQ(got[1], -14);
}

TEST(AddKernel, Int8ReluClampsAtTheOutputZeroPoint) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt8, {4}, 0.5f, 0);
  const int b = m.add_tensor(DType::kInt8, {4}, 0.5f, 0);
  const int out = m.add_tensor(DType::kInt8, {4}, 0.5f, -10);
  m.set_op(OpCode::kAdd, {a, b}, {out}, chorus::tflite::BuiltinOptions::AddOptions,
           [](flatbuffers::FlatBufferBuilder& fbb) { return add_options(fbb, chorus::tflite::ActivationFunctionType::RELU); });
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int8_t>{-20, -1, 3, 100})}, {b, to_bytes(std::vector<int8_t>{0, 0, 4, 100})}},
                    &outputs, &error))
      << error;
  EXPECT_EQ(from_bytes<int8_t>(outputs[0]), (std::vector<int8_t>{-10, -10, -3, 127}));
}

TEST(AddKernel, Int32WrapsAndBroadcastsAScalar) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kInt32, {3});
  const int b = m.add_const<int32_t>(DType::kInt32, {}, {333});
  const int out = m.add_tensor(DType::kInt32, {3});
  m.set_op(OpCode::kAdd, {a, b}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  const int32_t max = std::numeric_limits<int32_t>::max();
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<int32_t>{-333, 1, max})}}, &outputs, &error)) << error;
  EXPECT_EQ(from_bytes<int32_t>(outputs[0]), (std::vector<int32_t>{0, 334, std::numeric_limits<int32_t>::min() + 332}));
}

TEST(AddKernel, FloatRelu6AndBroadcastOfBothOperands) {
  SingleOpModel m;
  const int a = m.add_tensor(DType::kFloat32, {2, 1});
  const int b = m.add_tensor(DType::kFloat32, {1, 3});
  const int out = m.add_tensor(DType::kFloat32, {2, 3});
  m.set_op(OpCode::kAdd, {a, b}, {out}, chorus::tflite::BuiltinOptions::AddOptions,
           [](flatbuffers::FlatBufferBuilder& fbb) { return add_options(fbb, chorus::tflite::ActivationFunctionType::RELU6); });
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.run({{a, to_bytes(std::vector<float>{1.5f, -4.0f})}, {b, to_bytes(std::vector<float>{0.25f, 5.0f, 1.0f})}},
                    &outputs, &error))
      << error;
  EXPECT_EQ(from_bytes<float>(outputs[0]), (std::vector<float>{1.75f, 6.0f, 2.5f, 0.0f, 1.0f, 0.0f}));
}

TEST(AddKernel, RefusesMixedTypesUnbroadcastableShapesAndTanh) {
  std::string error;
  std::vector<std::vector<uint8_t>> outputs;
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kInt8, {4}, 0.5f, 0);
    const int b = m.add_tensor(DType::kInt16, {4}, 0.5f, 0);
    const int out = m.add_tensor(DType::kInt8, {4}, 0.5f, 0);
    m.set_op(OpCode::kAdd, {a, b}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("one type"), std::string::npos) << error;
  }
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kFloat32, {2, 3});
    const int b = m.add_tensor(DType::kFloat32, {2});
    const int out = m.add_tensor(DType::kFloat32, {2, 3});
    m.set_op(OpCode::kAdd, {a, b}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("[2,3] and [2] do not broadcast"), std::string::npos) << error;
  }
  {
    SingleOpModel m;
    const int a = m.add_tensor(DType::kFloat32, {2});
    const int b = m.add_tensor(DType::kFloat32, {2});
    const int out = m.add_tensor(DType::kFloat32, {2});
    m.set_op(OpCode::kAdd, {a, b}, {out}, chorus::tflite::BuiltinOptions::AddOptions,
             [](flatbuffers::FlatBufferBuilder& fbb) { return add_options(fbb, chorus::tflite::ActivationFunctionType::TANH); });
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("activation"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace chorus::test
