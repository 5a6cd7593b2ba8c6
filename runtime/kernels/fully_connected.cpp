// FULLY_CONNECTED, int8 activations and weights (per-tensor or per-channel), int32 bias.
// Arithmetic of TFLM reference_integer_ops::FullyConnected: acc = sum((w - w_zp) * (x - x_zp))
// + bias, requantised by the Q31 multiplier of input_scale * filter_scale / output_scale,
// plus the output zero point, clamped to the fused activation range.
#include "arm_int8.hpp"
#include "int8_vector.hpp"
#include "kernels.hpp"
#include "requantizer.hpp"

namespace chorus::runtime::kernels {
namespace {

struct FullyConnectedData {
  int32_t batches;
  int32_t output_depth;
  int32_t accum_depth;
  int32_t input_offset;   // -input zero point
  int32_t output_offset;  // output zero point
  int32_t act_min;
  int32_t act_max;
  int32_t per_channel;    // 1: multipliers[] holds output_depth entries
  QuantizedMultiplier multipliers[1];  // flexible: output_depth entries when per_channel
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() < 2 || ctx.num_outputs() != 1 || !ctx.has_input(0) || !ctx.has_input(1))
    return ctx.error("needs input, weights, optional bias and 1 output");
  const TensorInfo in = ctx.input(0);
  const TensorInfo w = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  const bool has_bias = ctx.has_input(2);
  const auto* opts = ctx.options<chorus::tflite::FullyConnectedOptions>();
  if (in.type != DType::kInt8 || w.type != DType::kInt8 || out.type != DType::kInt8)
    return ctx.error("supports int8 input, weights and output (got %s, %s, %s)", dtype_name(in.type), dtype_name(w.type),
                     dtype_name(out.type));
  if (opts != nullptr && opts->weights_format() != chorus::tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
    return ctx.error("shuffled weights are not supported");
  if (w.shape.rank != 2) return ctx.error("weights must be 2-D, got rank %d", static_cast<int>(w.shape.rank));
  if (in.quant.count == 0 || w.quant.count == 0 || out.quant.count == 0) return ctx.error("int8 tensors must be quantised");
  const int32_t output_depth = w.shape.dims[0];
  const int32_t accum_depth = w.shape.dims[1];
  if (output_depth <= 0 || accum_depth <= 0) return ctx.error("empty weights");
  const int64_t in_elems = in.shape.num_elements();
  if (in_elems % accum_depth != 0)
    return ctx.error("input of %lld elements is not a multiple of depth %d", static_cast<long long>(in_elems),
                     static_cast<int>(accum_depth));
  const int64_t batches = in_elems / accum_depth;
  if (out.shape.num_elements() != batches * output_depth)
    return ctx.error("output has %lld elements, expected %lld", static_cast<long long>(out.shape.num_elements()),
                     static_cast<long long>(batches * output_depth));
  if (has_bias) {
    const TensorInfo b = ctx.input(2);
    if (b.type != DType::kInt32 || b.shape.num_elements() != output_depth)
      return ctx.error("bias must be int32[%d]", static_cast<int>(output_depth));
  }
  const bool per_channel = w.quant.count > 1;
  if (per_channel && (w.quant.count != static_cast<uint32_t>(output_depth) || w.quant.axis != 0))
    return ctx.error("per-channel weights need %d scales on axis 0", static_cast<int>(output_depth));
  for (uint32_t c = 0; c < w.quant.count; ++c)
    if (w.quant.zero_points[c] != 0) return ctx.error("int8 weights must have zero point 0");
  for (uint32_t c = 0; c < w.quant.count; ++c)
    if (!positive_scale(w.quant.scales[c])) return ctx.error("weight scale of channel %u is not positive", static_cast<unsigned>(c));
  if (!positive_scale(in.quant.scale) || !positive_scale(out.quant.scale))
    return ctx.error("input and output scales must be positive");
  if (in.quant.zero_point < -128 || in.quant.zero_point > 127 || out.quant.zero_point < -128 || out.quant.zero_point > 127)
    return ctx.error("zero points %d (input) and %d (output) must be int8", static_cast<int>(in.quant.zero_point),
                     static_cast<int>(out.quant.zero_point));
  ActivationRange range;
  CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, opts ? static_cast<int>(opts->fused_activation_function()) : 0, out, &range));
  const TensorInfo bias = has_bias ? ctx.input(2) : TensorInfo{};
  CHORUS_RETURN_IF_ERROR(
      check_accumulator_range(ctx, w, has_bias ? &bias : nullptr, output_depth, accum_depth, static_cast<size_t>(accum_depth), 1));
  ctx.set_macs(static_cast<uint64_t>(batches) * output_depth * accum_depth);

