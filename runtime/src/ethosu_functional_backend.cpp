#include "chorus/runtime/ethosu/functional_backend.hpp"

#include <cstring>

namespace chorus::runtime::ethosu {

bool FunctionalNpuBackend::supports(const Model& model, size_t op_index) const {
  const OpInfo op = model.op(op_index);
  return op.code == static_cast<int32_t>(OpCode::kCustom) && op.custom_code != nullptr && std::strcmp(op.custom_code, "ethos-u") == 0;
}

Status FunctionalNpuBackend::submit(const NpuJob& job, NpuCompletion on_done) {
  if (busy_) return Status::error(StatusCode::kFailedPrecondition, "Ethos-U functional model: busy with op %zu", job.op_index);
  if (job.kernel == nullptr || job.model == nullptr || !supports(*job.model, job.op_index))
    return Status::error(StatusCode::kInvalidArgument, "Ethos-U functional model: op %zu is not an ethos-u operator", job.op_index);
  // What the CPU wrote into the operator's inputs must reach memory before the NPU reads it.
  for (uint32_t i = 1; i < job.context.num_inputs; ++i) {
    const int32_t t = job.context.inputs[i];
    if (t < 0) continue;
    const TensorInfo info = job.model->tensor(static_cast<size_t>(t));
    if (info.constant_data == nullptr) clean_for_npu(job.context.tensor_data[t], info.bytes);
  }
  ++jobs_;
  last_error_ = job.kernel->eval(job.context);
  result_ = last_error_.is_ok() ? NpuState::kComplete : NpuState::kFault;
  if (!last_error_.is_ok()) ++faults_;
  started_ = clock_ != nullptr ? clock_->now() : 0;
  const os::TimeNs duration = clock_ != nullptr && job_time_ != nullptr ? job_time_(user_, job) : 0;
  done_at_ = started_ + duration;
  busy_ns_ += duration;
  on_done_ = on_done;
  busy_ = true;
  for (uint32_t o = 0; o < job.context.num_outputs; ++o) {
    const int32_t t = job.context.outputs[o];
    invalidate_for_cpu(job.context.tensor_data[t], job.model->tensor(static_cast<size_t>(t)).bytes);
  }
  return Status::ok();
}

NpuState FunctionalNpuBackend::poll() {
  if (!busy_) return NpuState::kIdle;
  if (clock_ != nullptr && clock_->now() < done_at_) return NpuState::kBusy;
  busy_ = false;
  if (on_done_.fn != nullptr) on_done_.fn(on_done_.user, result_);
  return result_;
}

bool FunctionalNpuBackend::started_at(os::TimeNs* at) const {
  if (!busy_) return false;
  *at = started_;
  return true;
}

bool FunctionalNpuBackend::completes_at(os::TimeNs* at) const {
  if (!busy_ || clock_ == nullptr) return false;
  *at = done_at_;
  return true;
}

}  // namespace chorus::runtime::ethosu
