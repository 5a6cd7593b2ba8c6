// Vela-compiled models through the interpreter, as `chorus infer` runs them: every shared
// model Vela compiles (tests/data/vela, all six configurations) on golden seeds 1-3, must give
// the golden bytes of the original model (../shared/golden, TFLM reference kernels) or, for the
// models without goldens, the bytes Chorus's own kernels give on the original model with the
// same input. Fully offloaded models run one ethos-u operator; keyword_scrambled and the
// ToyCar model mix ethos-u operators with CPU operators (SVDF, fully connected ...).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/ethosu/functional_backend.hpp"
#include "chorus/runtime/memory_plan.hpp"
#include "chorus/tools/model_session.hpp"
#include "support/golden.hpp"

namespace chorus::runtime {
namespace {

const char* const kConfigs[] = {"ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512"};

struct VelaCase {
  const char* stem;
  bool golden;  // ../shared/golden has vectors; otherwise Chorus's kernels on the original are the reference
};

std::ostream& operator<<(std::ostream& os, const VelaCase& c) { return os << c.stem; }

// The golden inputs' generator (../shared/golden/README.md): xorshift32 13/17/5, one byte per call.
std::vector<uint8_t> seed_input(uint32_t seed, size_t bytes) {
  uint32_t state = seed != 0 ? seed : 0x9E3779B9u;
  std::vector<uint8_t> out(bytes);
  for (size_t i = 0; i < bytes; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    out[i] = static_cast<uint8_t>(state & 0xFF);
  }
  return out;
}

bool run(const std::string& path, const std::vector<uint8_t>& input, std::vector<uint8_t>* output, std::string* error) {
  tools::ModelSession s;
  if (!s.load(path, error) || !s.plan(PlanOptions{}, error) || !s.init(error) || !s.set_inputs(input, error)) return false;
  const Status st = s.interpreter().invoke();
  if (!st.is_ok()) {
    *error = st.message();
    return false;
  }
  *output = s.outputs();
  return true;
}

class VelaModel : public ::testing::TestWithParam<VelaCase> {};

TEST_P(VelaModel, EveryConfigurationGivesTheReferenceBytes) {
  const VelaCase c = GetParam();
  const std::string original = test::model_path(c.stem);
  size_t compared = 0;
  for (const char* config : kConfigs) {
    const std::string vela = std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/" + config + "/" + c.stem + "_vela.tflite";
    for (uint32_t seed = 1; seed <= 3; ++seed) {
      SCOPED_TRACE(std::string(config) + " seed " + std::to_string(seed));
      std::vector<uint8_t> input, want, got;
      std::string error;
      if (c.golden) {
        ASSERT_TRUE(test::read_bytes(test::golden_path(c.stem, "seed" + std::to_string(seed) + ".input.bin"), &input))
            << "golden vectors missing under " << test::shared_dir();
        ASSERT_TRUE(test::read_bytes(test::golden_path(c.stem, "seed" + std::to_string(seed) + ".output.bin"), &want));
      } else {
        tools::ModelSession probe;
        ASSERT_TRUE(probe.load(original, &error)) << error << " (" << original << ")";
        input = seed_input(seed, probe.input_bytes());
        ASSERT_TRUE(run(original, input, &want, &error)) << error;
      }
      ASSERT_TRUE(run(vela, input, &got, &error)) << error;
      ASSERT_EQ(got.size(), want.size());
      EXPECT_TRUE(got == want) << test::first_difference(want.data(), got.data(), want.size());
      ++compared;
    }
  }
  std::printf("%s: %zu outputs compared with %s (6 configurations x 3 seeds)\n", c.stem, compared,
              c.golden ? "the TFLM goldens" : "Chorus's kernels on the original model");
  EXPECT_EQ(compared, 18u);
}

INSTANTIATE_TEST_SUITE_P(SharedModels, VelaModel,
                         ::testing::Values(VelaCase{"hello_world_int8", true}, VelaCase{"ad01_int8", true},
                                           VelaCase{"kws_ref_model", true}, VelaCase{"micro_speech_quantized", true},
                                           VelaCase{"vww_96_int8", true}, VelaCase{"person_detect", true},
                                           VelaCase{"pretrainedResnet_quant", true}, VelaCase{"keyword_scrambled", true},
                                           VelaCase{"keyword_scrambled_8bit", true}, VelaCase{"str_ww_ref_model", false},
                                           VelaCase{"pretrainedResnet_large_int8", false},
                                           VelaCase{"model_ToyCar_quant_fullint_micro", false}),
                         [](const ::testing::TestParamInfo<VelaCase>& i) { return std::string(i.param.stem); });

// A firmware arena is poisoned before init (firmware/test/model_harness.cpp): nothing the
// ethos-u kernel keeps may depend on the arena starting zeroed.
// Streams that need no constants (a slice, ABS, a clamp) come with an empty constant area;
// such models were refused as malformed. Operators 66, 67 and 69 of
// tools/oracles/ethosu_tflm_vectors.py, compiled by the vela CLI for ethos-u55-128, with
// TFLM's output for the same input (tests/data/ethosu/no_constants).
TEST(VelaModel, AStreamWithoutConstantsLoadsAndGivesTflmsBytes) {
  const std::string dir = std::string(CHORUS_SOURCE_DIR) + "/tests/data/ethosu/no_constants/";
  size_t compared = 0;
  for (const char* stem : {"strided_slice", "abs", "relu6"}) {
    std::vector<uint8_t> input, expected, output;
    ASSERT_TRUE(test::read_bytes(dir + stem + ".input.bin", &input)) << stem;
    ASSERT_TRUE(test::read_bytes(dir + stem + ".tflm.bin", &expected)) << stem;
    std::string error;
    ASSERT_TRUE(run(dir + stem + "_vela.tflite", input, &output, &error)) << stem << ": " << error;
    EXPECT_EQ(output, expected) << stem;
    ++compared;
  }
  EXPECT_EQ(compared, 3u);
  std::printf("%zu Vela models with an empty constant area compared with TFLM\n", compared);
}

TEST(VelaModel, APoisonedArenaChangesNothing) {
  tools::AlignedBytes file;
  std::string error;
  ASSERT_TRUE(tools::read_file(std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/ethos-u55-128/kws_ref_model_vela.tflite", &file, &error))
      << error;
  Result<Model> model = Model::load(file.span());
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  std::vector<uint32_t> offsets(model->num_tensors());
  std::vector<uint8_t> workspace(plan_workspace_bytes(*model));
  Result<MemoryPlan> plan = plan_memory(*model, Span<uint32_t>(offsets.data(), offsets.size()), Span<uint8_t>(workspace.data(), workspace.size()));
  ASSERT_TRUE(plan.is_ok()) << plan.status().message();
  Result<ArenaNeeds> needs = Interpreter::measure(*model, *plan);
  ASSERT_TRUE(needs.is_ok()) << needs.status().message();
  for (uint8_t poison : {0x00, 0xA5, 0xFF}) {
    std::vector<uint8_t> arena(needs->total() + 64, poison);
    Interpreter interp;
    ASSERT_TRUE(interp.init(*model, *plan, Span<uint8_t>(arena.data(), arena.size())).is_ok());
    std::vector<uint8_t> input, want;
    ASSERT_TRUE(test::read_bytes(test::golden_path("kws_ref_model", "seed1.input.bin"), &input));
    ASSERT_TRUE(test::read_bytes(test::golden_path("kws_ref_model", "seed1.output.bin"), &want));
    std::memcpy(interp.input(0), input.data(), input.size());
    const Status s = interp.invoke();
    ASSERT_TRUE(s.is_ok()) << s.message();
    EXPECT_EQ(std::memcmp(interp.output(0), want.data(), want.size()), 0) << "arena poisoned with " << static_cast<int>(poison);
  }
}

// ../shared/models/person_detect_vela.tflite was compiled outside this project (its
// configuration word says for which NPU); it must give person_detect's golden bytes.
TEST(VelaModel, TheSharedPersonDetectVelaGivesTheGoldenBytes) {
  for (uint32_t seed = 1; seed <= 3; ++seed) {
    std::vector<uint8_t> input, want, got;
    std::string error;
    ASSERT_TRUE(test::read_bytes(test::golden_path("person_detect", "seed" + std::to_string(seed) + ".input.bin"), &input));
    ASSERT_TRUE(test::read_bytes(test::golden_path("person_detect", "seed" + std::to_string(seed) + ".output.bin"), &want));
    ASSERT_TRUE(run(test::model_path("person_detect_vela"), input, &got, &error)) << error;
    EXPECT_TRUE(got == want) << "seed " << seed << ": " << test::first_difference(want.data(), got.data(), want.size());
  }
}

// Through the NPU backend interface: the interpreter submits the ethos-u operator to the
// functional-model backend, waits while the virtual clock is short of the job's time, and
// takes the NPU's output when poll() delivers the completion.
TEST(VelaModel, TheEthosUOperatorRunsThroughTheFunctionalModelBackend) {
  os::VirtualClock clock;
  ethosu::FunctionalNpuBackend npu(
      &clock, [](void*, const NpuJob&) -> os::TimeNs { return 250000; }, nullptr);
  const std::string vela = std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/ethos-u55-128/kws_ref_model_vela.tflite";
  tools::ModelSession s;
  std::string error;
  ASSERT_TRUE(s.load(vela, &error) && s.plan(PlanOptions{}, &error) && s.init(&error, &npu)) << error;
  std::vector<uint8_t> input, want;
  ASSERT_TRUE(test::read_bytes(test::golden_path("kws_ref_model", "seed3.input.bin"), &input));
  ASSERT_TRUE(test::read_bytes(test::golden_path("kws_ref_model", "seed3.output.bin"), &want));
  ASSERT_TRUE(s.set_inputs(input, &error)) << error;
  EXPECT_TRUE(s.interpreter().on_npu(0));
  Result<StepResult> r = s.interpreter().step();
  ASSERT_TRUE(r.is_ok()) << r.status().message();
  EXPECT_EQ(*r, StepResult::kWaitingOnNpu);
  os::TimeNs done = 0;
  ASSERT_TRUE(npu.completes_at(&done));
  EXPECT_EQ(done, 250000u);
  clock.advance_to(done - 1);
  Result<StepResult> early = s.interpreter().step();
  ASSERT_TRUE(early.is_ok());
  EXPECT_EQ(*early, StepResult::kWaitingOnNpu) << "completed before its time";
  clock.advance_to(done);
  Result<StepResult> last = s.interpreter().step();
  ASSERT_TRUE(last.is_ok()) << last.status().message();
  EXPECT_EQ(*last, StepResult::kDone);
  EXPECT_EQ(npu.jobs(), 1u);
  EXPECT_EQ(npu.faults(), 0u);
  EXPECT_EQ(s.interpreter().npu_fallbacks(), 0u);
  EXPECT_TRUE(s.outputs() == want);
}

// A stream the functional model refuses faults the job; the interpreter's CPU fallback runs
// the same model and reports the error with the command and its offset.
TEST(VelaModel, ARefusedStreamFaultsTheJobAndNamesTheCommand) {
  const std::string vela = std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/ethos-u55-128/hello_world_int8_vela.tflite";
  tools::AlignedBytes bytes;
  std::string error;
  ASSERT_TRUE(tools::read_file(vela, &bytes, &error)) << error;
  // Turn the first NPU_OP_CONV (cmd0 0x0002) into NPU_OP_POOL with mode 7, which no Ethos-U has.
  uint8_t* b = bytes.data();
  size_t cop1 = 0;
  while (cop1 + 4 <= bytes.size() && std::memcmp(b + cop1, "COP1", 4) != 0) ++cop1;
  ASSERT_LT(cop1 + 4, bytes.size());
  Result<ethosu::DriverPayload> payload = ethosu::parse_driver_payload(Span<const uint8_t>(b + cop1, bytes.size() - cop1));
  // The payload ends where the tensor does; parse only to learn where its commands start.
  size_t at = 0;
  const size_t first = cop1 + (payload.is_ok() ? payload->commands_offset : 16);
  for (size_t i = first; i + 4 <= bytes.size(); i += 4)
    if (b[i] == 0x02 && b[i + 1] == 0x00 && b[i + 2] == 0x00 && b[i + 3] == 0x00) {
      at = i;
      break;
    }
  ASSERT_NE(at, 0u);
  b[at] = 0x05;
  b[at + 2] = 0x07;
  ethosu::FunctionalNpuBackend npu;
  tools::ModelSession s;
  ASSERT_TRUE(s.load_bytes(std::move(bytes), &error) && s.plan(PlanOptions{}, &error) && s.init(&error, &npu)) << error;
  ASSERT_TRUE(s.set_inputs(std::vector<uint8_t>(s.input_bytes(), 0), &error)) << error;
  const Status st = s.interpreter().invoke();
  ASSERT_FALSE(st.is_ok());
  EXPECT_NE(std::string(st.message()).find("NPU_OP_POOL at command byte"), std::string::npos) << st.message();
  EXPECT_NE(std::string(st.message()).find("unknown pooling mode"), std::string::npos) << st.message();
  EXPECT_EQ(npu.faults(), 1u);
  EXPECT_FALSE(npu.last_error().is_ok());
}

}  // namespace
}  // namespace chorus::runtime
