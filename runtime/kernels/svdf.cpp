// SVDF (rank-factored time convolution with a recurrent state), int8 input and
// weights_feature, int32 bias, int8 output; weights_time and the variable activation
// state both int16 (zero point 0) or both int8 (any zero point). Arithmetic in
// svdf_ref.hpp; validation and multipliers from TFLM micro/kernels/svdf_common.cc
// PrepareSvdf.
#include <cmath>

#include "kernels.hpp"
#include "reference/svdf_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

// Errors print scales in units of 1e-9: the firmware formatter has no %g.
long long nano(double v) {
  return std::llround(v * 1e9);
}

struct SvdfData {
  SvdfShape shape;
  SvdfQuant quant;
  int32_t int8_state;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 5 || ctx.num_outputs() != 1)
    return ctx.error("needs 5 inputs (input, weights_feature, weights_time, bias, state) and 1 output, got %zu and %zu",
                     ctx.num_inputs(), ctx.num_outputs());
  for (size_t i : {size_t{0}, size_t{1}, size_t{2}, size_t{4}})
    if (!ctx.has_input(i)) return ctx.error("input %zu is missing", i);
  const auto* opts = ctx.options<chorus::tflite::SVDFOptions>();
  if (opts == nullptr) return ctx.error("missing SVDF options");
  const TensorInfo in = ctx.input(0);
  const TensorInfo wf = ctx.input(1);
  const TensorInfo wt = ctx.input(2);
  const TensorInfo st = ctx.input(4);
  const TensorInfo out = ctx.output(0);
  const bool has_bias = ctx.has_input(3);

  if (in.type != DType::kInt8 || wf.type != DType::kInt8 || out.type != DType::kInt8)
    return ctx.error("supports int8 input, weights_feature and output (got %s, %s, %s)", dtype_name(in.type), dtype_name(wf.type),
                     dtype_name(out.type));
  if (!((wt.type == DType::kInt16 && st.type == DType::kInt16) || (wt.type == DType::kInt8 && st.type == DType::kInt8)))
    return ctx.error("weights_time and state must both be int16 or both int8 (got %s, %s)", dtype_name(wt.type),
                     dtype_name(st.type));
  if (!st.is_variable) return ctx.error("activation state (input 4) must be a variable tensor");
  if (in.shape.rank != 2 || wf.shape.rank != 2 || wt.shape.rank != 2 || st.shape.rank != 2 || out.shape.rank != 2)
    return ctx.error("input, weights, state and output must be 2-D");

  const int32_t rank = opts->rank();
  const int32_t batches = in.shape.dims[0];
  const int32_t input_size = in.shape.dims[1];
  const int32_t num_filters = wf.shape.dims[0];
  const int32_t memory_size = wt.shape.dims[1];
  if (rank <= 0) return ctx.error("rank must be >= 1, got %d", static_cast<int>(rank));
  if (batches <= 0 || input_size <= 0 || num_filters <= 0 || memory_size <= 0) return ctx.error("empty dimension");
  if (num_filters % rank != 0)
    return ctx.error("%d filters are not a multiple of rank %d", static_cast<int>(num_filters), static_cast<int>(rank));
  const int32_t num_units = num_filters / rank;
  if (wf.shape.dims[1] != input_size)
    return ctx.error("weights_feature is [%d,%d], expected [%d,%d]", static_cast<int>(wf.shape.dims[0]),
                     static_cast<int>(wf.shape.dims[1]), static_cast<int>(num_filters), static_cast<int>(input_size));
  if (wt.shape.dims[0] != num_filters)
    return ctx.error("weights_time has %d rows, expected %d filters", static_cast<int>(wt.shape.dims[0]),
                     static_cast<int>(num_filters));
  if (st.shape.dims[0] != batches || static_cast<int64_t>(st.shape.dims[1]) != static_cast<int64_t>(memory_size) * num_filters)
    return ctx.error("state is [%d,%d], expected [%d,%lld]", static_cast<int>(st.shape.dims[0]),
                     static_cast<int>(st.shape.dims[1]), static_cast<int>(batches),
                     static_cast<long long>(memory_size) * num_filters);
  if (out.shape.dims[0] != batches || out.shape.dims[1] != num_units)
    return ctx.error("output is [%d,%d], expected [%d,%d]", static_cast<int>(out.shape.dims[0]),
                     static_cast<int>(out.shape.dims[1]), static_cast<int>(batches), static_cast<int>(num_units));

  const TensorInfo* quantised[] = {&in, &wf, &wt, &st, &out};
  for (const TensorInfo* t : quantised)
    if (t->quant.count == 0 || !(t->quant.scale > 0.0f)) return ctx.error("int8/int16 tensors must be quantised");
  if (wf.quant.zero_point != 0 || wt.quant.zero_point != 0) return ctx.error("weights must have zero point 0");
  for (const TensorInfo* t : {&in, &out, &st})
    if (t->type == DType::kInt8 && (t->quant.zero_point < -128 || t->quant.zero_point > 127))
      return ctx.error("int8 zero point %d is out of range", static_cast<int>(t->quant.zero_point));
  if (st.type == DType::kInt16 && st.quant.zero_point != 0)
    return ctx.error("int16 state must have zero point 0, got %d", static_cast<int>(st.quant.zero_point));
  if (has_bias) {
    const TensorInfo b = ctx.input(3);
    if (b.type != DType::kInt32 || b.shape.num_elements() != num_units)
      return ctx.error("bias must be int32[%d]", static_cast<int>(num_units));
    // TFLM PrepareSvdf: the bias scale must be state_scale * weights_time_scale.
    const double expected = static_cast<double>(st.quant.scale * wt.quant.scale);
    if (b.quant.count == 0 || !(std::fabs(static_cast<double>(b.quant.scale) - expected) < 1e-5))
      return ctx.error("bias scale %lld e-9 is not state scale * weights_time scale (%lld e-9)", nano(b.quant.scale),
                       nano(expected));
  }

  // TFLM computes both effective scales in float, then widens them.
  const double feature_to_state = static_cast<double>(in.quant.scale * wf.quant.scale / st.quant.scale);
  const double state_to_output = static_cast<double>(st.quant.scale * wt.quant.scale / out.quant.scale);
  const QuantizedMultiplier feature_multiplier = quantize_multiplier(feature_to_state);
  const QuantizedMultiplier output_multiplier = quantize_multiplier(state_to_output);
  if (feature_multiplier.shift > 30 || output_multiplier.shift > 30)
    return ctx.error("effective scales 2^%d and 2^%d are too large", static_cast<int>(feature_multiplier.shift),
                     static_cast<int>(output_multiplier.shift));
  ctx.request_scratch(static_cast<size_t>(input_size) * sizeof(int16_t));
  ctx.set_macs(static_cast<uint64_t>(batches) * static_cast<uint64_t>(num_filters) *
               static_cast<uint64_t>(input_size + memory_size));

  SvdfData* data = ctx.allocate<SvdfData>();
  if (data == nullptr) return Status::ok();
  data->shape = SvdfShape{batches, input_size, num_filters, num_units, rank, memory_size};
  data->quant.input_zero_point = in.quant.zero_point;
  data->quant.state_zero_point = st.quant.zero_point;
  data->quant.output_zero_point = out.quant.zero_point;
  data->quant.feature_to_state = Requantizer::from(feature_multiplier);
  data->quant.state_to_output = Requantizer::from(output_multiplier);
  data->int8_state = st.type == DType::kInt8 ? 1 : 0;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto* d = ctx.data<SvdfData>();
  int16_t* input_scratch = reinterpret_cast<int16_t*>(ctx.scratch);
  if (d->int8_state != 0)
    svdf_integer(d->shape, d->quant, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.input<int8_t>(2), ctx.input<int32_t>(3),
                 ctx.mutable_input<int8_t>(4), ctx.output<int8_t>(0), input_scratch);
  else
    svdf_integer(d->shape, d->quant, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.input<int16_t>(2), ctx.input<int32_t>(3),
                 ctx.mutable_input<int16_t>(4), ctx.output<int8_t>(0), input_scratch);
  return Status::ok();
}

}  // namespace

const Kernel kSvdf = {static_cast<int32_t>(OpCode::kSvdf), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
