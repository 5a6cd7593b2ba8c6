// AVERAGE_POOL_2D and MAX_POOL_2D: hand-computed windows clipped by padding (only taps
// inside the image count), TFLM's rounding of the mean, activation clamps, random shapes
// with more channels than one accumulation block against the TFLM formulas written out
// below, and prepare's validation. No golden vectors exercise MAX_POOL_2D, so its cases
// come from the reference's definition.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "chorus/runtime/quantization.hpp"
#include "kernel_test_model.hpp"
#include "padding.hpp"
#include "reference/pool2d_loops.hpp"

namespace chorus::runtime::kernels {
namespace {

PoolShape make_shape(int32_t batches, int32_t in_h, int32_t in_w, int32_t channels, int32_t fh, int32_t fw, int32_t sh,
                     int32_t sw, WindowPadding padding) {
  PoolShape s{};
  s.batches = batches;
  s.input_h = in_h;
  s.input_w = in_w;
  s.channels = channels;
  s.filter_h = fh;
  s.filter_w = fw;
  s.stride_h = sh;
  s.stride_w = sw;
  const WindowExtent eh = window_extent(padding, in_h, fh, sh, 1);
  const WindowExtent ew = window_extent(padding, in_w, fw, sw, 1);
  s.output_h = eh.output_size;
  s.output_w = ew.output_size;
  s.pad_h = eh.leading_pad;
  s.pad_w = ew.leading_pad;
  return s;
}

std::vector<int8_t> average(const PoolShape& s, int32_t lo, int32_t hi, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.channels);
  EXPECT_TRUE(average_pool_int8(s, lo, hi, in.data(), out.data()));
  return out;
}

std::vector<int8_t> maximum(const PoolShape& s, int32_t lo, int32_t hi, const std::vector<int8_t>& in) {
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.channels);
  max_pool_int8(s, lo, hi, in.data(), out.data());
  return out;
}

// TFLM reference_integer_ops::AveragePool / MaxPool, written out with per-tap checks.
std::vector<int8_t> oracle(bool is_max, const PoolShape& s, int32_t lo, int32_t hi, const std::vector<int8_t>& in) {
  std::vector<int8_t> out;
  for (int b = 0; b < s.batches; ++b)
    for (int oy = 0; oy < s.output_h; ++oy)
      for (int ox = 0; ox < s.output_w; ++ox)
        for (int c = 0; c < s.channels; ++c) {
          int32_t sum = 0, count = 0, best = -128;
          for (int fy = 0; fy < s.filter_h; ++fy)
            for (int fx = 0; fx < s.filter_w; ++fx) {
              const int y = oy * s.stride_h - s.pad_h + fy;
              const int x = ox * s.stride_w - s.pad_w + fx;
              if (y < 0 || x < 0 || y >= s.input_h || x >= s.input_w) continue;
              const int32_t v = in[((b * s.input_h + y) * s.input_w + x) * s.channels + c];
              sum += v;
              ++count;
              best = v > best ? v : best;
            }
          int32_t v = is_max ? best : (sum > 0 ? (sum + count / 2) / count : (sum - count / 2) / count);
          v = v < lo ? lo : (v > hi ? hi : v);
          out.push_back(static_cast<int8_t>(v));
        }
  return out;
}

TEST(AveragePool, CountsOnlyTapsInsideTheImageAndRoundsHalfAwayFromZero) {
  // 3x3 input, 2x2 filter, stride 1, SAME: padding only on the bottom/right, so the last
  // row and column average 2 taps and the corner 1.
  const PoolShape s = make_shape(1, 3, 3, 1, 2, 2, 1, 1, WindowPadding::kSame);
  ASSERT_EQ(s.output_h, 3);
  ASSERT_EQ(s.pad_h, 0);
  const std::vector<int8_t> in = {1, 2, -7, 4, 3, 2, -1, -4, 9};
  // (1+2+4+3)/4 = 2.5 -> 3; (2-7+3+2)/4 = 0; (-7+2)/2 = -2.5 -> -3;
  // (4+3-1-4)/4 = 0.5 -> 1; (3+2-4+9)/4 = 2.5 -> 3; (2+9)/2 = 5.5 -> 6;
  // (-1-4)/2 = -2.5 -> -3; (-4+9)/2 = 2.5 -> 3; 9.
  const std::vector<int8_t> expected = {3, 0, -3, 1, 3, 6, -3, 3, 9};
  EXPECT_EQ(average(s, -128, 127, in), expected);
  EXPECT_EQ(oracle(false, s, -128, 127, in), expected);
}

TEST(AveragePool, NegativeMeansBelowHalfRoundTowardZero) {
  const PoolShape s = make_shape(1, 1, 4, 1, 1, 4, 1, 1, WindowPadding::kValid);
  EXPECT_EQ(average(s, -128, 127, {-1, -1, -1, 0}), std::vector<int8_t>{-1});  // -0.75
  EXPECT_EQ(average(s, -128, 127, {-1, 0, 0, 0}), std::vector<int8_t>{0});     // -0.25
  EXPECT_EQ(average(s, -128, 127, {-128, -128, -128, -127}), std::vector<int8_t>{-128});
}

