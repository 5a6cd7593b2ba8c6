// PAD and PADV2 on int8, int16 and int32 tensors of up to kMaxPadDims axes (a byte copy of
// the input, so quantised values pass unchanged): the output is the input
// surrounded by `before[d]` and `after[d]` elements on each axis d, filled with the pad value.
// TFLite's semantics (TFLM pad.cc, pad_common.cc):
//  - `paddings` is a constant [rank, 2] tensor (TFLM requires it constant); the output shape
//    must equal input + before + after on every axis; negative paddings are refused;
//  - the pad value is PADV2's scalar `constant_values` input when present (int8: it must
//    carry the output's scale and zero point, as TFLM checks); otherwise the output zero
//    point for int8 and 0 for int16 and int32.
// TFLM reads the paddings as int32 whatever their type; int64 paddings (which the TFLite
// converter can also write) are read as int64 here.
#include <cstring>

#include "kernels.hpp"

namespace chorus::runtime::kernels {
namespace {

// TFLM reference_ops::PadKernelMaxDimensionCount.
constexpr int kMaxPadDims = 5;

struct PadData {
  int32_t rank;
  int32_t out_dims[kMaxPadDims];
  int32_t in_dims[kMaxPadDims];
  int32_t before[kMaxPadDims];
  uint32_t element_size;
  uint8_t pad_value[4];      // used when there is no constant_values input
  bool runtime_value;        // constant_values is an activation: read it in eval
};

Status prepare_pad(PrepareContext& ctx, bool v2) {
  if (ctx.num_outputs() != 1) return ctx.error("needs 1 output");
  if (ctx.num_inputs() != 2 && !(v2 && ctx.num_inputs() == 3))
    return ctx.error("needs input, paddings%s", v2 ? " and an optional constant_values" : "");
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("input or paddings is missing");
  const TensorInfo in = ctx.input(0);
  const TensorInfo pads = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (in.type != out.type) return ctx.error("input is %s, output %s", dtype_name(in.type), dtype_name(out.type));
  if (in.type != DType::kInt8 && in.type != DType::kInt16 && in.type != DType::kInt32)
    return ctx.error("supports int8, int16 and int32 tensors (got %s)", dtype_name(in.type));
  const int32_t rank = in.shape.rank;
  if (rank < 1 || rank > kMaxPadDims) return ctx.error("input rank %d is outside 1..%d", static_cast<int>(rank), kMaxPadDims);
  if (out.shape.rank != rank) return ctx.error("output rank %d, input rank %d", static_cast<int>(out.shape.rank), static_cast<int>(rank));
  if (pads.type != DType::kInt32 && pads.type != DType::kInt64)
    return ctx.error("paddings must be int32 or int64, got %s", dtype_name(pads.type));
  if (pads.constant_data == nullptr) return ctx.error("paddings must be a constant tensor");
  if (pads.shape.num_elements() != 2 * static_cast<int64_t>(rank))
    return ctx.error("paddings has %lld values, a rank-%d input needs %d", static_cast<long long>(pads.shape.num_elements()),
                     static_cast<int>(rank), static_cast<int>(2 * rank));

  PadData d{};
  d.rank = rank;
  d.element_size = static_cast<uint32_t>(dtype_size(in.type));
  for (int32_t i = 0; i < rank; ++i) {
    int64_t b = 0, a = 0;
    if (pads.type == DType::kInt32) {
      int32_t v[2];
      std::memcpy(v, pads.constant_data + 8 * static_cast<size_t>(i), sizeof(v));  // may be unaligned in a hostile file
      b = v[0];
      a = v[1];
    } else {
      int64_t v[2];
      std::memcpy(v, pads.constant_data + 16 * static_cast<size_t>(i), sizeof(v));
      b = v[0];
      a = v[1];
    }
    if (b < 0 || a < 0) return ctx.error("axis %d has negative padding (%lld, %lld)", static_cast<int>(i), static_cast<long long>(b), static_cast<long long>(a));
    if (b > INT32_MAX || a > INT32_MAX) return ctx.error("axis %d pads by more than 2^31 elements", static_cast<int>(i));
    if (in.shape.dims[i] + b + a != out.shape.dims[i])
      return ctx.error("output dimension %d is %d, input %d + paddings %lld + %lld", static_cast<int>(i), static_cast<int>(out.shape.dims[i]),
                       static_cast<int>(in.shape.dims[i]), static_cast<long long>(b), static_cast<long long>(a));
    d.in_dims[i] = in.shape.dims[i];
    d.out_dims[i] = out.shape.dims[i];
    d.before[i] = static_cast<int32_t>(b);
  }

  const bool has_value = ctx.num_inputs() == 3 && ctx.has_input(2);
  if (has_value) {
    const TensorInfo value = ctx.input(2);
    if (value.type != in.type) return ctx.error("constant_values is %s, input %s", dtype_name(value.type), dtype_name(in.type));
    if (value.shape.num_elements() != 1) return ctx.error("constant_values must be a scalar (has %lld values)", static_cast<long long>(value.shape.num_elements()));
    if (in.type == DType::kInt8 &&
        (value.quant.count == 0 || out.quant.count == 0 || value.quant.zero_point != out.quant.zero_point || value.quant.scale != out.quant.scale))
      return ctx.error("constant_values must have the output's scale and zero point");
    if (value.constant_data != nullptr)
      std::memcpy(d.pad_value, value.constant_data, d.element_size);
    else
      d.runtime_value = true;
  } else if (in.type == DType::kInt8) {
    const int64_t zp = out.quant.count != 0 ? out.quant.zero_point : 0;
    if (zp < -128 || zp > 127) return ctx.error("output zero point %lld is not int8", static_cast<long long>(zp));
    const int8_t v = static_cast<int8_t>(zp);
    std::memcpy(d.pad_value, &v, 1);
  }  // int16, int32: 0

  auto* data = ctx.allocate<PadData>();
  if (data == nullptr) return Status::ok();
  *data = d;
  ctx.set_op_data(data);
  return Status::ok();
}

Status prepare_pad_v1(PrepareContext& ctx) { return prepare_pad(ctx, false); }
Status prepare_pad_v2(PrepareContext& ctx) { return prepare_pad(ctx, true); }

void fill(uint8_t* dst, const uint8_t* value, size_t count, size_t element_size) {
  if (element_size == 1) {
    std::memset(dst, value[0], count);
    return;
  }
  for (size_t i = 0; i < count; ++i, dst += element_size) std::memcpy(dst, value, element_size);
}

// Writes the output block of axis `axis` (all inner axes) at `dst` from `src`, the input
// block that lands in it; returns the end of what it wrote.
uint8_t* pad_block(const PadData& d, int axis, const uint8_t* src, uint8_t* dst, const uint8_t* value, const size_t* out_block,
                   const size_t* in_block) {
  const size_t es = d.element_size;
  const size_t inner = axis + 1 < d.rank ? out_block[axis + 1] : 1;
  const int32_t before = d.before[axis];
  const int32_t after = d.out_dims[axis] - before - d.in_dims[axis];
  fill(dst, value, static_cast<size_t>(before) * inner, es);
  dst += static_cast<size_t>(before) * inner * es;
  if (axis + 1 == d.rank) {
    const size_t n = static_cast<size_t>(d.in_dims[axis]) * es;
    std::memcpy(dst, src, n);
    dst += n;
  } else {
    const size_t in_inner = in_block[axis + 1];
    for (int32_t i = 0; i < d.in_dims[axis]; ++i) dst = pad_block(d, axis + 1, src + i * in_inner * es, dst, value, out_block, in_block);
  }
  fill(dst, value, static_cast<size_t>(after) * inner, es);
  return dst + static_cast<size_t>(after) * inner * es;
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<PadData>();
  uint8_t value[4];
  std::memcpy(value, d.runtime_value ? ctx.input<uint8_t>(2) : d.pad_value, d.element_size);  // at most 4 bytes (prepare)
  // Elements per block of each axis (the axis and everything inside it).
  size_t out_block[kMaxPadDims], in_block[kMaxPadDims];
  size_t o = 1, n = 1;
  for (int a = d.rank - 1; a >= 0; --a) {
    o *= static_cast<size_t>(d.out_dims[a]);
    n *= static_cast<size_t>(d.in_dims[a]);
    out_block[a] = o;
    in_block[a] = n;
  }
  const uint8_t* input = ctx.input<uint8_t>(0);
  uint8_t* output = ctx.output<uint8_t>(0);
  if (o == 0) return Status::ok();  // an empty output: nothing to write
  if (n == 0) {  // an empty input: the output is all padding
    fill(output, value, o, d.element_size);
    return Status::ok();
  }
  pad_block(d, 0, input, output, value, out_block, in_block);
  return Status::ok();
}

}  // namespace

const Kernel kPad = {static_cast<int32_t>(OpCode::kPad), nullptr, prepare_pad_v1, eval};
const Kernel kPadV2 = {static_cast<int32_t>(OpCode::kPadV2), nullptr, prepare_pad_v2, eval};

}  // namespace chorus::runtime::kernels
