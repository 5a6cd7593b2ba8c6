// QUANTIZE / DEQUANTIZE: rounding and clamping edge cases, the float-for-double
// equivalence DEQUANTIZE relies on (checked exhaustively), and the float-I/O ToyCar model
// run end to end with its QUANTIZE input and DEQUANTIZE output checked independently.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "reference/quantize_ref.hpp"
#include "support/golden.hpp"
#include "support/op_runner.hpp"

namespace chorus::runtime::kernels {
namespace {

TEST(Requantizer, MatchesMultiplyByQuantizedMultiplierForEveryShift) {
  std::mt19937 rng(99);
  std::uniform_int_distribution<int32_t> any(INT32_MIN, INT32_MAX);
  const int32_t edges[] = {0, 1, -1, 2, -2, 3, -3, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30), 12345, -12345};
  for (int shift = -31; shift <= 30; ++shift) {
    for (int trial = 0; trial < 40; ++trial) {
      QuantizedMultiplier m;
      m.multiplier = trial == 0 ? (1 << 30) : (trial == 1 ? INT32_MAX : (1 << 30) + static_cast<int32_t>(any(rng) & 0x3FFFFFFF));
      m.shift = shift;
      const Requantizer r = Requantizer::from(m);
      for (int32_t x : edges)
        ASSERT_EQ(r.apply(x), multiply_by_quantized_multiplier(x, m.multiplier, m.shift)) << x << " " << shift;
      for (int i = 0; i < 200; ++i) {
        // Small magnitudes (typical accumulators) and full-range values.
        const int32_t x = i % 2 == 0 ? any(rng) >> (i % 31) : any(rng);
        ASSERT_EQ(r.apply(x), multiply_by_quantized_multiplier(x, m.multiplier, m.shift)) << x << " " << shift;
      }
    }
  }
  // Real-number check of one case, independent of both: 0.75 * 1001 = 750.75 -> 751.
  EXPECT_EQ(Requantizer::from(quantize_multiplier(0.75)).apply(1001), 751);
  EXPECT_EQ(Requantizer::from(quantize_multiplier(0.75)).apply(-1001), -751);
}

TEST(Requantize, HalfwayCasesRoundUpward) {
  // A multiplier of 0.5 is Q31 2^30 with no shift, so only gemmlowp's
  // SaturatingRoundingDoublingHighMul rounds: its nudge sends ties toward +infinity
  // (1.5 -> 2, -1.5 -> -1, -0.5 -> 0).
  const QuantizedMultiplier half = quantize_multiplier(0.5);
  ASSERT_EQ(half.multiplier, 1 << 30);
  ASSERT_EQ(half.shift, 0);
  const int16_t in[] = {3, -3, 1, -1, 4, 32767, -32768};
  int32_t out[7];
  requantize(in, 7, Requantizer::from(half), 0, 0, out);
  const int32_t expected[] = {2, -1, 1, 0, 2, 16384, -16384};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(out[i], expected[i]) << i;
}

TEST(Requantize, ZeroPointsAndClampToOutputType) {
  // keyword_scrambled op 14: int16 (zero point -32768) -> int32 (zero point 0).
  const QuantizedMultiplier half = quantize_multiplier(0.5);
  const int16_t in16[] = {-32768, 0, 32767};
  int32_t out32[3];
  requantize(in16, 3, Requantizer::from(half), -32768, 0, out32);
  EXPECT_EQ(out32[0], 0);
  EXPECT_EQ(out32[1], 16384);
  EXPECT_EQ(out32[2], 32768);
  // int16 -> int8 with a large ratio saturates both ways.
  int8_t out8[3];
  requantize(in16, 3, Requantizer::from(quantize_multiplier(3.0)), 0, -128, out8);
  EXPECT_EQ(out8[0], -128);
  EXPECT_EQ(out8[1], -128);
  EXPECT_EQ(out8[2], 127);
  // int8 -> uint8 with the same scale is the reference's xor-0x80 fast path.
  const int8_t in8[] = {-128, -1, 0, 127};
  uint8_t outu[4];
  requantize(in8, 4, Requantizer::from(quantize_multiplier(1.0)), 0, 128, outu);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(outu[i], static_cast<uint8_t>(in8[i]) ^ 0x80) << i;
}

TEST(Requantize, KeywordScrambledInputStaysWithinHalfAStep) {
  // keyword_scrambled op 0: int16 scale 0.000625 -> int8 scale 0.0592083335, zp -128.
  const float in_scale = 0.000624999986f, out_scale = 0.0592083335f;
  const double ratio = static_cast<double>(in_scale) / static_cast<double>(out_scale);
  const Requantizer m = Requantizer::from(quantize_multiplier(ratio));
  for (int v = -32768; v <= 32767; ++v) {
    const int16_t in = static_cast<int16_t>(v);
    int8_t out;
    requantize(&in, 1, m, 0, -128, &out);
    const double real = v * ratio - 128;
    if (real < -128.5 || real > 127.5) continue;
    // Two roundings (Q31 high multiply, then the 2^-6 shift): at most 1/128 past a half.
    ASSERT_LE(std::fabs(out - real), 0.5 + 1.0 / 128) << v;
  }
}

TEST(AffineQuantize, RoundsHalfAwayFromZeroAndClamps) {
  const float in[] = {2.5f, -2.5f, 0.49999997f, -0.5f, 1000.0f, -1000.0f};
  int8_t out[6];
  affine_quantize(in, 6, 1.0f, 0, out);
  const int8_t expected[] = {3, -3, 0, -1, 127, -128};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out[i], expected[i]) << i;
  int16_t out16[6];
  affine_quantize(in, 6, 0.01f, 10, out16);
  const int16_t expected16[] = {260, -240, 60, -40, 32767, -32768};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(out16[i], expected16[i]) << i;
}

