// DEPTHWISE_CONV_2D: a hand-computed depth-multiplier case, the channel-vectorised path
// against the reference loops and the TFLM formula written out below for every kind of
// multiplier (1, multiples of 8, others) on random shapes, and prepare's validation.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "reference/depthwise_conv2d_loops.hpp"
#include "kernel_test_model.hpp"
#include "padding.hpp"
#include "scratch_sizes.hpp"

namespace chorus::runtime::kernels {
namespace {

ConvShape make_shape(int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c, int32_t multiplier, int32_t fh, int32_t fw,
                     int32_t sh, int32_t sw, int32_t dh, int32_t dw, WindowPadding padding) {
  ConvShape s{};
  s.batches = batches;
  s.input_h = in_h;
  s.input_w = in_w;
  s.input_c = in_c;
  s.depth_multiplier = multiplier;
  s.output_c = in_c * multiplier;
  s.filter_h = fh;
  s.filter_w = fw;
  s.stride_h = sh;
  s.stride_w = sw;
  s.dilation_h = dh;
  s.dilation_w = dw;
  const WindowExtent eh = window_extent(padding, in_h, fh, sh, dh);
  const WindowExtent ew = window_extent(padding, in_w, fw, sw, dw);
  s.output_h = eh.output_size;
  s.output_w = ew.output_size;
  s.pad_h = eh.leading_pad;
  s.pad_w = ew.leading_pad;
  return s;
}

// TFLM reference_integer_ops::DepthwiseConvPerChannel written out independently: output
// channel oc reads input channel oc / multiplier and filter column oc.
std::vector<int8_t> oracle(const ConvShape& s, const ConvRequant& q, const std::vector<int8_t>& in, const std::vector<int8_t>& w,
                           const std::vector<int32_t>& bias) {
  std::vector<int8_t> out;
  for (int b = 0; b < s.batches; ++b)
    for (int oy = 0; oy < s.output_h; ++oy)
      for (int ox = 0; ox < s.output_w; ++ox)
        for (int oc = 0; oc < s.output_c; ++oc) {
          int32_t acc = bias.empty() ? 0 : bias[oc];
          for (int ky = 0; ky < s.filter_h; ++ky)
            for (int kx = 0; kx < s.filter_w; ++kx) {
              const int y = oy * s.stride_h - s.pad_h + ky * s.dilation_h;
              const int x = ox * s.stride_w - s.pad_w + kx * s.dilation_w;
              if (y < 0 || x < 0 || y >= s.input_h || x >= s.input_w) continue;
              const int32_t xv = in[((b * s.input_h + y) * s.input_w + x) * s.input_c + oc / s.depth_multiplier];
              acc += w[(ky * s.filter_w + kx) * s.output_c + oc] * (xv + q.input_offset);
            }
          int32_t v = multiply_by_quantized_multiplier(acc, q.channels[oc].multiplier, q.channels[oc].shift) + q.output_offset;
          v = v < q.act_min ? q.act_min : (v > q.act_max ? q.act_max : v);
          out.push_back(static_cast<int8_t>(v));
        }
  return out;
}

std::vector<int8_t> run(bool fast, const ConvShape& s, const ConvRequant& q, const std::vector<int8_t>& in,
                        const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.output_c);
  const int32_t* b = bias.empty() ? nullptr : bias.data();
  if (fast) {
    // Poisoned scratch: the fast path must not depend on what the area held before.
    std::vector<int16_t> scratch(depthwise_conv2d_scratch_bytes(s, build_kernel_variant()) / sizeof(int16_t) + 8, 0x5a5a);
    depthwise_conv2d_fast(s, q, in.data(), w.data(), b, out.data(), reinterpret_cast<uint8_t*>(scratch.data()));
  } else {
    depthwise_conv2d_reference(s, q, in.data(), w.data(), b, out.data());
  }
  return out;
}

TEST(DepthwiseConv2d, HandComputedMultiplierTwoWithValidPadding) {
  // 2x2 input, 2 channels, multiplier 2 (4 outputs), 2x2 filter, VALID: one output pixel.
  // Channel c holds values c*10 + pixel (pixels 1..4), input offset -1.
  const ConvShape s = make_shape(1, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, WindowPadding::kValid);
  ASSERT_EQ(s.output_h, 1);
  const std::vector<int8_t> in = {1, 11, 2, 12, 3, 13, 4, 14};
  // Filter [1][2][2][4]: tap t has weights (t+1, -(t+1), 1, 0) for outputs 0..3.
  const std::vector<int8_t> w = {1, -1, 1, 0, 2, -2, 1, 0, 3, -3, 1, 0, 4, -4, 1, 0};
  const QuantizedMultiplier one = quantize_multiplier(1.0);
  const QuantizedMultiplier m[4] = {one, one, one, one};
  const ConvRequant q{-1, 0, -128, 127, m};
  // Outputs 0, 1 read channel 0 (x - 1 = 0..3): sum t*(t+1) = 20, -20.
  // Outputs 2, 3 read channel 1 (x - 1 = 10..13): sum = 46 and 0; bias 7 on output 3.
  const std::vector<int32_t> bias = {0, 0, 0, 7};
  const std::vector<int8_t> expected = {20, -20, 46, 7};
  EXPECT_EQ(run(false, s, q, in, w, bias), expected);
  EXPECT_EQ(run(true, s, q, in, w, bias), expected);
}

TEST(DepthwiseConv2d, FastPathMatchesReferenceAndTflmFormulaForEveryMultiplierKind) {
  std::mt19937 rng(77);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int32_t multipliers[] = {1, 1, 1, 8, 16, 2, 3};
  int outputs = 0;
  for (int i = 0; i < 400; ++i) {
    const int32_t mult = multipliers[i % 7];
    ConvShape s;
    do {
      s = make_shape(pick(1, 2), pick(1, 11), pick(1, 11), mult == 1 ? pick(1, 27) : pick(1, 5), mult, pick(1, 5), pick(1, 5),
                     pick(1, 3), pick(1, 3), pick(1, 3), pick(1, 2), pick(0, 1) ? WindowPadding::kSame : WindowPadding::kValid);
    } while (s.output_h <= 0 || s.output_w <= 0);
    std::vector<int8_t> in(static_cast<size_t>(s.batches) * s.input_h * s.input_w * s.input_c);
    std::vector<int8_t> w(static_cast<size_t>(s.filter_h) * s.filter_w * s.output_c);
    for (auto& v : in) v = static_cast<int8_t>(pick(-128, 127));
    for (auto& v : w) v = static_cast<int8_t>(pick(-128, 127));
    std::vector<int32_t> bias;
    if (pick(0, 3) != 0)
      for (int c = 0; c < s.output_c; ++c) bias.push_back(pick(-30000, 30000));
    std::vector<QuantizedMultiplier> m;
    for (int c = 0; c < s.output_c; ++c)
      m.push_back(quantize_multiplier(std::uniform_real_distribution<double>(1e-4, 2e-2)(rng)));
    const int32_t act_min = pick(-128, 0);
    const ConvRequant q{pick(-127, 128), pick(-128, 127), act_min, pick(act_min, 127), m.data()};
    const std::vector<int8_t> expected = oracle(s, q, in, w, bias);
    ASSERT_EQ(run(false, s, q, in, w, bias), expected) << "case " << i;
    ASSERT_EQ(run(true, s, q, in, w, bias), expected)
        << "case " << i << ": " << s.input_h << "x" << s.input_w << "x" << s.input_c << " x" << mult << " filter " << s.filter_h
        << "x" << s.filter_w << " stride " << s.stride_h << "," << s.stride_w << " dilation " << s.dilation_h << ","
        << s.dilation_w;
    outputs += static_cast<int>(expected.size());
  }
  EXPECT_GT(outputs, 10000);
}

// Through the loader, prepare and eval of the registered kernel.
struct DepthwiseModel {
  test::SingleOpModel model;
  int input, filter, output;
};

void build_depthwise(DepthwiseModel* m, int in_c, int out_c, int multiplier) {
  m->input = m->model.add_tensor(DType::kInt8, {1, 4, 4, in_c}, 0.5f, 3);
  std::vector<int8_t> w(static_cast<size_t>(9 * out_c));
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 255) - 127);
  m->filter = m->model.add_const<int8_t>(DType::kInt8, {1, 3, 3, out_c}, w, 0.03f, 0);
  m->output = m->model.add_tensor(DType::kInt8, {1, 4, 4, out_c}, 0.125f, -7);
  m->model.set_op(OpCode::kDepthwiseConv2d, {m->input, m->filter, -1}, {m->output},
                  chorus::tflite::BuiltinOptions::DepthwiseConv2DOptions, [=](flatbuffers::FlatBufferBuilder& fbb) {
                    return chorus::tflite::CreateDepthwiseConv2DOptions(fbb, chorus::tflite::Padding::SAME, 1, 1, multiplier,
                                                                        chorus::tflite::ActivationFunctionType::RELU)
                        .Union();
                  });
}

