// AVERAGE_POOL_2D and MAX_POOL_2D on int8 tensors, bit-exact with TFLM
// reference_integer_ops::AveragePool / MaxPool (micro/kernels/pooling_common.cc for the
// padding and the checks). The loops run channel-innermost over a clipped window.
#include <cmath>

#include "kernels.hpp"
#include "padding.hpp"
#include "reference/pool2d_loops.hpp"

namespace chorus::runtime::kernels {

namespace {

// Channels accumulated together on the stack.
constexpr int32_t kChannelBlock = 64;

// The taps [start, end) of a window starting at `origin` that lie in [0, size).
inline void clip(int32_t origin, int32_t filter, int32_t size, int32_t* start, int32_t* end) {
  *start = origin < 0 ? -origin : 0;
  *end = size - origin < filter ? size - origin : filter;
}

// Calls reduce(image, y0, y1, x0, x1, out) for every output pixel with its window clipped
// to the image: input rows [y0, y1) and columns [x0, x1) of `image`. Stops when it
// returns false.
template <class Reduce>
bool for_each_window(const PoolShape& s, const int8_t* input, int8_t* output_base, Reduce reduce) {
  int8_t* output = output_base;
  for (int32_t b = 0; b < s.batches; ++b) {
    const int8_t* image = input + static_cast<size_t>(b) * s.input_h * s.input_w * s.channels;
    // This batch's rows of the band.
    output = output_base + (static_cast<size_t>(b) * s.output_h + s.first_row()) * s.output_w * s.channels;
    for (int32_t oy = s.first_row(); oy < s.last_row(); ++oy) {
      const int32_t iy0 = oy * s.stride_h - s.pad_h;
      int32_t y0, y1;
      clip(iy0, s.filter_h, s.input_h, &y0, &y1);
      for (int32_t ox = 0; ox < s.output_w; ++ox, output += s.channels) {
        const int32_t ix0 = ox * s.stride_w - s.pad_w;
        int32_t x0, x1;
        clip(ix0, s.filter_w, s.input_w, &x0, &x1);
        if (!reduce(image, iy0 + y0, iy0 + y1, ix0 + x0, ix0 + x1, output)) return false;
      }
    }
  }
  return true;
}

}  // namespace

bool average_pool_int8(const PoolShape& s, int32_t act_min, int32_t act_max, const int8_t* input, int8_t* output) {
  const size_t row = static_cast<size_t>(s.input_w) * s.channels;
  return for_each_window(s, input, output, [&](const int8_t* image, int32_t y0, int32_t y1, int32_t x0, int32_t x1, int8_t* out) {
    if (y1 <= y0 || x1 <= x0) return false;
    const int32_t count = (y1 - y0) * (x1 - x0);
    for (int32_t c0 = 0; c0 < s.channels; c0 += kChannelBlock) {
      const int32_t n = s.channels - c0 < kChannelBlock ? s.channels - c0 : kChannelBlock;
      int32_t sum[kChannelBlock] = {};
      for (int32_t y = y0; y < y1; ++y) {
        const int8_t* px = image + y * row + static_cast<size_t>(x0) * s.channels + c0;
        for (int32_t x = x0; x < x1; ++x, px += s.channels)
          for (int32_t c = 0; c < n; ++c) sum[c] += px[c];
      }
      for (int32_t c = 0; c < n; ++c) {
        // Round half away from zero, as the reference: (sum +- count / 2) / count.
        const int32_t acc = sum[c];
        const int32_t mean = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        out[c0 + c] = clamp_to<int8_t>(mean, act_min, act_max);
      }
    }
    return true;
  });
}

void max_pool_int8(const PoolShape& s, int32_t act_min, int32_t act_max, const int8_t* input, int8_t* output) {
  const size_t row = static_cast<size_t>(s.input_w) * s.channels;
  for_each_window(s, input, output, [&](const int8_t* image, int32_t y0, int32_t y1, int32_t x0, int32_t x1, int8_t* out) {
    for (int32_t c0 = 0; c0 < s.channels; c0 += kChannelBlock) {
      const int32_t n = s.channels - c0 < kChannelBlock ? s.channels - c0 : kChannelBlock;
      int8_t best[kChannelBlock];
      for (int32_t c = 0; c < n; ++c) best[c] = -128;
      for (int32_t y = y0; y < y1; ++y) {
        const int8_t* px = image + y * row + static_cast<size_t>(x0) * s.channels + c0;
        for (int32_t x = x0; x < x1; ++x, px += s.channels)
          for (int32_t c = 0; c < n; ++c) best[c] = px[c] > best[c] ? px[c] : best[c];
      }
      for (int32_t c = 0; c < n; ++c) out[c0 + c] = clamp_to<int8_t>(best[c], act_min, act_max);
    }
    return true;
  });
}

namespace {

struct PoolData {
  PoolShape shape;
  int32_t act_min;
  int32_t act_max;
};

Status prepare(PrepareContext& ctx) {
  if (ctx.num_inputs() != 1 || ctx.num_outputs() != 1 || !ctx.has_input(0)) return ctx.error("needs 1 input and 1 output");
  const TensorInfo in = ctx.input(0);
  const TensorInfo out = ctx.output(0);
  const auto* opts = ctx.options<chorus::tflite::Pool2DOptions>();
  if (opts == nullptr) return ctx.error("missing Pool2DOptions");
  if (in.type != DType::kInt8 || out.type != DType::kInt8)
    return ctx.error("supports int8 input and output (got %s, %s)", dtype_name(in.type), dtype_name(out.type));
  if (in.shape.rank != 4 || out.shape.rank != 4)
    return ctx.error("input and output must be 4-D (ranks %d, %d)", static_cast<int>(in.shape.rank),
                     static_cast<int>(out.shape.rank));
  if (in.quant.count == 0 || out.quant.count == 0) return ctx.error("int8 tensors must be quantised");
  // pooling_common.cc: the output must share the input's quantisation.
  if (std::fabs(static_cast<double>(in.quant.scale) - static_cast<double>(out.quant.scale)) > 1.0e-6 ||
      in.quant.zero_point != out.quant.zero_point)
    return ctx.error("input and output quantisation differ (zero points %d, %d)", static_cast<int>(in.quant.zero_point),
                     static_cast<int>(out.quant.zero_point));
  PoolShape s{};
  s.batches = in.shape.dims[0];
  s.input_h = in.shape.dims[1];
  s.input_w = in.shape.dims[2];
  s.channels = in.shape.dims[3];
  s.filter_h = opts->filter_height();
  s.filter_w = opts->filter_width();
  s.stride_h = opts->stride_h();
  s.stride_w = opts->stride_w();
  if (s.batches < 1 || s.input_h < 1 || s.input_w < 1 || s.channels < 1) return ctx.error("empty input");
  constexpr int32_t kMaxWindow = 32767;
  if (s.filter_h < 1 || s.filter_w < 1 || s.filter_h > kMaxWindow || s.filter_w > kMaxWindow)
    return ctx.error("filter %dx%d is outside [1, %d]", static_cast<int>(s.filter_h), static_cast<int>(s.filter_w),
                     static_cast<int>(kMaxWindow));
  if (s.stride_h < 1 || s.stride_w < 1 || s.stride_h > kMaxWindow || s.stride_w > kMaxWindow)
    return ctx.error("stride %dx%d is outside [1, %d]", static_cast<int>(s.stride_h), static_cast<int>(s.stride_w),
                     static_cast<int>(kMaxWindow));
  const auto padding = static_cast<WindowPadding>(opts->padding());
  if (padding != WindowPadding::kSame && padding != WindowPadding::kValid)
    return ctx.error("unknown padding %d", static_cast<int>(padding));
  const WindowExtent eh = window_extent(padding, s.input_h, s.filter_h, s.stride_h, 1);
  const WindowExtent ew = window_extent(padding, s.input_w, s.filter_w, s.stride_w, 1);
  if (eh.output_size < 1 || ew.output_size < 1)
    return ctx.error("the %dx%d filter does not fit the %dx%d input", static_cast<int>(s.filter_h), static_cast<int>(s.filter_w),
                     static_cast<int>(s.input_h), static_cast<int>(s.input_w));
  // AVERAGE_POOL_2D sums a window's taps in int32 (TFLM reference_integer_ops::AveragePool):
  // the window clipped to the input must keep 128 x taps within int32.
  const int64_t taps = static_cast<int64_t>(s.filter_h < s.input_h ? s.filter_h : s.input_h) *
                       static_cast<int64_t>(s.filter_w < s.input_w ? s.filter_w : s.input_w);
  if (taps * 128 > INT32_MAX)
    return ctx.error("a window of %lld taps can sum beyond int32", static_cast<long long>(taps));
  s.output_h = eh.output_size;
  s.output_w = ew.output_size;
  s.pad_h = eh.leading_pad;
  s.pad_w = ew.leading_pad;
  if (out.shape.dims[0] != s.batches || out.shape.dims[1] != s.output_h || out.shape.dims[2] != s.output_w ||
      out.shape.dims[3] != s.channels)
    return ctx.error("output is [%d,%d,%d,%d], expected [%d,%d,%d,%d]", static_cast<int>(out.shape.dims[0]),
                     static_cast<int>(out.shape.dims[1]), static_cast<int>(out.shape.dims[2]),
                     static_cast<int>(out.shape.dims[3]), static_cast<int>(s.batches), static_cast<int>(s.output_h),
                     static_cast<int>(s.output_w), static_cast<int>(s.channels));
  ActivationRange range;
  CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, static_cast<int>(opts->fused_activation_function()), out, &range));
  ctx.set_macs(static_cast<uint64_t>(out.shape.num_elements()) * static_cast<uint64_t>(s.filter_h) *
               static_cast<uint64_t>(s.filter_w));
  auto* data = ctx.allocate<PoolData>();
  if (data == nullptr) return Status::ok();
  data->shape = s;
  data->act_min = range.min;
  data->act_max = range.max;
  ctx.set_op_data(data);
  return Status::ok();
}

