// A simulated Ethos-U-style NPU for host runs: it takes the operators an Ethos-U55 runs
// (int8 convolution, depthwise, fully connected, pooling, add, mul), computes them with
// the CPU kernels, but completes only when the virtual clock reaches the time the board's
// NPU cost model charges, so the CPU runs other jobs meanwhile. Its completion is what a
// completion interrupt would be: poll() (the scheduler calls it at every scheduling point)
// delivers it at done_at(), whichever job runs. Vela-compiled command streams are refused.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/npu_backend.hpp"
#include "chorus/scheduler/cost_model.hpp"

namespace chorus::sched {

class SimulatedNpu : public runtime::NpuBackend {
 public:
  SimulatedNpu(const os::Clock& clock, const CostModel& cost) : clock_(clock), cost_(cost) {}

  bool supports(const runtime::Model& model, size_t op_index) const override;
  // NPU cycles per operator of `model` from its compiler (Vela's per-pass estimates): a job
  // of such an operator takes that long at the NPU clock instead of the cost model's
  // estimate. At most kMaxCycleTables models; false when full.
  static constexpr size_t kMaxCycleTables = 8;
  bool set_op_cycles(const runtime::Model* model, const uint32_t* cycles, uint32_t count);
  Status submit(const runtime::NpuJob& job, runtime::NpuCompletion on_done) override;
  runtime::NpuState poll() override;
  bool busy() const override { return busy_; }
  bool started_at(os::TimeNs* at) const override {
    if (!busy_) return false;
    *at = started_;
    return true;
  }
  bool completes_at(os::TimeNs* at) const override {
    if (!busy_ || done_at_ == UINT64_MAX) return false;
    *at = done_at_;
    return true;
  }

  // When the job in flight completes (meaningful while busy()).
  os::TimeNs done_at() const { return done_at_; }
  os::TimeNs busy_ns() const { return busy_ns_; }
  uint32_t jobs() const { return jobs_; }
  // The next `count` jobs fault: garbage is written to their output first, as a real
  // faulting NPU might leave it; the interpreter must fall back to the CPU.
  void inject_faults(uint32_t count) { faults_pending_ = count; }
  uint32_t faults() const { return faults_; }
  // The next `count` jobs never complete (a hung NPU): only a timeout recovers them.
  void inject_hangs(uint32_t count) { hangs_pending_ = count; }
  // The next `count` jobs hang, and once cancelled keep writing garbage to their output for
  // `drain_ns` more (busy() true meanwhile): a reset that lets transfers in flight finish.
  void inject_late_writes(uint32_t count, os::TimeNs drain_ns) {
    late_writers_pending_ = count;
    drain_ns_ = drain_ns;
  }
  // Garbage writes a cancelled job made while it was stopping.
  uint32_t late_writes() const { return late_writes_; }
  void cancel() override;
  uint32_t cancelled() const { return cancelled_; }

 private:
  const os::Clock& clock_;
  const CostModel& cost_;
  struct CycleTable {
    const runtime::Model* model = nullptr;
    const uint32_t* cycles = nullptr;
    uint32_t count = 0;
  } tables_[kMaxCycleTables];
  runtime::NpuJob job_;
  runtime::NpuCompletion on_done_;
  os::TimeNs started_ = 0;
  os::TimeNs done_at_ = 0;
  os::TimeNs busy_ns_ = 0;
  uint32_t jobs_ = 0;
  uint32_t faults_pending_ = 0;
  uint32_t faults_ = 0;
  uint32_t hangs_pending_ = 0;
  uint32_t cancelled_ = 0;
  uint32_t late_writers_pending_ = 0;
  uint32_t late_writes_ = 0;
  os::TimeNs drain_ns_ = 0;
  bool busy_ = false;
  bool fault_ = false;
  bool late_writer_ = false;  // the job in flight keeps writing after cancel()
  bool draining_ = false;     // cancelled, still writing until done_at_
  void scribble();
};

}  // namespace chorus::sched
