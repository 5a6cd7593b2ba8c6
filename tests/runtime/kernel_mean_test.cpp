// MEAN: hand-computed TFLM results (no golden model has a MEAN): the 1/n folded into the
// multiplier with its double rounding, zero points, requantisation to another scale,
// non-power-of-two counts, axis resolution, and the kernel end to end.
#include <gtest/gtest.h>

#include "kernel_test_model.hpp"
#include "reference/mean_ref.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using runtime::Shape;
using namespace runtime::kernels;

Shape shape_of(std::initializer_list<int32_t> dims) {
  Shape s;
  for (int32_t d : dims) s.dims[s.rank++] = d;
  return s;
}

std::vector<int8_t> mean8(const Shape& shape, std::vector<int32_t> axes, const std::vector<int8_t>& in, float in_scale,
                          int32_t in_zp, float out_scale, int32_t out_zp) {
  ReducePlan plan;
  EXPECT_TRUE(plan_reduce(shape, axes.data(), static_cast<int>(axes.size()), &plan));
  const MeanQuantParams q = make_mean_quant_params(in_scale, in_zp, out_scale, out_zp, plan.reduced_count, -128, 127);
  std::vector<int8_t> out(static_cast<size_t>(plan.num_outputs));
  std::vector<int32_t> sums(out.size());
  mean_int8(plan, q, in.data(), out.data(), sums.data());
  return out;
}

TEST(MeanQuantized, SameScaleFoldsOneOverNWithDoubleRounding) {
  // n = 4: multiplier 2^30 with exponent 1 becomes 2^30 with exponent -1. A sum of 11
  // (2.75) gives 3. A sum of 9 (2.25) also gives 3: SRDHM rounds 4.5 to 5, then the
  // rounding shift rounds 2.5 away from zero; TFLM does the same.
  EXPECT_EQ(mean8(shape_of({1, 2, 2, 1}), {1, 2}, {1, 2, 3, 5}, 0.5f, 0, 0.5f, 0), (std::vector<int8_t>{3}));
  EXPECT_EQ(mean8(shape_of({1, 2, 2, 1}), {1, 2}, {1, 2, 3, 3}, 0.5f, 0, 0.5f, 0), (std::vector<int8_t>{3}));
  const MeanQuantParams q = make_mean_quant_params(0.5f, 0, 0.5f, 0, 4, -128, 127);
  EXPECT_EQ(q.multiplier.multiplier, 1 << 30);
  EXPECT_EQ(q.multiplier.shift, -1);
}

TEST(MeanQuantized, ZeroPointsAndRequantisation) {
  // Inputs 0 at zero point 5 are -5 each: the mean -5 (SRDHM -10.5 truncates to -10,
  // then -10/2 = -5).
  EXPECT_EQ(mean8(shape_of({4}), {0}, {0, 0, 0, 0}, 1.0f, 5, 1.0f, 0), (std::vector<int8_t>{-5}));
  // Input scale 1 -> output scale 0.5, zero point 10: mean 7 -> 14 + 10.
  EXPECT_EQ(mean8(shape_of({4}), {0}, {4, 6, 8, 10}, 1.0f, 0, 0.5f, 10), (std::vector<int8_t>{24}));
  // Saturates at the type's range.
  EXPECT_EQ(mean8(shape_of({2}), {0}, {127, 127}, 1.0f, 0, 0.1f, 0), (std::vector<int8_t>{127}));
  EXPECT_EQ(mean8(shape_of({2}), {0}, {-128, -128}, 1.0f, 100, 1.0f, 0), (std::vector<int8_t>{-128}));
}

TEST(MeanQuantized, NonPowerOfTwoCount) {
  // n = 3: multiplier (2^30 << 1) / 3 = 715827882, exponent 0; sum 4 -> 1.83 -> 1.
  const MeanQuantParams q = make_mean_quant_params(1.0f, 0, 1.0f, 0, 3, -128, 127);
  EXPECT_EQ(q.multiplier.multiplier, 715827882);
  EXPECT_EQ(q.multiplier.shift, 0);
  EXPECT_EQ(mean8(shape_of({3}), {0}, {1, 1, 2}, 1.0f, 0, 1.0f, 0), (std::vector<int8_t>{1}));
  EXPECT_EQ(mean8(shape_of({3}), {0}, {1, 2, 2}, 1.0f, 0, 1.0f, 0), (std::vector<int8_t>{2}));
}

