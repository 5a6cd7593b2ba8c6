// The cooperative multi-model scheduler. Between steps it runs the most urgent eligible
// job (EDF by default, fixed priority as an option) and never interrupts a step.
//
// Memory safety and bounded blocking come from the Stack Resource Policy (Baker 1991):
// each preemption level's arena partition is a resource held by a job from its first
// step to its last, with a ceiling equal to the highest preemption level of the pipelines
// on it. A job may start only when it is the most urgent job that has not started and its
// preemption level is above the system ceiling (Baker's start rule), so two jobs of one
// level never interleave and a job is blocked by at most one lower job's resource.
// Fixed priorities are made distinct (equal priorities: the lower pipeline index wins),
// the same order the analysis uses. An operator on the NPU is a self-suspension: its
// completion is observed at the next scheduling point whoever runs (the NPU backend's
// interrupt or poll), and a fallback to the CPU after a fault or timeout runs in slices.
// scheduler/ANALYSIS.md states the semantics the analysis relies on, term by term.
//
// On the host the clock is virtual and each step is charged its cost from the board's
// cost model; on firmware the clock is real and nothing is charged. The code is the same.
#pragma once

#include <atomic>
#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/scheduler/cost_model.hpp"
#include "chorus/scheduler/metrics.hpp"
#include "chorus/runtime/npu_backend.hpp"
#include "chorus/scheduler/limits.hpp"
#include "chorus/scheduler/pipeline.hpp"
#include "chorus/scheduler/step_plan.hpp"

namespace chorus::sched {

enum class Policy : uint8_t {
  kEdf,              // earliest absolute deadline first, between steps
  kFixedPriority,    // highest PipelineConfig::priority first, between steps
  kRunToCompletion,  // one job at a time in release order (a plain superloop)
};

const char* policy_name(Policy policy);

// Receives what happens, for traces (Chrome trace-event JSON on the host).
class TraceSink {
 public:
  virtual ~TraceSink() = default;
  virtual void release(uint32_t pipeline, os::TimeNs at) = 0;
  virtual void skip(uint32_t pipeline, os::TimeNs at) = 0;
  // One step on the CPU (`npu` false) or an NPU job (`npu` true). `op` is the operator
  // index for model steps, -1 for feature steps, -2 for the post-process step.
  virtual void step(uint32_t pipeline, int32_t op, const char* name, os::TimeNs start, os::TimeNs end, bool npu) = 0;
  virtual void job_done(uint32_t pipeline, os::TimeNs release, os::TimeNs end, bool missed) = 0;
};

class Scheduler {
 public:
  // CHORUS_MAX_PIPELINES: 8 on firmware unless configured; the host tools build with 16.
  static constexpr uint32_t kMaxPipelines = CHORUS_MAX_PIPELINES;
  static constexpr uint32_t kMaxOps = sched::kMaxOps;
  static constexpr uint32_t kMaxLevels = 8;

  // `clock` gives the time; pass the same VirtualClock as `virtual_clock` to simulate
  // (steps are then charged their cost), or nullptr on firmware.
  Scheduler(const os::Clock& clock, os::VirtualClock* virtual_clock, const CostModel& cost, Policy policy);

