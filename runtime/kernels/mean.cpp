// MEAN over constant axes, keep_dims or not: int8, int16 (quantised, requantising when the
// output scale differs) and float32. Arithmetic in mean_ref.hpp. The axis tensor must be
// a constant int32 tensor (TFLM reads it at eval; Chorus plans the loops at prepare).
// Scratch: one int32 sum per output element for the quantised types, as TFLM.
#include <cstring>

#include "kernels.hpp"
#include "reference/mean_ref.hpp"

namespace chorus::runtime::kernels {

bool plan_reduce(const Shape& input, const int32_t* axes, int num_axes, ReducePlan* plan) {
  *plan = ReducePlan{};
  const int rank = input.rank;
  bool reduced[kMaxDims] = {};
  for (int i = 0; i < num_axes && rank > 0; ++i) {  // a scalar ignores its axes (TFLM ResolveAxis)
    const int axis = axes[i] < 0 ? axes[i] + rank : axes[i];
    if (axis < 0 || axis >= rank) return false;
    reduced[axis] = true;
  }
  int64_t input_count = 1, num_outputs = 1, reduced_count = 1;
  bool loop_reduced[kMaxDims] = {};
  int loops = 0;
  for (int d = 0; d < rank; ++d) {
    const int32_t size = input.dims[d];
    input_count *= size;
    (reduced[d] ? reduced_count : num_outputs) *= size;
    if (size == 1) continue;
    if (loops > 0 && loop_reduced[loops - 1] == reduced[d]) {
      plan->extent[loops - 1] *= size;
      continue;
    }
    plan->extent[loops] = size;
    loop_reduced[loops] = reduced[d];
    ++loops;
  }
  plan->input_count = static_cast<int32_t>(input_count);
  plan->num_outputs = static_cast<int32_t>(num_outputs);
  plan->reduced_count = static_cast<int32_t>(reduced_count);
  if (input_count == 0) return true;
  if (loops == 0) {  // a single element
    plan->extent[0] = 1;
    loops = 1;
  }
  int32_t stride = 1;
  for (int i = loops - 1; i >= 0; --i) {
    plan->out_stride[i] = loop_reduced[i] ? 0 : stride;
    if (!loop_reduced[i]) stride *= plan->extent[i];
  }
  plan->rank = loops;
  return true;
}

MeanQuantParams make_mean_quant_params(float input_scale, int32_t input_zero_point, float output_scale, int32_t output_zero_point,
                                       int32_t reduced_count, int32_t qmin, int32_t qmax) {
  MeanQuantParams q;
  q.input_zero_point = input_zero_point;
  q.output_zero_point = output_zero_point;
  q.qmin = qmin;
  q.qmax = qmax;
  QuantizedMultiplier m = quantize_multiplier(static_cast<double>(input_scale) / static_cast<double>(output_scale));
  // Fold 1/n into the multiplier (reference_ops::QuantizedMeanOrSum): keep the 63-bit
  // intermediate and the final right shift (<= 31) in range at some loss of precision.
  const int64_t n = reduced_count > 0 ? reduced_count : 1;
  int shift = 63 - __builtin_clzll(static_cast<uint64_t>(n));
  if (shift > 32) shift = 32;
  if (shift > 31 + m.shift) shift = 31 + m.shift;
  m.multiplier = static_cast<int32_t>((static_cast<int64_t>(m.multiplier) << shift) / n);
  m.shift -= shift;
  q.multiplier = m;
  return q;
}

namespace {

// Adds every input element into its output's accumulator, in input order (the order
// matters for float sums). `add(acc, x)` returns the new accumulator.
template <class In, class Acc, class Add>
void accumulate(const ReducePlan& plan, const In* in, Acc* acc, const Add& add) {
  const int inner = plan.rank - 1;
  const int32_t n = plan.extent[inner];
  const bool inner_reduced = plan.out_stride[inner] == 0;
  int32_t index[kMaxDims] = {};
  ptrdiff_t out_offset = 0;
  for (;;) {
    Acc* a = acc + out_offset;
    if (inner_reduced) {
      Acc s = *a;
      for (int32_t i = 0; i < n; ++i) s = add(s, in[i]);
      *a = s;
    } else {  // the innermost kept loop has output stride 1
      for (int32_t i = 0; i < n; ++i) a[i] = add(a[i], in[i]);
    }
    in += n;
    int d = inner - 1;
    for (; d >= 0; --d) {
      out_offset += plan.out_stride[d];
      if (++index[d] < plan.extent[d]) break;
      out_offset -= static_cast<ptrdiff_t>(plan.out_stride[d]) * plan.extent[d];
      index[d] = 0;
    }
    if (d < 0) return;
  }
}

template <class T>
void mean_quantized(const ReducePlan& plan, const MeanQuantParams& q, const T* input, T* output, int32_t* sums) {
  if (plan.input_count == 0) {  // TFLM leaves zeros (not the zero point)
    std::memset(output, 0, sizeof(T) * static_cast<size_t>(plan.num_outputs));
    return;
  }
  std::memset(sums, 0, sizeof(int32_t) * static_cast<size_t>(plan.num_outputs));
  accumulate(plan, input, sums, [](int32_t s, T x) {
    return static_cast<int32_t>(static_cast<uint32_t>(s) + static_cast<uint32_t>(static_cast<int32_t>(x)));
  });
  const int64_t bias = static_cast<int64_t>(q.input_zero_point) * plan.reduced_count;
  for (int32_t o = 0; o < plan.num_outputs; ++o) {
    // int64 difference narrowed to int32 as TFLM's static_cast<U> does.
    const auto centred = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(sums[o] - bias)));
    const int32_t v =
        multiply_by_quantized_multiplier(centred, q.multiplier.multiplier, q.multiplier.shift) + q.output_zero_point;
    output[o] = clamp_to<T>(v, q.qmin, q.qmax);
  }
}

}  // namespace

