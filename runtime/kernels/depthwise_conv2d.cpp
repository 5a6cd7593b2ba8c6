// DEPTHWISE_CONV_2D, int8 activations and filters (per-channel or per-tensor scales),
// optional int32 bias, any depth multiplier, SAME/VALID padding, strides, dilation and
// fused activations; bit-exact with TFLM reference_integer_ops::DepthwiseConvPerChannel.
// Eval runs the channel-block loops unless the build defines CHORUS_REFERENCE_KERNELS.
#include "reference/depthwise_conv2d_loops.hpp"
#include "kernels.hpp"
#include "scratch_sizes.hpp"

namespace chorus::runtime::kernels {
namespace {

Status prepare(PrepareContext& ctx) {
  const auto* opts = ctx.options<chorus::tflite::DepthwiseConv2DOptions>();
  if (opts == nullptr) return ctx.error("missing DepthwiseConv2DOptions");
  ConvOptions options{};
  options.padding = static_cast<WindowPadding>(opts->padding());
  options.stride_h = opts->stride_h();
  options.stride_w = opts->stride_w();
  options.dilation_h = opts->dilation_h_factor();
  options.dilation_w = opts->dilation_w_factor();
  options.depth_multiplier = opts->depth_multiplier();
  options.activation = static_cast<int>(opts->fused_activation_function());
  ConvShape shape{};
  ConvOpData* data = nullptr;
  CHORUS_RETURN_IF_ERROR(prepare_convolution(ctx, ConvKind::kDepthwise, options, &shape, &data));
  ctx.request_scratch(channel_multiplier_bytes(shape) + depthwise_conv2d_scratch_bytes(shape, ctx.variant()));
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto* d = ctx.data<ConvOpData>();
  const int8_t* input = ctx.input<int8_t>(0);
  const int8_t* filter = ctx.input<int8_t>(1);
  const int32_t* bias = ctx.input<int32_t>(2);
  int8_t* output = ctx.output<int8_t>(0);
  ConvShape shape = d->shape;
  if (ctx.slice_end >= 0) {  // a band of output rows (one scheduler step of a sliced op)
    shape.row_begin = ctx.slice_begin;
    shape.row_end = ctx.slice_end;
  }
  // Scratch: [per-channel multipliers | the loops' own area].
  auto* channels = reinterpret_cast<QuantizedMultiplier*>(ctx.scratch);
  d->channel_multipliers(channels);
#ifdef CHORUS_REFERENCE_KERNELS
  depthwise_conv2d_reference(shape, d->requant(channels), input, filter, bias, output);
#else
  depthwise_conv2d_fast(shape, d->requant(channels), input, filter, bias, output, ctx.scratch + channel_multiplier_bytes(shape));
#endif
  return Status::ok();
}

}  // namespace

const Kernel kDepthwiseConv2d = {static_cast<int32_t>(OpCode::kDepthwiseConv2d), nullptr, prepare, eval, 1};

}  // namespace chorus::runtime::kernels
