// Instruction-count benchmark image for one shared model (CHORUS_GOLDEN_SET): region 0 is a
// whole inference (seed 1, the first after init, output checked against the reference),
// regions 1..N are the same model's operators one step each. firmware/plugin/insn_count.c
// counts each region between chorus_bench_begin() and chorus_bench_end(); this image prints
// what the regions were, so scripts/firmware-test.sh --bench can join the two.
#include "chorus/runtime/op_code.hpp"
#include "console.hpp"
#include "firmware_support.h"
#include "golden_set.hpp"
#include "model_harness.hpp"

namespace chorus::fw {
extern const GoldenSet CHORUS_GOLDEN_SET;
}

namespace {

using namespace chorus;
using namespace chorus::runtime;

uint64_t g_macs[chorus::fw::ModelHarness::kMaxTensors];

int run() {
  const chorus::fw::GoldenSet& golden = chorus::fw::CHORUS_GOLDEN_SET;
  static chorus::fw::ModelHarness harness;
  Status s = harness.open(golden.model.span());
  if (!s.is_ok()) {
    chorus::fw::print("bench: %s: %s\n", golden.stem, s.message());
    return 2;
  }
  const size_t ops = harness.model().num_ops();
  Result<ArenaNeeds> measured = Interpreter::measure(harness.model(), harness.plan(), builtin_op_resolver(),
                                                     Span<uint64_t>(g_macs, ops));
  if (!measured.is_ok() || !harness.set_input(golden.input[0].span())) return 2;

  chorus_bench_begin();
  s = harness.interpreter().invoke();
  chorus_bench_end();
  size_t at = 0;
  if (!s.is_ok() || !harness.output_equals(golden.output[0].span(), &at)) {
    chorus::fw::print("bench: %s: output differs from the reference at byte %zu (%s)\n", golden.stem, at, s.message());
    return 1;
  }

  if (!harness.reinit().is_ok() || !harness.set_input(golden.input[0].span())) return 2;
  for (size_t op = 0; op < ops; ++op) {
    chorus_bench_begin();
    Result<StepResult> r = harness.interpreter().step();
    chorus_bench_end();
    if (!r.is_ok()) return 2;
    const OpInfo info = harness.model().op(op);
    // Bytes read and written, as the scheduler's cost model counts them (CostModel::op_bytes).
    unsigned long long bytes = 0;
    for (int32_t t : info.inputs)
      if (t >= 0) bytes += harness.model().tensor(static_cast<size_t>(t)).bytes;
    for (int32_t t : info.outputs) bytes += harness.model().tensor(static_cast<size_t>(t)).bytes;
    chorus::fw::print("bench-op %zu %s %llu %llu\n", op, info.name(), static_cast<unsigned long long>(g_macs[op]), bytes);
  }
  if (!harness.output_equals(golden.output[0].span(), &at)) return 1;

  const ArenaNeeds& needs = harness.needs();
  chorus::fw::print("bench-model %s ops=%zu arena_bytes=%zu activation_bytes=%zu persistent_bytes=%zu scratch_bytes=%zu "
                    "stack_bytes=%zu\n",
                    golden.stem, ops, needs.total(), needs.activation_bytes, needs.persistent_bytes, needs.scratch_bytes,
                    chorus_stack_used());
  return 0;
}

}  // namespace

int main() { return run(); }
