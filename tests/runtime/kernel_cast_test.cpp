// CAST: TFLM's static_cast values where defined (integer wrap, truncation toward zero),
// Chorus's defined saturation where static_cast is not, bool handling, and the kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "reference/cast_ref.hpp"
#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using runtime::kernels::cast_elements;
using runtime::kernels::cast_value;

TEST(CastValue, IntegerToIntegerWrapsModuloTheWidth) {
  EXPECT_EQ((cast_value<int8_t, int32_t>(300)), 44);
  EXPECT_EQ((cast_value<int8_t, int32_t>(-129)), 127);
  EXPECT_EQ((cast_value<int32_t, uint32_t>(0xFFFFFFFFu)), -1);
  EXPECT_EQ((cast_value<uint32_t, int32_t>(-1)), 0xFFFFFFFFu);
  EXPECT_EQ((cast_value<int32_t, int16_t>(-32768)), -32768);
  EXPECT_EQ((cast_value<uint8_t, int8_t>(-1)), 255);
  EXPECT_EQ((cast_value<int32_t, int64_t>(int64_t{1} << 33 | 5)), 5);
}

TEST(CastValue, FloatToIntegerTruncatesInRange) {
  EXPECT_EQ((cast_value<int8_t, float>(12.9f)), 12);
  EXPECT_EQ((cast_value<int8_t, float>(-12.9f)), -12);
  EXPECT_EQ((cast_value<int8_t, float>(127.9f)), 127);
  EXPECT_EQ((cast_value<int8_t, float>(-128.9f)), -128);
  EXPECT_EQ((cast_value<int32_t, float>(2147483520.0f)), 2147483520);
  EXPECT_EQ((cast_value<uint32_t, float>(0.99f)), 0u);
}

TEST(CastValue, FloatOutOfRangeSaturatesAndNanIsZero) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ((cast_value<int8_t, float>(300.7f)), 127);
  EXPECT_EQ((cast_value<int8_t, float>(-1e9f)), -128);
  EXPECT_EQ((cast_value<int8_t, float>(nan)), 0);
  EXPECT_EQ((cast_value<int32_t, float>(2147483648.0f)), std::numeric_limits<int32_t>::max());
  EXPECT_EQ((cast_value<int32_t, float>(-inf)), std::numeric_limits<int32_t>::min());
  EXPECT_EQ((cast_value<uint32_t, float>(-5.0f)), 0u);
  EXPECT_EQ((cast_value<uint32_t, float>(5e9f)), 0xFFFFFFFFu);
  EXPECT_EQ((cast_value<int64_t, float>(1e30f)), std::numeric_limits<int64_t>::max());
  EXPECT_EQ((cast_value<int16_t, float>(nan)), 0);
}

TEST(CastValue, BoolIsNonzeroAndOneByte) {
  EXPECT_TRUE((cast_value<bool, float>(std::numeric_limits<float>::quiet_NaN())));
  EXPECT_FALSE((cast_value<bool, float>(-0.0f)));
  EXPECT_TRUE((cast_value<bool, int32_t>(-7)));
  const uint8_t bools[3] = {0, 1, 2};
  float floats[3];
  cast_elements<bool, float>(bools, floats, 3);
  EXPECT_EQ(floats[0], 0.0f);
  EXPECT_EQ(floats[1], 1.0f);
  EXPECT_EQ(floats[2], 1.0f);
  const int32_t ints[3] = {0, 5, -1};
  uint8_t out[3];
  cast_elements<int32_t, bool>(ints, out, 3);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(out[2], 1);
}

template <class From, class To>
std::vector<To> run_cast(DType from, DType to, const std::vector<From>& values) {
  SingleOpModel m;
  const int in = m.add_tensor(from, {static_cast<int32_t>(values.size())});
  const int out = m.add_tensor(to, {static_cast<int32_t>(values.size())});
  m.set_op(OpCode::kCast, {in}, {out});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_TRUE(m.run({{in, to_bytes(values)}}, &outputs, &error)) << error;
  return outputs.empty() ? std::vector<To>{} : from_bytes<To>(outputs[0]);
}

TEST(CastKernel, AudioFrontEndConversions) {
  EXPECT_EQ((run_cast<uint32_t, int32_t>(DType::kUInt32, DType::kInt32, {0u, 7u, 0x80000000u})),
            (std::vector<int32_t>{0, 7, std::numeric_limits<int32_t>::min()}));
  EXPECT_EQ((run_cast<int32_t, uint32_t>(DType::kInt32, DType::kUInt32, {0, 7, -2})),
            (std::vector<uint32_t>{0u, 7u, 0xFFFFFFFEu}));
  EXPECT_EQ((run_cast<int16_t, int32_t>(DType::kInt16, DType::kInt32, {-32768, 5})), (std::vector<int32_t>{-32768, 5}));
  EXPECT_EQ((run_cast<int16_t, float>(DType::kInt16, DType::kFloat32, {-32768, 5})), (std::vector<float>{-32768.0f, 5.0f}));
  EXPECT_EQ((run_cast<int32_t, int8_t>(DType::kInt32, DType::kInt8, {-128, 127, 128})), (std::vector<int8_t>{-128, 127, -128}));
}

TEST(CastKernel, RefusesUnsupportedTypesAndMismatchedSizes) {
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  {
    SingleOpModel m;
    const int in = m.add_tensor(DType::kInt32, {4});
    const int out = m.add_tensor(DType::kUInt16, {4});
    m.set_op(OpCode::kCast, {in}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("cannot cast"), std::string::npos) << error;
  }
  {
    SingleOpModel m;
    const int in = m.add_tensor(DType::kInt32, {4});
    const int out = m.add_tensor(DType::kInt8, {3});
    m.set_op(OpCode::kCast, {in}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("4 elements"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace chorus::test