  const size_t channels = per_channel ? static_cast<size_t>(output_depth) : 1;
  const size_t bytes = sizeof(FullyConnectedData) + (channels - 1) * sizeof(QuantizedMultiplier);
  auto* data = static_cast<FullyConnectedData*>(ctx.allocate_bytes(bytes, alignof(FullyConnectedData)));
  if (data == nullptr) return Status::ok();
  data->batches = static_cast<int32_t>(batches);
  data->output_depth = output_depth;
  data->accum_depth = accum_depth;
  data->input_offset = -in.quant.zero_point;
  data->output_offset = out.quant.zero_point;
  data->act_min = range.min;
  data->act_max = range.max;
  data->per_channel = per_channel ? 1 : 0;
  for (size_t c = 0; c < channels; ++c) {
    if (per_channel) {
      // Per-channel (TFLM PopulateConvolutionQuantizationParams): double product.
      const double real = static_cast<double>(in.quant.scale) * static_cast<double>(w.quant.scales[c]) /
                          static_cast<double>(out.quant.scale);
      data->multipliers[c] = quantize_multiplier(real);
    } else {
      // Per-tensor (TFLM GetQuantizedConvolutionMultipler): the float product of the two
      // scales, widened, divided by the output scale in double.
      const double real = static_cast<double>(in.quant.scale * w.quant.scale) / static_cast<double>(out.quant.scale);
      data->multipliers[c] = quantize_multiplier(real);
    }
  }
  ctx.set_op_data(data);
  return Status::ok();
}

// sum(w[i] * (x[i] + offset)) for four weight rows at once: the input is widened once per
// eight elements and shared by the rows (GCC vector extensions; exact in int16/int32).
inline void dot4(const int8_t* x, const int8_t* w, size_t ldw, int32_t depth, int32_t input_offset, int32_t out[4]) {
#if defined(CHORUS_ARM_KERNELS)  // Cortex-M DSP or Helium (arm_int8.hpp)
  return arm::dot4(x, w, ldw, depth, input_offset, out);
#endif
  using namespace simd;
  const i16x8 offset = splat16(input_offset);
  i32x4 acc0 = {0, 0, 0, 0}, acc1 = acc0, acc2 = acc0, acc3 = acc0;
  int32_t i = 0;
  for (; i + 8 <= depth; i += 8) {
    const i16x8 xv = load8_widen(x + i) + offset;
    acc0 += pair_sum(xv * load8_widen(w + i));
    acc1 += pair_sum(xv * load8_widen(w + ldw + i));
    acc2 += pair_sum(xv * load8_widen(w + 2 * ldw + i));
    acc3 += pair_sum(xv * load8_widen(w + 3 * ldw + i));
  }
  const i32x4 sums = reduce4(acc0, acc1, acc2, acc3);
  for (int r = 0; r < 4; ++r) {
    int32_t acc = sums[r];
    for (int32_t k = i; k < depth; ++k) acc += static_cast<int32_t>(w[r * ldw + k]) * (static_cast<int32_t>(x[k]) + input_offset);
    out[r] = acc;
  }
}

inline int32_t dot1(const int8_t* x, const int8_t* w, int32_t depth, int32_t input_offset) {
#if defined(CHORUS_ARM_KERNELS)
  return arm::dot1(x, w, depth, input_offset);
#endif
  using namespace simd;
  const i16x8 offset = splat16(input_offset);
  i32x4 acc = {0, 0, 0, 0};
  int32_t i = 0;
  for (; i + 8 <= depth; i += 8) acc += pair_sum((load8_widen(x + i) + offset) * load8_widen(w + i));
  int32_t sum = reduce1(acc);
  for (; i < depth; ++i) sum += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + input_offset);
  return sum;
}

