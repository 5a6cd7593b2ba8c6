// The Ethos-U functional model on the target: a Vela-compiled shared model (its command
// stream run by runtime/ethosu on the Cortex-M core, no NPU, no heap) must give the golden
// bytes of the original model for every seed -- the same check as
// tests/runtime/ethosu_vela_models_test.cpp, run by the cross-compiled runtime under QEMU.
// CHORUS_GOLDEN_SET names the original model's GoldenSet; its model blob is the Vela file
// (firmware/cmake/ChorusGolden.cmake chorus_fw_vela_model_source).
#include "console.hpp"
#include "fw_test.hpp"
#include "golden_set.hpp"
#include "model_harness.hpp"

#ifndef CHORUS_GOLDEN_SET
#error "CHORUS_GOLDEN_SET must name the chorus::fw::GoldenSet this image tests"
#endif
#ifndef CHORUS_VELA_CONFIG
#error "CHORUS_VELA_CONFIG must name the Ethos-U configuration the model was compiled for"
#endif

namespace chorus::fw {
extern const GoldenSet CHORUS_GOLDEN_SET;
}

namespace {

using chorus::fw::GoldenSet;
using chorus::fw::ModelHarness;

const GoldenSet& golden() { return chorus::fw::CHORUS_GOLDEN_SET; }

ModelHarness g_harness;

CHORUS_FW_TEST(VelaGolden, EthosUStreamGivesTheGoldenBytesForEverySeed) {
  chorus::Status s = g_harness.open(golden().model.span());
  CHORUS_FW_ASSERT(s.is_ok(), "%s (%s): %s", golden().stem, CHORUS_VELA_CONFIG, s.message());
  CHORUS_FW_ASSERT(g_harness.model().is_vela_compiled(), "%s: not a Vela-compiled model", golden().stem);
  int compared = 0;
  for (int seed = 0; seed < 3; ++seed) {
    CHORUS_FW_ASSERT(g_harness.reinit().is_ok(), "reinit");
    CHORUS_FW_ASSERT(g_harness.set_input(golden().input[seed].span()), "seed %d: input is %zu bytes", seed + 1, golden().input[seed].size());
    s = g_harness.interpreter().invoke();
    CHORUS_FW_ASSERT(s.is_ok(), "seed %d: %s", seed + 1, s.message());
    size_t at = 0;
    CHORUS_FW_EXPECT(g_harness.output_equals(golden().output[seed].span(), &at), "%s (%s) seed %d: output differs at byte %zu",
                     golden().stem, CHORUS_VELA_CONFIG, seed + 1, at);
    ++compared;
  }
  chorus::fw::print("[ golden   ] %s compiled by Vela for %s, run by the Ethos-U functional model: %d seeds' outputs compared bit for bit\n",
                    golden().stem, CHORUS_VELA_CONFIG, compared);
  CHORUS_FW_EXPECT(compared == 3, "compared %d", compared);
}

}  // namespace
int main() { return chorus::fw::run_all(chorus::fw::CHORUS_GOLDEN_SET.stem) == 0 ? 0 : 1; }
