// SignalFilterBank (TFLM signal/micro/kernels/filter_bank.cc, signal/src/filter_bank.cc):
// triangular mel filters over a uint32 energy spectrum, accumulated in uint64. Each bin
// feeds two neighbouring channels: `weights` to one, `unweights` (1 - weight) to the next,
// so the reference computes num_channels + 1 sums and drops the first. The channel tables
// (starts, widths) must be constant so prepare can check every index they produce.
#include "kernels.hpp"
#include "signal/signal_prepare.hpp"

namespace chorus::runtime::kernels {
namespace {

struct FilterBankData {
  int32_t num_channels;
};

const int16_t* constant_int16(const TensorInfo& t) { return reinterpret_cast<const int16_t*>(t.constant_data); }

Status prepare(PrepareContext& ctx) {
  flexbuffer::Map options;
  CHORUS_RETURN_IF_ERROR(signal_begin(ctx, 6, 1, &options));
  int64_t channels = 0;
  CHORUS_RETURN_IF_ERROR(signal_option(ctx, options, "num_channels", 1, 32767, &channels));
  const int32_t num_channels = static_cast<int32_t>(channels);
  const TensorInfo in = ctx.input(0);
  const TensorInfo weights = ctx.input(1);
  const TensorInfo unweights = ctx.input(2);
  const TensorInfo out = ctx.output(0);
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, in, "input", DType::kUInt32, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, weights, "weights", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, unweights, "unweights", DType::kInt16, 1));
  CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, out, "output", DType::kUInt64, 1));
  if (elements(unweights) != elements(weights))
    return ctx.error("%d unweights for %d weights", elements(unweights), elements(weights));
  if (elements(out) != num_channels)
    return ctx.error("output has %d elements, num_channels is %d", elements(out), static_cast<int>(num_channels));
  const char* const kTables[3] = {"channel_frequency_starts", "channel_weight_starts", "channel_widths"};
  const int16_t* table[3] = {};
  for (int k = 0; k < 3; ++k) {
    const TensorInfo t = ctx.input(static_cast<size_t>(3 + k));
    CHORUS_RETURN_IF_ERROR(signal_tensor(ctx, t, kTables[k], DType::kInt16, 1));
    if (t.constant_data == nullptr) return ctx.error("%s (input %d) must be a constant tensor", kTables[k], 3 + k);
    if (elements(t) < num_channels + 1)
      return ctx.error("%s has %d entries, needs num_channels + 1 = %d", kTables[k], elements(t), static_cast<int>(num_channels + 1));
    table[k] = constant_int16(t);
  }
  uint64_t macs = 0;
  for (int32_t c = 0; c <= num_channels; ++c) {
    const int32_t freq = table[0][c], weight = table[1][c], width = table[2][c];
    if (freq < 0 || weight < 0 || width < 0 || freq + width > elements(in) || weight + width > elements(weights))
      return ctx.error("channel %d: bins [%d, %d) or weights [%d, %d) outside the %d-bin input / %d weights", static_cast<int>(c),
                       static_cast<int>(freq), static_cast<int>(freq + width), static_cast<int>(weight),
                       static_cast<int>(weight + width), elements(in), elements(weights));
    macs += 2u * static_cast<uint64_t>(width);
  }
  ctx.set_macs(macs);
  auto* data = ctx.allocate<FilterBankData>();
  if (data == nullptr) return Status::ok();
  data->num_channels = num_channels;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const int32_t num_channels = ctx.data<FilterBankData>()->num_channels;
  const uint32_t* in = ctx.input<uint32_t>(0);
  const int16_t* weights = ctx.input<int16_t>(1);
  const int16_t* unweights = ctx.input<int16_t>(2);
  const int16_t* freq_starts = ctx.input<int16_t>(3);
  const int16_t* weight_starts = ctx.input<int16_t>(4);
  const int16_t* widths = ctx.input<int16_t>(5);
  uint64_t* out = ctx.output<uint64_t>(0);
  // Negative weights multiply as their uint64 two's complement, as in the reference.
  uint64_t weighted = 0, unweighted = 0;
  for (int32_t c = 0; c <= num_channels; ++c) {
    const uint32_t* bins = in + freq_starts[c];
    const int16_t* w = weights + weight_starts[c];
    const int16_t* u = unweights + weight_starts[c];
    for (int32_t j = 0; j < widths[c]; ++j) {
      weighted += static_cast<uint64_t>(w[j]) * bins[j];
      unweighted += static_cast<uint64_t>(u[j]) * bins[j];
    }
    if (c > 0) out[c - 1] = weighted;
    weighted = unweighted;
    unweighted = 0;
  }
  return Status::ok();
}

}  // namespace

const Kernel kSignalFilterBank = {static_cast<int32_t>(OpCode::kCustom), "SignalFilterBank", prepare, eval};

}  // namespace chorus::runtime::kernels