// The band of output rows a (sliced) step computes.
PoolShape band(const PoolShape& whole, const EvalContext& ctx) {
  PoolShape s = whole;
  if (ctx.slice_end >= 0) {
    s.row_begin = ctx.slice_begin;
    s.row_end = ctx.slice_end;
  }
  return s;
}

Status eval_average(const EvalContext& ctx) {
  const auto* d = ctx.data<PoolData>();
  if (!average_pool_int8(band(d->shape, ctx), d->act_min, d->act_max, ctx.input<int8_t>(0), ctx.output<int8_t>(0)))
    return Status::error(StatusCode::kInternal, "AVERAGE_POOL_2D: a window holds no input");
  return Status::ok();
}

Status eval_max(const EvalContext& ctx) {
  const auto* d = ctx.data<PoolData>();
  max_pool_int8(band(d->shape, ctx), d->act_min, d->act_max, ctx.input<int8_t>(0), ctx.output<int8_t>(0));
  return Status::ok();
}

}  // namespace

const Kernel kAveragePool2d = {static_cast<int32_t>(OpCode::kAveragePool2d), nullptr, prepare, eval_average, 1};
const Kernel kMaxPool2d = {static_cast<int32_t>(OpCode::kMaxPool2d), nullptr, prepare, eval_max, 1};

}  // namespace chorus::runtime::kernels
