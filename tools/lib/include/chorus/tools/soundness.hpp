// The adversary of the schedulability analysis: a seeded property-based generator of task
// sets (CPU stand-in pipelines and synthetic FULLY_CONNECTED models, NPU operators, shared
// levels, equal priorities and deadlines, offsets, interrupt releases with early arrivals,
// both policies, operator slicing, execution times below budget), each set the analysis
// accepts simulated by the real scheduler over its hyperperiod (or a number of jobs), and
// checked: no deadline miss, no skipped job, no unfinished job past its deadline, no
// response above its bound. Used by tests/scheduler/soundness_test.cpp (CI) and
// tools/soundness_search.cpp (scripts/soundness-search.sh, long runs).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace chorus::tools {

struct SoundnessCase {
  uint32_t seed = 0;
  bool accepted = false;       // the analysis accepted the set
  bool violated = false;       // ... and the simulation broke one of its promises
  std::string policy;          // "edf" or "fp"
  std::string description;     // the set, one line per pipeline (for reproducing)
  std::string violation;       // what broke, when violated
  std::string error;           // set could not be built (a generator bug)
  uint64_t jobs = 0;           // jobs completed in the simulation
  uint32_t pipelines = 0;
  uint32_t npu_pipelines = 0;
  double worst_ratio = 0.0;    // max over pipelines of observed max response / bound
  std::vector<double> ratios;  // bound / observed max response, per pipeline with completions
};

// Generates set `seed` and, if the analysis accepts it, simulates and checks it. With
// `min_jobs` > 0 the simulation also runs until at least that many jobs have completed.
// `trace_out`: every release, step and completion as text (for reproducing a violation).
SoundnessCase check_random_set(uint32_t seed, uint64_t min_jobs = 0, FILE* trace_out = nullptr);

}  // namespace chorus::tools
