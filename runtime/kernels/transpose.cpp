// TRANSPOSE over any element type, up to kMaxDims axes: output axis i is input axis perm[i]
// (TFLite's semantics; TFLM transpose.cc). A byte copy per element, so quantised tensors keep
// their values exactly. `perm` must be a constant int32 permutation of 0..rank-1 (as TFLM
// requires a constant here too). PyTorch-exported models start with one (NCHW to NHWC), and
// Vela leaves it on the CPU.
#include "reference/strided_slice_ref.hpp"

#include "kernels.hpp"

namespace chorus::runtime::kernels {
namespace {

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1) return ctx.error("needs input, perm and 1 output");
  if (!ctx.has_input(0) || !ctx.has_input(1)) return ctx.error("input or perm is missing");
  const TensorInfo in = ctx.input(0);
  const TensorInfo perm_t = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (out.type != in.type) return ctx.error("input is %s, output %s", dtype_name(in.type), dtype_name(out.type));
  if (perm_t.type != DType::kInt32) return ctx.error("perm must be int32, got %s", dtype_name(perm_t.type));
  if (perm_t.constant_data == nullptr) return ctx.error("perm must be a constant tensor");
  const int32_t rank = in.shape.rank;
  if (perm_t.shape.num_elements() != rank)
    return ctx.error("perm has %lld values, input rank is %d", static_cast<long long>(perm_t.shape.num_elements()), static_cast<int>(rank));
  if (out.shape.rank != rank) return ctx.error("output rank %d, input rank %d", static_cast<int>(out.shape.rank), static_cast<int>(rank));
  const auto* perm = reinterpret_cast<const int32_t*>(perm_t.constant_data);
  bool used[kMaxDims] = {};
  int64_t input_stride[kMaxDims];
  int64_t running = 1;
  for (int d = rank - 1; d >= 0; --d) {
    input_stride[d] = running;
    running *= in.shape.dims[d];
  }
  SlicePlan plan;
  int64_t total = 1;
  for (int i = 0; i < rank; ++i) {
    const int32_t p = perm[i];
    if (p < 0 || p >= rank || used[p]) return ctx.error("perm is not a permutation of 0..%d (value %d at %d)", static_cast<int>(rank - 1), static_cast<int>(p), i);
    used[p] = true;
    if (out.shape.dims[i] != in.shape.dims[p])
      return ctx.error("output dimension %d is %d, input dimension %d is %d", i, static_cast<int>(out.shape.dims[i]), static_cast<int>(p),
                       static_cast<int>(in.shape.dims[p]));
    plan.extent[i] = in.shape.dims[p];
    plan.step[i] = static_cast<int32_t>(input_stride[p]);
    total *= in.shape.dims[p];
  }
  plan.count = static_cast<int32_t>(total);
  plan.rank = rank;
  if (rank == 0 && total == 1) {  // a scalar: one element
    plan.rank = 1;
    plan.extent[0] = 1;
    plan.step[0] = 1;
  }
  auto* data = ctx.allocate<SliceCopyData>();
  if (data == nullptr) return Status::ok();
  data->plan = plan;
  data->element_size = static_cast<uint32_t>(dtype_size(in.type));
  ctx.set_op_data(data);
  return Status::ok();
}

}  // namespace

const Kernel kTranspose = {static_cast<int32_t>(OpCode::kTranspose), nullptr, prepare, eval_slice_copy};

}  // namespace chorus::runtime::kernels
