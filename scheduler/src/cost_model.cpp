#include "chorus/scheduler/cost_model.hpp"

namespace chorus::sched {

OpKind op_kind(int32_t op_code) {
  switch (static_cast<runtime::OpCode>(op_code)) {
    case runtime::OpCode::kConv2d: return OpKind::kConv;
    case runtime::OpCode::kDepthwiseConv2d: return OpKind::kDepthwise;
    case runtime::OpCode::kFullyConnected:
    case runtime::OpCode::kSvdf: return OpKind::kFullyConnected;
    default: return OpKind::kElementwise;
  }
}

os::TimeNs CostModel::cpu_op_ns(int32_t op_code, uint64_t macs, uint64_t bytes) const {
  const uint64_t millicycles = macs * cpu.millicycles_per_mac[static_cast<int>(op_kind(op_code))] +
                               bytes * cpu.millicycles_per_byte;
  return cycles_to_ns(cpu.cycles_per_op + (millicycles + 999) / 1000, cpu.clock_hz);
}

os::TimeNs CostModel::npu_op_ns(uint64_t macs, uint64_t bytes) const {
  if (!npu.present || npu.clock_hz == 0) return 0;
  const uint64_t compute = npu.macs_per_cycle ? (macs + npu.macs_per_cycle - 1) / npu.macs_per_cycle : macs;
  const uint64_t transfer = npu.bytes_per_cycle ? (bytes + npu.bytes_per_cycle - 1) / npu.bytes_per_cycle : bytes;
  return cycles_to_ns(npu.cycles_per_op + (compute > transfer ? compute : transfer), npu.clock_hz);
}

uint64_t CostModel::op_bytes(const runtime::Model& model, size_t op_index) {
  const runtime::OpInfo op = model.op(op_index);
  uint64_t bytes = 0;
  for (int32_t t : op.inputs)
    if (t >= 0) bytes += model.tensor(static_cast<size_t>(t)).bytes;
  for (int32_t t : op.outputs) bytes += model.tensor(static_cast<size_t>(t)).bytes;
  return bytes;
}

static_assert(static_cast<size_t>(OpKind::kCount) == board::kOpKinds, "the board's op kinds are the cost model's");

CostModel cost_model_from(const board::Board& b, uint32_t clock_hz, bool npu_on) {
  CostModel c;
  c.cpu.clock_hz = clock_hz != 0 ? clock_hz : b.cpu.clock_hz;
  for (size_t k = 0; k < board::kOpKinds; ++k) c.cpu.millicycles_per_mac[k] = b.cpu.cost.millicycles_per_mac[k];
  c.cpu.millicycles_per_byte = b.cpu.cost.millicycles_per_byte;
  c.cpu.cycles_per_op = b.cpu.cost.cycles_per_op;
  c.cpu.cycles_per_step = b.cpu.cost.cycles_per_step;
  if (npu_on && b.npu != nullptr) {
    c.npu.present = true;
    c.npu.clock_hz = b.npu->clock_hz;
    c.npu.macs_per_cycle = b.npu->macs_per_cycle;
    // Ethos-U55 reaches memory over one 64-bit AXI port (Arm Ethos-U55 TRM): 8 bytes a cycle.
    c.npu.bytes_per_cycle = 8;
  }
  return c;
}

}  // namespace chorus::sched
