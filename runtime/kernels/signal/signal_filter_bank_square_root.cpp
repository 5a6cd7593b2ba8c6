// SignalFilterBankSquareRoot (TFLM signal/micro/kernels/filter_bank_square_root.cc,
// signal/src/filter_bank_square_root.cc): rounded integer square root of each uint64
// channel, shifted right by the scale bits SignalFftAutoScale applied to the frame.
#include "kernels.hpp"
#include "signal/signal_math.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct SquareRootData {
  int32_t num_channels;
};

Status prepare(PrepareContext& ctx) {
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 2, 1, nullptr));
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kUInt64, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, ctx.input(1), "scale bits", DType::kInt32, 0));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kUInt32, 1));
  if (elements(out) != elements(in)) return ctx.error("output has %d elements, input %d", elements(out), elements(in));
  auto* data = ctx.allocate<SquareRootData>();
  if (data == nullptr) return Status::ok();
  data->num_channels = elements(in);
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const int32_t n = ctx.data<SquareRootData>()->num_channels;
  const uint64_t* in = ctx.input<uint64_t>(0);
  const int32_t shift = *ctx.input<int32_t>(1);
  uint32_t* out = ctx.output<uint32_t>(0);
  if (shift < 0 || shift > 31)
    return Status::error(StatusCode::kOutOfRange, "scale bits %d outside [0, 31]", static_cast<int>(shift));
  for (int32_t i = 0; i < n; ++i) out[i] = signal::sqrt64(in[i]) >> shift;
  return Status::ok();
}

}  // namespace

const Kernel kSignalFilterBankSquareRoot = {static_cast<int32_t>(OpCode::kCustom), "SignalFilterBankSquareRoot", prepare, eval};

}  // namespace chorus::runtime::kernels
