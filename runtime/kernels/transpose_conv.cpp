// TRANSPOSE_CONV, int8 (int32 accumulators and bias) and 16x8 (int16 activations, int8
// filters, int64 accumulators, int64 or int16 bias), per-channel or per-tensor filter scales,
// SAME/VALID padding, strides and fused activations; bit-exact with TFLM
// reference_integer_ops::TransposeConv (tensorflow/lite/kernels/internal/reference/
// integer_ops/transpose_conv.h) as TFLM transpose_conv.cc prepares it:
//  - inputs: 0 output_shape (int32[4]), 1 filter [output_c, filter_h, filter_w, input_c],
//    2 input, 3 optional bias; the output tensor's shape is the one used;
//  - padding: ComputePaddingHeightWidth on the *output* size with dilation 1, of which
//    only the leading (top, left) amount is used;
//  - int8: acc = sum (x - x_zp) w + bias, MultiplyByQuantizedMultiplier (32-bit),
//    + output zero point, clamp;
//  - 16x8: acc = sum x w + bias in int64, MultiplyByQuantizedMultiplier (64-bit), clamp;
//    the reference adds no zero points there, so int16 zero points must be 0 (the int16
//    quantization spec's symmetric scheme);
//  - the per-channel multipliers are TFLM PopulateConvolutionQuantizationParams'.
// The reference scatters every input element into an output-sized accumulator buffer; the
// sums are exact integers, so gathering each output element's taps gives the same values
// without that buffer, and every output row is independent (the op can run in row bands).
#include "convolution.hpp"

#include <cstring>

