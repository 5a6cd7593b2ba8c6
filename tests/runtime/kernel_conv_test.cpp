// CONV_2D: the TFLite window formulas, a hand-computed SAME case, the im2col + GEMM path
// against the reference loops and against the TFLM formula written out below on random
// shapes (strides, dilation, padding, channel and tap counts off the vector widths), and
// prepare's validation through a one-op model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "reference/conv2d_loops.hpp"
#include "kernel_test_model.hpp"
#include "kernels.hpp"
#include "padding.hpp"
#include "scratch_sizes.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::kernels {
namespace {

ConvShape make_shape(int32_t batches, int32_t in_h, int32_t in_w, int32_t in_c, int32_t out_c, int32_t fh, int32_t fw, int32_t sh,
                     int32_t sw, int32_t dh, int32_t dw, WindowPadding padding) {
  ConvShape s{};
  s.batches = batches;
  s.input_h = in_h;
  s.input_w = in_w;
  s.input_c = in_c;
  s.output_c = out_c;
  s.filter_h = fh;
  s.filter_w = fw;
  s.stride_h = sh;
  s.stride_w = sw;
  s.dilation_h = dh;
  s.dilation_w = dw;
  s.depth_multiplier = 1;
  const WindowExtent eh = window_extent(padding, in_h, fh, sh, dh);
  const WindowExtent ew = window_extent(padding, in_w, fw, sw, dw);
  s.output_h = eh.output_size;
  s.output_w = ew.output_size;
  s.pad_h = eh.leading_pad;
  s.pad_w = ew.leading_pad;
  return s;
}

// TFLM reference_integer_ops::ConvPerChannel, written independently of the kernel: the
// input is read through a function that yields nothing for taps outside the image.
std::vector<int8_t> oracle(const ConvShape& s, const ConvRequant& q, const std::vector<int8_t>& in, const std::vector<int8_t>& w,
                           const std::vector<int32_t>& bias) {
  std::vector<int8_t> out;
  for (int b = 0; b < s.batches; ++b)
    for (int oy = 0; oy < s.output_h; ++oy)
      for (int ox = 0; ox < s.output_w; ++ox)
        for (int oc = 0; oc < s.output_c; ++oc) {
          int32_t acc = bias.empty() ? 0 : bias[oc];
          for (int ky = 0; ky < s.filter_h; ++ky)
            for (int kx = 0; kx < s.filter_w; ++kx)
              for (int ic = 0; ic < s.input_c; ++ic) {
                const int y = oy * s.stride_h - s.pad_h + ky * s.dilation_h;
                const int x = ox * s.stride_w - s.pad_w + kx * s.dilation_w;
                if (y < 0 || x < 0 || y >= s.input_h || x >= s.input_w) continue;
                const int32_t xv = in[((b * s.input_h + y) * s.input_w + x) * s.input_c + ic];
                const int32_t wv = w[((oc * s.filter_h + ky) * s.filter_w + kx) * s.input_c + ic];
                acc += wv * (xv + q.input_offset);
              }
          int32_t v = multiply_by_quantized_multiplier(acc, q.channels[oc].multiplier, q.channels[oc].shift) + q.output_offset;
          v = v < q.act_min ? q.act_min : (v > q.act_max ? q.act_max : v);
          out.push_back(static_cast<int8_t>(v));
        }
  return out;
}

std::vector<int8_t> run_reference(const ConvShape& s, const ConvRequant& q, const std::vector<int8_t>& in,
                                  const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.output_c);
  conv2d_reference(s, q, in.data(), w.data(), bias.empty() ? nullptr : bias.data(), out.data());
  return out;
}

std::vector<int8_t> run_fast(const ConvShape& s, const ConvRequant& q, const std::vector<int8_t>& in,
                             const std::vector<int8_t>& w, const std::vector<int32_t>& bias) {
  std::vector<int8_t> out(static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.output_c);
  // Poisoned scratch: the fast path must not depend on what the area held before.
  std::vector<int16_t> scratch(conv2d_scratch_bytes(s, build_kernel_variant()) / sizeof(int16_t) + 8, 0x5a5a);
  conv2d_fast(s, q, in.data(), w.data(), bias.empty() ? nullptr : bias.data(), out.data(),
              reinterpret_cast<uint8_t*>(scratch.data()));
  return out;
}

