// SignalFilterBankLog (TFLM signal/micro/kernels/filter_bank_log.cc, signal/src/
// filter_bank_log.cc): natural log of each channel, after shifting left by
// input_correction_bits, times output_scale, saturated to int16; levels 0 and 1 give 0.
#include "kernels.hpp"
#include "signal/signal_math.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct FilterBankLogData {
  uint32_t correction_bits;
  uint32_t output_scale;
  int32_t num_channels;
};

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 1, 1, &options));
  int64_t bits = 0, scale = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "input_correction_bits", 0, 31, &bits));
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "output_scale", 0, INT32_MAX, &scale));
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kInt16, 1));
  if (elements(out) != elements(in)) return ctx.error("output has %d elements, input %d", elements(out), elements(in));
  ctx.set_macs(2u * static_cast<uint64_t>(elements(in)));
  auto* data = ctx.allocate<FilterBankLogData>();
  if (data == nullptr) return Status::ok();
  *data = {static_cast<uint32_t>(bits), static_cast<uint32_t>(scale), elements(in)};
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<FilterBankLogData>();
  const uint32_t* in = ctx.input<uint32_t>(0);
  int16_t* out = ctx.output<int16_t>(0);
  for (int32_t i = 0; i < d.num_channels; ++i) {
    const uint32_t scaled = in[i] << d.correction_bits;
    if (scaled > 1) {
      const uint32_t v = signal::log32(scaled, d.output_scale);
      out[i] = static_cast<int16_t>(v < static_cast<uint32_t>(INT16_MAX) ? v : static_cast<uint32_t>(INT16_MAX));
    } else {
      out[i] = 0;
    }
  }
  return Status::ok();
}

}  // namespace

const Kernel kSignalFilterBankLog = {static_cast<int32_t>(OpCode::kCustom), "SignalFilterBankLog", prepare, eval};

}  // namespace chorus::runtime::kernels
