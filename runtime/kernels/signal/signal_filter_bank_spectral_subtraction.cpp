// SignalFilterBankSpectralSubtraction (TFLM signal/micro/kernels/
// filter_bank_spectral_subtraction.cc, signal/src/filter_bank_spectral_subtraction.cc):
// noise reduction. Each channel's noise estimate is a one-pole low-pass of its level
// (even and odd channels may use different coefficients); the output is the level minus
// the estimate, floored at min_signal_remaining of the level. The estimate is state carried
// from one invoke to the next: it lives in the op's persistent data, zeroed when the
// interpreter prepares the op and by Interpreter::reset_state (TFLM: AllocateTensors, Reset). Output 1 is a copy of
// the updated estimate (SignalPCAN reads it).
#include <cstring>

#include "kernels.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct SpectralSubtractionData {
  uint32_t smoothing[2];            // even, odd channels; Q(spectral_subtraction_bits)
  uint32_t one_minus_smoothing[2];
  uint32_t min_signal_remaining;
  uint32_t smoothing_bits;          // extra fractional bits of the estimate
  uint32_t spectral_subtraction_bits;
  bool clamping;                    // pull the estimate down to a lower level at once
  int32_t num_channels;
  uint32_t* noise_estimate;         // the state (persistent, num_channels entries)
};

void reset_state(const void* op_data) {
  const auto* d = static_cast<const SpectralSubtractionData*>(op_data);
  std::memset(d->noise_estimate, 0, sizeof(uint32_t) * static_cast<size_t>(d->num_channels));
}

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 1, 2, &options));
  const TensorInfo in = ctx.input(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, ctx.output(0), "output", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, ctx.output(1), "noise estimate", DType::kUInt32, 1));
  if (elements(ctx.output(0)) != elements(in) || elements(ctx.output(1)) != elements(in))
    return ctx.error("outputs have %d and %d elements, input %d", elements(ctx.output(0)), elements(ctx.output(1)), elements(in));

  SpectralSubtractionData d{};
  int64_t v[8] = {};
  const char* const kKeys[7] = {"smoothing",         "alternate_smoothing",  "one_minus_smoothing", "alternate_one_minus_smoothing",
                                "min_signal_remaining", "smoothing_bits", "spectral_subtraction_bits"};
  const int64_t kMax[7] = {UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, UINT32_MAX, 31, 63};
  for (int k = 0; k < 7; ++k) CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, kKeys[k], 0, kMax[k], &v[k]));
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "num_channels", 1, INT32_MAX, &v[7]));
  if (v[7] != elements(in))
    return ctx.error("num_channels is %lld, input has %d channels", static_cast<long long>(v[7]), elements(in));
  Status s = options.get_bool("clamping", &d.clamping);
  if (!s.is_ok()) return ctx.error("%s", s.message());
  d.smoothing[0] = static_cast<uint32_t>(v[0]);
  d.smoothing[1] = static_cast<uint32_t>(v[1]);
  d.one_minus_smoothing[0] = static_cast<uint32_t>(v[2]);
  d.one_minus_smoothing[1] = static_cast<uint32_t>(v[3]);
  d.min_signal_remaining = static_cast<uint32_t>(v[4]);
  d.smoothing_bits = static_cast<uint32_t>(v[5]);
  d.spectral_subtraction_bits = static_cast<uint32_t>(v[6]);
  d.num_channels = elements(in);

  ctx.set_macs(3u * static_cast<uint64_t>(d.num_channels));
  auto* data = ctx.allocate<SpectralSubtractionData>();
  auto* state = ctx.allocate<uint32_t>(static_cast<size_t>(d.num_channels));
  if (data == nullptr || state == nullptr) return Status::ok();
  d.noise_estimate = state;
  *data = d;
  reset_state(data);
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<SpectralSubtractionData>();
  const uint32_t* in = ctx.input<uint32_t>(0);
  uint32_t* out = ctx.output<uint32_t>(0);
  uint32_t* estimate = d.noise_estimate;
  for (int32_t i = 0; i < d.num_channels; ++i) {
    const int odd = i & 1;
    // uint32 arithmetic wraps and truncates exactly where the reference's does.
    const uint32_t level = in[i] << d.smoothing_bits;
    estimate[i] = static_cast<uint32_t>((static_cast<uint64_t>(level) * d.smoothing[odd] +
                                         static_cast<uint64_t>(estimate[i]) * d.one_minus_smoothing[odd]) >>
                                        d.spectral_subtraction_bits);
    uint32_t subtract = estimate[i];
    if (subtract > level) {
      subtract = level;
      if (d.clamping) estimate[i] = subtract;
    }
    const uint32_t floor = static_cast<uint32_t>((static_cast<uint64_t>(in[i]) * d.min_signal_remaining) >> d.spectral_subtraction_bits);
    const uint32_t remaining = (level - subtract) >> d.smoothing_bits;
    out[i] = remaining > floor ? remaining : floor;
  }
  std::memcpy(ctx.output<uint32_t>(1), estimate, sizeof(uint32_t) * static_cast<size_t>(d.num_channels));
  return Status::ok();
}

}  // namespace

const Kernel kSignalFilterBankSpectralSubtraction = {static_cast<int32_t>(OpCode::kCustom), "SignalFilterBankSpectralSubtraction",
                                                     prepare, eval, 0, reset_state};

}  // namespace chorus::runtime::kernels
