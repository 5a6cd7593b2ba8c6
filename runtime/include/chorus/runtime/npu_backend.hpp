// The NPU backend interface: the one seam between Chorus and an NPU (the simulated
// stand-in, the Ethos-U functional model, an adapter to Arm's Ethos-U driver on silicon).
//
// Contract (scheduler/ANALYSIS.md relies on each point):
//  - submit() is asynchronous: it starts a job and returns; at most one job is in flight.
//  - Completion is observed whoever runs: the backend calls the job's NpuCompletion from
//    its completion interrupt, or from poll(), which anyone may call at any time (the
//    scheduler calls it at every scheduling point, not only when the job's owner runs).
//    From the moment the callback has run, busy() is false and another job may be submitted.
//  - started_at() tells when the hardware actually began the job in flight (a backend that
//    queues reports false until then): a timeout runs from that instant, never from submit.
//  - cancel() asks the hardware to stop. An NPU may need time to stop (transfers in flight
//    finish, a reset is acknowledged): busy() stays true until it writes nothing more to
//    any buffer of the cancelled job. Only then does the CPU recompute the operator in
//    place; the interpreter waits for it (Interpreter::npu_draining()).
//  - Cache maintenance: before the NPU reads a buffer the CPU wrote, the backend cleans it
//    (clean_for_npu); before the CPU reads what the NPU wrote, it invalidates it
//    (invalidate_for_cpu). Both default to the OS port's cache operations (no-ops on cores
//    without a data cache).
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/module/os/port.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::runtime {

struct NpuJob {
  const Model* model = nullptr;
  size_t op_index = 0;
  const Kernel* kernel = nullptr;  // the CPU kernel (what a simulated backend computes with)
  EvalContext context;             // resolved buffers
  uint64_t macs = 0;
};

enum class NpuState : uint8_t { kIdle, kBusy, kComplete, kFault };

// Called by the backend (possibly from its interrupt handler) when a job ends.
struct NpuCompletion {
  void (*fn)(void* user, NpuState state) = nullptr;
  void* user = nullptr;
};

class NpuBackend {
 public:
  virtual ~NpuBackend() = default;
  // Whether this backend runs operator `op_index` of `model`.
  virtual bool supports(const Model& model, size_t op_index) const = 0;
  // Starts a job (asynchronously); an error if one is in flight or the job is refused.
  virtual Status submit(const NpuJob& job, NpuCompletion on_done) = 0;
  // Delivers a completion that has happened (calls the job's NpuCompletion once) and
  // returns the state of the job in flight: kBusy, kComplete/kFault (just delivered) or
  // kIdle (nothing in flight). Safe to call at any time, by anyone.
  virtual NpuState poll() = 0;
  // Whether a job is in flight (submitted, not yet completed or cancelled).
  virtual bool busy() const = 0;
  // When the hardware began the job in flight; false while it is queued or nothing is in flight.
  virtual bool started_at(os::TimeNs* at) const = 0;
  // Abandons the job in flight (a hung NPU: its timeout passed). busy() stays true until the
  // hardware has stopped writing the job's buffers (poll() moves that on); no completion
  // is delivered for a cancelled job. completes_at() then gives when it will have stopped.
  virtual void cancel() = 0;
  // Simulated backends only: when the job in flight will complete, so that a scheduler in
  // virtual time can move its clock there. Hardware backends return false (their
  // completion interrupt wakes the core instead).
  virtual bool completes_at(os::TimeNs* at) const {
    (void)at;
    return false;
  }

 protected:
  virtual void clean_for_npu(const void* addr, size_t bytes) { os::cache_clean(addr, bytes); }
  virtual void invalidate_for_cpu(void* addr, size_t bytes) { os::cache_invalidate(addr, bytes); }
};

}  // namespace chorus::runtime