TEST(ConvWindow, MatchesTfliteComputeOutSizeAndPadding) {
  // SAME: ceil(in / stride) outputs; padding total (out - 1) * stride + filter - in, the
  // odd half going to the trailing side.
  WindowExtent e = window_extent(WindowPadding::kSame, 5, 2, 2, 1);
  EXPECT_EQ(e.output_size, 3);
  EXPECT_EQ(e.leading_pad, 0);  // total 1
  e = window_extent(WindowPadding::kSame, 96, 3, 2, 1);
  EXPECT_EQ(e.output_size, 48);
  EXPECT_EQ(e.leading_pad, 0);  // total 1
  e = window_extent(WindowPadding::kSame, 10, 4, 1, 1);
  EXPECT_EQ(e.output_size, 10);
  EXPECT_EQ(e.leading_pad, 1);                          // total 3
  e = window_extent(WindowPadding::kSame, 7, 3, 1, 3);  // dilated extent 7
  EXPECT_EQ(e.output_size, 7);
  EXPECT_EQ(e.leading_pad, 3);
  // VALID: (in + stride - extent) / stride, no padding.
  e = window_extent(WindowPadding::kValid, 49, 10, 2, 1);
  EXPECT_EQ(e.output_size, 20);
  EXPECT_EQ(e.leading_pad, 0);
  e = window_extent(WindowPadding::kValid, 9, 3, 1, 4);  // extent 9
  EXPECT_EQ(e.output_size, 1);
  e = window_extent(WindowPadding::kValid, 4, 5, 1, 1);
  EXPECT_LE(e.output_size, 0);
}

TEST(Conv2d, HandComputedSamePaddingSkipsTrailingTaps) {
  // 3x3 input 1..9 with zero point 1 (so x + offset = 0..8), 2x2 filter [1 2; 3 4], bias
  // 10, multiplier 1: SAME pads only the bottom/right edge.
  const ConvShape s = make_shape(1, 3, 3, 1, 1, 2, 2, 1, 1, 1, 1, WindowPadding::kSame);
  ASSERT_EQ(s.output_h, 3);
  ASSERT_EQ(s.pad_h, 0);
  const QuantizedMultiplier one = quantize_multiplier(1.0);
  const ConvRequant q{-1, 0, -128, 127, &one};
  const std::vector<int8_t> in = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<int8_t> w = {1, 2, 3, 4};
  const std::vector<int32_t> bias = {10};
  const std::vector<int8_t> expected = {37, 47, 27, 67, 77, 39, 30, 33, 18};
  EXPECT_EQ(run_reference(s, q, in, w, bias), expected);
  EXPECT_EQ(run_fast(s, q, in, w, bias), expected);
}

TEST(Conv2d, RequantizesPerChannelAndClampsToActivation) {
  // 1x1 conv, two channels with multipliers 0.5 and 2, output zero point -3, RELU-like
  // range [-3, 20].
  const ConvShape s = make_shape(1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 1, WindowPadding::kValid);
  const QuantizedMultiplier m[2] = {quantize_multiplier(0.5), quantize_multiplier(2.0)};
  const ConvRequant q{0, -3, -3, 20, m};
  const std::vector<int8_t> in = {9, -9};
  const std::vector<int8_t> w = {1, 1};
  // acc 9: 4.5 -> 5 and 18 (+ zero point: 2, 15); acc -9: -4 and -18, both below the
  // activation minimum.
  const std::vector<int8_t> expected = {2, 15, -3, -3};
  EXPECT_EQ(run_reference(s, q, in, w, {}), expected);
  EXPECT_EQ(run_fast(s, q, in, w, {}), expected);
}

