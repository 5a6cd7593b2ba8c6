#include "convolution.hpp"

namespace chorus::runtime::kernels {
namespace {

// Beyond this a stride, dilation or effective filter size is not a real model; the bound
// keeps every index of the loops comfortably inside int32.
constexpr int32_t kMaxWindow = 32767;
constexpr uint32_t kMaxTaps = 1u << 20;

Status check_window(const PrepareContext& ctx, const char* axis, int32_t filter, int32_t stride, int32_t dilation) {
  if (stride < 1 || stride > kMaxWindow)
    return ctx.error("stride_%s %d is outside [1, %d]", axis, static_cast<int>(stride), static_cast<int>(kMaxWindow));
  if (dilation < 1 || dilation > kMaxWindow)
    return ctx.error("dilation_%s %d is outside [1, %d]", axis, static_cast<int>(dilation), static_cast<int>(kMaxWindow));
  if (static_cast<int64_t>(filter - 1) * dilation + 1 > kMaxWindow)
    return ctx.error("dilated filter %s extent %lld is too large", axis,
                     static_cast<long long>(static_cast<int64_t>(filter - 1) * dilation + 1));
  return Status::ok();
}

}  // namespace

Status prepare_convolution(PrepareContext& ctx, ConvKind kind, const ConvOptions& options, ConvShape* shape, ConvOpData** data) {
  *data = nullptr;
  if (ctx.num_inputs() < 2 || ctx.num_inputs() > 3 || ctx.num_outputs() != 1 || !ctx.has_input(0) || !ctx.has_input(1))
    return ctx.error("needs input, filter, optional bias and 1 output");
  const bool depthwise = kind == ConvKind::kDepthwise;
  const TensorInfo in = ctx.input(0);
  const TensorInfo filter = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  const bool has_bias = ctx.has_input(2);
  if (in.type != DType::kInt8 || filter.type != DType::kInt8 || out.type != DType::kInt8)
    return ctx.error("supports int8 input, filter and output (got %s, %s, %s)", dtype_name(in.type), dtype_name(filter.type),
                     dtype_name(out.type));
  if (in.shape.rank != 4 || filter.shape.rank != 4 || out.shape.rank != 4)
    return ctx.error("input, filter and output must be 4-D (ranks %d, %d, %d)", static_cast<int>(in.shape.rank),
                     static_cast<int>(filter.shape.rank), static_cast<int>(out.shape.rank));
  if (in.quant.count == 0 || filter.quant.count == 0 || out.quant.count == 0) return ctx.error("int8 tensors must be quantised");

  ConvShape s{};
  set_input_and_window(&s, in, filter);
  s.output_c = depthwise ? filter.shape.dims[3] : filter.shape.dims[0];
  s.stride_h = options.stride_h;
  s.stride_w = options.stride_w;
  s.dilation_h = options.dilation_h;
  s.dilation_w = options.dilation_w;
  s.depth_multiplier = depthwise ? options.depth_multiplier : 1;
  if (s.batches < 1 || s.input_h < 1 || s.input_w < 1 || s.input_c < 1 || s.filter_h < 1 || s.filter_w < 1 || s.output_c < 1)
    return ctx.error("empty input or filter");
  if (depthwise) {
    if (filter.shape.dims[0] != 1)
      return ctx.error("depthwise filter must be [1, h, w, c], got dim 0 = %d", static_cast<int>(filter.shape.dims[0]));
    if (s.depth_multiplier < 1 || static_cast<int64_t>(s.input_c) * s.depth_multiplier != s.output_c)
      return ctx.error("depth_multiplier %d: %d output channels != %d input channels x multiplier",
                       static_cast<int>(s.depth_multiplier), static_cast<int>(s.output_c), static_cast<int>(s.input_c));
  } else if (filter.shape.dims[3] != s.input_c) {
    return ctx.error("filter depth %d != input depth %d (grouped convolution is not supported)",
                     static_cast<int>(filter.shape.dims[3]), static_cast<int>(s.input_c));
  }
  CHORUS_RETURN_IF_ERROR(check_window(ctx, "h", s.filter_h, s.stride_h, s.dilation_h));
  CHORUS_RETURN_IF_ERROR(check_window(ctx, "w", s.filter_w, s.stride_w, s.dilation_w));
  if (options.padding != WindowPadding::kSame && options.padding != WindowPadding::kValid)
    return ctx.error("unknown padding %d", static_cast<int>(options.padding));

  // TFLite ComputePaddingHeightWidth; the model's output shape must agree with it.
  const WindowExtent eh = window_extent(options.padding, s.input_h, s.filter_h, s.stride_h, s.dilation_h);
  const WindowExtent ew = window_extent(options.padding, s.input_w, s.filter_w, s.stride_w, s.dilation_w);
  if (eh.output_size < 1 || ew.output_size < 1)
    return ctx.error("the %dx%d filter (dilation %d, %d) does not fit the %dx%d input", static_cast<int>(s.filter_h),
                     static_cast<int>(s.filter_w), static_cast<int>(s.dilation_h), static_cast<int>(s.dilation_w),
                     static_cast<int>(s.input_h), static_cast<int>(s.input_w));
  s.output_h = eh.output_size;
  s.output_w = ew.output_size;
  s.pad_h = eh.leading_pad;
  s.pad_w = ew.leading_pad;
  if (out.shape.dims[0] != s.batches || out.shape.dims[1] != s.output_h || out.shape.dims[2] != s.output_w ||
      out.shape.dims[3] != s.output_c)
    return ctx.error("output is [%d,%d,%d,%d], expected [%d,%d,%d,%d]", static_cast<int>(out.shape.dims[0]),
                     static_cast<int>(out.shape.dims[1]), static_cast<int>(out.shape.dims[2]),
                     static_cast<int>(out.shape.dims[3]), static_cast<int>(s.batches), static_cast<int>(s.output_h),
                     static_cast<int>(s.output_w), static_cast<int>(s.output_c));

  if (has_bias) {
    const TensorInfo b = ctx.input(2);
    if (b.type != DType::kInt32 || b.shape.num_elements() != s.output_c)
      return ctx.error("bias must be int32[%d] (got %s with %lld elements)", static_cast<int>(s.output_c), dtype_name(b.type),
                       static_cast<long long>(b.shape.num_elements()));
  }
  // TFLite int8 quantization spec: per-axis filter scales along the output channels
  // (axis 0 for CONV_2D, 3 for DEPTHWISE_CONV_2D), zero points 0.
  CHORUS_RETURN_IF_ERROR(check_filter_quantization(ctx, in, filter, out, s.output_c, depthwise ? 3 : 0));
  if (in.quant.zero_point < -128 || in.quant.zero_point > 127 || out.quant.zero_point < -128 || out.quant.zero_point > 127)
    return ctx.error("zero points %d (input) and %d (output) must be int8", static_cast<int>(in.quant.zero_point),
                     static_cast<int>(out.quant.zero_point));
  ActivationRange range;
  CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, options.activation, out, &range));

  const uint64_t taps =
      static_cast<uint64_t>(s.filter_h) * static_cast<uint64_t>(s.filter_w) * (depthwise ? 1u : static_cast<uint64_t>(s.input_c));
  // Far beyond any int8 model; the bound keeps the loops' tap indices in int32 (whether the
  // accumulators fit is checked on the weights themselves below).
  if (taps > kMaxTaps)
    return ctx.error("%llu filter taps per output exceed %u", static_cast<unsigned long long>(taps),
                     static_cast<unsigned>(kMaxTaps));
  const TensorInfo bias = has_bias ? ctx.input(2) : TensorInfo{};
  CHORUS_RETURN_IF_ERROR(check_accumulator_range(ctx, filter, has_bias ? &bias : nullptr, s.output_c, static_cast<int32_t>(taps),
                                                 depthwise ? 1 : static_cast<size_t>(taps),
                                                 depthwise ? static_cast<size_t>(s.output_c) : 1));
  ctx.set_macs(static_cast<uint64_t>(out.shape.num_elements()) * taps);

  *shape = s;
  auto* d = ctx.allocate<ConvOpData>();
  if (d == nullptr) return Status::ok();
  d->shape = s;
  set_requantization(d, in, filter, out, range);
  ctx.set_op_data(d);
  *data = d;
  return Status::ok();
}

