// The `ethos-u` custom operator Vela writes: a command stream for an Ethos-U55/U65, run by
// Chorus's functional model of the NPU (runtime/ethosu/functional_npu.hpp). With an NPU
// backend the interpreter hands it to the backend (the functional-model backend, or an
// adapter to Arm's driver on silicon); without one, this eval runs it on the CPU.
//
// Operands as TFLM's ethos-u kernel takes them (tensorflow/lite/micro/kernels/ethos_u/ethosu.cc):
// input 0 the driver payload, then the NPU's base regions in order -- input 1 the constant
// area (region 0), input 2 the arena scratch (region 1, where Vela's offline plan puts the
// operator's inputs and outputs), input 3 the fast scratch (region 2), then the real inputs
// and the outputs (regions 3 and on, at most 8 regions in all).
//
// The fast scratch: with Vela's Shared_Sram memory mode (Ethos-U55's default) the scratch and
// the fast scratch are one SRAM, the same size, both at offset 0 of the plan, and region 2 is
// the planned tensor. With Dedicated_Sram (Ethos-U65's default) the fast scratch is a
// separate SRAM the driver supplies (Arm's ethosu_driver.c replaces base address 2 with the
// fast memory given to ethosu_init); here the kernel's own scratch area plays that SRAM.
#include <cstring>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"
#include "kernels.hpp"

namespace chorus::runtime::kernels {
namespace {

struct EthosuOp {
  ethosu::DriverPayload payload;
  ethosu::FunctionalNpuNeeds needs;
  uint32_t regions = 0;
  size_t region_bytes[ethosu::kNpuRegions] = {};
  size_t dedicated_fast_bytes = 0;  // 0: the fast scratch is the planned tensor (Shared_Sram)
  // The real inputs (operator inputs 4..) as they were when the job went to an NPU: the
  // stream uses the arena as scratch, so a faulted or abandoned job may have overwritten them
  // before the CPU fallback runs (Kernel::before_npu).
  uint8_t* saved = nullptr;
  size_t saved_bytes = 0;
  size_t input_bytes[ethosu::kNpuRegions] = {};  // per real input (index - 4); 0 for a constant
  bool saved_valid = false;
};

constexpr size_t kFirstRealInput = 4;

size_t align16(size_t n) { return (n + 15) & ~size_t{15}; }

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() < 3) return ctx.error("%zu inputs; the command stream, the constant area and the scratch are needed", ctx.num_inputs());
  const TensorInfo cmd = ctx.input(0);
  if (cmd.constant_data == nullptr || cmd.bytes == 0) return ctx.error("the command stream (input 0) holds no data");
  Result<ethosu::DriverPayload> payload = ethosu::parse_driver_payload(Span<const uint8_t>(cmd.constant_data, cmd.bytes));
  if (!payload.is_ok()) return ctx.error("%s", payload.status().message());
  Result<ethosu::FunctionalNpuNeeds> needs = ethosu::FunctionalNpu::measure(*payload);
  if (!needs.is_ok()) return ctx.error("%s", needs.status().message());
  const size_t tensors = ctx.num_inputs() - 1 + ctx.num_outputs();
  const size_t scratch_bytes = ctx.has_input(2) ? ctx.input(2).bytes : 0;
  const size_t fast_bytes = ctx.num_inputs() > 3 && ctx.has_input(3) ? ctx.input(3).bytes : 0;
  const size_t dedicated = fast_bytes != 0 && fast_bytes != scratch_bytes ? fast_bytes : 0;
  size_t real_input_bytes = 0;
  for (size_t i = kFirstRealInput; i < ctx.num_inputs(); ++i)
    if (ctx.has_input(i) && ctx.input(i).constant_data == nullptr) real_input_bytes += ctx.input(i).bytes;
  EthosuOp* op = ctx.allocate<EthosuOp>();
  uint8_t* saved = real_input_bytes != 0 ? static_cast<uint8_t*>(ctx.allocate_bytes(real_input_bytes, 16)) : nullptr;
  ctx.request_scratch(needs->bytes() + align16(dedicated));
  ctx.set_macs(needs->macs);
  if (op == nullptr) return Status::ok();  // measuring
  // Persistent memory is not cleared (a firmware arena may be poisoned): every field set here.
  *op = EthosuOp{};
  op->payload = *payload;
  op->needs = *needs;
  op->dedicated_fast_bytes = dedicated;
  op->saved = saved;
  op->saved_bytes = real_input_bytes;
  for (size_t i = kFirstRealInput; i < ctx.num_inputs() && i - kFirstRealInput < ethosu::kNpuRegions; ++i)
    op->input_bytes[i - kFirstRealInput] = ctx.has_input(i) && ctx.input(i).constant_data == nullptr ? ctx.input(i).bytes : 0;
  op->regions = static_cast<uint32_t>(tensors < ethosu::kNpuRegions ? tensors : ethosu::kNpuRegions);
  for (uint32_t r = 0; r < op->regions; ++r) {
    const size_t in = r + 1;
    op->region_bytes[r] = in < ctx.num_inputs() ? (ctx.has_input(in) ? ctx.input(in).bytes : 0) : ctx.output(in - ctx.num_inputs()).bytes;
  }
  ctx.set_op_data(op);
  return Status::ok();
}