// One output's rescaling: the DSP cores' five-instruction form (arm_int8.hpp) or the
// portable Requantizer; both give multiply_by_quantized_multiplier's value.
struct OutputScale {
#if defined(CHORUS_ARM_DSP)
  arm::DspRequant r;
  explicit OutputScale(const QuantizedMultiplier& m) : r(arm::dsp_requant(m)) {}
  int32_t operator()(int32_t acc) const { return arm::dsp_scale(acc, r); }
#else
  Requantizer r;
  explicit OutputScale(const QuantizedMultiplier& m) : r(Requantizer::from(m)) {}
  int32_t operator()(int32_t acc) const { return r.apply(acc); }
#endif
};

Status eval(const EvalContext& ctx) {
  const auto* d = ctx.data<FullyConnectedData>();
  const int8_t* input = ctx.input<int8_t>(0);
  const int8_t* weights = ctx.input<int8_t>(1);
  const int32_t* bias = ctx.input<int32_t>(2);
  int8_t* output = ctx.output<int8_t>(0);
  const int32_t depth = d->accum_depth;
  // A slice is a band of output units (the output's last axis).
  const int32_t first = ctx.slice_end < 0 ? 0 : ctx.slice_begin;
  const int32_t last = ctx.slice_end < 0 ? d->output_depth : ctx.slice_end;
  const OutputScale tensor_scale(d->multipliers[0]);  // per-tensor weights: one for every output
  auto emit = [&](int32_t b, int32_t o, int32_t acc) {
    if (bias != nullptr) acc += bias[o];
    const int32_t scaled = d->per_channel ? OutputScale(d->multipliers[o])(acc) : tensor_scale(acc);
    output[static_cast<size_t>(b) * d->output_depth + o] = clamp_offset_to<int8_t>(scaled, d->output_offset, d->act_min, d->act_max);
  };
  for (int32_t b = 0; b < d->batches; ++b) {
    const int8_t* x = input + static_cast<size_t>(b) * depth;
#ifdef CHORUS_REFERENCE_KERNELS
    for (int32_t o = first; o < last; ++o) {
      const int8_t* w = weights + static_cast<size_t>(o) * depth;
      int32_t acc = 0;
      for (int32_t i = 0; i < depth; ++i) acc += static_cast<int32_t>(w[i]) * (static_cast<int32_t>(x[i]) + d->input_offset);
      if (bias != nullptr) acc += bias[o];
      const QuantizedMultiplier& m = d->multipliers[d->per_channel ? o : 0];
      output[static_cast<size_t>(b) * d->output_depth + o] =
          clamp_offset_to<int8_t>(multiply_by_quantized_multiplier(acc, m.multiplier, m.shift), d->output_offset, d->act_min, d->act_max);
    }
#else
    int32_t o = first;
#if defined(CHORUS_ARM_MVE)
    // Four outputs' bias, rescale, offset and clamp as one vector (arm_int8.hpp).
    const int32x4_t output_offset = vdupq_n_s32(d->output_offset);
    const int32x4_t act_min = vdupq_n_s32(d->act_min), act_max = vdupq_n_s32(d->act_max);
    const arm::ChannelVectors tensor_vectors = arm::channel_vectors(d->multipliers);
    int8_t* out_row = output + static_cast<size_t>(b) * d->output_depth;
    for (; o + 4 <= last; o += 4) {
      int32_t acc[4];
      dot4(x, weights + static_cast<size_t>(o) * depth, static_cast<size_t>(depth), depth, d->input_offset, acc);
      int32x4_t v = vldrwq_s32(acc);
      if (bias != nullptr) v = vaddq_s32(v, vldrwq_s32(bias + o));
      const arm::ChannelVectors cv = d->per_channel ? arm::channel_vectors(d->multipliers + o, 4) : tensor_vectors;
      vstrbq_s32(out_row + o, arm::requantize4(v, cv, output_offset, act_min, act_max));
    }
#endif
    for (; o + 4 <= last; o += 4) {
      int32_t acc[4];
      dot4(x, weights + static_cast<size_t>(o) * depth, static_cast<size_t>(depth), depth, d->input_offset, acc);
      for (int r = 0; r < 4; ++r) emit(b, o + r, acc[r]);
    }
    for (; o < last; ++o) emit(b, o, dot1(x, weights + static_cast<size_t>(o) * depth, depth, d->input_offset));
#endif
  }
  return Status::ok();
}

}  // namespace

const Kernel kFullyConnected = {static_cast<int32_t>(OpCode::kFullyConnected), nullptr, prepare, eval, kSliceLastAxis};

}  // namespace chorus::runtime::kernels
