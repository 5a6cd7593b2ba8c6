// The Ethos-U functional model behind the NPU backend interface (npu_backend.hpp): it takes
// exactly the `ethos-u` operators Vela writes and runs their command streams
// (functional_npu.hpp) when submitted, on the calling CPU. The job then completes:
//  - at once (the next poll() delivers it) when no clock is given, or
//  - at started + job_time(job) on the given clock, so a scheduler in virtual time sees the
//    NPU busy for as long as the timing model says (Vela's cycle estimates, say), and the
//    operator's buffers are the NPU's until then.
// A stream the model refuses (an unsupported command, an address outside a region)
// completes as kFault with the error kept in last_error(); the interpreter then recomputes
// the operator on the CPU, which for an ethos-u operator reports the same error.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/npu_backend.hpp"

namespace chorus::runtime::ethosu {

class FunctionalNpuBackend : public NpuBackend {
 public:
  using JobTime = os::TimeNs (*)(void* user, const NpuJob& job);

  FunctionalNpuBackend() = default;
  FunctionalNpuBackend(const os::Clock* clock, JobTime job_time, void* user) : clock_(clock), job_time_(job_time), user_(user) {}

  bool supports(const Model& model, size_t op_index) const override;
  Status submit(const NpuJob& job, NpuCompletion on_done) override;
  NpuState poll() override;
  bool busy() const override { return busy_; }
  bool started_at(os::TimeNs* at) const override;
  void cancel() override { busy_ = false; }
  bool completes_at(os::TimeNs* at) const override;

  uint32_t jobs() const { return jobs_; }
  uint32_t faults() const { return faults_; }
  os::TimeNs busy_ns() const { return busy_ns_; }
  const Status& last_error() const { return last_error_; }

 private:
  const os::Clock* clock_ = nullptr;
  JobTime job_time_ = nullptr;
  void* user_ = nullptr;
  NpuCompletion on_done_;
  NpuState result_ = NpuState::kIdle;
  os::TimeNs started_ = 0, done_at_ = 0, busy_ns_ = 0;
  uint32_t jobs_ = 0, faults_ = 0;
  bool busy_ = false;
  Status last_error_;
};

}  // namespace chorus::runtime::ethosu
