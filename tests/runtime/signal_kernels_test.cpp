// Unit checks of the signal front end's parts beyond the golden vectors: the 16-bit
// fixed-point real FFT against a double-precision DFT for every supported length, the
// integer square root and log, and the errors prepare gives for bad custom options.
#include <flatbuffers/flexbuffers.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "chorus/runtime/interpreter.hpp"
#include "kernels.hpp"
#include "signal/kiss_fft16.hpp"
#include "signal/signal_math.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

using namespace chorus::runtime;
using signal::Complex16;

TEST(SignalFft, MatchesAScaledDftForEveryPowerOfTwoLength) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> sample(-16384, 16383);
  int lengths = 0;
  for (int32_t n = 4; n <= 4096; n *= 2) {
    ASSERT_TRUE(signal::real_fft16_supported(n));
    std::vector<Complex16> tables(signal::real_fft16_table_entries(n));
    signal::RealFft16Plan plan;
    signal::real_fft16_init(n, tables.data(), &plan);
    std::vector<int16_t> x(static_cast<size_t>(n));
    for (int16_t& v : x) v = static_cast<int16_t>(sample(rng));
    // A frame shorter than the FFT is zero-padded: give only 3/4 of it.
    const int32_t given = n * 3 / 4;
    std::vector<Complex16> work(static_cast<size_t>(n / 2)), out(static_cast<size_t>(n / 2 + 1));
    signal::real_fft16(plan, x.data(), given, work.data(), out.data());
    // kissfft's fixed point divides by the radix at every stage and by 2 in the real
    // split: the output is DFT(x) / n, within a rounding error per stage.
    double worst = 0;
    for (int32_t k = 0; k <= n / 2; ++k) {
      double re = 0, im = 0;
      for (int32_t t = 0; t < given; ++t) {
        const double phase = -2.0 * M_PI * k * t / n;
        re += x[static_cast<size_t>(t)] * std::cos(phase);
        im += x[static_cast<size_t>(t)] * std::sin(phase);
      }
      worst = std::max({worst, std::fabs(re / n - out[static_cast<size_t>(k)].r), std::fabs(im / n - out[static_cast<size_t>(k)].i)});
    }
    EXPECT_LT(worst, 1.0 + plan.num_stages) << "length " << n;
    ++lengths;
  }
  EXPECT_EQ(lengths, 11);
  EXPECT_FALSE(signal::real_fft16_supported(480));
  EXPECT_FALSE(signal::real_fft16_supported(2));
}

TEST(SignalFft, PutsAToneInItsBin) {
  constexpr int32_t n = 512;
  std::vector<Complex16> tables(signal::real_fft16_table_entries(n));
  signal::RealFft16Plan plan;
  signal::real_fft16_init(n, tables.data(), &plan);
  std::vector<int16_t> x(n);
  for (int32_t t = 0; t < n; ++t) x[static_cast<size_t>(t)] = static_cast<int16_t>(std::lround(16000 * std::cos(2 * M_PI * 37 * t / n)));
  std::vector<Complex16> work(n / 2), out(n / 2 + 1);
  signal::real_fft16(plan, x.data(), n, work.data(), out.data());
  EXPECT_NEAR(out[37].r, 8000, 10);  // A/2
  EXPECT_NEAR(out[37].i, 0, 10);
  for (int32_t k = 0; k <= n / 2; ++k)
    if (k != 37) EXPECT_LE(std::abs(out[static_cast<size_t>(k)].r) + std::abs(out[static_cast<size_t>(k)].i), 20) << k;
}

