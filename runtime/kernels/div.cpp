// DIV with N-d broadcasting: float32, int32 (truncating) and int8 quantised (TFLM div.cc).
// TFLM divides by zero without a check (a crash for int32 on most targets); here a zero
// divisor is an error: at prepare when the divisor is a constant, at eval otherwise.
#include <algorithm>

#include "broadcast.hpp"
#include "reference/div_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

struct DivData {
  DType type;
  DivQuantParams quant;  // int8
  int32_t int_min;       // int32
  int32_t int_max;
  float float_min;  // float32
  float float_max;
  BroadcastPlan plan;  // last: allocated without its unused loops
};

// True when a constant divisor holds a (real) zero.
bool constant_divisor_has_zero(const TensorInfo& t) {
  if (t.constant_data == nullptr) return false;
  const size_t n = static_cast<size_t>(t.shape.num_elements());
  if (t.type == DType::kInt32) {
    const auto* v = reinterpret_cast<const int32_t*>(t.constant_data);
    return std::find(v, v + n, 0) != v + n;
  }
  if (t.type == DType::kInt8) {
    const auto* v = reinterpret_cast<const int8_t*>(t.constant_data);
    return std::find(v, v + n, static_cast<int8_t>(t.quant.zero_point)) != v + n;
  }
  return false;
}

Status prepare(PrepareContext& ctx) {
  BroadcastPlan plan;
  CHORUS_RETURN_IF_ERROR(prepare_binary(ctx, &plan));
  const TensorInfo a = ctx.input(0);
  const TensorInfo b = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  const auto* opts = ctx.options<chorus::tflite::DivOptions>();
  const int activation = opts ? static_cast<int>(opts->fused_activation_function()) : 0;
  DivQuantParams quant;
  int32_t int_min = 0, int_max = 0;
  float float_min = 0.0f, float_max = 0.0f;
  switch (out.type) {
    case DType::kInt8: {
      if (!per_tensor(a) || !per_tensor(b) || !per_tensor(out))
        return ctx.error("int8 inputs and output need one scale and zero point each");
      quant = make_div_quant_params(a.quant.scale, a.quant.zero_point, b.quant.scale, b.quant.zero_point, out.quant.scale,
                                    out.quant.zero_point);
      if (quant.output.shift > kDivMaxOutputShift)
        return ctx.error("rescale exponent %d exceeds %d (input/output scales too far apart)",
                         static_cast<int>(quant.output.shift), kDivMaxOutputShift);
      ActivationRange range;
      CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, activation, out, &range));
      quant.act_min = range.min;
      quant.act_max = range.max;
      break;
    }
    case DType::kInt32:
      if (a.quant.count != 0 || b.quant.count != 0 || out.quant.count != 0)
        return ctx.error("int32 DIV supports unquantised tensors only");  // as TFLM
      CHORUS_RETURN_IF_ERROR(unquantized_activation_range(ctx, activation, &int_min, &int_max));
      break;
    case DType::kFloat32:
      CHORUS_RETURN_IF_ERROR(unquantized_activation_range(ctx, activation, &float_min, &float_max));
      break;
    default:
      return ctx.error("supports int8, int32 and float32, got %s", dtype_name(out.type));
  }
  if (constant_divisor_has_zero(b)) return ctx.error("constant divisor '%s' contains a zero", b.name);
  auto* data = allocate_with_plan<DivData>(ctx, plan);
  if (data == nullptr) return Status::ok();
  data->type = out.type;
  data->quant = quant;
  data->int_min = int_min;
  data->int_max = int_max;
  data->float_min = float_min;
  data->float_max = float_max;
  ctx.set_op_data(data);
  return Status::ok();
}

Status division_by_zero() {
  return Status::error(StatusCode::kArithmetic, "division by zero");
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<DivData>();
  bool zero_divisor = false;
  switch (d.type) {
    case DType::kInt8: {
      const DivQuantParams& q = d.quant;
      const int32_t zero = -q.input2_offset;
      broadcast_apply(d.plan, ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.output<int8_t>(0),
                      [&q, zero, &zero_divisor](int8_t x, int8_t y) {
                        if (y == zero) {
                          zero_divisor = true;
                          return static_cast<int8_t>(q.output_offset);
                        }
                        return static_cast<int8_t>(div_quantized(x, y, q));
                      });
      break;
    }
    case DType::kInt32: {
      const int32_t lo = d.int_min, hi = d.int_max;
      broadcast_apply(d.plan, ctx.input<int32_t>(0), ctx.input<int32_t>(1), ctx.output<int32_t>(0),
                      [lo, hi, &zero_divisor](int32_t x, int32_t y) {
                        if (y == 0) {
                          zero_divisor = true;
                          return int32_t{0};
                        }
                        return std::min(std::max(div_int32(x, y), lo), hi);
                      });
      break;
    }
    case DType::kFloat32: {
      const float lo = d.float_min, hi = d.float_max;
      broadcast_apply(d.plan, ctx.input<float>(0), ctx.input<float>(1), ctx.output<float>(0),
                      [lo, hi](float x, float y) { return std::min(std::max(x / y, lo), hi); });
      break;
    }
    default:
      return Status::error(StatusCode::kInternal, "DIV: unprepared type");
  }
  return zero_divisor ? division_by_zero() : Status::ok();
}

}  // namespace

const Kernel kDiv = {static_cast<int32_t>(OpCode::kDiv), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