TEST(MaxPool, PaddingNeverWinsOverNegativeValues) {
  // 3x3 all-negative input, 3x3 filter, stride 2, SAME: pad 1 on every side; TFLM clips
  // the window, so padding contributes nothing (no zero creeps in).
  const PoolShape s = make_shape(1, 3, 3, 1, 3, 3, 2, 2, WindowPadding::kSame);
  ASSERT_EQ(s.output_h, 2);
  ASSERT_EQ(s.pad_h, 1);
  const std::vector<int8_t> in = {-9, -8, -7, -6, -5, -4, -3, -2, -100};
  // Windows rows/cols [-1,1] and [1,3] clipped: {0,1}x{0,1}, {0,1}x{1,2}, {1,2}x{0,1}, {1,2}x{1,2}.
  const std::vector<int8_t> expected = {-5, -4, -2, -2};
  EXPECT_EQ(maximum(s, -128, 127, in), expected);
  EXPECT_EQ(oracle(true, s, -128, 127, in), expected);
}

TEST(MaxPool, ClampsToTheFusedActivationRange) {
  const PoolShape s = make_shape(1, 2, 2, 2, 2, 2, 2, 2, WindowPadding::kValid);
  const std::vector<int8_t> in = {-50, 100, -60, 90, -70, 80, -80, 70};
  EXPECT_EQ(maximum(s, -128, 127, in), (std::vector<int8_t>{-50, 100}));
  EXPECT_EQ(maximum(s, -10, 60, in), (std::vector<int8_t>{-10, 60}));
}

TEST(AveragePool, ClampsToTheFusedActivationRange) {
  const PoolShape s = make_shape(1, 2, 2, 2, 2, 2, 2, 2, WindowPadding::kValid);
  const std::vector<int8_t> in = {-50, 100, -60, 90, -70, 80, -80, 70};
  EXPECT_EQ(average(s, -128, 127, in), (std::vector<int8_t>{-65, 85}));
  EXPECT_EQ(average(s, -20, 20, in), (std::vector<int8_t>{-20, 20}));
}

TEST(Pooling, RandomShapesMatchTflmFormulas) {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int outputs = 0;
  for (int i = 0; i < 200; ++i) {
    PoolShape s;
    do {
      s = make_shape(pick(1, 2), pick(1, 12), pick(1, 12), i % 4 == 0 ? pick(60, 140) : pick(1, 20), pick(1, 5), pick(1, 5),
                     pick(1, 4), pick(1, 4), pick(0, 1) ? WindowPadding::kSame : WindowPadding::kValid);
    } while (s.output_h <= 0 || s.output_w <= 0);
    std::vector<int8_t> in(static_cast<size_t>(s.batches) * s.input_h * s.input_w * s.channels);
    for (auto& v : in) v = static_cast<int8_t>(pick(-128, 127));
    const int32_t lo = pick(-128, 0), hi = pick(lo, 127);
    ASSERT_EQ(average(s, lo, hi, in), oracle(false, s, lo, hi, in)) << "case " << i;
    ASSERT_EQ(maximum(s, lo, hi, in), oracle(true, s, lo, hi, in)) << "case " << i;
    outputs += static_cast<int>(in.size());
  }
  EXPECT_GT(outputs, 10000);
}

// Through the loader, prepare and eval of the registered kernels.
struct PoolModel {
  test::SingleOpModel model;
  int input, output;
};

void build_pool(PoolModel* m, OpCode code, std::vector<int32_t> out_shape, float out_scale, int64_t out_zero_point) {
  m->input = m->model.add_tensor(DType::kInt8, {1, 4, 5, 3}, 0.1f, -3);
  m->output = m->model.add_tensor(DType::kInt8, std::move(out_shape), out_scale, out_zero_point);
  m->model.set_op(code, {m->input}, {m->output}, chorus::tflite::BuiltinOptions::Pool2DOptions,
                  [](flatbuffers::FlatBufferBuilder& fbb) {
                    return chorus::tflite::CreatePool2DOptions(fbb, chorus::tflite::Padding::SAME, 2, 2, 3, 3,
                                                               chorus::tflite::ActivationFunctionType::RELU)
                        .Union();
                  });
}

TEST(PoolingKernel, BothOpsRunWithSamePaddingAndRelu) {
  std::vector<int8_t> x(60);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 97 % 256) - 128);
  const PoolShape s = make_shape(1, 4, 5, 3, 3, 3, 2, 2, WindowPadding::kSame);
  ActivationRange relu;
  ASSERT_TRUE(quantized_activation_range(1, 0.1f, -3, -128, 127, &relu));
  for (OpCode code : {OpCode::kAveragePool2d, OpCode::kMaxPool2d}) {
    PoolModel m;
    build_pool(&m, code, {1, 2, 3, 3}, 0.1f, -3);
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    ASSERT_TRUE(m.model.run({{m.input, test::to_bytes(x)}}, &outputs, &error)) << error;
    EXPECT_EQ(test::from_bytes<int8_t>(outputs[0]), oracle(code == OpCode::kMaxPool2d, s, relu.min, relu.max, x));
  }
}

TEST(PoolingKernel, RejectsRequantisingOutputAndWrongShape) {
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  PoolModel rescaled;
  build_pool(&rescaled, OpCode::kMaxPool2d, {1, 2, 3, 3}, 0.2f, -3);
  EXPECT_FALSE(rescaled.model.run({{rescaled.input, std::vector<uint8_t>(60)}}, &outputs, &error));
  EXPECT_NE(error.find("quantisation differ"), std::string::npos) << error;
  PoolModel shaped;
  build_pool(&shaped, OpCode::kAveragePool2d, {1, 2, 2, 3}, 0.1f, -3);
  EXPECT_FALSE(shaped.model.run({{shaped.input, std::vector<uint8_t>(60)}}, &outputs, &error));
  EXPECT_NE(error.find("expected [1,2,3,3]"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::runtime::kernels
