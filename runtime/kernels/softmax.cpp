// SOFTMAX over the last dimension, int8 input, int8 or int16 output: the fixed-point exp()
// path of TFLM reference_ops::Softmax (see softmax_ref.hpp). The output quantisation is
// fixed by the TFLite spec (int8: scale 1/256, zero point -128; int16: scale 1/65536,
// zero point -32768), and prepare insists on it because the arithmetic assumes it.
#include <cmath>

#include "kernels.hpp"
#include "reference/softmax_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

// Errors print scales in units of 1e-9: the firmware formatter has no %g.
long long nano(double v) {
  return std::llround(v * 1e9);
}

struct SoftmaxData {
  SoftmaxQuantParams params;
  int32_t outer;
  int32_t depth;
  int32_t int16_output;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) return ctx.error("needs 1 input and 1 output");
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  const auto* opts = ctx.options<chorus::tflite::SoftmaxOptions>();
  if (in.type != DType::kInt8 || (out.type != DType::kInt8 && out.type != DType::kInt16))
    return ctx.error("supports int8 input with int8 or int16 output (got %s -> %s)", dtype_name(in.type), dtype_name(out.type));
  if (in.shape.rank < 1) return ctx.error("input must have at least 1 dimension");
  if (!(in.shape == out.shape)) return ctx.error("output shape differs from the input's");
  if (in.quant.count == 0 || !(in.quant.scale > 0.0f)) return ctx.error("int8 input must be quantised");
  if (out.quant.count == 0) return ctx.error("output must be quantised");
  const bool int16_output = out.type == DType::kInt16;
  if (int16_output) {
    // TFLM softmax_common.cc: zero point -32768, scale within 0.1% of 1/65536.
    if (out.quant.zero_point != -32768)
      return ctx.error("int16 output zero point must be -32768, got %d", static_cast<int>(out.quant.zero_point));
    if (std::fabs(out.quant.scale - 1.0f / 65536) > 0.001f * 1.0f / 65536)
      return ctx.error("int16 output scale must be 1/65536, got %lld e-9", nano(out.quant.scale));
  } else {
    if (out.quant.zero_point != -128)
      return ctx.error("int8 output zero point must be -128, got %d", static_cast<int>(out.quant.zero_point));
    if (out.quant.scale != 1.0f / 256) return ctx.error("int8 output scale must be 1/256, got %lld e-9", nano(out.quant.scale));
  }
  const int32_t depth = in.shape.dims[in.shape.rank - 1];
  if (depth <= 0) return ctx.error("empty last dimension");
  const int32_t max_depth = int16_output ? softmax_max_depth<int16_t>() : softmax_max_depth<int8_t>();
  if (depth > max_depth)
    return ctx.error("last dimension %d exceeds %d, the fixed-point sum's limit", static_cast<int>(depth),
                     static_cast<int>(max_depth));
  const double beta = opts != nullptr ? static_cast<double>(opts->beta()) : 0.0;
  SoftmaxQuantParams params;
  if (!softmax_quant_params(beta, static_cast<double>(in.quant.scale), &params))
    return ctx.error("beta %lld e-9 * input scale %lld e-9 is too small for the fixed-point exp", nano(beta),
                     nano(in.quant.scale));
  const int64_t outer = in.shape.num_elements() / depth;
  ctx.request_scratch(static_cast<size_t>(depth) * sizeof(int32_t));

  SoftmaxData* data = ctx.allocate<SoftmaxData>();
  if (data == nullptr) return Status::ok();
  data->params = params;
  data->outer = static_cast<int32_t>(outer);
  data->depth = depth;
  data->int16_output = int16_output ? 1 : 0;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto* d = ctx.data<SoftmaxData>();
  int32_t* exps = reinterpret_cast<int32_t*>(ctx.scratch);
  if (d->int16_output != 0)
    softmax_int8(d->params, ctx.input<int8_t>(0), d->outer, d->depth, ctx.output<int16_t>(0), exps);
  else
    softmax_int8(d->params, ctx.input<int8_t>(0), d->outer, d->depth, ctx.output<int8_t>(0), exps);
  return Status::ok();
}

}  // namespace

const Kernel kSoftmax = {static_cast<int32_t>(OpCode::kSoftmax), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
