#include "chorus/runtime/ethosu/driver_backend.hpp"

#include <cstring>

#include "ethosu_driver.h"

namespace chorus::runtime::ethosu {

bool EthosuDriverBackend::supports(const Model& model, size_t op_index) const {
  const OpInfo op = model.op(op_index);
  return op.code == static_cast<int32_t>(OpCode::kCustom) && op.custom_code != nullptr && std::strcmp(op.custom_code, "ethos-u") == 0;
}

Status EthosuDriverBackend::submit(const NpuJob& job, NpuCompletion on_done) {
  if (driver_ != nullptr) return Status::error(StatusCode::kFailedPrecondition, "Ethos-U driver: busy with op %zu", job_.op_index);
  if (job.model == nullptr || !supports(*job.model, job.op_index) || job.context.num_inputs < 1)
    return Status::error(StatusCode::kInvalidArgument, "Ethos-U driver: op %zu is not an ethos-u operator", job.op_index);
  const EvalContext& ctx = job.context;
  const TensorInfo cmd = job.model->tensor(static_cast<size_t>(ctx.inputs[0]));
  // Base addresses as TFLM's ethos-u kernel passes them: inputs 1.. then outputs, at most 8.
  num_base_ = 0;
  for (uint32_t i = 1; i < ctx.num_inputs + ctx.num_outputs && num_base_ < kMaxBaseAddresses; ++i) {
    const int32_t t = i < ctx.num_inputs ? ctx.inputs[i] : ctx.outputs[i - ctx.num_inputs];
    const TensorInfo info = t >= 0 ? job.model->tensor(static_cast<size_t>(t)) : TensorInfo{};
    base_[num_base_] = t >= 0 ? static_cast<uint64_t>(reinterpret_cast<uintptr_t>(ctx.tensor_data[t])) : 0;
    base_size_[num_base_] = t >= 0 ? info.bytes : 0;
    // What the CPU wrote must be in memory before the NPU's DMA reads it.
    if (t >= 0 && info.constant_data == nullptr && i < ctx.num_inputs) clean_for_npu(ctx.tensor_data[t], info.bytes);
    ++num_base_;
  }
  struct ethosu_driver* drv = ethosu_reserve_driver();
  if (drv == nullptr) return Status::fixed(StatusCode::kFailedPrecondition, "Ethos-U driver: no driver to reserve");
  const int rc = ethosu_invoke_async(drv, ctx.tensor_data[ctx.inputs[0]], static_cast<int>(cmd.bytes), base_, base_size_, num_base_, this);
  if (rc != 0) {
    ethosu_release_driver(drv);
    ++errors_;
    return Status::error(StatusCode::kInternal, "Ethos-U driver: ethosu_invoke_async refused op %zu (%d)", job.op_index, rc);
  }
  driver_ = drv;
  job_ = job;
  on_done_ = on_done;
  cancelled_ = false;
  started_ = clock_ != nullptr ? clock_->now() : 0;
  ++jobs_;
  return Status::ok();
}

NpuState EthosuDriverBackend::poll() {
  if (driver_ == nullptr) return NpuState::kIdle;
  // ethosu_wait: 1 running, 0 done, -1 the inference failed, -2 nothing invoked.
  const int rc = ethosu_wait(driver_, false);
  if (rc == 1) return NpuState::kBusy;
  ethosu_release_driver(driver_);
  driver_ = nullptr;
  const NpuState state = rc == 0 ? NpuState::kComplete : NpuState::kFault;
  if (state == NpuState::kFault) ++errors_;
  if (cancelled_) {
    cancelled_ = false;
    return NpuState::kIdle;  // abandoned: the NPU has stopped writing; no completion
  }
  for (uint32_t o = 0; o < job_.context.num_outputs; ++o) {
    const int32_t t = job_.context.outputs[o];
    invalidate_for_cpu(job_.context.tensor_data[t], job_.model->tensor(static_cast<size_t>(t)).bytes);
  }
  // The arena (base address 1) holds the outputs Vela placed there: the CPU reads them next.
  if (num_base_ > 1) invalidate_for_cpu(reinterpret_cast<void*>(static_cast<uintptr_t>(base_[1])), base_size_[1]);
  if (on_done_.fn != nullptr) on_done_.fn(on_done_.user, state);
  return state;
}

bool EthosuDriverBackend::started_at(os::TimeNs* at) const {
  if (driver_ == nullptr) return false;
  *at = started_;
  return true;
}

}  // namespace chorus::runtime::ethosu