  // Validates the pipeline, precomputes its step budgets, returns its index.
  Result<uint32_t> add_pipeline(const PipelineConfig& config);
  // The NPU backend the models' interpreters offload to (the scheduler polls it at every
  // scheduling point and, in virtual time, moves the clock to its completions). Set it
  // before the first add_pipeline (the step budgets depend on it); later calls are refused.
  bool set_npu(runtime::NpuBackend* npu) {
    if (count_ > 0) return false;
    npu_ = npu;
    return true;
  }
  // Called with the current time before every scheduling decision: the application
  // advances its (simulated) drivers here. The scheduler never sees a driver.
  void set_time_hook(void (*fn)(void* user, os::TimeNs now), void* user) {
    time_hook_ = fn;
    time_user_ = user;
  }
  // Virtual time only: when the application's next simulated interrupt fires (one that
  // calls release_from_isr), so that an idle scheduler wakes then, as a real core's WFI
  // would end at the interrupt. Returns UINT64_MAX when none is due.
  void set_interrupt_hook(os::TimeNs (*fn)(void* user, os::TimeNs now), void* user) {
    interrupt_hook_ = fn;
    interrupt_user_ = user;
  }
  // Called when nothing is ready: sleep until the next interrupt or `until`, whichever
  // comes first. `until` is the next instant the scheduler itself has something to do (a
  // periodic release, a window held back to its pipeline's minimum spacing, an NPU
  // deadline): a port whose interrupts do not come at least that often (an RTOS thread
  // sleeping on a semaphore) must wake by then, or that work waits for the next interrupt.
  void set_idle_hook(void (*fn)(void* user, os::TimeNs until), void* user) {
    idle_hook_ = fn;
    idle_user_ = user;
  }
  void set_trace(TraceSink* trace) { trace_ = trace; }
  // Simulation only: each step is charged a cost drawn uniformly in
  // [min_fraction, 1] x its budget (deterministic for `seed`). 1.0 = always the budget.
  void set_cost_jitter(uint32_t seed, double min_fraction);
  // Steps that take longer than budget x `margin` are counted as overruns (watchdog).
  void set_overrun_margin(double margin) { overrun_margin_ = margin; }
  // An NPU operator not done within its expected time x `factor` + `slack` is abandoned
  // and recomputed on the CPU (a hung NPU must not stall the pipeline). Default 8x + 1 ms.
  void set_npu_timeout(uint32_t factor, os::TimeNs slack) {
    npu_timeout_factor_ = factor;
    npu_timeout_slack_ = slack;
  }

  // Runs until the clock reaches `end` (every job released before then that can finish
  // does; a step in progress at `end` completes).
  Status run_until(os::TimeNs end);

  // Releases a job of `pipeline` from an interrupt handler at the instant `at` it read from
  // the clock (lock-free, wait-free, single producer per pipeline; taken at the next
  // scheduling point). The job's response time and deadline run from `at`, or from the
  // previous release + period if it came sooner (the analysis assumes that spacing: an
  // early release is deferred and counted). Returns false when the queue is full: the
  // release is lost and counted as a skip.
  bool release_from_isr(uint32_t pipeline, os::TimeNs at);
  static constexpr uint32_t kIsrQueue = 8;

  uint32_t num_pipelines() const { return count_; }
  const PipelineConfig& config(uint32_t p) const { return pipes_[p].cfg; }
  const PipelineMetrics& metrics(uint32_t p) const { return pipes_[p].metrics; }
  TaskTiming timing(uint32_t p) const;
  os::TimeNs cpu_busy_ns() const { return cpu_busy_ns_; }
  os::TimeNs npu_busy_ns() const { return npu_busy_ns_; }
  // Jobs of `pipeline` released but not finished whose absolute deadline is already past
  // `at` (reports count them as misses: a job that never finishes missed its deadline).
  uint32_t overdue(uint32_t pipeline, os::TimeNs at) const;
  // The pipeline's rank in the order the policy uses between jobs of equal urgency
  // (fixed priority: distinct, higher = more urgent).
  uint8_t preemption_level(uint32_t p) const { return pipes_[p].preemption_level; }
  os::TimeNs now() const { return clock_.now(); }
  Policy policy() const { return policy_; }
  // Highest preemption level any pipeline uses + 1.
  uint32_t num_levels() const;

