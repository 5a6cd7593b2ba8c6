// STRIDED_SLICE: TFLM's start/stop normalisation, negative indices and strides, masks,
// shrinking, the offset option, loop planning, and refused options.
#include <gtest/gtest.h>

#include <numeric>

#include "kernel_test_model.hpp"
#include "reference/strided_slice_ref.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
using namespace runtime::kernels;

TEST(SliceIndices, StartAndStopFollowTflmClamping) {
  EXPECT_EQ(slice_start(-1, 1, 5, false), 4);
  EXPECT_EQ(slice_start(-9, 1, 5, false), 0);
  EXPECT_EQ(slice_start(9, 1, 5, false), 5);
  EXPECT_EQ(slice_start(9, -1, 5, false), 4);
  EXPECT_EQ(slice_start(-9, -1, 5, false), -1);
  EXPECT_EQ(slice_start(2, 1, 5, true), 0);
  EXPECT_EQ(slice_start(2, -1, 5, true), 4);
  EXPECT_EQ(slice_stop(-1, 0, 1, 5, false, false), 4);
  EXPECT_EQ(slice_stop(100, 0, 1, 5, false, false), 5);
  EXPECT_EQ(slice_stop(-100, 4, -1, 5, false, false), -1);
  EXPECT_EQ(slice_stop(0, 4, -1, 5, true, false), -1);
  EXPECT_EQ(slice_stop(0, 0, 1, 5, true, false), 5);
  EXPECT_EQ(slice_stop(2, 1, 1, 5, false, true), 3);  // offset: end relative to start
  EXPECT_EQ(slice_count(0, 5, 2), 3);
  EXPECT_EQ(slice_count(4, -1, -2), 3);
  EXPECT_EQ(slice_count(3, 3, 1), 0);
  EXPECT_EQ(slice_count(1, 3, -1), 0);
}

TEST(SlicePlan, ContiguousAxesFuseIntoOneCopy) {
  runtime::Shape s;
  s.rank = 3;
  s.dims[0] = 4;
  s.dims[1] = 3;
  s.dims[2] = 2;
  const int64_t start[3] = {1, 0, 0};
  const int32_t stride[3] = {1, 1, 1};
  const int64_t count[3] = {2, 3, 2};
  const SlicePlan plan = plan_slice(s, start, stride, count);
  EXPECT_EQ(plan.rank, 1);
  EXPECT_EQ(plan.extent[0], 12);
  EXPECT_EQ(plan.base, 6);
}

TEST(SlicePlan, CopiesSixDimensionsWithMixedStridesForEveryElementSize) {
  runtime::Shape s;
  s.rank = 6;
  const int32_t dims[6] = {2, 3, 2, 3, 2, 4};
  for (int d = 0; d < 6; ++d) s.dims[d] = dims[d];
  const int64_t start[6] = {1, 2, 0, 0, 1, 3};
  const int32_t stride[6] = {1, -1, 1, 2, 1, -2};
  const int64_t count[6] = {1, 3, 2, 2, 1, 2};
  const SlicePlan plan = plan_slice(s, start, stride, count);
  // Reference: explicit 6-D index arithmetic, flat input values 0..n-1.
  std::vector<int64_t> expected;
  for (int64_t i1 = 0; i1 < count[1]; ++i1)
    for (int64_t i2 = 0; i2 < count[2]; ++i2)
      for (int64_t i3 = 0; i3 < count[3]; ++i3)
        for (int64_t i5 = 0; i5 < count[5]; ++i5) {
          const int64_t idx[6] = {start[0], start[1] + i1 * stride[1], start[2] + i2, start[3] + i3 * stride[3],
                                  start[4], start[5] + i5 * stride[5]};
          int64_t flat = 0;
          for (int d = 0; d < 6; ++d) flat = flat * dims[d] + idx[d];
          expected.push_back(flat);
        }
  ASSERT_EQ(plan.count, static_cast<int32_t>(expected.size()));
  std::vector<int64_t> in64(2 * 3 * 2 * 3 * 2 * 4);
  std::iota(in64.begin(), in64.end(), 0);
  std::vector<int64_t> out64(expected.size());
  copy_slice(plan, reinterpret_cast<const uint8_t*>(in64.data()), reinterpret_cast<uint8_t*>(out64.data()), 8);
  EXPECT_EQ(out64, expected);
  std::vector<int16_t> in16(in64.begin(), in64.end()), out16(expected.size());
  copy_slice(plan, reinterpret_cast<const uint8_t*>(in16.data()), reinterpret_cast<uint8_t*>(out16.data()), 2);
  EXPECT_EQ(std::vector<int64_t>(out16.begin(), out16.end()), expected);
}

struct SliceCase {
  std::vector<int32_t> input_shape, begin, end, strides, output_shape;
  int begin_mask = 0, end_mask = 0, shrink_mask = 0, ellipsis_mask = 0, new_axis_mask = 0;
  bool offset = false;
};

