// Small reusable pipeline stages that move data between a sample source, a feature
// history and models:
//  - WindowToInput: a window of source frames (e.g. 480 int16 samples) into a model input;
//  - HistoryToInput: a FeatureHistory (e.g. 49 x 40 features) into a model input;
//  - AppendOutput: a model's output appended to a FeatureHistory (the front end's result);
//  - Callback post-process: hands the output to the application.
// Each states its worst-case cycles for the simulator and the analysis.
#pragma once

#include <cstdint>

#include "chorus/scheduler/pipeline.hpp"
#include "chorus/scheduler/stages/feature_history.hpp"

namespace chorus::sched {

// A cycle estimate for copying `bytes` (word-wide memcpy plus call overhead), for stages
// that move data and must state their cost to the scheduler.
inline uint64_t copy_cycles(size_t bytes) {
  return 100 + bytes / 4;
}

class WindowToInput : public FeatureStage {
 public:
  WindowToInput(uint32_t window_frames, uint64_t cycles) : window_(window_frames), cycles_(cycles) {}
  Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  uint32_t window_;
  uint64_t cycles_;
};

class HistoryToInput : public FeatureStage {
 public:
  HistoryToInput(const FeatureHistory& history, uint64_t cycles) : history_(history), cycles_(cycles) {}
  Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  const FeatureHistory& history_;
  uint64_t cycles_;
};

class AppendOutput : public PostProcess {
 public:
  AppendOutput(FeatureHistory& history, uint64_t cycles) : history_(history), cycles_(cycles) {}
  Status run(const runtime::Interpreter* model, os::TimeNs release, os::TimeNs now) override;
  uint64_t cost_cycles() const override { return cycles_; }

 private:
  FeatureHistory& history_;
  uint64_t cycles_;
};

// Calls fn(user, output bytes, release, now) after each job: the application's detection
// logic (smoothing, thresholds) lives behind it.
class OutputCallback : public PostProcess {
 public:
  using Fn = Status (*)(void* user, const runtime::Interpreter& model, os::TimeNs release, os::TimeNs now);
  OutputCallback(Fn fn, void* user, uint64_t cycles) : fn_(fn), user_(user), cycles_(cycles) {}
  Status run(const runtime::Interpreter* model, os::TimeNs release, os::TimeNs now) override {
    return model == nullptr ? Status::error(StatusCode::kFailedPrecondition, "output callback without a model")
                            : fn_(user_, *model, release, now);
  }
  uint64_t cost_cycles() const override { return cycles_; }

 private:
  Fn fn_;
  void* user_;
  uint64_t cycles_;
};

// A model's inputs filled with deterministic pseudo-random bytes (xorshift32 from `seed`):
// the scenario's stand-in for real sensor features, the same bytes on host and target.
class SeededInputs : public FeatureStage {
 public:
  SeededInputs(uint32_t seed, uint64_t cycles) : state_(seed ? seed : 0x9E3779B9u), cycles_(cycles) {}
  Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }
  // What filling `bytes` input bytes costs: a call, then per byte the xorshift's six ALU
  // instructions, the store and the loop's add, compare and branch (10 a byte in the M4 and
  // M55 images' disassembly).
  static uint64_t cycles_for(size_t bytes) { return 100 + 10 * static_cast<uint64_t>(bytes); }

 private:
  uint32_t state_;
  uint64_t cycles_;
};

// Feature work a scenario states but does not model (a front end's cost): `steps` steps of
// `cycles` each. The simulation charges them; on a target `spin` (when set) burns them, so
// the core is as busy as the real stage would keep it.
class StandInWork : public FeatureStage {
 public:
  StandInWork(uint32_t steps, uint64_t cycles, void (*spin)(uint64_t cycles) = nullptr)
      : steps_(steps), cycles_(cycles), spin_(spin) {}
  uint32_t steps() const override { return steps_; }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override {
    if (spin_ != nullptr) spin_(cycles_);
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  uint32_t steps_;
  uint64_t cycles_;
  void (*spin_)(uint64_t cycles);
};

}  // namespace chorus::sched
