// PACK over any element type: values_count inputs of one shape stacked along a new axis of the
// output (TFLite's semantics; TFLM pack.cc). A byte copy, so quantised values pass unchanged,
// as TFLM copies them (it does not requantise either). Vela leaves some on the CPU (a PACK of
// the graph's own inputs, a new innermost axis).
#include <cstring>

#include "kernels.hpp"

namespace chorus::runtime::kernels {
namespace {

struct PackData {
  uint32_t inputs;
  uint32_t outer;       // elements of the output before the new axis, as a count of blocks
  uint32_t block_bytes;  // one input's contiguous run: the axes after the new one
};

Status prepare(PrepareContext& ctx) {
  const auto* opts = ctx.options<chorus::tflite::PackOptions>();
  if (opts == nullptr) return ctx.error("missing PackOptions");
  const size_t n = ctx.num_inputs();
  if (n < 1 || ctx.num_outputs() != 1) return ctx.error("needs at least 1 input and 1 output");
  if (opts->values_count() != static_cast<int32_t>(n))
    return ctx.error("values_count %d but %zu inputs", static_cast<int>(opts->values_count()), n);
  for (size_t i = 0; i < n; ++i)
    if (!ctx.has_input(i)) return ctx.error("input %zu is missing", i);
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  const int32_t rank = out.shape.rank;
  if (rank != in.shape.rank + 1 || rank > kMaxDims)
    return ctx.error("output rank %d, input rank %d (the output has one more axis)", static_cast<int>(rank), static_cast<int>(in.shape.rank));
  int32_t axis = opts->axis();
  if (axis < -rank || axis >= rank) return ctx.error("axis %d is outside [-%d, %d)", static_cast<int>(axis), static_cast<int>(rank), static_cast<int>(rank));
  if (axis < 0) axis += rank;
  for (size_t i = 0; i < n; ++i) {
    const TensorInfo t = ctx.input(i);
    if (t.type != out.type) return ctx.error("input %zu is %s, output %s", i, dtype_name(t.type), dtype_name(out.type));
    if (!(t.shape == in.shape)) return ctx.error("input %zu's shape differs from input 0's", i);
  }
  uint64_t outer = 1, inner = 1;
  for (int32_t d = 0; d < rank; ++d) {
    const int32_t expected = d < axis ? in.shape.dims[d] : (d == axis ? static_cast<int32_t>(n) : in.shape.dims[d - 1]);
    if (out.shape.dims[d] != expected)
      return ctx.error("output dimension %d is %d, expected %d", static_cast<int>(d), static_cast<int>(out.shape.dims[d]), static_cast<int>(expected));
    if (d < axis) outer *= static_cast<uint64_t>(expected);
    if (d > axis) inner *= static_cast<uint64_t>(expected);
  }
  uint64_t block = inner * dtype_size(out.type);
  if (outer == 0 || block == 0) outer = block = 0;  // an empty output: nothing to copy
  if (outer > UINT32_MAX || block > UINT32_MAX) return ctx.error("tensor too large");
  auto* data = ctx.allocate<PackData>();
  if (data == nullptr) return Status::ok();
  data->inputs = static_cast<uint32_t>(n);
  data->outer = static_cast<uint32_t>(outer);
  data->block_bytes = static_cast<uint32_t>(block);
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<PackData>();
  uint8_t* out = ctx.output<uint8_t>(0);
  if (d.block_bytes == 0) return Status::ok();
  // Output block (k, i) is input i's block k.
  for (uint32_t k = 0; k < d.outer; ++k)
    for (uint32_t i = 0; i < d.inputs; ++i, out += d.block_bytes)
      // memmove: an offline memory plan the model brings could overlap an input with the output.
      std::memmove(out, ctx.input<uint8_t>(i) + static_cast<size_t>(k) * d.block_bytes, d.block_bytes);
  return Status::ok();
}

}  // namespace

const Kernel kPack = {static_cast<int32_t>(OpCode::kPack), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
