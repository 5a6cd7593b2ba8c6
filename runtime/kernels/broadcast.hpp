// N-d broadcasting for the two-input elementwise kernels (ADD, MUL, DIV, MINIMUM,
// MAXIMUM). NumPy rules as in TFLM reference_ops::BroadcastBinaryOpSimple: shapes are
// right-aligned, a dimension of 1 repeats. Since the ops are elementwise the result does
// not depend on the loop order, so prepare reduces the shapes to a short loop nest once
// (dimensions of extent 1 dropped, neighbours with the same broadcast pattern fused) and
// eval walks it with no per-element index arithmetic. Equal shapes become one flat loop,
// a scalar operand one loop with a constant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "kernels.hpp"

namespace chorus::runtime::kernels {

struct BroadcastLoop {
  int32_t extent;
  int32_t stride_a;  // element strides; 0 where the operand repeats
  int32_t stride_b;
};

struct BroadcastPlan {
  int32_t count = 0;                   // output elements
  int32_t rank = 0;                    // loops after fusing, 1..kMaxDims (0 when count is 0)
  BroadcastLoop loops[kMaxDims] = {};  // outermost first; only `rank` are used
};

// Plans `out = op(a, b)`. False when the shapes do not broadcast to `out`.
bool plan_broadcast(const Shape& a, const Shape& b, const Shape& out, BroadcastPlan* plan);

// Runs op(a[i], b[j]) -> out[k] over the plan. `Op` returns the output element type.
template <class A, class B, class Out, class Op>
void broadcast_apply(const BroadcastPlan& plan, const A* a, const B* b, Out* out, const Op& op) {
  if (plan.count == 0) return;
  const int inner = plan.rank - 1;
  const int32_t n = plan.loops[inner].extent;
  const int32_t sa = plan.loops[inner].stride_a;
  const int32_t sb = plan.loops[inner].stride_b;
  auto row = [&](const A* pa, const B* pb, Out* po) {
    if (sa == 0) {
      const A va = *pa;
      for (int32_t i = 0; i < n; ++i) po[i] = op(va, pb[i]);
    } else if (sb == 0) {
      const B vb = *pb;
      for (int32_t i = 0; i < n; ++i) po[i] = op(pa[i], vb);
    } else {
      for (int32_t i = 0; i < n; ++i) po[i] = op(pa[i], pb[i]);
    }
  };
  if (inner == 0) {
    row(a, b, out);
    return;
  }
  int32_t index[kMaxDims] = {};
  ptrdiff_t offset_a = 0, offset_b = 0;
  for (;;) {
    row(a + offset_a, b + offset_b, out);
    out += n;
    int d = inner - 1;
    for (; d >= 0; --d) {
      const BroadcastLoop& loop = plan.loops[d];
      offset_a += loop.stride_a;
      offset_b += loop.stride_b;
      if (++index[d] < loop.extent) break;
      offset_a -= static_cast<ptrdiff_t>(loop.stride_a) * loop.extent;
      offset_b -= static_cast<ptrdiff_t>(loop.stride_b) * loop.extent;
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

// Persistent op data that ends with a `plan` member, allocated without the plan's unused
// loops (most plans have one). Copies `plan` in; the caller fills the other members.
// nullptr while measuring. Never assign the whole struct: it is shorter than sizeof.
template <class Data>
Data* allocate_with_plan(PrepareContext& ctx, const BroadcastPlan& plan) {
  static_assert(std::is_standard_layout<Data>::value, "op data must be plain");
  const size_t plan_bytes =
      offsetof(BroadcastPlan, loops) + sizeof(BroadcastLoop) * static_cast<size_t>(plan.rank > 0 ? plan.rank : 1);
  auto* data = static_cast<Data*>(ctx.allocate_bytes(offsetof(Data, plan) + plan_bytes, alignof(Data)));
  if (data != nullptr) std::memcpy(&data->plan, &plan, plan_bytes);
  return data;
}

// Checks a two-input, one-output elementwise op: both inputs present, inputs and output
// of one type, shapes that broadcast to the output. Fills `plan` and counts one unit of
// work (MAC) per output element, as the cost model charges elementwise ops.
Status prepare_binary(PrepareContext& ctx, BroadcastPlan* plan);

// Fused activation bounds for an unquantised output (TFLite CalculateActivationRange):
// NONE gives the type's full range. TANH and SIGN_BIT, which TFLM silently treats as
// NONE, are refused.
template <class T>
Status unquantized_activation_range(const PrepareContext& ctx, int activation, T* lo, T* hi);

// True when a tensor's quantisation is one scale and one zero point.
inline bool per_tensor(const TensorInfo& t) {
  return t.quant.count == 1;
}

}  // namespace chorus::runtime::kernels