TEST(SignalMath, SquareRootsRoundToNearest) {
  std::mt19937_64 rng(3);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const int bits = i % 64;
    const uint64_t x = rng() >> (63 - bits);
    const uint32_t r = x >> 32 == 0 ? signal::sqrt32(static_cast<uint32_t>(x)) : signal::sqrt64(x);
    // round-to-nearest: (2r - 1)^2 <= 4x < (2r + 1)^2, except where the root saturates.
    const unsigned __int128 four_x = static_cast<unsigned __int128>(x) * 4;
    const unsigned __int128 lo = r == 0 ? 0 : static_cast<unsigned __int128>(2ull * r - 1) * (2ull * r - 1);
    const unsigned __int128 hi = static_cast<unsigned __int128>(2ull * r + 1) * (2ull * r + 1);
    const bool saturated = (x >> 32 == 0 && r == 0xFFFF) || r == 0xFFFFFFFFu;
    EXPECT_TRUE(lo <= four_x && (four_x < hi || saturated)) << "x = " << x << " root " << r;
    ++checked;
  }
  EXPECT_EQ(signal::sqrt32(0), 0);
  EXPECT_EQ(signal::sqrt32(0xFFFFFFFFu), 0xFFFF);
  EXPECT_EQ(checked, 200000);
}

TEST(SignalMath, LogIsNaturalLogTimesScale) {
  EXPECT_EQ(signal::most_significant_bit32(0), 32u);  // the reference's GCC behaviour
  EXPECT_EQ(signal::most_significant_bit64(0), 64u);
  EXPECT_EQ(signal::most_significant_bit32(1), 1u);
  EXPECT_EQ(signal::log32(1, 64), 0u);
  for (uint32_t x : {2u, 3u, 10u, 1000u, 65535u, 65536u, 123456789u, 0xFFFFFFFFu}) {
    const double expected = 64.0 * std::log(static_cast<double>(x));
    EXPECT_NEAR(signal::log32(x, 64), expected, 1.0) << x;
  }
}

// Prepare of one signal op of audio_preprocessor_int8 with `options` as its custom options.
Status prepare_with(const Model& model, size_t op_index, const std::vector<uint8_t>& options) {
  OpInfo op = model.op(op_index);
  op.custom_options = Span<const uint8_t>(options.data(), options.size());
  const Kernel* kernel = builtin_op_resolver().find(op);
  if (kernel == nullptr) return Status::error(StatusCode::kUnsupported, "no kernel");
  PersistentAllocator counter;
  PrepareContext ctx(model, op_index, op, counter);
  return kernel->prepare(ctx);
}

std::vector<uint8_t> options(const std::function<void(flexbuffers::Builder&)>& fill) {
  flexbuffers::Builder fbb;
  fbb.Map([&] { fill(fbb); });
  fbb.Finish();
  return fbb.GetBuffer();
}

