// Schedulability analysis for the scheduler's policies, and the search for preemption
// levels that keep every deadline in the least arena. scheduler/ANALYSIS.md states the
// model, every term and the literature each one comes from; the soundness search
// (tests/scheduler/soundness_test.cpp, scripts/soundness-search.sh) tries to break it.
//
// In short: each pipeline is a sporadic task (minimum inter-release time T, constrained
// deadline D <= T, jobs of non-preemptive CPU steps and NPU operators). An NPU operator is
// a self-suspension, analysed suspension-oblivious (its time counts as the job's own
// execution; sound for fixed priority and EDF, Chen et al., "Many suspensions, many
// problems", Real-Time Systems 55, 2019, sec. 4.1). Jobs hold their level's arena
// partition under the Stack Resource Policy (Baker 1991).
//  - Fixed priority: preemption thresholds (Wang & Saksena, RTCSA 1999) with the last
//    non-preemptive region (Yao, Buttazzo & Bertogna, "Feasibility analysis under fixed
//    priority scheduling with limited preemptions", Real-Time Systems 47, 2011).
//  - EDF: Spuri's response-time analysis with SRP blocking (INRIA RR-2772, 1996).
// Blocking terms: one lower job's whole job where it shares a level whose ceiling reaches
// the task, else one lower step; one lower NPU operator. The scheduler's NPU guard (a less
// urgent step starts during a suspension only if it ends within the NPU operator's budget)
// makes resumptions free of blocking. All times are 64-bit nanoseconds; a fixed point that
// does not converge within the horizon makes the task unbounded, hence unschedulable.
#pragma once

#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/scheduler/scheduler.hpp"

namespace chorus::sched {

struct AnalysisTask {
  TaskTiming timing;
  uint8_t level = 0;
  uint8_t priority = 0;  // fixed priority: larger = more urgent; ties: the lower index wins
};

struct AnalysisResult {
  static constexpr uint32_t kMax = Scheduler::kMaxPipelines;
  static constexpr os::TimeNs kUnbounded = UINT64_MAX;
  bool schedulable = false;
  uint32_t count = 0;
  os::TimeNs response[kMax] = {};  // worst-case response-time bound (kUnbounded: none)
  os::TimeNs blocking[kMax] = {};  // the largest blocking term used for the task
  int worst = -1;                  // the task with the least slack (negative slack if failing)
  int64_t worst_slack = 0;         // deadline - response of that task
  double utilization = 0.0;
};

// The analysis view of a scheduler's pipeline.
AnalysisTask analysis_task(const Scheduler& scheduler, uint32_t pipeline);

// Worst-case response-time bounds under `policy` (kEdf or kFixedPriority). Run-to-
// completion is not analysed: every bound is kUnbounded and the set is not schedulable.
AnalysisResult analyse(Span<const AnalysisTask> tasks, Policy policy);

// Level search: the least arena bytes (ties: more slack) over the assignments of pipelines
// to at most Scheduler::kMaxLevels levels that the analysis accepts. Up to 8 pipelines every
// set partition is tried; beyond, a branch and bound within a budget of analyses.
struct LevelSearchResult {
  bool found = false;
  uint8_t levels[AnalysisResult::kMax] = {};
  uint32_t num_levels = 0;
  size_t arena_bytes = 0;               // partitions + scratch + persistent
  size_t own_level_bytes = 0;           // every pipeline on its own level
  size_t separate_arena_bytes = 0;      // one arena per model
  uint32_t assignments_tried = 0;
  uint32_t assignments_schedulable = 0;
  bool exhaustive = false;              // every assignment was tried or cut by a sound bound
                                        // (false: the budget ran out, or an FP heuristic cut)
  AnalysisResult analysis;              // of the chosen (or, if none, the most preemptive) assignment
};

// `activation`, `persistent`, `scratch`: each pipeline's model footprint (0 without one).
LevelSearchResult search_levels(Span<const AnalysisTask> tasks, Policy policy, Span<const size_t> activation,
                                Span<const size_t> persistent, Span<const size_t> scratch);

}  // namespace chorus::sched
