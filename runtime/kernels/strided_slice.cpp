// STRIDED_SLICE over any element type (a byte copy per element), up to kMaxDims axes.
// begin/end/strides must be constant int32 tensors (as TFLM requires); begin_mask,
// end_mask, shrink_axis_mask, negative indices and strides and the `offset` option are
// supported; ellipsis_mask and new_axis_mask are refused (TFLM silently ignores them).
//
// Two deliberate differences from TFLM strided_slice.cc, both where TFLM gives no
// meaningful result: `offset` is honoured (TFLM drops the flag, so such models fail its
// shape check or slice the wrong range), and a shrunk axis takes element `begin` for
// either stride sign (TFLM visits nothing for a negative stride and leaves the output
// unwritten); a shrunk axis whose begin lies outside the axis is an error.
#include "reference/strided_slice_ref.hpp"

#include <cstring>

#include "kernels.hpp"

namespace chorus::runtime::kernels {

int64_t slice_start(int64_t begin, int32_t stride, int32_t size, bool begin_masked) {
  if (begin_masked) return stride > 0 ? 0 : size - 1;
  int64_t start = begin < 0 ? begin + size : begin;
  const int64_t lo = stride > 0 ? 0 : -1;
  const int64_t hi = stride > 0 ? size : size - 1;
  return start < lo ? lo : (start > hi ? hi : start);
}

int64_t slice_stop(int64_t end, int64_t start, int32_t stride, int32_t size, bool end_masked, bool offset) {
  if (end_masked) return stride > 0 ? size : -1;
  int64_t stop = offset ? end + start : end;
  if (stop < 0) stop += size;
  const int64_t lo = stride > 0 ? 0 : -1;
  const int64_t hi = stride > 0 ? size : size - 1;
  return stop < lo ? lo : (stop > hi ? hi : stop);
}

int64_t slice_count(int64_t start, int64_t stop, int32_t stride) {
  if (stride > 0) return stop > start ? (stop - start + stride - 1) / stride : 0;
  return start > stop ? (start - stop - stride - 1) / -static_cast<int64_t>(stride) : 0;
}

SlicePlan plan_slice(const Shape& input, const int64_t* start, const int32_t* stride, const int64_t* count) {
  SlicePlan plan;
  int64_t input_stride[kMaxDims];
  int64_t running = 1;
  int64_t total = 1;
  for (int d = input.rank - 1; d >= 0; --d) {
    input_stride[d] = running;
    running *= input.dims[d];
    total *= count[d];
  }
  plan.count = static_cast<int32_t>(total);
  if (total == 0) return plan;
  int64_t base = 0;
  int loops = 0;
  for (int d = 0; d < input.rank; ++d) {
    base += start[d] * input_stride[d];
    if (count[d] == 1) continue;
    const int64_t step = stride[d] * input_stride[d];
    if (loops > 0 && plan.step[loops - 1] == step * count[d]) {  // contiguous with the outer loop
      plan.extent[loops - 1] = static_cast<int32_t>(plan.extent[loops - 1] * count[d]);
      plan.step[loops - 1] = static_cast<int32_t>(step);
      continue;
    }
    plan.extent[loops] = static_cast<int32_t>(count[d]);
    plan.step[loops] = static_cast<int32_t>(step);
    ++loops;
  }
  if (loops == 0) {
    plan.extent[0] = 1;
    plan.step[0] = 1;
    loops = 1;
  }
  plan.rank = loops;
  plan.base = static_cast<int32_t>(base);
  return plan;
}

namespace {

template <size_t kSize>
void copy_strided(const uint8_t* src, ptrdiff_t step, int32_t n, uint8_t* dst) {
  for (int32_t i = 0; i < n; ++i, src += step * static_cast<ptrdiff_t>(kSize), dst += kSize) std::memcpy(dst, src, kSize);
}

void copy_row(const uint8_t* src, ptrdiff_t step, int32_t n, uint8_t* dst, size_t size) {
  if (step == 1) {
    std::memcpy(dst, src, static_cast<size_t>(n) * size);
    return;
  }
  switch (size) {
    case 1:
      copy_strided<1>(src, step, n, dst);
      return;
    case 2:
      copy_strided<2>(src, step, n, dst);
      return;
    case 4:
      copy_strided<4>(src, step, n, dst);
      return;
    case 8:
      copy_strided<8>(src, step, n, dst);
      return;
    default:
      for (int32_t i = 0; i < n; ++i, src += step * static_cast<ptrdiff_t>(size), dst += size) std::memcpy(dst, src, size);
  }
}

}  // namespace

void copy_slice(const SlicePlan& plan, const uint8_t* input, uint8_t* output, size_t element_size) {
  if (plan.count == 0) return;
  const int inner = plan.rank - 1;
  const int32_t n = plan.extent[inner];
  const ptrdiff_t row_bytes = static_cast<ptrdiff_t>(n) * static_cast<ptrdiff_t>(element_size);
  int32_t index[kMaxDims] = {};
  ptrdiff_t offset = plan.base;
  for (;;) {
    copy_row(input + offset * static_cast<ptrdiff_t>(element_size), plan.step[inner], n, output, element_size);
    output += row_bytes;
    int d = inner - 1;
    for (; d >= 0; --d) {
      offset += plan.step[d];
      if (++index[d] < plan.extent[d]) break;
      offset -= static_cast<ptrdiff_t>(plan.step[d]) * plan.extent[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

Status eval_slice_copy(const EvalContext& ctx) {
  const auto& d = *ctx.data<SliceCopyData>();
  copy_slice(d.plan, ctx.input<uint8_t>(0), ctx.output<uint8_t>(0), d.element_size);
  return Status::ok();
}

namespace {

Status check_index_tensor(const PrepareContext& ctx, size_t i, const char* what, int32_t rank) {
  const TensorInfo t = ctx.input(i);
  if (t.type != DType::kInt32) return ctx.error("%s must be int32, got %s", what, dtype_name(t.type));
  if (t.constant_data == nullptr) return ctx.error("%s must be a constant tensor", what);
  if (t.shape.num_elements() != rank)
    return ctx.error("%s has %lld values, input rank is %d", what, static_cast<long long>(t.shape.num_elements()),
                     static_cast<int>(rank));
  return Status::ok();
}

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 4 || ctx.num_outputs() != 1) return ctx.error("needs input, begin, end, strides and 1 output");
  for (size_t i = 0; i < 4; ++i)
    if (!ctx.has_input(i)) return ctx.error("input %zu is missing", i);
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  if (out.type != in.type) return ctx.error("input is %s, output %s", dtype_name(in.type), dtype_name(out.type));
  const int32_t rank = in.shape.rank;
  CHORUS_RETURN_IF_ERROR(check_index_tensor(ctx, 1, "begin", rank));
  CHORUS_RETURN_IF_ERROR(check_index_tensor(ctx, 2, "end", rank));
  CHORUS_RETURN_IF_ERROR(check_index_tensor(ctx, 3, "strides", rank));
  const auto* opts = ctx.options<chorus::tflite::StridedSliceOptions>();
  const uint32_t begin_mask = opts ? static_cast<uint32_t>(opts->begin_mask()) : 0;
  const uint32_t end_mask = opts ? static_cast<uint32_t>(opts->end_mask()) : 0;
  const uint32_t shrink_mask = opts ? static_cast<uint32_t>(opts->shrink_axis_mask()) : 0;
  const bool offset = opts ? opts->offset() : false;
  if (opts != nullptr && opts->ellipsis_mask() != 0)
    return ctx.error("ellipsis_mask 0x%x is not supported", static_cast<unsigned>(opts->ellipsis_mask()));
  if (opts != nullptr && opts->new_axis_mask() != 0)
    return ctx.error("new_axis_mask 0x%x is not supported", static_cast<unsigned>(opts->new_axis_mask()));

  const auto* begin = reinterpret_cast<const int32_t*>(ctx.input(1).constant_data);
  const auto* end = reinterpret_cast<const int32_t*>(ctx.input(2).constant_data);
  const auto* strides = reinterpret_cast<const int32_t*>(ctx.input(3).constant_data);
  int64_t start[kMaxDims], count[kMaxDims];
  int out_axis = 0;
  for (int d = 0; d < rank; ++d) {
    const int32_t size = in.shape.dims[d];
    const uint32_t bit = uint32_t{1} << d;
    if (strides[d] == 0) return ctx.error("stride of axis %d is 0", d);
    start[d] = slice_start(begin[d], strides[d], size, (begin_mask & bit) != 0);
    if ((shrink_mask & bit) != 0) {
      if (start[d] < 0 || start[d] >= size)
        return ctx.error("shrunk axis %d: index %d outside size %d", d, static_cast<int>(begin[d]), static_cast<int>(size));
      count[d] = 1;
      continue;
    }
    count[d] = slice_count(start[d], slice_stop(end[d], start[d], strides[d], size, (end_mask & bit) != 0, offset), strides[d]);
    if (out_axis >= out.shape.rank || out.shape.dims[out_axis] != count[d])
      return ctx.error("axis %d slices %lld elements, output dimension %d disagrees", d, static_cast<long long>(count[d]),
                       out_axis);
    ++out_axis;
  }
  if (out_axis != out.shape.rank) return ctx.error("output rank %d, expected %d", static_cast<int>(out.shape.rank), out_axis);

  auto* data = ctx.allocate<SliceCopyData>();
  if (data == nullptr) return Status::ok();
  data->plan = plan_slice(in.shape, start, strides, count);
  data->element_size = static_cast<uint32_t>(dtype_size(in.type));
  ctx.set_op_data(data);
  return Status::ok();
}

}  // namespace

const Kernel kStridedSlice = {static_cast<int32_t>(OpCode::kStridedSlice), nullptr, prepare, eval_slice_copy};

}  // namespace chorus::runtime::kernels