Status check_filter_quantization(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& filter, const TensorInfo& out,
                                 int32_t output_c, int32_t channel_axis) {
  if (filter.quant.count > 1 && (filter.quant.count != static_cast<uint32_t>(output_c) || filter.quant.axis != channel_axis))
    return ctx.error("per-channel filter needs %d scales on axis %d (has %u on axis %d)", static_cast<int>(output_c),
                     static_cast<int>(channel_axis), static_cast<unsigned>(filter.quant.count),
                     static_cast<int>(filter.quant.axis));
  for (uint32_t c = 0; c < filter.quant.count; ++c) {
    if (filter.quant.zero_points != nullptr && filter.quant.zero_points[c] != 0)
      return ctx.error("filter zero point of channel %u is %lld, int8 filters need 0", static_cast<unsigned>(c),
                       static_cast<long long>(filter.quant.zero_points[c]));
    if (!positive_scale(filter.quant.scales != nullptr ? filter.quant.scales[c] : filter.quant.scale))
      return ctx.error("filter scale of channel %u is not positive", static_cast<unsigned>(c));
  }
  if (!positive_scale(in.quant.scale) || !positive_scale(out.quant.scale))
    return ctx.error("input and output scales must be positive");
  return Status::ok();
}

void set_requantization(ConvOpData* d, const TensorInfo& in, const TensorInfo& filter, const TensorInfo& out, const ActivationRange& range) {
  d->input_offset = -in.quant.zero_point;
  d->output_offset = out.quant.zero_point;
  d->act_min = range.min;
  d->act_max = range.max;
  d->input_scale = in.quant.scale;
  d->output_scale = out.quant.scale;
  d->filter_scale = filter.quant.scale;
  d->filter_scales = filter.quant.count > 1 ? filter.quant.scales : nullptr;
}

void ConvOpData::channel_multipliers(QuantizedMultiplier* out) const {
  for (int32_t c = 0; c < shape.output_c; ++c) out[c] = channel_multiplier(c);
}

QuantizedMultiplier ConvOpData::channel_multiplier(int32_t c) const {
  // TFLM PopulateConvolutionQuantizationParams: a per-tensor scale is broadcast to every
  // channel, and each channel's multiplier is the double product
  // input_scale * filter_scale / output_scale.
  const float fs = filter_scales != nullptr ? filter_scales[c] : filter_scale;
#if defined(__arm__) && defined(__ARM_FP) && (__ARM_FP & 8)
  // A double-precision FPU (Cortex-M55, M7 with FPv5-D16) does the expression itself faster.
  return quantize_multiplier(static_cast<double>(input_scale) * static_cast<double>(fs) / static_cast<double>(output_scale));
#else
  return quantize_multiplier_ratio(input_scale, fs, output_scale);
#endif
}

}  // namespace chorus::runtime::kernels
