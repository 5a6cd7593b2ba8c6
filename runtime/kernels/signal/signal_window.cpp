// SignalWindow (TFLM signal library, signal/micro/kernels/window.cc): multiplies int16
// frames by an int16 window, shifts right by `shift` and saturates to int16. The input
// holds one or more frames of the window's length.
#include "kernels.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct WindowData {
  int32_t shift;
  int32_t input_size;
  int32_t window_size;
};

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 2, 1, &options));
  int64_t shift = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "shift", 0, 31, &shift));
  const TensorInfo in = ctx.input(0);
  const TensorInfo window = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kInt16, -1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, window, "window", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kInt16, in.shape.rank));
  if (elements(out) != elements(in)) return ctx.error("output has %d elements, input %d", elements(out), elements(in));
  if (elements(in) % elements(window) != 0)
    return ctx.error("input of %d samples is not whole frames of the %d-sample window", elements(in), elements(window));
  ctx.set_macs(static_cast<uint64_t>(elements(in)));
  auto* data = ctx.allocate<WindowData>();
  if (data == nullptr) return Status::ok();
  *data = {static_cast<int32_t>(shift), elements(in), elements(window)};
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<WindowData>();
  const int16_t* in = ctx.input<int16_t>(0);
  const int16_t* window = ctx.input<int16_t>(1);
  int16_t* out = ctx.output<int16_t>(0);
  for (int32_t frame = 0; frame < d.input_size; frame += d.window_size) {
    for (int32_t i = 0; i < d.window_size; ++i) {
      const int32_t v = (static_cast<int32_t>(in[frame + i]) * window[i]) >> d.shift;
      out[frame + i] = static_cast<int16_t>(v < INT16_MIN ? INT16_MIN : v > INT16_MAX ? INT16_MAX : v);
    }
  }
  return Status::ok();
}

}  // namespace

const Kernel kSignalWindow = {static_cast<int32_t>(OpCode::kCustom), "SignalWindow", prepare, eval};

}  // namespace chorus::runtime::kernels