void before_npu(const EvalContext& ctx) {
  EthosuOp* op = const_cast<EthosuOp*>(ctx.data<EthosuOp>());
  if (op->saved == nullptr) return;
  size_t at = 0;
  for (uint32_t i = kFirstRealInput; i < ctx.num_inputs && i - kFirstRealInput < ethosu::kNpuRegions && at < op->saved_bytes; ++i) {
    const int32_t t = ctx.inputs[i];
    if (t < 0) continue;
    const size_t n = op->input_bytes[i - kFirstRealInput];
    std::memcpy(op->saved + at, ctx.tensor_data[t], n);
    at += n;
  }
  op->saved_valid = true;
}

void restore_inputs(const EvalContext& ctx, EthosuOp* op) {
  if (!op->saved_valid) return;
  size_t at = 0;
  for (uint32_t i = kFirstRealInput; i < ctx.num_inputs && i - kFirstRealInput < ethosu::kNpuRegions && at < op->saved_bytes; ++i) {
    const int32_t t = ctx.inputs[i];
    if (t < 0) continue;
    const size_t n = op->input_bytes[i - kFirstRealInput];
    std::memcpy(ctx.tensor_data[t], op->saved + at, n);
    at += n;
  }
  op->saved_valid = false;
}

Status eval(const EvalContext& ctx) {
  const EthosuOp* op = ctx.data<EthosuOp>();
  restore_inputs(ctx, const_cast<EthosuOp*>(op));
  ethosu::NpuMemory memory;
  for (uint32_t r = 0; r < op->regions; ++r) {
    const uint32_t in = r + 1;
    uint8_t* data = in < ctx.num_inputs ? (ctx.inputs[in] >= 0 ? ctx.tensor_data[ctx.inputs[in]] : nullptr)
                                        : ctx.tensor_data[ctx.outputs[in - ctx.num_inputs]];
    memory.region[r] = ethosu::NpuRegion{data, op->region_bytes[r]};
  }
  const size_t need = op->needs.bytes() + align16(op->dedicated_fast_bytes);
  if (ctx.scratch_bytes < need)
    return Status::error(StatusCode::kOutOfMemory, "ethos-u: %zu scratch bytes, the functional model needs %zu", ctx.scratch_bytes, need);
  if (op->dedicated_fast_bytes != 0 && op->regions > 2)
    memory.region[2] = ethosu::NpuRegion{ctx.scratch + op->needs.bytes(), op->dedicated_fast_bytes};
  ethosu::FunctionalNpu npu(ethosu::split_buffers(op->needs, ctx.scratch));
  return npu.run(op->payload, memory);
}

}  // namespace

const Kernel kEthosU = {static_cast<int32_t>(OpCode::kCustom), "ethos-u", prepare, eval, 0, nullptr, before_npu};

}  // namespace chorus::runtime::kernels