TEST(MeanQuantized, ReducesOverHeightAndWidthPerChannel) {
  // NHWC [1,2,3,2]: channel 0 holds 0..5, channel 1 holds 10*(0..5).
  std::vector<int8_t> in;
  for (int i = 0; i < 6; ++i) {
    in.push_back(static_cast<int8_t>(i));
    in.push_back(static_cast<int8_t>(10 * i));
  }
  // Means 2.5 and 25 (n = 6: multiplier (2^30 << 2) / 6, exponent -1).
  EXPECT_EQ(mean8(shape_of({1, 2, 3, 2}), {2, 1}, in, 0.5f, 0, 0.5f, 0), (std::vector<int8_t>{3, 25}));
  // The same through negative and repeated axes.
  EXPECT_EQ(mean8(shape_of({1, 2, 3, 2}), {-2, 1, -3}, in, 0.5f, 0, 0.5f, 0), (std::vector<int8_t>{3, 25}));
  // Over the channels instead: one mean per pixel.
  EXPECT_EQ(mean8(shape_of({1, 2, 3, 2}), {3}, in, 0.5f, 0, 0.5f, 0), (std::vector<int8_t>{0, 6, 11, 17, 22, 28}));
}

TEST(MeanPlan, RejectsAxesOutsideTheRankAndHandlesNoAxes) {
  ReducePlan plan;
  const int32_t bad[1] = {4};
  EXPECT_FALSE(plan_reduce(shape_of({1, 2, 2, 1}), bad, 1, &plan));
  const int32_t bad_negative[1] = {-5};
  EXPECT_FALSE(plan_reduce(shape_of({1, 2, 2, 1}), bad_negative, 1, &plan));
  ASSERT_TRUE(plan_reduce(shape_of({2, 3}), nullptr, 0, &plan));
  EXPECT_EQ(plan.num_outputs, 6);
  EXPECT_EQ(plan.reduced_count, 1);
}

TEST(MeanFloat, SumsInInputOrderThenDivides) {
  ReducePlan plan;
  const int32_t axes[1] = {0};
  ASSERT_TRUE(plan_reduce(shape_of({4, 2}), axes, 1, &plan));
  const float in[8] = {1.0f, 1e8f, 2.0f, 1.0f, 3.0f, -1e8f, 4.0f, 2.0f};
  float out[2];
  mean_float(plan, in, out);
  EXPECT_EQ(out[0], 2.5f);
  EXPECT_EQ(out[1], (((1e8f + 1.0f) + -1e8f) + 2.0f) / 4.0f);  // order-dependent float sum
}

TEST(MeanKernel, Int8KeepDimsEndToEnd) {
  for (bool keep_dims : {true, false}) {
    SingleOpModel m;
    const int in = m.add_tensor(DType::kInt8, {1, 2, 2, 2}, 0.5f, -1);
    const int axes = m.add_const<int32_t>(DType::kInt32, {2}, {1, 2});
    const int out =
        m.add_tensor(DType::kInt8, keep_dims ? std::vector<int32_t>{1, 1, 1, 2} : std::vector<int32_t>{1, 2}, 0.25f, 3);
    m.set_op(OpCode::kMean, {in, axes}, {out}, chorus::tflite::BuiltinOptions::ReducerOptions,
             [keep_dims](flatbuffers::FlatBufferBuilder& fbb) {
               return chorus::tflite::CreateReducerOptions(fbb, keep_dims).Union();
             });
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    ASSERT_TRUE(m.run({{in, to_bytes(std::vector<int8_t>{-1, 3, 1, 5, 3, 7, 5, 9})}}, &outputs, &error)) << error;
    // Channel means (real): (0+2+4+6)/4*0.5 = 1.5 and (4+6+8+10)/4*0.5 = 3.5 -> /0.25 + 3.
    EXPECT_EQ(from_bytes<int8_t>(outputs[0]), (std::vector<int8_t>{9, 17}));
  }
}

TEST(MeanKernel, RefusesNonConstantAxesAndAWrongOutputSize) {
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  {
    SingleOpModel m;
    const int in = m.add_tensor(DType::kInt8, {2, 2}, 0.5f, 0);
    const int axes = m.add_tensor(DType::kInt32, {1});
    const int out = m.add_tensor(DType::kInt8, {2}, 0.5f, 0);
    m.set_op(OpCode::kMean, {in, axes}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("axes must be a constant"), std::string::npos) << error;
  }
  {
    SingleOpModel m;
    const int in = m.add_tensor(DType::kInt8, {2, 2}, 0.5f, 0);
    const int axes = m.add_const<int32_t>(DType::kInt32, {1}, {0});
    const int out = m.add_tensor(DType::kInt8, {4}, 0.5f, 0);
    m.set_op(OpCode::kMean, {in, axes}, {out});
    EXPECT_FALSE(m.run({}, &outputs, &error));
    EXPECT_NE(error.find("output has 4 elements, the reduction gives 2"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace chorus::test
