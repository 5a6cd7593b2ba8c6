// QUANTIZE (float -> int8/int16 affine quantisation; integer -> integer requantisation
// between the type pairs TFLM micro/kernels/quantize_common.cc accepts) and DEQUANTIZE
// (int8/int16/uint8 -> float32, micro/kernels/dequantize_common.cc). Arithmetic in
// quantize_ref.hpp.
#include "kernels.hpp"
#include "reference/quantize_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

struct QuantizeData {
  uint32_t count;
  DType in_type;
  DType out_type;
  int32_t input_zero_point;
  int32_t output_zero_point;
  Requantizer multiplier;  // requantisation: input_scale / output_scale
  float scale;             // float input: output scale; DEQUANTIZE: input scale
};

bool is_requantize_pair(DType in, DType out) {
  switch (in) {
    case DType::kInt8:
      return out == DType::kInt8 || out == DType::kUInt8 || out == DType::kInt16 || out == DType::kInt32;
    case DType::kInt16:
      return out == DType::kInt8 || out == DType::kInt16 || out == DType::kInt32;
    case DType::kInt32:
      return out == DType::kInt8 || out == DType::kInt16;
    case DType::kUInt8:
      return out == DType::kInt8;
    default:
      return false;
  }
}

// The TFLite spec keeps a zero point inside its type's range; the kernels rely on it.
bool zero_point_in_range(DType type, int32_t zp) {
  switch (type) {
    case DType::kInt8:
      return zp >= -128 && zp <= 127;
    case DType::kUInt8:
      return zp >= 0 && zp <= 255;
    case DType::kInt16:
      return zp >= -32768 && zp <= 32767;
    default:
      return true;
  }
}

Status check_unary(PrepareContext& ctx, TensorInfo* in, TensorInfo* out) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) return ctx.error("needs 1 input and 1 output");
  *in = ctx.input(0);
  *out = ctx.output(0);
  if (in->shape.num_elements() != out->shape.num_elements())
    return ctx.error("input has %lld elements, output %lld", static_cast<long long>(in->shape.num_elements()),
                     static_cast<long long>(out->shape.num_elements()));
  return Status::ok();
}

Status prepare_quantize(PrepareContext& ctx) {
  TensorInfo in, out;
  CHORUS_RETURN_IF_ERROR(check_unary(ctx, &in, &out));
  const bool from_float = in.type == DType::kFloat32 && (out.type == DType::kInt8 || out.type == DType::kInt16);
  if (!from_float && !is_requantize_pair(in.type, out.type))
    return ctx.error("%s -> %s is not supported", dtype_name(in.type), dtype_name(out.type));
  // TFLM quantize_common.cc: per-tensor output quantisation only.
  if (out.quant.count != 1 || !(out.quant.scale > 0.0f))
    return ctx.error("output needs one positive scale (per-tensor quantisation), has %u", static_cast<unsigned>(out.quant.count));
  if (!zero_point_in_range(out.type, out.quant.zero_point))
    return ctx.error("output zero point %d is outside %s's range", static_cast<int>(out.quant.zero_point), dtype_name(out.type));
  Requantizer multiplier;
  if (!from_float) {
    if (in.quant.count == 0 || !(in.quant.scale > 0.0f)) return ctx.error("integer input must be quantised");
    if (!zero_point_in_range(in.type, in.quant.zero_point))
      return ctx.error("input zero point %d is outside %s's range", static_cast<int>(in.quant.zero_point), dtype_name(in.type));
    const QuantizedMultiplier m = quantize_multiplier(static_cast<double>(in.quant.scale) / static_cast<double>(out.quant.scale));
    if (m.shift > 30) return ctx.error("input/output scale ratio 2^%d is too large", static_cast<int>(m.shift));
    multiplier = Requantizer::from(m);
  }
  if (in.shape.num_elements() > static_cast<int64_t>(UINT32_MAX)) return ctx.error("tensor too large");

  QuantizeData* data = ctx.allocate<QuantizeData>();
  if (data == nullptr) return Status::ok();
  data->count = static_cast<uint32_t>(in.shape.num_elements());
  data->in_type = in.type;
  data->out_type = out.type;
  data->input_zero_point = from_float ? 0 : in.quant.zero_point;
  data->output_zero_point = out.quant.zero_point;
  data->multiplier = multiplier;
  data->scale = out.quant.scale;
  ctx.set_op_data(data);
  return Status::ok();
}

