// How pessimistic the analysis is, measured against something it did not compute:
//  - tiny sets (2-3 pipelines, integer-millisecond periods): the exact worst response over
//    every phasing on the millisecond grid, each simulated over its hyperperiod at full
//    budget (the "exact checker");
//  - larger sets: the worst response over synchronous release, adversarial phasings (for
//    each pipeline, it and every more urgent pipeline released just after the longest step
//    of a less urgent one starts) and random phasings.
// Any observed response above its bound is also a soundness violation. Host only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chorus/scheduler/analysis.hpp"

namespace chorus::tools {

struct SyntheticTask {
  os::TimeNs period = 0;
  os::TimeNs deadline = 0;
  std::vector<uint64_t> cycles;   // CPU feature steps (cycles at the set's clock)
  std::vector<int32_t> widths;    // non-empty: a FULLY_CONNECTED chain model after them
  bool npu = false;               // the model's operators go to the NPU
  uint64_t post_cycles = 0;       // 0: no post-process step
  uint8_t priority = 0;
  uint8_t level = 0;
};

struct SyntheticSet {
  sched::Policy policy = sched::Policy::kEdf;
  sched::CostModel cost;
  std::vector<SyntheticTask> tasks;
  uint32_t seed = 0;
  std::string describe() const;
};

// A random set: `n` pipelines with integer-millisecond periods whose hyperperiod is at most
// 120 ms, each on its own level unless `shared_levels`, with NPU models when `npu`.
SyntheticSet random_synthetic_set(uint32_t seed, uint32_t n, sched::Policy policy, bool npu, bool shared_levels);

struct PhasingResult {
  std::string error;                      // the set could not be built
  sched::AnalysisResult analysis;         // bounds of the set (phasing-independent)
  std::vector<os::TimeNs> worst;          // per pipeline: worst response observed
  std::vector<uint32_t> misses;           // per pipeline: misses + skips + unfinished, all runs
  uint32_t runs = 0;                      // phasings simulated
};

// Every phasing of the millisecond grid (pipeline 0 at 0, the others at 0..T-1 ms).
PhasingResult exact_worst(const SyntheticSet& set);
// Synchronous release, the adversarial phasings and `random_phasings` random ones.
PhasingResult sampled_worst(const SyntheticSet& set, uint32_t random_phasings);

}  // namespace chorus::tools
