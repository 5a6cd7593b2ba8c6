#include "chorus/scheduler/cost_model.hpp"

#include "chorus/runtime/interpreter.hpp"

namespace chorus::sched {

OpKind op_kind(int32_t op_code, uint64_t macs) {
  switch (static_cast<runtime::OpCode>(op_code)) {
    case runtime::OpCode::kConv2d: return OpKind::kConv;
    case runtime::OpCode::kDepthwiseConv2d: return OpKind::kDepthwise;
    case runtime::OpCode::kFullyConnected: return OpKind::kFullyConnected;
    case runtime::OpCode::kSvdf: return OpKind::kSvdf;
    case runtime::OpCode::kAveragePool2d:
    case runtime::OpCode::kMaxPool2d: return OpKind::kPool;
    default: return macs > 0 ? OpKind::kElementwise : OpKind::kOther;
  }
}

OpFeatures OpFeatures::slice(uint32_t n) const {
  OpFeatures s = *this;
  if (n <= 1) return s;
  for (size_t f = 0; f < kOpFeatures; ++f)
    if (f != static_cast<size_t>(OpFeature::kBase)) s.value[f] = (value[f] + n - 1) / n;
  return s;
}

namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return b == 0 ? a : (a + b - 1) / b; }

}  // namespace

OpFeatures op_features(const runtime::Model& model, size_t op_index, uint64_t macs, uint32_t lanes) {
  const runtime::OpInfo op = model.op(op_index);
  OpFeatures f;
  f.kind = op_kind(op.code, macs);
  f[OpFeature::kBase] = 1;
  f[OpFeature::kMac] = macs;
  f[OpFeature::kByte] = CostModel::op_bytes(model, op_index);
  const int64_t outputs =
      op.outputs.size() > 0 && op.outputs[0] >= 0 ? model.tensor(static_cast<size_t>(op.outputs[0])).shape.num_elements() : 0;
  f[OpFeature::kOutput] = outputs > 0 ? static_cast<uint64_t>(outputs) : 0;
  if (f.kind != OpKind::kConv && f.kind != OpKind::kDepthwise && f.kind != OpKind::kFullyConnected) return f;
  if (op.inputs.size() < 2 || op.inputs[0] < 0 || op.inputs[1] < 0 || op.outputs.size() == 0 || op.outputs[0] < 0) return f;
  const runtime::Shape in = model.tensor(static_cast<size_t>(op.inputs[0])).shape;
  const runtime::Shape out = model.tensor(static_cast<size_t>(op.outputs[0])).shape;
  const runtime::Shape w = model.tensor(static_cast<size_t>(op.inputs[1])).shape;
  if (out.rank < 1 || out.dims[out.rank - 1] <= 0 || in.rank < 1) return f;
  const uint64_t channels = static_cast<uint64_t>(out.dims[out.rank - 1]);
  const uint64_t pixels = f[OpFeature::kOutput] / channels;
  int64_t taps = 0;
  if (f.kind == OpKind::kFullyConnected) {
    if (w.rank == 2) taps = w.dims[1];
  } else if (w.rank == 4 && w.dims[1] > 0) {
    // [out channels, kernel h, kernel w, in channels] (depthwise: [1, h, w, channels]).
    taps = f.kind == OpKind::kConv ? int64_t{w.dims[1]} * w.dims[2] * w.dims[3] : int64_t{w.dims[1]} * w.dims[2];
    f[OpFeature::kGather] = pixels * static_cast<uint64_t>(w.dims[1]);
    // An input depth that is not a multiple of four is gathered element by element.
    if (f.kind == OpKind::kConv && in.dims[in.rank - 1] % 4 != 0 && taps > 0) f[OpFeature::kTap] = pixels * static_cast<uint64_t>(taps);
  }
  if (taps <= 0) return f;
  const uint64_t steps = ceil_div(static_cast<uint64_t>(taps), lanes);
  const uint64_t blocks = ceil_div(channels, 4);
  f[OpFeature::kVector] = pixels * blocks * steps;
  f[OpFeature::kRow] = pixels * steps;
  f[OpFeature::kChannel] = blocks * steps;
  return f;
}

OpFeatures op_features(const runtime::Model& model, size_t op_index, const runtime::OpResolver& resolver, uint32_t lanes) {
  return op_features(model, op_index, runtime::Interpreter::op_macs(model, op_index, resolver), lanes);
}

uint64_t CpuCost::cycles(const OpFeatures& features) const {
  const int32_t* k = millicycles[static_cast<size_t>(features.kind)];
  int64_t millis = 0;
  for (size_t f = 0; f < kOpFeatures; ++f) millis += static_cast<int64_t>(k[f]) * static_cast<int64_t>(features.value[f]);
  return millis <= 0 ? 0 : static_cast<uint64_t>((millis + 999) / 1000);
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

CostModel cost_model_from(const board::Board& b, uint32_t clock_hz, bool npu_on) {
  CostModel c;
  c.cpu.clock_hz = clock_hz != 0 ? clock_hz : b.cpu.clock_hz;
  c.cpu.lanes = b.cpu.cost.lanes;
  for (size_t k = 0; k < kOpKinds; ++k)
    for (size_t f = 0; f < kOpFeatures; ++f) c.cpu.millicycles[k][f] = b.cpu.cost.millicycles[k][f];
  c.cpu.cycles_per_step = b.cpu.cost.cycles_per_step;
  c.cpu.margin_permille = b.cpu.cost.margin_permille;
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
