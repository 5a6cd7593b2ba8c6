// SignalRfft (TFLM signal/micro/kernels/rfft.cc) for int16 (T = INT16): each frame of the
// input's last dimension, zero-padded to fft_length, through kissfft's 16-bit fixed-point
// real FFT (kiss_fft16.cpp), giving fft_length/2 + 1 complex bins as interleaved int16.
// The twiddle tables live in the op's persistent data (computed once, as kiss_fftr_alloc
// does in TFLM's init); the complex FFT's intermediate bins use the transient scratch.
#include "kernels.hpp"
#include "signal/kiss_fft16.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

constexpr int64_t kTensorTypeInt16 = 7;  // TFLite schema TensorType INT16

struct RfftData {
  signal::RealFft16Plan plan;
  int32_t input_length;
  int32_t frames;
};

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 1, 1, &options));
  int64_t type = 0, fft_length = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "T", 0, 255, &type));
  if (type != kTensorTypeInt16)
    return ctx.error("only the int16 RFFT is supported (option T = %lld, INT16 is %lld)", static_cast<long long>(type),
                     static_cast<long long>(kTensorTypeInt16));
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "fft_length", 4, 32768, &fft_length));
  const int32_t length = static_cast<int32_t>(fft_length);
  if (!signal::real_fft16_supported(length))
    return ctx.error("fft_length %d is not supported (powers of two from 4 to 32768)", static_cast<int>(length));
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kInt16, -1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kInt16, in.shape.rank));
  const int32_t input_length = in.shape.dims[in.shape.rank - 1];
  const int32_t output_length = out.shape.dims[out.shape.rank - 1];
  if (input_length > length)
    return ctx.error("frames of %d samples are longer than fft_length %d", static_cast<int>(input_length), static_cast<int>(length));
  if (output_length != length + 2)
    return ctx.error("output's last dimension is %d, must be fft_length + 2 = %d (interleaved complex bins)",
                     static_cast<int>(output_length), static_cast<int>(length + 2));
  const int32_t frames = elements(in) / input_length;
  if (elements(out) / output_length != frames)
    return ctx.error("input has %d frames, output %d", static_cast<int>(frames), static_cast<int>(elements(out) / output_length));

  const int32_t half = length / 2;
  ctx.request_scratch(sizeof(signal::Complex16) * static_cast<size_t>(half));
  int stages = 0;
  for (int32_t n = half; n > 1; n /= 2) ++stages;
  ctx.set_macs(static_cast<uint64_t>(frames) * static_cast<uint64_t>(half) * static_cast<uint64_t>(stages) * 4u);
  auto* data = ctx.allocate<RfftData>();
  auto* tables = ctx.allocate<signal::Complex16>(signal::real_fft16_table_entries(length));
  if (data == nullptr || tables == nullptr) return Status::ok();
  *data = RfftData{};
  signal::real_fft16_init(length, tables, &data->plan);
  data->input_length = input_length;
  data->frames = frames;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<RfftData>();
  const int16_t* in = ctx.input<int16_t>(0);
  auto* out = reinterpret_cast<signal::Complex16*>(ctx.output<int16_t>(0));
  auto* work = reinterpret_cast<signal::Complex16*>(ctx.scratch);
  const int32_t bins = d.plan.half + 1;
  for (int32_t f = 0; f < d.frames; ++f)
    signal::real_fft16(d.plan, in + static_cast<size_t>(f) * d.input_length, d.input_length, work,
                       out + static_cast<size_t>(f) * bins);
  return Status::ok();
}

}  // namespace

const Kernel kSignalRfft = {static_cast<int32_t>(OpCode::kCustom), "SignalRfft", prepare, eval};

}  // namespace chorus::runtime::kernels