 private:
  struct Job {
    os::TimeNs release = 0;   // nominal release: phase + k x period, the ISR instant, or
                              // when the window's last frame arrived
    os::TimeNs deadline = 0;
    uint32_t next_step = 0;
    bool started = false;
    bool waiting_npu = false;  // its operator was submitted and has not been taken back
    bool fallback = false;     // its NPU operator is being recomputed on the CPU in slices
    os::TimeNs npu_started = 0;
    os::TimeNs npu_done = 0;  // when its operator ended on the NPU
  };
  // Release instants handed over by an ISR: single producer (the ISR), single consumer
  // (the scheduler). Only atomic loads and stores (lock-free on every Cortex-M, ARMv6-M
  // included); release/acquire orders the instant before the index that publishes it.
  struct IsrQueue {
    os::TimeNs at[kIsrQueue] = {};
    std::atomic<uint32_t> head{0};  // written by the ISR
    std::atomic<uint32_t> tail{0};  // written by the scheduler
    std::atomic<uint32_t> lost{0};  // written by the ISR only
  };
  // A pipeline: its configuration, its step plan (step_plan.hpp) and its jobs.
  struct Pipe : StepPlan {
    PipelineConfig cfg;
    uint8_t preemption_level = 0;                 // SRP preemption level (higher = more urgent)
    bool has_active = false;
    Job active;
    bool has_pending = false;
    Job pending;
    os::TimeNs next_release = 0;
    os::TimeNs last_release = 0;
    bool released_once = false;
    os::TimeNs window_checked_at = 0;    // window-ready: last scheduling point it was incomplete
    uint64_t window_checked_steps = 0;  // ... and how many steps had run by then
    IsrQueue isr;
    uint32_t isr_lost_seen = 0;
    PipelineMetrics metrics;
  };

  void assign_preemption_levels();
  void release_due(os::TimeNs now);
  void release(Pipe& p, os::TimeNs at);
  int pick(os::TimeNs now) const;
  bool more_urgent(uint32_t a, uint32_t b) const;
  bool ready(const Pipe& p, os::TimeNs now) const;
  bool next_is_npu_submit(const Pipe& p) const;
  os::TimeNs next_budget(const Pipe& p) const;
  uint32_t system_ceiling() const;
  Status run_step(uint32_t index);
  void service_npu();
  os::TimeNs next_event(os::TimeNs now, os::TimeNs end) const;
  os::TimeNs charge(os::TimeNs budget_ns);
  void finish_job(uint32_t index, os::TimeNs end);
  os::TimeNs npu_deadline(const Pipe& p, const Job& j) const;
  // The earliest instant a release at `at` may take: period - jitter after the previous.
  os::TimeNs earliest_release(const Pipe& p, os::TimeNs at) const {
    const os::TimeNs spacing = p.cfg.period - p.cfg.release_jitter;
    return p.released_once && at < p.last_release + spacing ? p.last_release + spacing : at;
  }
  os::TimeNs overhead_ns() const { return step_overhead_ns(cost_); }

  const os::Clock& clock_;
  os::VirtualClock* virtual_clock_;
  const CostModel& cost_;
  Policy policy_;
  Pipe pipes_[kMaxPipelines];
  uint32_t count_ = 0;
  uint8_t level_ceiling_[kMaxLevels] = {};
  uint32_t skip_debt_[kMaxPipelines] = {};  // skipped windows whose samples are still queued
  runtime::NpuBackend* npu_ = nullptr;
  int npu_owner_ = -1;              // pipeline whose operator the NPU holds
  os::TimeNs npu_expected_end_ = 0; // when the NPU's operator in flight is due to end (its budget)
  TraceSink* trace_ = nullptr;
  void (*time_hook_)(void*, os::TimeNs) = nullptr;
  void* time_user_ = nullptr;
  os::TimeNs (*interrupt_hook_)(void*, os::TimeNs) = nullptr;
  void* interrupt_user_ = nullptr;
  void (*idle_hook_)(void*, os::TimeNs) = nullptr;
  void* idle_user_ = nullptr;
  uint32_t jitter_state_ = 0;
  uint32_t jitter_min_permille_ = 1000;
  double overrun_margin_ = 1.0;
  uint32_t npu_timeout_factor_ = 8;
  os::TimeNs npu_timeout_slack_ = 1000000;
  os::TimeNs cpu_busy_ns_ = 0;
  os::TimeNs npu_busy_ns_ = 0;
  uint64_t steps_run_ = 0;
  os::TimeNs run_end_ = UINT64_MAX;
};

}  // namespace chorus::sched