TEST(SignalOptions, BadOptionsAreErrorsNamingTheOpAndTheOption) {
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("audio_preprocessor_int8", &file));
  Result<Model> model = Model::load(file.span());
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  auto spectral = [](int64_t bits, int64_t channels, bool with_clamping) {
    return options([=](flexbuffers::Builder& b) {
      b.Int("alternate_one_minus_smoothing", 15401);
      b.Int("alternate_smoothing", 983);
      if (with_clamping) b.Bool("clamping", false);
      b.Int("min_signal_remaining", 819);
      b.Int("num_channels", channels);
      b.Int("one_minus_smoothing", 15975);
      b.Int("smoothing", 409);
      b.Int("smoothing_bits", bits);
      b.Int("spectral_subtraction_bits", 14);
    });
  };
  struct Case {
    size_t op;
    std::vector<uint8_t> bytes;
    const char* expected;  // nullptr: prepare must succeed
  };
  const Case cases[] = {
      {0, options([](flexbuffers::Builder& b) { b.Int("shift", 12); }), nullptr},
      {0, options([](flexbuffers::Builder&) {}), "op 0 (SignalWindow): option 'shift' is missing"},
      {0, options([](flexbuffers::Builder& b) { b.Int("shift", 32); }), "'shift' = 32 is outside [0, 31]"},
      {0, {0xFF, 0xFF, 0xFF}, "op 0 (SignalWindow): custom options: FlexBuffer root width 255"},
      {0, {}, "custom options: FlexBuffer of 0 bytes"},
      {3, options([](flexbuffers::Builder& b) { b.Int("T", 1); b.Int("fft_length", 512); }), "only the int16 RFFT"},
      {3, options([](flexbuffers::Builder& b) { b.Int("T", 7); b.Int("fft_length", 640); }), "fft_length 640 is not supported"},
      {3, options([](flexbuffers::Builder& b) { b.Int("T", 7); b.Int("fft_length", 256); }), "longer than fft_length 256"},
      {3, options([](flexbuffers::Builder& b) { b.Int("T", 7); b.Int("fft_length", 1024); }), "must be fft_length + 2 = 1026"},
      {4, options([](flexbuffers::Builder& b) { b.Int("end_index", 300); b.Int("start_index", 5); }), "'end_index' = 300 is outside [5, 257]"},
      {4, options([](flexbuffers::Builder& b) { b.Int("end_index", 4); b.Int("start_index", 5); }), "'end_index' = 4 is outside"},
      {9, options([](flexbuffers::Builder& b) { b.Int("num_channels", 41); }), "output has 40 elements, num_channels is 41"},
      {11, spectral(10, 40, true), nullptr},
      {11, spectral(40, 40, true), "'smoothing_bits' = 40 is outside [0, 31]"},
      {11, spectral(10, 39, true), "num_channels is 39, input has 40 channels"},
      {11, spectral(10, 40, false), "'clamping' is missing"},
      {12, options([](flexbuffers::Builder& b) { b.Int("snr_shift", 64); }), "'snr_shift' = 64 is outside [0, 63]"},
      {12, options([](flexbuffers::Builder& b) { b.Float("snr_shift", 6.0f); }), "'snr_shift' is a float"},
      {13, options([](flexbuffers::Builder& b) { b.Int("input_correction_bits", 32); b.Int("output_scale", 64); }),
       "'input_correction_bits' = 32 is outside [0, 31]"},
  };
  int checked = 0;
  for (const Case& c : cases) {
    Status s = prepare_with(*model, c.op, c.bytes);
    if (c.expected == nullptr) {
      EXPECT_TRUE(s.is_ok()) << "op " << c.op << ": " << s.message();
    } else {
      EXPECT_FALSE(s.is_ok()) << "op " << c.op << " accepted options that should give: " << c.expected;
      EXPECT_NE(std::string(s.message()).find(c.expected), std::string::npos) << s.message();
    }
    ++checked;
  }
  EXPECT_EQ(checked, 19);
}

TEST(SignalOptions, EveryOpAcceptsItsOwnOptionsFromTheModel) {
  int prepared = 0;
  for (const char* stem : {"audio_preprocessor_int8", "audio_preprocessor_float"}) {
    tools::AlignedBytes file;
    ASSERT_TRUE(read_model_file(stem, &file));
    Result<Model> model = Model::load(file.span());
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    for (size_t i = 0; i < model->num_ops(); ++i) {
      const OpInfo op = model->op(i);
      if (op.code != static_cast<int32_t>(OpCode::kCustom)) continue;
      std::vector<uint8_t> bytes(op.custom_options.begin(), op.custom_options.end());
      Status s = prepare_with(*model, i, bytes);
      EXPECT_TRUE(s.is_ok()) << stem << " op " << i << ": " << s.message();
      // The cost model sees the multiply work (not the shift-only or sqrt ops).
      const std::string name = op.name();
      if (name == "SignalWindow" || name == "SignalRfft" || name == "SignalFilterBank" || name == "SignalPCAN")
        EXPECT_GT(Interpreter::op_macs(*model, i), 0u) << stem << " op " << i << " " << name;
      ++prepared;
    }
  }
  EXPECT_EQ(prepared, 18);
}

}  // namespace
}  // namespace chorus::test