TEST(DepthwiseConv2dKernel, RunsWithoutBiasAndMatchesFormula) {
  DepthwiseModel m;
  build_depthwise(&m, 2, 6, 3);
  std::vector<int8_t> x(32);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 71 % 256) - 128);
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.model.run({{m.input, test::to_bytes(x)}}, &outputs, &error)) << error;
  const ConvShape s = make_shape(1, 4, 4, 2, 3, 3, 3, 1, 1, 1, 1, WindowPadding::kSame);
  const std::vector<QuantizedMultiplier> mult(6, quantize_multiplier(0.5 * static_cast<double>(0.03f) / 0.125));
  ActivationRange relu;
  ASSERT_TRUE(quantized_activation_range(1, 0.125f, -7, -128, 127, &relu));
  const ConvRequant q{-3, -7, relu.min, relu.max, mult.data()};
  std::vector<int8_t> w(54);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 255) - 127);
  EXPECT_EQ(test::from_bytes<int8_t>(outputs[0]), oracle(s, q, x, w, {}));
}

TEST(DepthwiseConv2dKernel, RejectsMultiplierThatDisagreesWithChannels) {
  DepthwiseModel m;
  build_depthwise(&m, 2, 6, 2);  // 2 channels x 2 != 6
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(m.model.run({{m.input, std::vector<uint8_t>(32)}}, &outputs, &error));
  EXPECT_NE(error.find("depth_multiplier 2"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::runtime::kernels
