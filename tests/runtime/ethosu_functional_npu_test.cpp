// The Ethos-U functional model against the TFLM reference: every shared model that Vela
// offloads whole, compiled for all six configurations (tests/data/vela), run on every golden
// seed, must give the golden output bytes of the original model (../shared/golden).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

const char* const kConfigs[] = {"ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512"};

std::string vela_path(const std::string& config, const std::string& stem) {
  return std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/" + config + "/" + stem + "_vela.tflite";
}

bool is_ethosu(const OpInfo& op) {
  return op.code == static_cast<int32_t>(OpCode::kCustom) && op.custom_code != nullptr && std::string(op.custom_code) == "ethos-u";
}

// A Vela model whose whole graph is one ethos-u operator, laid out as TFLM's ethos-u kernel
// lays it out: region 0 the constants, 1 the arena (tensors at their offline-plan offsets),
// 2 the fast scratch, then the operator's inputs and outputs.
class OffloadedModel {
 public:
  bool load(const std::string& path, std::string* error) {
    if (!tools::read_file(path, &file_, error)) return false;
    Result<Model> m = Model::load(file_.span(), LoadOptions{nullptr});
    if (!m.is_ok()) {
      *error = m.status().message();
      return false;
    }
    model_ = std::move(*m);
    if (model_.num_ops() != 1 || !is_ethosu(model_.op(0))) {
      *error = "not a single ethos-u operator";
      return false;
    }
    op_ = model_.op(0);
    Result<DriverPayload> p = parse_driver_payload(model_.vela_command_stream());
    if (!p.is_ok()) {
      *error = p.status().message();
      return false;
    }
    payload_ = *p;
    const Span<const int32_t> plan = model_.offline_offsets();
    if (plan.empty()) {
      *error = "no offline plan";
      return false;
    }
    size_t arena = 0;
    for (size_t t = 0; t < model_.num_tensors(); ++t) {
      if (plan[t] < 0) continue;
      const size_t end = static_cast<size_t>(plan[t]) + model_.tensor(t).bytes;
      if (end > arena) arena = end;
    }
    arena_.assign(arena, 0);
    fast_.assign(op_.inputs.size() > 3 ? model_.tensor(static_cast<size_t>(op_.inputs[3])).bytes : 0, 0);
    const TensorInfo flash = model_.tensor(static_cast<size_t>(op_.inputs[1]));
    memory_.region[0] = NpuRegion{const_cast<uint8_t*>(flash.constant_data), flash.bytes};
    memory_.region[1] = NpuRegion{arena_.data(), arena_.size()};
    memory_.region[2] = NpuRegion{fast_.data(), fast_.size()};
    Result<FunctionalNpuNeeds> needs = FunctionalNpu::measure(payload_);
    if (!needs.is_ok()) {
      *error = needs.status().message();
      return false;
    }
    stream_.resize(needs->stream + 16);
    weights_.resize(needs->weights + 16);
    ifm_.resize(needs->ifm + 16);
    return true;
  }

  size_t input_bytes() const { return model_.tensor(static_cast<size_t>(model_.inputs()[0])).bytes; }
  size_t output_bytes() const { return model_.tensor(static_cast<size_t>(model_.outputs()[0])).bytes; }

  Status run(const std::vector<uint8_t>& input, std::vector<uint8_t>* output, FunctionalNpuStats* stats) {
    const Span<const int32_t> plan = model_.offline_offsets();
    const int32_t in = model_.inputs()[0], out = model_.outputs()[0];
    std::fill(arena_.begin(), arena_.end(), 0);
    std::memcpy(arena_.data() + plan[static_cast<size_t>(in)], input.data(), input.size());
    FunctionalNpuBuffers b{stream_.data(), stream_.size(), weights_.data(), weights_.size(), ifm_.data(), ifm_.size()};
    FunctionalNpu npu(b);
    const Status s = npu.run(payload_, memory_, stats);
    output->assign(arena_.data() + plan[static_cast<size_t>(out)], arena_.data() + plan[static_cast<size_t>(out)] + output_bytes());
    return s;
  }

  const DriverPayload& payload() const { return payload_; }

 private:
  tools::AlignedBytes file_;
  Model model_;
  OpInfo op_;
  DriverPayload payload_;
  std::vector<uint8_t> arena_, fast_;
  std::vector<int16_t> stream_, weights_;
  std::vector<int32_t> ifm_;
  NpuMemory memory_;
};

void expect_bit_exact(const std::string& stem) {
  size_t compared = 0;
  for (const char* config : kConfigs) {
    SCOPED_TRACE(std::string(config) + " " + stem);
    OffloadedModel m;
    std::string error;
    ASSERT_TRUE(m.load(vela_path(config, stem), &error)) << error;
    EXPECT_STREQ(accelerator_name(m.payload()), config);
    for (int seed = 1; seed <= 3; ++seed) {
      std::vector<uint8_t> input, want, got;
      ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &input))
          << "golden input missing: " << test::golden_path(stem, "");
      ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &want));
      ASSERT_EQ(input.size(), m.input_bytes());
      FunctionalNpuStats stats;
      const Status s = m.run(input, &got, &stats);
      ASSERT_TRUE(s.is_ok()) << s.message();
      ASSERT_EQ(got.size(), want.size());
      EXPECT_TRUE(got == want) << "seed " << seed << ": " << test::first_difference(want.data(), got.data(), want.size());
      ++compared;
    }
  }
  std::printf("%s: %zu golden outputs compared (6 configurations x 3 seeds)\n", stem.c_str(), compared);
}

TEST(EthosuFunctionalNpu, HelloWorldIsBitExactOnEveryConfiguration) { expect_bit_exact("hello_world_int8"); }
TEST(EthosuFunctionalNpu, Ad01IsBitExactOnEveryConfiguration) { expect_bit_exact("ad01_int8"); }
TEST(EthosuFunctionalNpu, KwsRefIsBitExactOnEveryConfiguration) { expect_bit_exact("kws_ref_model"); }
TEST(EthosuFunctionalNpu, MicroSpeechIsBitExactOnEveryConfiguration) { expect_bit_exact("micro_speech_quantized"); }
TEST(EthosuFunctionalNpu, VwwIsBitExactOnEveryConfiguration) { expect_bit_exact("vww_96_int8"); }
TEST(EthosuFunctionalNpu, PersonDetectIsBitExactOnEveryConfiguration) { expect_bit_exact("person_detect"); }
TEST(EthosuFunctionalNpu, ResnetIsBitExactOnEveryConfiguration) { expect_bit_exact("pretrainedResnet_quant"); }

}  // namespace
}  // namespace chorus::runtime::ethosu