void mean_int8(const ReducePlan& plan, const MeanQuantParams& q, const int8_t* input, int8_t* output, int32_t* sums) {
  mean_quantized(plan, q, input, output, sums);
}

void mean_int16(const ReducePlan& plan, const MeanQuantParams& q, const int16_t* input, int16_t* output, int32_t* sums) {
  mean_quantized(plan, q, input, output, sums);
}

void mean_float(const ReducePlan& plan, const float* input, float* output) {
  for (int32_t o = 0; o < plan.num_outputs; ++o) output[o] = 0.0f;
  if (plan.input_count == 0) return;
  accumulate(plan, input, output, [](float s, float x) { return s + x; });
  const float n = static_cast<float>(plan.reduced_count);
  for (int32_t o = 0; o < plan.num_outputs; ++o) output[o] = output[o] / n;
}

namespace {

struct MeanData {
  ReducePlan plan;
  MeanQuantParams quant;
  DType type;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 2 || ctx.num_outputs() != 1 || !ctx.has_input(0) || !ctx.has_input(1))
    return ctx.error("needs input, axes and 1 output");
  const TensorInfo in = ctx.input(0);
  const TensorInfo axes = ctx.input(1);
  const TensorInfo out = ctx.output(0);
  if (in.type != out.type) return ctx.error("input is %s, output %s", dtype_name(in.type), dtype_name(out.type));
  if (in.type != DType::kInt8 && in.type != DType::kInt16 && in.type != DType::kFloat32)
    return ctx.error("supports int8, int16 and float32, got %s", dtype_name(in.type));
  if (axes.type != DType::kInt32) return ctx.error("axes must be int32, got %s", dtype_name(axes.type));
  if (axes.constant_data == nullptr) return ctx.error("axes must be a constant tensor");
  ReducePlan plan;
  const auto num_axes = static_cast<int>(axes.shape.num_elements());
  if (!plan_reduce(in.shape, reinterpret_cast<const int32_t*>(axes.constant_data), num_axes, &plan))
    return ctx.error("an axis lies outside input rank %d", static_cast<int>(in.shape.rank));
  if (out.shape.num_elements() != plan.num_outputs)
    return ctx.error("output has %lld elements, the reduction gives %d", static_cast<long long>(out.shape.num_elements()),
                     static_cast<int>(plan.num_outputs));
  MeanQuantParams quant;
  if (in.type != DType::kFloat32) {
    if (in.quant.count != 1 || out.quant.count != 1) return ctx.error("quantised input and output need one scale each");
    const bool is_int8 = in.type == DType::kInt8;
    quant = make_mean_quant_params(in.quant.scale, in.quant.zero_point, out.quant.scale, out.quant.zero_point, plan.reduced_count,
                                   is_int8 ? -128 : -32768, is_int8 ? 127 : 32767);
    ctx.request_scratch(sizeof(int32_t) * static_cast<size_t>(plan.num_outputs));
  }
  auto* data = ctx.allocate<MeanData>();
  if (data == nullptr) return Status::ok();
  data->plan = plan;
  data->quant = quant;
  data->type = in.type;
  ctx.set_op_data(data);
  return Status::ok();
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<MeanData>();
  auto* sums = reinterpret_cast<int32_t*>(ctx.scratch);
  switch (d.type) {
    case DType::kInt8:
      mean_int8(d.plan, d.quant, ctx.input<int8_t>(0), ctx.output<int8_t>(0), sums);
      break;
    case DType::kInt16:
      mean_int16(d.plan, d.quant, ctx.input<int16_t>(0), ctx.output<int16_t>(0), sums);
      break;
    case DType::kFloat32:
      mean_float(d.plan, ctx.input<float>(0), ctx.output<float>(0));
      break;
    default:
      return Status::error(StatusCode::kInternal, "MEAN: unprepared type");
  }
  return Status::ok();
}

}  // namespace

const Kernel kMean = {static_cast<int32_t>(OpCode::kMean), nullptr, prepare, eval};

}  // namespace chorus::runtime::kernels
