// ADD with N-d broadcasting: int8 and int16 quantised (TFLM add.cc EvalAddQuantized, the
// general rescaling path for both), int32 and float32 (EvalAdd).
#include <algorithm>

#include "reference/add_ref.hpp"
#include "arm_int8.hpp"
#include "broadcast.hpp"

namespace chorus::runtime::kernels {
namespace {

struct AddData {
  DType type;
  AddQuantParams quant;  // int8, int16
  float float_min;       // float32
  float float_max;
  BroadcastPlan plan;  // last: allocated without its unused loops
};

Status prepare(PrepareContext& ctx) {
  BroadcastPlan plan;
  CHORUS_RETURN_IF_ERROR(prepare_binary(ctx, &plan));
  const TensorInfo a = ctx.input(0);
  const TensorInfo b = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  const auto* opts = ctx.options<chorus::tflite::AddOptions>();
  const int activation = opts ? static_cast<int>(opts->fused_activation_function()) : 0;
  AddQuantParams quant;
  float float_min = 0.0f, float_max = 0.0f;
  switch (out.type) {
    case DType::kInt8:
    case DType::kInt16: {
      if (!per_tensor(a) || !per_tensor(b) || !per_tensor(out))
        return ctx.error("%s inputs and output need one scale and zero point each", dtype_name(out.type));
      const bool is_int16 = out.type == DType::kInt16;
      // int16 activations are symmetric (TFLite int16 quantisation spec); a zero point
      // would overflow the 15-bit headroom of the int16 path.
      if (is_int16 && (a.quant.zero_point != 0 || b.quant.zero_point != 0 || out.quant.zero_point != 0))
        return ctx.error("int16 tensors must have zero point 0");
      if (!make_add_quant_params(a.quant.scale, a.quant.zero_point, b.quant.scale, b.quant.zero_point, out.quant.scale,
                                 out.quant.zero_point, is_int16 ? 15 : 20, &quant))
        return ctx.error("input scales too large for the output scale (rescale multiplier not below 1)");
      ActivationRange range;
      CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, activation, out, &range));
      quant.act_min = range.min;
      quant.act_max = range.max;
      break;
    }
    case DType::kInt32:
      // TFLM add.cc: int32 ADD is unquantised only, and runs with the full int32 range
      // whatever the fused activation says.
      if (a.quant.count != 0 || b.quant.count != 0 || out.quant.count != 0)
        return ctx.error("int32 ADD supports unquantised tensors only");
      break;
    case DType::kFloat32:
      CHORUS_RETURN_IF_ERROR(unquantized_activation_range(ctx, activation, &float_min, &float_max));
      break;
    default:
      return ctx.error("supports int8, int16, int32 and float32, got %s", dtype_name(out.type));
  }
  auto* data = allocate_with_plan<AddData>(ctx, plan);
  if (data == nullptr) return Status::ok();
  data->type = out.type;
  data->quant = quant;
  data->float_min = float_min;
  data->float_max = float_max;
  ctx.set_op_data(data);
  return Status::ok();
}

template <class T>
void add_quantized_tensor(const AddData& d, const EvalContext& ctx) {
  const AddQuantParams& q = d.quant;
#if defined(CHORUS_ARM_KERNELS)  // Cortex-M DSP or Helium (arm_int8.hpp): same-shape int8
  if constexpr (sizeof(T) == 1) {
    const BroadcastLoop& loop = d.plan.loops[0];
    if (d.plan.rank == 1 && loop.stride_a == 1 && loop.stride_b == 1) {
      arm::add_s8(ctx.input<int8_t>(0), ctx.input<int8_t>(1), ctx.output<int8_t>(0), d.plan.count, q.input1_offset,
                  q.input2_offset, q.left_shift, q.input1, q.input2, q.output, q.output_offset, q.act_min, q.act_max);
      return;
    }
  }
#endif
  broadcast_apply(d.plan, ctx.input<T>(0), ctx.input<T>(1), ctx.output<T>(0),
                  [&q](T x, T y) { return static_cast<T>(add_quantized(x, y, q)); });
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<AddData>();
  switch (d.type) {
    case DType::kInt8:
      add_quantized_tensor<int8_t>(d, ctx);
      break;
    case DType::kInt16:
      add_quantized_tensor<int16_t>(d, ctx);
      break;
    case DType::kInt32:
      // Two's-complement wrap on overflow (TFLM's plain int add, made well defined).
      broadcast_apply(d.plan, ctx.input<int32_t>(0), ctx.input<int32_t>(1), ctx.output<int32_t>(0), [](int32_t x, int32_t y) {
        return static_cast<int32_t>(static_cast<uint32_t>(x) + static_cast<uint32_t>(y));
      });
      break;
    case DType::kFloat32: {
      const float lo = d.float_min, hi = d.float_max;
      broadcast_apply(d.plan, ctx.input<float>(0), ctx.input<float>(1), ctx.output<float>(0),
                      [lo, hi](float x, float y) { return std::min(std::max(x + y, lo), hi); });
      break;
    }
    default:
      return Status::error(StatusCode::kInternal, "ADD: unprepared type");
  }
  return Status::ok();
}

}  // namespace

const Kernel kAdd = {static_cast<int32_t>(OpCode::kAdd), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
