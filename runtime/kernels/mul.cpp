// MUL with N-d broadcasting: int8 and int16 quantised, int32 and float32 (TFLM mul.cc,
// mul_common.cc EvalMulQuantizedReference / EvalMulFloatReference).
#include <algorithm>

#include "broadcast.hpp"
#include "reference/mul_ref.hpp"

namespace chorus::runtime::kernels {
namespace {

struct MulData {
  DType type;
  MulQuantParams quant;  // int8, int16
  int32_t int_min;       // int32
  int32_t int_max;
  float float_min;  // float32
  float float_max;
  BroadcastPlan plan;  // last: allocated without its unused loops
};

Status prepare(PrepareContext& ctx) {
  BroadcastPlan plan;
  CHORUS_RETURN_IF_ERROR(prepare_binary(ctx, &plan));
  const TensorInfo a = ctx.input(0);
  const TensorInfo b = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  const auto* opts = ctx.options<chorus::tflite::MulOptions>();
  const int activation = opts ? static_cast<int>(opts->fused_activation_function()) : 0;
  MulQuantParams quant;
  int32_t int_min = 0, int_max = 0;
  float float_min = 0.0f, float_max = 0.0f;
  switch (out.type) {
    case DType::kInt8:
    case DType::kInt16: {
      if (!per_tensor(a) || !per_tensor(b) || !per_tensor(out))
        return ctx.error("%s inputs and output need one scale and zero point each", dtype_name(out.type));
      if (out.type == DType::kInt16 && (a.quant.zero_point != 0 || b.quant.zero_point != 0 || out.quant.zero_point != 0))
        return ctx.error("int16 tensors must have zero point 0");  // as TFLM mul_common.cc
      quant = make_mul_quant_params(a.quant.scale, a.quant.zero_point, b.quant.scale, b.quant.zero_point, out.quant.scale,
                                    out.quant.zero_point);
      ActivationRange range;
      CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, activation, out, &range));
      quant.act_min = range.min;
      quant.act_max = range.max;
      break;
    }
    case DType::kInt32:
      // TFLM multiplies int32 raw values (any quantisation parameters are ignored) and
      // applies the fused activation in integers.
      CHORUS_RETURN_IF_ERROR(unquantized_activation_range(ctx, activation, &int_min, &int_max));
      break;
    case DType::kFloat32:
      CHORUS_RETURN_IF_ERROR(unquantized_activation_range(ctx, activation, &float_min, &float_max));
      break;
    default:
      return ctx.error("supports int8, int16, int32 and float32, got %s", dtype_name(out.type));
  }
  auto* data = allocate_with_plan<MulData>(ctx, plan);
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

template <class T>
void mul_quantized_tensor(const MulData& d, const EvalContext& ctx) {
  const MulQuantParams& q = d.quant;
  broadcast_apply(d.plan, ctx.input<T>(0), ctx.input<T>(1), ctx.output<T>(0),
                  [&q](T x, T y) { return static_cast<T>(mul_quantized(x, y, q)); });
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<MulData>();
  switch (d.type) {
    case DType::kInt8:
      mul_quantized_tensor<int8_t>(d, ctx);
      break;
    case DType::kInt16:
      mul_quantized_tensor<int16_t>(d, ctx);
      break;
    case DType::kInt32: {
      // TFLM WrappingMul: the product modulo 2^32.
      const int32_t lo = d.int_min, hi = d.int_max;
      broadcast_apply(d.plan, ctx.input<int32_t>(0), ctx.input<int32_t>(1), ctx.output<int32_t>(0),
                      [lo, hi](int32_t x, int32_t y) {
                        const auto p = static_cast<int32_t>(static_cast<uint32_t>(x) * static_cast<uint32_t>(y));
                        return std::min(std::max(p, lo), hi);
                      });
      break;
    }
    case DType::kFloat32: {
      const float lo = d.float_min, hi = d.float_max;
      broadcast_apply(d.plan, ctx.input<float>(0), ctx.input<float>(1), ctx.output<float>(0),
                      [lo, hi](float x, float y) { return std::min(std::max(x * y, lo), hi); });
      break;
    }
    default:
      return Status::error(StatusCode::kInternal, "MUL: unprepared type");
  }
  return Status::ok();
}

}  // namespace

const Kernel kMul = {static_cast<int32_t>(OpCode::kMul), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