TEST(AffineQuantize, NonFiniteInputsSaturateInsteadOfOverflowing) {
  const float in[] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                      std::numeric_limits<float>::quiet_NaN(), 3e9f, -3e9f};
  int8_t out[5];
  affine_quantize(in, 5, 0.5f, -3, out);
  EXPECT_EQ(out[0], 127);
  EXPECT_EQ(out[1], -128);
  EXPECT_EQ(out[2], -3);
  EXPECT_EQ(out[3], 127);
  EXPECT_EQ(out[4], -128);
}

// TFLM reference_ops::Dequantize's formula, in double as the reference computes it.
float tflm_dequantize(int32_t q, float scale, int32_t zp) {
  return static_cast<float>(static_cast<double>(scale) * (q - zp));
}

TEST(Dequantize, FloatProductIsBitIdenticalToTheReferenceDoubleProduct) {
  const float scales[] = {0.376023f, 0.00390625f, 1.52590219e-05f, 0.0592083335f, 3.3e-9f, 1234.567f, 1e-40f};
  std::vector<int16_t> all16(65536);
  for (int i = 0; i < 65536; ++i) all16[static_cast<size_t>(i)] = static_cast<int16_t>(i - 32768);
  std::vector<float> out(65536);
  for (float scale : scales) {
    for (int32_t zp : {0, -32768, 32767, 17}) {
      dequantize(all16.data(), all16.size(), scale, zp, out.data());
      for (size_t i = 0; i < all16.size(); ++i) {
        const float ref = tflm_dequantize(all16[i], scale, zp);
        ASSERT_EQ(0, std::memcmp(&ref, &out[i], sizeof(float))) << scale << " " << zp << " " << all16[i];
      }
    }
  }
}

}  // namespace
}  // namespace chorus::runtime::kernels

namespace chorus::test {
namespace {

using namespace chorus::runtime;

TEST(QuantizeModel, ToyCarFloatModelQuantizesAndDequantizesLikeTheReference) {
  ModelRunner runner;
  ASSERT_TRUE(runner.open("model_ToyCar_quant_fullint_micro"));
  const Model& model = runner.model();
  ASSERT_GE(model.num_ops(), 2u);
  const OpInfo first = model.op(0);
  const OpInfo last = model.op(model.num_ops() - 1);
  ASSERT_EQ(first.code, static_cast<int32_t>(OpCode::kQuantize));
  ASSERT_EQ(last.code, static_cast<int32_t>(OpCode::kDequantize));
  const TensorInfo in_info = runner.interpreter().input_info(0);
  const TensorInfo q_info = model.tensor(static_cast<size_t>(first.outputs[0]));
  const TensorInfo dq_info = model.tensor(static_cast<size_t>(last.inputs[0]));
  ASSERT_EQ(in_info.type, DType::kFloat32);
  ASSERT_EQ(q_info.type, DType::kInt8);
  ASSERT_EQ(dq_info.type, DType::kInt8);
  const size_t n = static_cast<size_t>(in_info.shape.num_elements());
  ASSERT_EQ(runner.output_bytes(), n * sizeof(float));

  // Real log-mel windows of the ToyCar dataset (640 floats each).
  std::vector<uint8_t> raw;
  ASSERT_TRUE(read_bytes(shared_dir() + "/data/normal_id_01_00000000_hist_librosa.bin", &raw));
  ASSERT_GE(raw.size(), 5 * n * sizeof(float));
  Interpreter& interp = runner.interpreter();
  double squared_error = 0.0;
  for (size_t window = 0; window < 5; ++window) {
    std::vector<float> x(n);
    std::memcpy(x.data(), raw.data() + window * n * sizeof(float), n * sizeof(float));
    std::memcpy(interp.input(0), x.data(), n * sizeof(float));

    ASSERT_TRUE(interp.step().is_ok());  // QUANTIZE
    const int8_t* q = reinterpret_cast<const int8_t*>(interp.tensor_data(static_cast<size_t>(first.outputs[0])));
    for (size_t i = 0; i < n; ++i) {
      const long r = std::lround(x[i] / q_info.quant.scale) + q_info.quant.zero_point;
      ASSERT_EQ(q[i], static_cast<int8_t>(std::min(127L, std::max(-128L, r)))) << window << " " << i;
    }
    for (size_t op = 1; op < model.num_ops(); ++op) ASSERT_TRUE(interp.step().is_ok()) << op;

    const int8_t* dq = reinterpret_cast<const int8_t*>(interp.tensor_data(static_cast<size_t>(last.inputs[0])));
    const float* y = reinterpret_cast<const float*>(interp.output(0));
    for (size_t i = 0; i < n; ++i) {
      const float expected = static_cast<float>(static_cast<double>(dq_info.quant.scale) * (dq[i] - dq_info.quant.zero_point));
      ASSERT_EQ(0, std::memcmp(&expected, &y[i], sizeof(float))) << window << " " << i;
      squared_error += (y[i] - x[i]) * (y[i] - x[i]);
    }
  }
  // An autoencoder on normal data reconstructs it roughly: a sanity bound, not a golden.
  const double mse = squared_error / (5.0 * static_cast<double>(n));
  std::printf("[ toycar   ] reconstruction MSE over 5 windows: %.3f\n", mse);
  EXPECT_LT(mse, 100.0);
}

}  // namespace
}  // namespace chorus::test
