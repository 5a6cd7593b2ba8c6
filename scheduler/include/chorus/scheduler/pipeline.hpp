// A pipeline: sample source -> feature stage -> model -> post-process, released
// periodically or when a window of samples is ready, with a relative deadline and a
// preemption level. Each release makes a job, a list of steps: the feature steps, each
// operator of the model, then the post-process step. The scheduler runs one step at a time.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/module/sample_source.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/interpreter.hpp"

namespace chorus::sched {

// Turns source samples into (part of) the model's input, or into state a later pipeline
// reads (a feature history). One job runs `steps()` feature steps before its model.
class FeatureStage {
 public:
  virtual ~FeatureStage() = default;
  virtual uint32_t steps() const { return 1; }
  // Runs feature step `index` of the current job.
  virtual Status run(uint32_t index, SampleSource* source, runtime::Interpreter* model) = 0;
  // Worst-case CPU cycles of step `index` (the simulation charges it; the analysis uses it).
  virtual uint64_t cost_cycles(uint32_t index) const = 0;
};

// Reads the model's output at the end of a job (smoothing, thresholds, events).
class PostProcess {
 public:
  virtual ~PostProcess() = default;
  virtual Status run(const runtime::Interpreter* model, os::TimeNs release, os::TimeNs now) = 0;
  virtual uint64_t cost_cycles() const = 0;
};

enum class ReleaseRule : uint8_t {
  kPeriodic,     // every `period`, starting at `phase`
  kWindowReady,  // when `window_frames` frames are available; the job consumes `hop_frames`
  kInterrupt,    // only by Scheduler::release_from_isr, at least `period` apart (sporadic)
};

enum class OverloadPolicy : uint8_t {
  kSkip,        // a release while a job is active is not run (counted)
  kDropOldest,  // a release replaces the oldest not-yet-started job (counted)
};

struct PipelineConfig {
  const char* name = "";
  SampleSource* source = nullptr;
  FeatureStage* features = nullptr;
  runtime::Interpreter* model = nullptr;  // initialised in its level's partition
  PostProcess* post = nullptr;
  ReleaseRule release = ReleaseRule::kPeriodic;
  os::TimeNs period = 0;  // also the minimum inter-release time of window-ready pipelines
  os::TimeNs phase = 0;
  os::TimeNs relative_deadline = 0;  // 0: equals the period
  // How far a release may come early relative to the previous one + period (a sensor's
  // clock against the CPU's): releases are at least period - release_jitter apart, and the
  // analysis charges the jitter. 0 for timer-released pipelines.
  os::TimeNs release_jitter = 0;
  uint32_t window_frames = 0;
  uint32_t hop_frames = 0;
  // Longest step wanted: CPU operators whose budget exceeds it run as several slices
  // (bands of their output) where the kernel allows; 0: every operator runs whole.
  os::TimeNs max_step = 0;
  // NPU cycles per operator from the compiler that made its command stream (Vela's per-pass
  // estimates for the board's NPU configuration), indexed by operator; 0 or absent: the
  // cost model's NPU estimate. What the analysis charges, and what the simulated NPU takes.
  const uint32_t* npu_cycles = nullptr;
  uint32_t npu_cycles_count = 0;
  uint8_t level = 0;     // preemption level: jobs of one level never interleave
  uint8_t priority = 0;  // fixed-priority policy: larger runs first
  OverloadPolicy overload = OverloadPolicy::kSkip;
};

}  // namespace chorus::sched
