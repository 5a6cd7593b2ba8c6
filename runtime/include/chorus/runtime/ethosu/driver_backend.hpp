// An NPU backend for Ethos-U silicon through Arm's Ethos-U core driver
// (zephyrproject-rtos/hal_ethos_u, include/ethosu_driver.h; the same driver TFLM's ethos-u
// kernel calls): submit() reserves a driver (ethosu_reserve_driver), hands it the command
// stream and the base addresses of the ethos-u operator's tensors exactly as TFLM's kernel
// does (tensorflow/lite/micro/kernels/ethos_u/ethosu.cc: the constant area, the arena, the fast
// scratch, then the inputs and outputs, at most 8) and starts the job without waiting
// (ethosu_invoke_async). The NPU's completion interrupt goes to the driver (the application
// calls ethosu_irq_handler from its ISR); poll() asks the driver without blocking
// (ethosu_wait(drv, false)), and on completion releases the driver and delivers the job's
// NpuCompletion. The driver has no abort: cancel() lets the job run out (busy() stays true
// until the driver reports it finished) and then drops it without a completion.
//
// Builds against the real driver header (firmware: scripts/ethosu-driver-check.sh) or against
// a fake of the same API (host tests: tests/fakes/ethosu_driver). No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/npu_backend.hpp"

struct ethosu_driver;

namespace chorus::runtime::ethosu {

class EthosuDriverBackend : public NpuBackend {
 public:
  static constexpr int kMaxBaseAddresses = 8;

  explicit EthosuDriverBackend(const os::Clock* clock = nullptr) : clock_(clock) {}

  bool supports(const Model& model, size_t op_index) const override;
  Status submit(const NpuJob& job, NpuCompletion on_done) override;
  NpuState poll() override;
  bool busy() const override { return driver_ != nullptr; }
  bool started_at(os::TimeNs* at) const override;
  void cancel() override { cancelled_ = driver_ != nullptr; }

  uint32_t jobs() const { return jobs_; }
  uint32_t errors() const { return errors_; }
  // The base addresses and sizes of the job in flight (or the last one), as the driver got them.
  int base_addresses() const { return num_base_; }
  uint64_t base_address(int i) const { return base_[i]; }
  size_t base_size(int i) const { return base_size_[i]; }

 private:
  const os::Clock* clock_;
  struct ethosu_driver* driver_ = nullptr;
  NpuJob job_;
  NpuCompletion on_done_;
  uint64_t base_[kMaxBaseAddresses] = {};
  size_t base_size_[kMaxBaseAddresses] = {};
  int num_base_ = 0;
  os::TimeNs started_ = 0;
  uint32_t jobs_ = 0, errors_ = 0;
  bool cancelled_ = false;
};

}  // namespace chorus::runtime::ethosu
