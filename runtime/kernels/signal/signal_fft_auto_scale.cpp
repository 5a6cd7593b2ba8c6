// SignalFftAutoScale (TFLM signal/micro/kernels/fft_auto_scale_kernel.cc, signal/src/
// fft_auto_scale.cc): shifts an int16 frame left by as many bits as its largest magnitude
// allows, so the fixed-point FFT keeps the most precision, and outputs the shift (which
// SignalFilterBankSquareRoot later undoes).
#include "kernels.hpp"
#include "signal/signal_math.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct FftAutoScaleData {
  int32_t size;
};

Status prepare(PrepareContext& ctx) {
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 1, 2, nullptr));
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, ctx.output(1), "scale output", DType::kInt32, 0));
  if (elements(out) != elements(in)) return ctx.error("output has %d elements, input %d", elements(out), elements(in));
  auto* data = ctx.allocate<FftAutoScaleData>();
  if (data == nullptr) return Status::ok();
  data->size = elements(in);
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const int32_t size = ctx.data<FftAutoScaleData>()->size;
  const int16_t* in = ctx.input<int16_t>(0);
  int16_t* out = ctx.output<int16_t>(0);
  // MaxAbs16 as the reference computes it: -(-32768) stored back into int16 stays -32768,
  // whose msb (as uint32) then gives no headroom: the frame is left unscaled.
  int16_t max = 0;
  for (int32_t i = 0; i < size; ++i) {
    const int16_t v = in[i];
    if (v > max)
      max = v;
    else if (-v > max)
      max = static_cast<int16_t>(-v);
  }
  int32_t bits = 16 - static_cast<int32_t>(signal::most_significant_bit32(static_cast<uint32_t>(static_cast<int32_t>(max)))) - 1;
  if (bits < 0) bits = 0;
  for (int32_t i = 0; i < size; ++i) out[i] = static_cast<int16_t>(in[i] * (1 << bits));
  *ctx.output<int32_t>(1) = bits;
  return Status::ok();
}

}  // namespace

const Kernel kSignalFftAutoScale = {static_cast<int32_t>(OpCode::kCustom), "SignalFftAutoScale", prepare, eval};

}  // namespace chorus::runtime::kernels
