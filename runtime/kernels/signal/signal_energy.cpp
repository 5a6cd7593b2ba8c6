// SignalEnergy (TFLM signal/micro/kernels/energy.cc, signal/src/energy.cc): squared
// magnitude re^2 + im^2 of the int16 complex bins in [start_index, end_index), as uint32.
// TFLM leaves the bins outside that range untouched; Chorus writes zeros there so the
// output never depends on stale arena bytes (the reference's recorded tensors hold zeros).
#include <cstring>

#include "kernels.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct EnergyData {
  int32_t start;
  int32_t end;
  int32_t size;
};

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 1, 1, &options));
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kUInt32, 1));
  const int32_t bins = elements(in) / 2 < elements(out) ? elements(in) / 2 : elements(out);
  int64_t start = 0, end = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "start_index", 0, bins, &start));
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "end_index", start, bins, &end));
  ctx.set_macs(static_cast<uint64_t>(2 * (end - start)));
  auto* data = ctx.allocate<EnergyData>();
  if (data == nullptr) return Status::ok();
  *data = {static_cast<int32_t>(start), static_cast<int32_t>(end), elements(out)};
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<EnergyData>();
  const int16_t* in = ctx.input<int16_t>(0);
  uint32_t* out = ctx.output<uint32_t>(0);
  std::memset(out, 0, sizeof(uint32_t) * static_cast<size_t>(d.start));
  for (int32_t i = d.start; i < d.end; ++i) {
    const int32_t re = in[2 * i];
    const int32_t im = in[2 * i + 1];
    // Summed in uint32: (-32768)^2 twice is 2^31, which the reference's int32 sum wraps to.
    out[i] = static_cast<uint32_t>(re * re) + static_cast<uint32_t>(im * im);
  }
  std::memset(out + d.end, 0, sizeof(uint32_t) * static_cast<size_t>(d.size - d.end));
  return Status::ok();
}

}  // namespace

const Kernel kSignalEnergy = {static_cast<int32_t>(OpCode::kCustom), "SignalEnergy", prepare, eval};

}  // namespace chorus::runtime::kernels
