#include "broadcast.hpp"

#include <limits>

#include "chorus/module/format.hpp"

namespace chorus::runtime::kernels {
namespace {

// Dimension `d` of `s` right-aligned into `rank` dimensions (leading 1s).
int32_t aligned_dim(const Shape& s, int d, int rank) {
  const int i = d - (rank - s.rank);
  return i < 0 ? 1 : s.dims[i];
}

// "[1,32,32,16]" into `text` (for error messages).
const char* shape_text(const Shape& s, char* text, size_t capacity) {
  size_t n = format_to(text, capacity, "[");
  for (int i = 0; i < s.rank && n < capacity; ++i)
    n += format_to(text + n, capacity - n, i == 0 ? "%d" : ",%d", static_cast<int>(s.dims[i]));
  if (n < capacity) format_to(text + n, capacity - n, "]");
  return text;
}

}  // namespace

bool plan_broadcast(const Shape& a, const Shape& b, const Shape& out, BroadcastPlan* plan) {
  *plan = BroadcastPlan{};
  int rank = a.rank > b.rank ? a.rank : b.rank;
  if (out.rank > rank) rank = out.rank;
  int32_t extent[kMaxDims];
  bool varies_a[kMaxDims], varies_b[kMaxDims];
  int loops = 0;
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    const int32_t da = aligned_dim(a, d, rank);
    const int32_t db = aligned_dim(b, d, rank);
    const int32_t dout = aligned_dim(out, d, rank);
    if (da != db && da != 1 && db != 1) return false;
    if (dout != (da == 1 ? db : da)) return false;
    count *= dout;
    if (dout == 1) continue;  // index always 0: no loop
    const bool va = da != 1, vb = db != 1;
    if (loops > 0 && varies_a[loops - 1] == va && varies_b[loops - 1] == vb) {
      extent[loops - 1] *= dout;  // same pattern as the outer neighbour: one loop
      continue;
    }
    extent[loops] = dout;
    varies_a[loops] = va;
    varies_b[loops] = vb;
    ++loops;
  }
  if (count > std::numeric_limits<int32_t>::max()) return false;
  plan->count = static_cast<int32_t>(count);
  if (count == 0) return true;
  if (loops == 0) {  // every extent 1: a single element
    extent[0] = 1;
    varies_a[0] = varies_b[0] = true;
    loops = 1;
  }
  int32_t step_a = 1, step_b = 1;
  for (int i = loops - 1; i >= 0; --i) {
    plan->loops[i].extent = extent[i];
    plan->loops[i].stride_a = varies_a[i] ? step_a : 0;
    plan->loops[i].stride_b = varies_b[i] ? step_b : 0;
    if (varies_a[i]) step_a *= extent[i];
    if (varies_b[i]) step_b *= extent[i];
  }
  plan->rank = loops;
  return true;
}

Status prepare_binary(PrepareContext& ctx, BroadcastPlan* plan) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1 || !ctx.has_input(0) || !ctx.has_input(1))
    return ctx.error("needs 2 inputs and 1 output");
  const TensorInfo a = ctx.input(0);
  const TensorInfo b = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (a.type != b.type || a.type != out.type)
    return ctx.error("inputs are %s and %s, output %s; all must be one type", dtype_name(a.type), dtype_name(b.type),
                     dtype_name(out.type));
  if (!plan_broadcast(a.shape, b.shape, out.shape, plan)) {
    char ta[48], tb[48], tout[48];
    return ctx.error("shapes %s and %s do not broadcast to output %s", shape_text(a.shape, ta, sizeof(ta)),
                     shape_text(b.shape, tb, sizeof(tb)), shape_text(out.shape, tout, sizeof(tout)));
  }
  // Work as the cost model counts it for elementwise ops: one unit per output element.
  ctx.set_macs(static_cast<uint64_t>(plan->count));
  return Status::ok();
}

template <class T>
Status unquantized_activation_range(const PrepareContext& ctx, int activation, T* lo, T* hi) {
  // TFLite kernel_util.h CalculateActivationRange.
  *lo = std::numeric_limits<T>::lowest();
  *hi = std::numeric_limits<T>::max();
  switch (static_cast<chorus::tflite::ActivationFunctionType>(activation)) {
    case chorus::tflite::ActivationFunctionType::NONE:
      return Status::ok();
    case chorus::tflite::ActivationFunctionType::RELU:
      *lo = 0;
      return Status::ok();
    case chorus::tflite::ActivationFunctionType::RELU_N1_TO_1:
      *lo = -1;
      *hi = 1;
      return Status::ok();
    case chorus::tflite::ActivationFunctionType::RELU6:
      *lo = 0;
      *hi = 6;
      return Status::ok();
    default:
      return ctx.error("fused activation %d is not supported here", activation);
  }
}

template Status unquantized_activation_range<float>(const PrepareContext&, int, float*, float*);
template Status unquantized_activation_range<int32_t>(const PrepareContext&, int, int32_t*, int32_t*);

}  // namespace chorus::runtime::kernels