bool run_slice(const SliceCase& c, std::vector<int32_t>* out, std::string* error) {
  SingleOpModel m;
  const int in = m.add_tensor(DType::kInt32, c.input_shape);
  const int32_t rank = static_cast<int32_t>(c.begin.size());
  const int b = m.add_const<int32_t>(DType::kInt32, {rank}, c.begin);
  const int e = m.add_const<int32_t>(DType::kInt32, {rank}, c.end);
  const int s = m.add_const<int32_t>(DType::kInt32, {rank}, c.strides);
  const int o = m.add_tensor(DType::kInt32, c.output_shape);
  m.set_op(OpCode::kStridedSlice, {in, b, e, s}, {o}, chorus::tflite::BuiltinOptions::StridedSliceOptions,
           [c](flatbuffers::FlatBufferBuilder& fbb) {
             return chorus::tflite::CreateStridedSliceOptions(fbb, c.begin_mask, c.end_mask, c.ellipsis_mask, c.new_axis_mask,
                                                              c.shrink_mask, c.offset)
                 .Union();
           });
  int64_t n = 1;
  for (int32_t d : c.input_shape) n *= d;
  std::vector<int32_t> values(static_cast<size_t>(n));
  std::iota(values.begin(), values.end(), 0);
  std::vector<std::vector<uint8_t>> outputs;
  if (!m.run({{in, to_bytes(values)}}, &outputs, error)) return false;
  *out = from_bytes<int32_t>(outputs[0]);
  return true;
}

TEST(StridedSliceKernel, AudioFrontEndSlice) {
  SliceCase c{{257}, {5}, {241}, {1}, {236}};
  std::vector<int32_t> out;
  std::string error;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  ASSERT_EQ(out.size(), 236u);
  EXPECT_EQ(out.front(), 5);
  EXPECT_EQ(out.back(), 240);
}

TEST(StridedSliceKernel, NegativeIndicesAndStrides) {
  SliceCase c{{3, 4}, {-1, 0}, {-4, 4}, {-1, 2}, {3, 2}};
  std::vector<int32_t> out;
  std::string error;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{8, 10, 4, 6, 0, 2}));
}

TEST(StridedSliceKernel, BeginAndEndMasks) {
  std::vector<int32_t> out;
  std::string error;
  SliceCase c{{5}, {3}, {1}, {-1}, {3}};
  c.begin_mask = 1;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{4, 3, 2}));
  c.end_mask = 1;
  c.output_shape = {5};
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{4, 3, 2, 1, 0}));
}

TEST(StridedSliceKernel, ShrinkAxisTakesTheBeginElement) {
  std::vector<int32_t> out;
  std::string error;
  SliceCase c{{3, 4}, {-1, 1}, {0, 3}, {1, 1}, {2}};
  c.shrink_mask = 1;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{9, 10}));
  c = SliceCase{{3, 4}, {1, 2}, {2, 3}, {1, 1}, {}};
  c.shrink_mask = 3;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{6}));
  c = SliceCase{{3, 4}, {3, 0}, {4, 4}, {1, 1}, {4}};
  c.shrink_mask = 1;
  EXPECT_FALSE(run_slice(c, &out, &error));
  EXPECT_NE(error.find("outside size 3"), std::string::npos) << error;
}

TEST(StridedSliceKernel, OffsetMakesEndRelative) {
  std::vector<int32_t> out;
  std::string error;
  SliceCase c{{6}, {1}, {3}, {1}, {3}};
  c.offset = true;
  ASSERT_TRUE(run_slice(c, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int32_t>{1, 2, 3}));
}

TEST(StridedSliceKernel, RefusesUnsupportedMasksZeroStrideAndWrongOutput) {
  std::vector<int32_t> out;
  std::string error;
  SliceCase c{{4}, {0}, {4}, {1}, {4}};
  c.ellipsis_mask = 1;
  EXPECT_FALSE(run_slice(c, &out, &error));
  EXPECT_NE(error.find("ellipsis_mask"), std::string::npos) << error;
  c.ellipsis_mask = 0;
  c.new_axis_mask = 1;
  EXPECT_FALSE(run_slice(c, &out, &error));
  EXPECT_NE(error.find("new_axis_mask"), std::string::npos) << error;
  c.new_axis_mask = 0;
  c.strides = {0};
  EXPECT_FALSE(run_slice(c, &out, &error));
  EXPECT_NE(error.find("stride of axis 0 is 0"), std::string::npos) << error;
  c.strides = {2};
  EXPECT_FALSE(run_slice(c, &out, &error));  // gives 2 elements, output says 4
  EXPECT_NE(error.find("slices 2 elements"), std::string::npos) << error;
}

TEST(StridedSliceKernel, RefusesNonConstantIndices) {
  SingleOpModel m;
  const int in = m.add_tensor(DType::kInt8, {4});
  const int b = m.add_tensor(DType::kInt32, {1});
  const int e = m.add_const<int32_t>(DType::kInt32, {1}, {4});
  const int s = m.add_const<int32_t>(DType::kInt32, {1}, {1});
  const int o = m.add_tensor(DType::kInt8, {4});
  m.set_op(OpCode::kStridedSlice, {in, b, e, s}, {o});
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(m.run({}, &outputs, &error));
  EXPECT_NE(error.find("begin must be a constant"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
