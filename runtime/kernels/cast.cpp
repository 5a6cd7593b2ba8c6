// CAST between int8, uint8, int16, int32, uint32, int64, float32 and bool (a superset of
// TFLM cast.cc). The conversion rules are in cast_ref.hpp. Prepare picks the conversion
// loop once; eval is one call. Quantisation parameters are ignored, as in TFLM.
#include "reference/cast_ref.hpp"
#include "kernels.hpp"

namespace chorus::runtime::kernels {
namespace {

using CastLoop = void (*)(const void* in, void* out, size_t count);

struct CastData {
  CastLoop loop;
  uint32_t count;
};

template <class From>
CastLoop loop_to(DType to) {
  switch (to) {
    case DType::kInt8:
      return cast_elements<From, int8_t>;
    case DType::kUInt8:
      return cast_elements<From, uint8_t>;
    case DType::kInt16:
      return cast_elements<From, int16_t>;
    case DType::kInt32:
      return cast_elements<From, int32_t>;
    case DType::kUInt32:
      return cast_elements<From, uint32_t>;
    case DType::kInt64:
      return cast_elements<From, int64_t>;
    case DType::kFloat32:
      return cast_elements<From, float>;
    case DType::kBool:
      return cast_elements<From, bool>;
    default:
      return nullptr;
  }
}

CastLoop loop_for(DType from, DType to) {
  switch (from) {
    case DType::kInt8:
      return loop_to<int8_t>(to);
    case DType::kUInt8:
      return loop_to<uint8_t>(to);
    case DType::kInt16:
      return loop_to<int16_t>(to);
    case DType::kInt32:
      return loop_to<int32_t>(to);
    case DType::kUInt32:
      return loop_to<uint32_t>(to);
    case DType::kInt64:
      return loop_to<int64_t>(to);
    case DType::kFloat32:
      return loop_to<float>(to);
    case DType::kBool:
      return loop_to<bool>(to);
    default:
      return nullptr;
  }
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) return ctx.error("needs 1 input and 1 output");
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  const CastLoop loop = loop_for(in.type, out.type);
  if (loop == nullptr)
    return ctx.error("cannot cast %s to %s (supported: int8, uint8, int16, int32, uint32, int64, float32, bool)",
                     dtype_name(in.type), dtype_name(out.type));
  if (in.shape.num_elements() != out.shape.num_elements())
    return ctx.error("input has %lld elements, output %lld", static_cast<long long>(in.shape.num_elements()),
                     static_cast<long long>(out.shape.num_elements()));
  auto* data = ctx.allocate<CastData>();
  if (data == nullptr) return Status::ok();
  data->loop = loop;
  data->count = static_cast<uint32_t>(in.shape.num_elements());
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<CastData>();
  d.loop(ctx.input<uint8_t>(0), ctx.output<uint8_t>(0), d.count);
  return Status::ok();
}

}  // namespace

const Kernel kCast = {static_cast<int32_t>(OpCode::kCast), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