TEST(ChannelRequantizer, EqualsTheReferenceRequantization) {
  // Multipliers from tiny (large right shifts) to above 1 (left shifts), accumulators at the
  // int32 extremes, around zero and at rounding ties of every shift.
  std::mt19937 rng(11);
  std::vector<double> reals = {1e-9, 3.3e-7, 1.0 / 65536.0, 0.25, 0.5, 0.75, 0.999999, 1.0, 1.5, 3.0, 100.0};
  for (int i = 0; i < 200; ++i) reals.push_back(std::exp(std::uniform_real_distribution<double>(-20.0, 3.0)(rng)));
  std::vector<int32_t> accs = {INT32_MIN, INT32_MIN + 1, -65536, -32769, -32768,        -1,       0,
                               1,         32767,         32768,  65535,  INT32_MAX - 1, INT32_MAX};
  for (int e = 1; e < 31; ++e) {
    accs.push_back(1 << e);
    accs.push_back(-(1 << e));
    accs.push_back((1 << e) + (1 << (e - 1)));
    accs.push_back(-(1 << e) - (1 << (e - 1)));
  }
  for (int i = 0; i < 2000; ++i) accs.push_back(static_cast<int32_t>(rng()));
  int compared = 0;
  for (double real : reals) {
    const QuantizedMultiplier m = quantize_multiplier(real);
    for (int32_t zp : {-128, 0, 17}) {
      const ConvRequant q{0, zp, -128, 127, &m};
      const ChannelRequantizer fast(m, q);
      for (int32_t acc : accs) {
        ASSERT_EQ(fast(acc), requantize(acc, m, q)) << "acc " << acc << " multiplier " << m.multiplier << " shift " << m.shift;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 1000000);
}

struct RandomCase {
  ConvShape shape;
  std::vector<int8_t> input, filter;
  std::vector<int32_t> bias;
  std::vector<QuantizedMultiplier> channels;
  ConvRequant q;
};

RandomCase random_case(std::mt19937& rng) {
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  RandomCase c;
  for (;;) {
    const int fh = pick(1, 5), fw = pick(1, 5);
    c.shape = make_shape(pick(1, 2), pick(1, 12), pick(1, 12), pick(1, 20), pick(1, 19), fh, fw, pick(1, 3), pick(1, 3),
                         pick(1, 2), pick(1, 2), pick(0, 1) ? WindowPadding::kSame : WindowPadding::kValid);
    if (c.shape.output_h > 0 && c.shape.output_w > 0) break;
  }
  const ConvShape& s = c.shape;
  c.input.resize(static_cast<size_t>(s.batches) * s.input_h * s.input_w * s.input_c);
  c.filter.resize(static_cast<size_t>(s.output_c) * s.filter_h * s.filter_w * s.input_c);
  for (auto& v : c.input) v = static_cast<int8_t>(pick(-128, 127));
  for (auto& v : c.filter) v = static_cast<int8_t>(pick(-128, 127));  // -128 too: the int16 products must still be exact
  if (pick(0, 3) != 0) {
    c.bias.resize(static_cast<size_t>(s.output_c));
    for (auto& v : c.bias) v = pick(-40000, 40000);
  }
  for (int i = 0; i < s.output_c; ++i)
    c.channels.push_back(quantize_multiplier(std::uniform_real_distribution<double>(1e-5, 3e-3)(rng)));
  const int32_t act_min = pick(-128, 0);
  c.q = ConvRequant{pick(-127, 128), pick(-128, 127), act_min, pick(act_min, 127), c.channels.data()};
  return c;
}

TEST(Conv2d, FastPathMatchesReferenceAndTflmFormulaOnRandomShapes) {
  std::mt19937 rng(2024);
  int outputs = 0;
  for (int i = 0; i < 300; ++i) {
    const RandomCase c = random_case(rng);
    const ConvShape& s = c.shape;
    const std::vector<int8_t> expected = oracle(s, c.q, c.input, c.filter, c.bias);
    ASSERT_EQ(run_reference(s, c.q, c.input, c.filter, c.bias), expected) << "case " << i;
    ASSERT_EQ(run_fast(s, c.q, c.input, c.filter, c.bias), expected)
        << "case " << i << ": " << s.input_h << "x" << s.input_w << "x" << s.input_c << " -> " << s.output_c << " filter "
        << s.filter_h << "x" << s.filter_w << " stride " << s.stride_h << "," << s.stride_w << " dilation " << s.dilation_h << ","
        << s.dilation_w;
    outputs += static_cast<int>(expected.size());
  }
  EXPECT_GT(outputs, 10000);
}

TEST(Conv2d, ExtremeValuesStayExact) {
  // x + offset = 255 (input 127, offset 128) or -255 (input -128, offset -127) against
  // weights of -128: the largest int16 products the fast path forms.
  for (int32_t offset : {128, -127}) {
    const ConvShape s = make_shape(1, 3, 3, 24, 5, 3, 3, 1, 1, 1, 1, WindowPadding::kSame);
    std::vector<int8_t> in(static_cast<size_t>(3 * 3 * 24), offset > 0 ? 127 : -128);
    std::vector<int8_t> w(static_cast<size_t>(5 * 3 * 3 * 24), -128);
    std::vector<QuantizedMultiplier> m(5, quantize_multiplier(1.0 / 65536.0));
    const ConvRequant q{offset, 0, -128, 127, m.data()};
    EXPECT_EQ(run_fast(s, q, in, w, {}), oracle(s, q, in, w, {})) << offset;
  }
}

TEST(Conv2d, AnOutputNearTheInt32LimitsSaturatesInsteadOfOverflowing) {
  // The largest multiplier (2^31 - 1, shift 31) turns accumulator -1 into -(2^31 - 1); the
  // output zero point -128 added in int32 would overflow (the model-loader fuzzer's find)
  // and, wrapped, clamp to 127. The value is far below the range: -128.
  const QuantizedMultiplier m{INT32_MAX, 31};
  const ConvRequant q{0, -128, -128, 127, &m};
  EXPECT_EQ(requantize(-1, m, q), -128);
  EXPECT_EQ(ChannelRequantizer(m, q)(-1), -128);
}

// Through the loader, prepare and eval of the registered kernel.
using test::SingleOpModel;

struct ConvModel {
  SingleOpModel model;
  int input, filter, bias, output;
};

void build_conv(ConvModel* m, std::vector<int32_t> out_shape, int stride, chorus::tflite::Padding padding, int dilation = 1) {
  m->input = m->model.add_tensor(DType::kInt8, {1, 5, 5, 3}, 0.5f, -2);
  std::vector<int8_t> w(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  m->filter = m->model.add_const<int8_t>(DType::kInt8, {4, 3, 3, 3}, w, 0.02f, 0);
  m->bias = m->model.add_const<int32_t>(DType::kInt32, {4}, {100, -200, 300, 0}, 0.01f, 0);
  m->output = m->model.add_tensor(DType::kInt8, std::move(out_shape), 0.25f, 5);
  m->model.set_op(OpCode::kConv2d, {m->input, m->filter, m->bias}, {m->output}, chorus::tflite::BuiltinOptions::Conv2DOptions,
                  [=](flatbuffers::FlatBufferBuilder& fbb) {
                    return chorus::tflite::CreateConv2DOptions(fbb, padding, stride, stride,
                                                               chorus::tflite::ActivationFunctionType::RELU6, dilation, dilation)
                        .Union();
                  });
}

TEST(Conv2dKernel, PerTensorFilterRunsWithTflmMultiplier) {
  ConvModel m;
  build_conv(&m, {1, 3, 3, 4}, 2, chorus::tflite::Padding::SAME);
  std::vector<int8_t> x(75);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<int8_t>(static_cast<int>(i * 53 % 256) - 128);
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  ASSERT_TRUE(m.model.run({{m.input, test::to_bytes(x)}}, &outputs, &error)) << error;
  // Per-tensor scale broadcast per channel as a double product (PopulateConvolutionQuantizationParams).
  const ConvShape s = make_shape(1, 5, 5, 3, 4, 3, 3, 2, 2, 1, 1, WindowPadding::kSame);
  const std::vector<QuantizedMultiplier> mult(4, quantize_multiplier(0.5 * static_cast<double>(0.02f) / 0.25));
  ActivationRange relu6;
  ASSERT_TRUE(quantized_activation_range(3, 0.25f, 5, -128, 127, &relu6));
  const ConvRequant q{2, 5, relu6.min, relu6.max, mult.data()};
  std::vector<int8_t> w(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  EXPECT_EQ(test::from_bytes<int8_t>(outputs[0]), oracle(s, q, x, w, {100, -200, 300, 0}));
}

TEST(Conv2dKernel, RejectsOutputShapeThatDisagreesWithPadding) {
  ConvModel m;
  build_conv(&m, {1, 2, 2, 4}, 2, chorus::tflite::Padding::SAME);  // SAME gives 3x3
  std::vector<std::vector<uint8_t>> outputs;
  std::string error;
  EXPECT_FALSE(m.model.run({{m.input, std::vector<uint8_t>(75)}}, &outputs, &error));
  EXPECT_NE(error.find("expected [1,3,3,4]"), std::string::npos) << error;
}

TEST(Conv2dKernel, RejectsZeroStrideAndDilation) {
  for (bool zero_stride : {true, false}) {
    ConvModel m;
    build_conv(&m, {1, 3, 3, 4}, zero_stride ? 0 : 1, chorus::tflite::Padding::VALID, zero_stride ? 1 : 0);
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    EXPECT_FALSE(m.model.run({{m.input, std::vector<uint8_t>(75)}}, &outputs, &error));
    EXPECT_NE(error.find(zero_stride ? "stride_h 0" : "dilation_h 0"), std::string::npos) << error;
  }
}

// MACs per inference: output elements x filter taps per output (CONV_2D taps include the
// input depth, DEPTHWISE_CONV_2D and pooling taps do not), from person_detect's own ops.
TEST(ConvolutionMacs, PrepareCountsOutputElementsTimesTaps) {
  tools::AlignedBytes file;
  ASSERT_TRUE(test::read_model_file("person_detect", &file));
  Result<Model> model = Model::load(file.span());
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  struct Expected {
    size_t op;
    const Kernel* kernel;
    uint64_t macs;
  };
  const Expected cases[] = {
      {0, &kDepthwiseConv2d, 48ull * 48 * 8 * 3 * 3},  // 96x96x1 -> 48x48x8, multiplier 8
      {2, &kConv2d, 48ull * 48 * 16 * 8},              // 1x1, 8 -> 16
      {27, &kAveragePool2d, 256ull * 3 * 3},           // 3x3x256 -> 1x1x256
  };
  for (const Expected& e : cases) {
    const OpInfo op = model->op(e.op);
    ASSERT_EQ(op.code, e.kernel->code) << e.op;
    PersistentAllocator measuring;
    PrepareContext ctx(*model, e.op, op, measuring);
    const Status s = e.kernel->prepare(ctx);
    ASSERT_TRUE(s.is_ok()) << s.message();
    EXPECT_EQ(ctx.macs(), e.macs) << "op " << e.op;
  }
}

}  // namespace
}  // namespace chorus::runtime::kernels
