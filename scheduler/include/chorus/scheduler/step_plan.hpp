// What a pipeline's jobs are made of, computed once from its configuration, its model and
// the cost model: the CPU budget of every step, how many slices each operator runs as, and
// the NPU time of the operators the NPU takes. The scheduler runs jobs by this plan and the
// analysis bounds them by it (task_timing), so both see the same steps. Needs only a loaded
// model (no arena): a system can analyse a set before it lays out any memory.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/interpreter.hpp"
#include "chorus/runtime/npu_backend.hpp"
#include "chorus/scheduler/cost_model.hpp"
#include "chorus/scheduler/pipeline.hpp"

namespace chorus::sched {

constexpr uint32_t kMaxOps = 160;  // operators per model a pipeline may run

// What the schedulability analysis needs to know of a pipeline (scheduler/ANALYSIS.md).
struct TaskTiming {
  os::TimeNs wcet = 0;       // the whole job: every CPU step's budget plus each NPU operator's
                             // time (suspension-oblivious)
  os::TimeNs max_step = 0;   // the longest non-preemptible CPU step
  os::TimeNs last_step = 0;  // the job's final step (its last non-preemptive region)
  os::TimeNs period = 0;     // minimum inter-release time
  os::TimeNs deadline = 0;   // relative deadline
  os::TimeNs jitter = 0;     // release jitter
  uint32_t steps = 0;        // CPU steps per job
  uint32_t npu_ops = 0;      // suspensions per job
  os::TimeNs max_npu_op = 0; // its longest NPU operator
  os::TimeNs max_fallback_step = 0;  // longest CPU fallback slice (only after an NPU fault)
};

// The model side of a pipeline as the plan sees it.
struct ModelView {
  const runtime::Model* model = nullptr;        // nullptr: a pipeline without a model
  const runtime::OpResolver* resolver = nullptr;
  runtime::NpuBackend* npu = nullptr;           // its interpreter offloads to this backend
  // The view of an initialised interpreter.
  static ModelView of(const runtime::Interpreter* interpreter);
};

struct StepPlan {
  uint32_t feature_steps = 0;
  uint32_t model_steps = 0;
  uint32_t total_steps = 0;
  os::TimeNs step_budget_ns[kMaxOps + 2] = {};  // CPU budget per step (a slice of a sliced
                                                // op; an NPU op's CPU fallback slice)
  os::TimeNs npu_ns[kMaxOps] = {};              // NPU time of offloaded ops, else 0
  uint8_t slices[kMaxOps] = {};                 // steps each operator runs as (0, 1: whole)
};

// The scheduler's own work between two steps, charged on every step.
inline os::TimeNs step_overhead_ns(const CostModel& cost) { return cost.cycles_to_ns(cost.cpu.cycles_per_step, cost.cpu.clock_hz); }

// Plans the steps of `config` (its features and post-process; its model given by `model`,
// which may differ from config.model before an interpreter exists). Operators go to the
// NPU where `model.npu` is `npu` (the scheduler's backend) and supports them. Errors name
// the pipeline: too many operators or steps, a window-ready pipeline with several feature
// steps, nothing to run.
Status plan_steps(const PipelineConfig& config, const ModelView& model, runtime::NpuBackend* npu, const CostModel& cost,
                  StepPlan* out);

// The analysis view of a planned pipeline: its CPU steps' budgets lengthened by the cost
// model's margin (CpuCost::margin_permille), its NPU operators as the NPU's cost gives them.
TaskTiming task_timing(const PipelineConfig& config, const StepPlan& plan, const CostModel& cost);

}  // namespace chorus::sched
