// SignalPCAN (TFLM signal/micro/kernels/pcan.cc, signal/src/pcan_argc_fixed.cc):
// per-channel energy normalisation. Each channel's gain comes from a piecewise-quadratic
// table indexed by the noise estimate's octave (WideDynamicFunction); the gained level, as
// an SNR with 12 fractional bits, goes through the "shrink" curve x^2/4 below 2 and x - 1
// above, leaving 6 fractional bits. Stateless: the noise estimate is an input.
#include "kernels.hpp"
#include "signal/signal_math.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

constexpr int kSnrBits = 12;     // kPcanSnrBits
constexpr int kOutputBits = 6;   // kPcanOutputBits
constexpr int kLutEntries = 4 * 32 - 6 + 3;  // highest octave (32) reads lut[4 * 32 - 6 + 2]

struct PcanData {
  int32_t snr_shift;
  int32_t num_channels;
};

// WideDynamicFunction: the gain for noise level x from the octave's three coefficients.
// Wrapping 32-bit steps, as the reference's int32 arithmetic does on GCC.
int16_t gain_for(uint32_t x, const int16_t* lut) {
  if (x <= 2) return lut[x];
  const int32_t octave = static_cast<int32_t>(signal::most_significant_bit32(x));
  const int16_t* c = lut + 4 * octave - 6;
  const int32_t frac = static_cast<int32_t>((octave < 11 ? x << (11 - octave) : x >> (octave - 11)) & 0x3FF);
  int32_t r = (c[2] * frac) >> 5;
  r = static_cast<int32_t>(static_cast<uint32_t>(r) + (static_cast<uint32_t>(c[1]) << 5));
  r = static_cast<int32_t>(static_cast<uint32_t>(r) * static_cast<uint32_t>(frac));
  r = static_cast<int32_t>(static_cast<uint32_t>(r) + (1u << 14)) >> 15;
  return static_cast<int16_t>(r + c[0]);
}

// PcanShrink: x^2 / 4 for x < 2, x - 1 above; kSnrBits in, kOutputBits out.
uint32_t shrink(uint32_t x) {
  if (x < (2u << kSnrBits)) return (x * x) >> (2 + 2 * kSnrBits - kOutputBits);
  return (x >> (kSnrBits - kOutputBits)) - (1u << kOutputBits);
}

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 3, 1, &options));
  int64_t snr_shift = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "snr_shift", 0, 63, &snr_shift));
  const TensorInfo in = ctx.input(0);
  const TensorInfo noise = ctx.input(1);
  const TensorInfo lut = ctx.input(2);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, noise, "noise estimate", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, lut, "gain table", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kUInt32, 1));
  if (elements(noise) != elements(in) || elements(out) != elements(in))
    return ctx.error("noise estimate and output have %d and %d elements, input %d", elements(noise), elements(out), elements(in));
  if (elements(lut) < kLutEntries)
    return ctx.error("gain table has %d entries, needs %d (3 per octave of a uint32 noise level)", elements(lut), kLutEntries);
  ctx.set_macs(4u * static_cast<uint64_t>(elements(in)));
  auto* data = ctx.allocate<PcanData>();
  if (data == nullptr) return Status::ok();
  *data = {static_cast<int32_t>(snr_shift), elements(in)};
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<PcanData>();
  const uint32_t* in = ctx.input<uint32_t>(0);
  const uint32_t* noise = ctx.input<uint32_t>(1);
  const int16_t* lut = ctx.input<int16_t>(2);
  uint32_t* out = ctx.output<uint32_t>(0);
  for (int32_t i = 0; i < d.num_channels; ++i) {
    // A negative table gain multiplies as its uint32 two's complement, as in the reference.
    const uint32_t gain = static_cast<uint32_t>(gain_for(noise[i], lut));
    const uint32_t snr = static_cast<uint32_t>((static_cast<uint64_t>(in[i]) * gain) >> d.snr_shift);
    out[i] = shrink(snr);
  }
  return Status::ok();
}

}  // namespace

const Kernel kSignalPcan = {static_cast<int32_t>(OpCode::kCustom), "SignalPCAN", prepare, eval};

}  // namespace chorus::runtime::kernels
