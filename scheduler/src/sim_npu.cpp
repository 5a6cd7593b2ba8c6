#include "chorus/scheduler/sim_npu.hpp"

#include <cstring>

#include "chorus/runtime/interpreter.hpp"

namespace chorus::sched {

bool SimulatedNpu::set_op_cycles(const runtime::Model* model, const uint32_t* cycles, uint32_t count) {
  for (CycleTable& t : tables_) {
    if (t.model == nullptr || t.model == model) {
      t = CycleTable{model, cycles, count};
      return true;
    }
  }
  return false;
}

bool SimulatedNpu::supports(const runtime::Model& model, size_t op_index) const {
  if (!cost_.npu.present) return false;
  const runtime::OpInfo op = model.op(op_index);
  // Vela's ethos-u operator: its command stream runs on the NPU (the functional model computes it).
  if (op.code == static_cast<int32_t>(runtime::OpCode::kCustom))
    return op.custom_code != nullptr && std::strcmp(op.custom_code, "ethos-u") == 0;
  // The Ethos-U55 operator set, int8 only (Arm Ethos-U55 TRM, "Supported operators").
  switch (static_cast<runtime::OpCode>(op.code)) {
    case runtime::OpCode::kConv2d:
    case runtime::OpCode::kDepthwiseConv2d:
    case runtime::OpCode::kFullyConnected:
    case runtime::OpCode::kAveragePool2d:
    case runtime::OpCode::kMaxPool2d:
    case runtime::OpCode::kAdd:
    case runtime::OpCode::kMul:
      break;
    default:
      return false;
  }
  if (op.inputs.empty() || op.inputs[0] < 0 || op.outputs.empty()) return false;
  return model.tensor(static_cast<size_t>(op.inputs[0])).type == runtime::DType::kInt8 &&
         model.tensor(static_cast<size_t>(op.outputs[0])).type == runtime::DType::kInt8;
}

Status SimulatedNpu::submit(const runtime::NpuJob& job, runtime::NpuCompletion on_done) {
  if (busy_) return Status::error(StatusCode::kFailedPrecondition, "simulated NPU is busy with op %zu", job_.op_index);
  job_ = job;
  on_done_ = on_done;
  busy_ = true;
  ++jobs_;
  const uint64_t macs = job.macs != 0 ? job.macs : runtime::Interpreter::op_macs(*job.model, job.op_index);
  os::TimeNs duration = cost_.npu_op_ns(macs, CostModel::op_bytes(*job.model, job.op_index));
  for (const CycleTable& t : tables_)
    if (t.model == job.model && job.op_index < t.count && t.cycles[job.op_index] != 0)
      duration = cost_.cycles_to_ns(t.cycles[job.op_index], cost_.npu.clock_hz);
  started_ = clock_.now();
  done_at_ = started_ + duration;
  busy_ns_ += duration;
  // Inputs the CPU wrote must reach memory before a DMA master reads them.
  for (uint32_t i = 0; i < job.context.num_inputs; ++i) {
    const int32_t t = job.context.inputs[i];
    if (t < 0) continue;
    const runtime::TensorInfo info = job.model->tensor(static_cast<size_t>(t));
    if (info.constant_data == nullptr) clean_for_npu(job.context.tensor_data[t], info.bytes);
  }
  late_writer_ = false;
  draining_ = false;
  if (late_writers_pending_ > 0) {
    --late_writers_pending_;
    late_writer_ = true;
    done_at_ = UINT64_MAX;  // hangs; cancel() starts its drain
    return Status::ok();
  }
  if (hangs_pending_ > 0) {
    --hangs_pending_;
    done_at_ = UINT64_MAX;  // never
    return Status::ok();
  }
  fault_ = faults_pending_ > 0;
  if (fault_) {
    --faults_pending_;
    ++faults_;
    // A faulting NPU leaves its output in any state: scribble over it.
    const runtime::TensorInfo out = job.model->tensor(static_cast<size_t>(job.context.outputs[0]));
    std::memset(job.context.output<uint8_t>(0), 0x5A, out.bytes);
    return Status::ok();
  }
  // Compute now with the CPU kernel; the result becomes visible at done_at_. The buffers
  // are the NPU's until then (the job holds its partition), so nobody observes the early write.
  Status s = job.kernel->eval(job.context);
  if (!s.is_ok()) fault_ = true;
  return Status::ok();
}

void SimulatedNpu::scribble() {
  const runtime::TensorInfo out = job_.model->tensor(static_cast<size_t>(job_.context.outputs[0]));
  std::memset(job_.context.output<uint8_t>(0), 0xA5, out.bytes);
  ++late_writes_;
}

void SimulatedNpu::cancel() {
  if (!busy_ || draining_) return;
  ++cancelled_;
  if (late_writer_) {
    // Still writing: busy until the drain ends, and writing garbage whenever polled.
    draining_ = true;
    done_at_ = clock_.now() + drain_ns_;
    scribble();
    return;
  }
  busy_ = false;
  if (done_at_ != UINT64_MAX) busy_ns_ -= done_at_ > clock_.now() ? done_at_ - clock_.now() : 0;
}

runtime::NpuState SimulatedNpu::poll() {
  if (!busy_) return runtime::NpuState::kIdle;
  if (draining_) {
    scribble();  // a write in flight lands
    if (clock_.now() < done_at_) return runtime::NpuState::kBusy;
    busy_ = false;
    draining_ = false;
    return runtime::NpuState::kIdle;  // cancelled: no completion
  }
  if (clock_.now() < done_at_) return runtime::NpuState::kBusy;
  busy_ = false;
  // What the NPU wrote must not be shadowed by stale cache lines.
  const runtime::TensorInfo out = job_.model->tensor(static_cast<size_t>(job_.context.outputs[0]));
  invalidate_for_cpu(job_.context.output<uint8_t>(0), out.bytes);
  const runtime::NpuState state = fault_ ? runtime::NpuState::kFault : runtime::NpuState::kComplete;
  if (on_done_.fn != nullptr) on_done_.fn(on_done_.user, state);
  return state;
}

}  // namespace chorus::sched