namespace chorus::runtime::kernels {
namespace {

constexpr int32_t kMaxWindow = 32767;
constexpr int32_t kMaxExtent = 1 << 15;
constexpr uint64_t kMaxTaps = 1u << 20;

// The leading paddings TFLM computes for a transpose convolution: tflite/kernels/padding.h
// ComputePaddingHeightWidth (its checked form) with dilation 1, applied to the *output* size
// (TFLM transpose_conv.cc CalculateOpData). ComputeOutSizeChecked fails when either axis's
// window size comes out negative (VALID, a filter at least the size plus two strides), and
// then neither padding is computed: both stay 0. Otherwise each axis keeps
// ComputePaddingWithOffset's padding, which, unlike window_extent(), stays positive for a
// VALID output smaller than a strided filter.
void transpose_conv_padding(WindowPadding padding, ConvShape* s) {
  auto out_size = [padding](int32_t size, int32_t filter, int32_t stride) {
    return padding == WindowPadding::kSame ? (int64_t{size} + stride - 1) / stride : (int64_t{size} + stride - filter) / stride;
  };
  auto pad = [](int64_t out, int32_t size, int32_t filter, int32_t stride) {
    const int64_t total = (out - 1) * stride + filter - size;
    return total > 0 ? static_cast<int32_t>(total / 2) : 0;
  };
  const int64_t out_h = out_size(s->output_h, s->filter_h, s->stride_h);
  const int64_t out_w = out_size(s->output_w, s->filter_w, s->stride_w);
  s->pad_h = 0;
  s->pad_w = 0;
  if (out_h < 0 || out_w < 0) return;
  s->pad_h = pad(out_h, s->output_h, s->filter_h, s->stride_h);
  s->pad_w = pad(out_w, s->output_w, s->filter_w, s->stride_w);
}

struct TransposeConvData {
  ConvOpData conv;
  bool int16;        // 16x8
  DType bias_type;   // int32 (int8), int64 or int16 (16x8); meaningful only with a bias
};

// A 16x8 operator's bias of channel c (int64, or int16 widened as TFLM widens it), read
// with memcpy: constant data may be unaligned in a hostile file.
int64_t bias_at(const uint8_t* bias, DType type, int32_t c) {
  if (type == DType::kInt64) {
    int64_t v;
    std::memcpy(&v, bias + 8 * static_cast<size_t>(c), sizeof(v));
    return v;
  }
  int16_t v;
  std::memcpy(&v, bias + 2 * static_cast<size_t>(c), sizeof(v));
  return v;
}

// floor(a / b) for b > 0.
inline int32_t floor_div(int32_t a, int32_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// The input rows iy (or columns) whose taps reach output row `o`: 0 <= o + pad - iy s < filter.
inline void contributing(int32_t o, int32_t pad, int32_t stride, int32_t filter, int32_t size, int32_t* first, int32_t* last) {
  const int32_t hi = floor_div(o + pad, stride);
  const int32_t lo = floor_div(o + pad - filter, stride) + 1;
  *first = lo < 0 ? 0 : lo;
  *last = hi > size - 1 ? size - 1 : hi;  // inclusive; empty when last < first
}

Status prepare(PrepareContext& ctx) {
  const auto* opts = ctx.options<chorus::tflite::TransposeConvOptions>();
  if (opts == nullptr) return ctx.error("missing TransposeConvOptions");
  if (ctx.num_inputs() < 3 || ctx.num_inputs() > 4 || ctx.num_outputs() != 1 || !ctx.has_input(0) || !ctx.has_input(1) ||
      !ctx.has_input(2))
    return ctx.error("needs output_shape, filter, input, optional bias and 1 output");
  const TensorInfo shape_t = ctx.input(0);
  const TensorInfo filter = ctx.input(1);
  const TensorInfo in = ctx.input(2);
  const TensorInfo out = ctx.output(0);
  const bool has_bias = ctx.num_inputs() == 4 && ctx.has_input(3);
  const bool int16 = in.type == DType::kInt16;
  if (!((in.type == DType::kInt8 || int16) && out.type == in.type && filter.type == DType::kInt8))
    return ctx.error("supports int8 or int16 input and output with int8 filters (got %s, %s, %s)", dtype_name(in.type),
                     dtype_name(filter.type), dtype_name(out.type));
  if (in.shape.rank != 4 || filter.shape.rank != 4 || out.shape.rank != 4)
    return ctx.error("input, filter and output must be 4-D (ranks %d, %d, %d)", static_cast<int>(in.shape.rank),
                     static_cast<int>(filter.shape.rank), static_cast<int>(out.shape.rank));
  if (in.quant.count == 0 || filter.quant.count == 0 || out.quant.count == 0) return ctx.error("tensors must be quantised");
  if (shape_t.type != DType::kInt32 || shape_t.shape.num_elements() != 4)
    return ctx.error("output_shape must be int32[4] (got %s with %lld values)", dtype_name(shape_t.type),
                     static_cast<long long>(shape_t.shape.num_elements()));
  if (shape_t.constant_data != nullptr) {
    int32_t dims[4];
    std::memcpy(dims, shape_t.constant_data, sizeof(dims));
    for (int i = 0; i < 4; ++i)
      if (dims[i] != out.shape.dims[i])
        return ctx.error("output_shape says dimension %d is %d, the output tensor has %d", i, static_cast<int>(dims[i]),
                         static_cast<int>(out.shape.dims[i]));
  }

  ConvShape s{};
  set_input_and_window(&s, in, filter);
  s.output_h = out.shape.dims[1];
  s.output_w = out.shape.dims[2];
  s.output_c = out.shape.dims[3];
  s.stride_h = opts->stride_h();
  s.stride_w = opts->stride_w();
  s.dilation_h = 1;
  s.dilation_w = 1;
  s.depth_multiplier = 1;
  if (s.batches < 1 || s.input_h < 1 || s.input_w < 1 || s.input_c < 1 || s.filter_h < 1 || s.filter_w < 1 || s.output_h < 1 ||
      s.output_w < 1 || s.output_c < 1)
    return ctx.error("empty input, filter or output");
  if (out.shape.dims[0] != s.batches) return ctx.error("output has %d batches, input %d", static_cast<int>(out.shape.dims[0]), static_cast<int>(s.batches));
  if (filter.shape.dims[0] != s.output_c || filter.shape.dims[3] != s.input_c)
    return ctx.error("filter is [%d,%d,%d,%d], expected [%d,h,w,%d]", static_cast<int>(filter.shape.dims[0]), static_cast<int>(s.filter_h),
                     static_cast<int>(s.filter_w), static_cast<int>(filter.shape.dims[3]), static_cast<int>(s.output_c),
                     static_cast<int>(s.input_c));
  if (s.stride_h < 1 || s.stride_h > kMaxWindow || s.stride_w < 1 || s.stride_w > kMaxWindow)
    return ctx.error("strides %d, %d are outside [1, %d]", static_cast<int>(s.stride_h), static_cast<int>(s.stride_w), static_cast<int>(kMaxWindow));
  // Keeps o + pad and iy x stride of the loops inside int32.
  if (s.filter_h > kMaxWindow || s.filter_w > kMaxWindow || s.output_h > kMaxExtent || s.output_w > kMaxExtent || s.input_h > kMaxExtent ||
      s.input_w > kMaxExtent)
    return ctx.error("filter or image larger than %d x %d", static_cast<int>(kMaxExtent), static_cast<int>(kMaxExtent));
  const auto padding = static_cast<WindowPadding>(opts->padding());
  if (padding != WindowPadding::kSame && padding != WindowPadding::kValid) return ctx.error("unknown padding %d", static_cast<int>(padding));
  // TFLM CalculateOpData: ComputePaddingHeightWidth(stride, dilation 1, output size, filter).
  transpose_conv_padding(padding, &s);

  const uint64_t taps = static_cast<uint64_t>(s.filter_h) * static_cast<uint64_t>(s.filter_w) * static_cast<uint64_t>(s.input_c);
  if (taps > kMaxTaps) return ctx.error("%llu filter taps per output channel exceed %u", static_cast<unsigned long long>(taps), static_cast<unsigned>(kMaxTaps));

  // Quantisation (TFLite int8 / 16x8 spec): per-axis filter scales on axis 0, zero points 0.
  CHORUS_RETURN_IF_ERROR(check_filter_quantization(ctx, in, filter, out, s.output_c, 0));
  if (int16) {
    if (in.quant.zero_point != 0 || out.quant.zero_point != 0)
      return ctx.error("int16 zero points must be 0 (input %lld, output %lld)", static_cast<long long>(in.quant.zero_point),
                       static_cast<long long>(out.quant.zero_point));
  } else if (in.quant.zero_point < -128 || in.quant.zero_point > 127 || out.quant.zero_point < -128 || out.quant.zero_point > 127) {
    return ctx.error("zero points %lld (input) and %lld (output) must be int8", static_cast<long long>(in.quant.zero_point),
                     static_cast<long long>(out.quant.zero_point));
  }
  ActivationRange range;
  CHORUS_RETURN_IF_ERROR(activation_range_for(ctx, static_cast<int>(opts->fused_activation_function()), out, &range));

  DType bias_type = DType::kInt32;
  if (has_bias) {
    const TensorInfo b = ctx.input(3);
    bias_type = b.type;
    const bool ok = int16 ? (b.type == DType::kInt64 || b.type == DType::kInt16) : b.type == DType::kInt32;
    if (!ok || b.shape.num_elements() != s.output_c)
      return ctx.error("bias must be %s[%d] (got %s with %lld elements)", int16 ? "int64 or int16" : "int32", static_cast<int>(s.output_c),
                       dtype_name(b.type), static_cast<long long>(b.shape.num_elements()));
  }
  if (int16) {
    // TFLM's 64-bit MultiplyByQuantizedMultiplier expects |acc| < 2^47 (it multiplies by a
    // 16-bit multiplier in int64): |bias| + 32768 x sum |w| over a channel's taps.
    const auto* w = reinterpret_cast<const int8_t*>(filter.constant_data);
    const uint8_t* bias = has_bias ? ctx.input(3).constant_data : nullptr;
    if (has_bias && bias == nullptr) return ctx.error("bias is not constant: its accumulators cannot be bounded");
    for (int32_t c = 0; c < s.output_c; ++c) {
      int64_t sum = 0;
      for (uint64_t k = 0; k < taps; ++k) {
        const int32_t v = w != nullptr ? w[static_cast<size_t>(c) * taps + k] : 128;
        sum += v < 0 ? -v : v;
      }
      const int64_t b = bias != nullptr ? bias_at(bias, bias_type, c) : 0;
      constexpr int64_t kLimit = int64_t{1} << 47;
      if (b <= -kLimit || b >= kLimit || (b < 0 ? -b : b) + 32768 * sum >= kLimit)
        return ctx.error("output channel %d can accumulate beyond 2^47 (|bias| + 32768 x sum |w|): the reference arithmetic overflows",
                         static_cast<int>(c));
    }
  } else {
    const TensorInfo bias = has_bias ? ctx.input(3) : TensorInfo{};
    CHORUS_RETURN_IF_ERROR(check_accumulator_range(ctx, filter, has_bias ? &bias : nullptr, s.output_c, static_cast<int32_t>(taps),
                                                   static_cast<size_t>(taps), 1));
  }

  TransposeConvData d{};
  d.conv.shape = s;
  set_requantization(&d.conv, in, filter, out, range);
  d.int16 = int16;
  d.bias_type = bias_type;
  if (int16) {
    // The 64-bit MultiplyByQuantizedMultiplier shifts by 15 - shift: TFLM requires shift < 8.
    for (int32_t c = 0; c < s.output_c; ++c) {
      const QuantizedMultiplier m = d.conv.channel_multiplier(c);
      if (m.shift >= 8)
        return ctx.error("output channel %d's scale ratio needs a left shift of %d (at most 7 for 16x8)", static_cast<int>(c),
                         static_cast<int>(m.shift));
    }
  }
  // Every input element meets filter_h x filter_w x output_c taps.
  ctx.set_macs(static_cast<uint64_t>(in.shape.num_elements()) * s.filter_h * s.filter_w * s.output_c);
  ctx.request_scratch(channel_multiplier_bytes(s));
  auto* data = ctx.allocate<TransposeConvData>();
  if (data == nullptr) return Status::ok();
  *data = d;
  ctx.set_op_data(data);
  return Status::ok();
}

// The taps of output pixel (b, oy, ox), channel oc: sum over contributing input pixels of
// (x + input_offset) w, in Acc.
template <class In, class Acc>
Acc gather(const ConvShape& s, const In* input, const int8_t* filter, int32_t input_offset, int32_t b, int32_t oy, int32_t ox, int32_t oc,
           int32_t iy0, int32_t iy1, int32_t ix0, int32_t ix1) {
  Acc acc = 0;
  const size_t taps = static_cast<size_t>(s.filter_h) * s.filter_w * s.input_c;
  const int8_t* w_oc = filter + static_cast<size_t>(oc) * taps;
  for (int32_t iy = iy0; iy <= iy1; ++iy) {
    const int32_t fy = oy + s.pad_h - iy * s.stride_h;
    for (int32_t ix = ix0; ix <= ix1; ++ix) {
      const int32_t fx = ox + s.pad_w - ix * s.stride_w;
      const In* x = input + ((static_cast<size_t>(b) * s.input_h + iy) * s.input_w + ix) * s.input_c;
      const int8_t* w = w_oc + (static_cast<size_t>(fy) * s.filter_w + fx) * s.input_c;
      Acc dot = 0;
      for (int32_t ic = 0; ic < s.input_c; ++ic) dot += (static_cast<int32_t>(x[ic]) + input_offset) * static_cast<int32_t>(w[ic]);
      acc += dot;
    }
  }
  return acc;
}

// Calls finish(element, channel, acc) for every output element of the rows [row_begin,
// row_end) of every batch, acc being the element's sum of taps.
template <class In, class Acc, class Finish>
void for_each_output(const ConvShape& s, const In* input, const int8_t* filter, int32_t input_offset, int32_t row_begin,
                     int32_t row_end, Finish&& finish) {
  for (int32_t b = 0; b < s.batches; ++b) {
    for (int32_t oy = row_begin; oy < row_end; ++oy) {
      int32_t iy0, iy1;
      contributing(oy, s.pad_h, s.stride_h, s.filter_h, s.input_h, &iy0, &iy1);
      for (int32_t ox = 0; ox < s.output_w; ++ox) {
        int32_t ix0, ix1;
        contributing(ox, s.pad_w, s.stride_w, s.filter_w, s.input_w, &ix0, &ix1);
        const size_t pixel = ((static_cast<size_t>(b) * s.output_h + oy) * s.output_w + ox) * s.output_c;
        for (int32_t oc = 0; oc < s.output_c; ++oc)
          finish(pixel + static_cast<size_t>(oc), oc, gather<In, Acc>(s, input, filter, input_offset, b, oy, ox, oc, iy0, iy1, ix0, ix1));
      }
    }
  }
}

Status eval(const EvalContext& ctx) {
  const auto& d = *ctx.data<TransposeConvData>();
  const ConvShape& s = d.conv.shape;
  auto* channels = reinterpret_cast<QuantizedMultiplier*>(ctx.scratch);
  d.conv.channel_multipliers(channels);
  const int8_t* filter = ctx.input<int8_t>(1);
  const int32_t row_begin = ctx.slice_end >= 0 ? ctx.slice_begin : 0;
  const int32_t row_end = ctx.slice_end >= 0 ? ctx.slice_end : s.output_h;
  if (!d.int16) {
    const int32_t* bias = ctx.input<int32_t>(3);
    const ConvRequant q = d.conv.requant(channels);
    int8_t* out = ctx.output<int8_t>(0);
    for_each_output<int8_t, int32_t>(s, ctx.input<int8_t>(2), filter, d.conv.input_offset, row_begin, row_end,
                                     [&](size_t at, int32_t oc, int32_t acc) {
                                       if (bias != nullptr) acc += bias[oc];
                                       out[at] = requantize(acc, channels[oc], q);
                                     });
  } else {
    const uint8_t* bias = ctx.input<uint8_t>(3);
    int16_t* out = ctx.output<int16_t>(0);
    for_each_output<int16_t, int64_t>(s, ctx.input<int16_t>(2), filter, 0, row_begin, row_end, [&](size_t at, int32_t oc, int64_t acc) {
      if (bias != nullptr) acc += bias_at(bias, d.bias_type, oc);
      const int32_t v = multiply_by_quantized_multiplier(acc, channels[oc].multiplier, channels[oc].shift);
      out[at] = clamp_to<int16_t>(v, d.conv.act_min, d.conv.act_max);
    });
  }
  return Status::ok();
}

}  // namespace

const Kernel kTransposeConv = {static_cast<int32_t>(OpCode::kTransposeConv), nullptr, prepare, eval, 1};

}  // namespace chorus::runtime::kernels