template <class In>
void requantize_from(const EvalContext& ctx, const QuantizeData& d) {
  const In* in = ctx.input<In>(0);
  switch (d.out_type) {
    case DType::kInt8:
      requantize(in, d.count, d.multiplier, d.input_zero_point, d.output_zero_point, ctx.output<int8_t>(0));
      break;
    case DType::kUInt8:
      requantize(in, d.count, d.multiplier, d.input_zero_point, d.output_zero_point, ctx.output<uint8_t>(0));
      break;
    case DType::kInt16:
      requantize(in, d.count, d.multiplier, d.input_zero_point, d.output_zero_point, ctx.output<int16_t>(0));
      break;
    case DType::kInt32:
      requantize(in, d.count, d.multiplier, d.input_zero_point, d.output_zero_point, ctx.output<int32_t>(0));
      break;
    default:
      break;  // prepare admits no other type
  }
}

Status eval_quantize(const EvalContext& ctx) {
  const auto& d = *ctx.data<QuantizeData>();
  switch (d.in_type) {
    case DType::kFloat32:
      if (d.out_type == DType::kInt8)
        affine_quantize(ctx.input<float>(0), d.count, d.scale, d.output_zero_point, ctx.output<int8_t>(0));
      else
        affine_quantize(ctx.input<float>(0), d.count, d.scale, d.output_zero_point, ctx.output<int16_t>(0));
      break;
    case DType::kInt8:
      requantize_from<int8_t>(ctx, d);
      break;
    case DType::kUInt8:
      requantize_from<uint8_t>(ctx, d);
      break;
    case DType::kInt16:
      requantize_from<int16_t>(ctx, d);
      break;
    case DType::kInt32:
      requantize_from<int32_t>(ctx, d);
      break;
    default:
      break;
  }
  return Status::ok();
}

Status prepare_dequantize(PrepareContext& ctx) {
  TensorInfo in, out;
  CHORUS_RETURN_IF_ERROR(check_unary(ctx, &in, &out));
  if ((in.type != DType::kInt8 && in.type != DType::kInt16 && in.type != DType::kUInt8) || out.type != DType::kFloat32)
    return ctx.error("supports int8, int16 or uint8 -> float32 (got %s -> %s)", dtype_name(in.type), dtype_name(out.type));
  // TFLM dequantize_common.cc uses the first scale and zero point only.
  if (in.quant.count != 1 || !(in.quant.scale > 0.0f))
    return ctx.error("input needs one positive scale (per-tensor quantisation), has %u", static_cast<unsigned>(in.quant.count));
  if (!zero_point_in_range(in.type, in.quant.zero_point))
    return ctx.error("input zero point %d is outside %s's range", static_cast<int>(in.quant.zero_point), dtype_name(in.type));
  if (in.shape.num_elements() > static_cast<int64_t>(UINT32_MAX)) return ctx.error("tensor too large");

  QuantizeData* data = ctx.allocate<QuantizeData>();
  if (data == nullptr) return Status::ok();
  data->count = static_cast<uint32_t>(in.shape.num_elements());
  data->in_type = in.type;
  data->out_type = out.type;
  data->input_zero_point = in.quant.zero_point;
  data->output_zero_point = 0;
  data->scale = in.quant.scale;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval_dequantize(const EvalContext& ctx) {
  const auto& d = *ctx.data<QuantizeData>();
  float* out = ctx.output<float>(0);
  switch (d.in_type) {
    case DType::kInt8:
      dequantize(ctx.input<int8_t>(0), d.count, d.scale, d.input_zero_point, out);
      break;
    case DType::kInt16:
      dequantize(ctx.input<int16_t>(0), d.count, d.scale, d.input_zero_point, out);
      break;
    case DType::kUInt8:
      dequantize(ctx.input<uint8_t>(0), d.count, d.scale, d.input_zero_point, out);
      break;
    default:
      break;
  }
  return Status::ok();
}

}  // namespace

const Kernel kQuantize = {static_cast<int32_t>(OpCode::kQuantize), nullptr, prepare_quantize, eval_quantize};
const Kernel kDequantize = {static_cast<int32_t>(OpCode::kDequantize), nullptr, prepare_dequantize, eval_dequantize};

}  // namespace chorus::runtime::kernels
