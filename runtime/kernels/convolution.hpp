// What CONV_2D and DEPTHWISE_CONV_2D share: the NHWC geometry, the per-channel
// requantisation (TFLM PopulateConvolutionQuantizationParams) and the prepare step that
// validates a model's operator and fills both.
#pragma once

#include <cstdint>

#include "kernels.hpp"
#include "padding.hpp"

namespace chorus::runtime::kernels {

// NHWC shapes. Conv filters are [output_c, filter_h, filter_w, input_c]; depthwise filters
// are [1, filter_h, filter_w, output_c] with output_c = input_c * depth_multiplier.
struct ConvShape {
  int32_t batches;
  int32_t input_h, input_w, input_c;
  int32_t filter_h, filter_w;
  int32_t output_h, output_w, output_c;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_h, pad_w;      // leading (top, left) padding
  int32_t depth_multiplier;  // 1 for CONV_2D
  // The band of output rows eval computes, [row_begin, row_end); row_end < 0: all rows.
  // A sliced step (EvalContext::slice_begin/end) sets it; every row is independent.
  int32_t row_begin = 0;
  int32_t row_end = -1;
  int32_t first_row() const { return row_begin; }
  int32_t last_row() const { return row_end < 0 ? output_h : row_end; }
};

// The taps [start, end) of one filter axis whose input coordinate origin + dilation k lies
// in [0, size): the reference skips the others (padding). An empty range has start == end.
inline void clip_taps(int32_t origin, int32_t dilation, int32_t filter, int32_t size, int32_t* start, int32_t* end) {
  int32_t k0 = origin < 0 ? (-origin + dilation - 1) / dilation : 0;
  if (k0 > filter) k0 = filter;
  int32_t k1 = (size - origin + dilation - 1) / dilation;
  if (k1 > filter) k1 = filter;
  *start = k0;
  *end = k1 > k0 ? k1 : k0;
}

// Calls tap(x, w) for every tap of a window clipped to `rows` x `cols` taps (x and w at the
// first one; the steps between rows and columns in bytes). Windows three taps wide (3x3
// filters away from the left and right edges) run their rows unrolled.
template <class Tap>
inline void for_each_tap(const int8_t* x, const int8_t* w, int32_t rows, int32_t cols, size_t x_row, size_t x_col,
                         size_t w_row, size_t w_col, Tap&& tap) {
  if (cols == 3) {
    for (int32_t r = 0; r < rows; ++r, x += x_row, w += w_row) {
      tap(x, w);
      tap(x + x_col, w + w_col);
      tap(x + 2 * x_col, w + 2 * w_col);
    }
    return;
  }
  for (int32_t r = 0; r < rows; ++r, x += x_row, w += w_row) {
    const int8_t* xp = x;
    const int8_t* wp = w;
    for (int32_t k = 0; k < cols; ++k, xp += x_col, wp += w_col) tap(xp, wp);
  }
}

// acc = sum(w * (x + input_offset)) + bias, then per output channel
// multiply_by_quantized_multiplier, + output_offset, clamped to [act_min, act_max].
struct ConvRequant {
  int32_t input_offset;   // -input zero point, in [-127, 128]
  int32_t output_offset;  // output zero point
  int32_t act_min;
  int32_t act_max;
  const QuantizedMultiplier* channels;  // output_c entries
};

// The reference requantisation of one accumulator.
inline int8_t requantize(int32_t acc, const QuantizedMultiplier& m, const ConvRequant& q) {
  return clamp_offset_to<int8_t>(multiply_by_quantized_multiplier(acc, m.multiplier, m.shift), q.output_offset, q.act_min, q.act_max);
}

// The same value as requantize() for one output channel, set up once and applied to many
// accumulators with one 64-bit multiply, add and shift. With P = (acc << left) * multiplier
// and e the right shift:
//  - SaturatingRoundingDoublingHighMul is trunc((P + nudge) / 2^31), nudge 2^30 for P >= 0
//    and 1 - 2^30 otherwise; truncating a negative quotient rounds it up, so both cases are
//    v = floor((P + 2^30) / 2^31). Its saturating case needs multiplier = INT32_MIN, which
//    quantize_multiplier never yields.
//  - RoundingDivideByPOT(v, e >= 1), half away from zero, is floor((v + 2^(e-1) - [v < 0]) / 2^e).
//  - floor(floor(y / a) / b) = floor(y / (a b)), so with t = P + 2^30 the result is
//    floor((t + 2^(30+e) - 2^31 [t < 0]) / 2^(31+e)); every term fits in int64.
class ChannelRequantizer {
 public:
  ChannelRequantizer() = default;
  ChannelRequantizer(const QuantizedMultiplier& m, const ConvRequant& q)
      : multiplier_(m.multiplier),
        left_(m.shift > 0 ? m.shift : 0),
        shift_(31 + (m.shift > 0 ? 0 : -m.shift)),
        round_(m.shift < 0 ? int64_t{1} << (30 - m.shift) : 0),
        negative_(m.shift < 0 ? -(int64_t{1} << 31) : 0),
        output_offset_(q.output_offset),
        act_min_(q.act_min),
        act_max_(q.act_max) {}

  int8_t operator()(int32_t acc) const {
    const int64_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_);
    const int64_t t = x * multiplier_ + (int64_t{1} << 30);
    const int64_t v = (t + round_ + ((t >> 63) & negative_)) >> shift_;
    return clamp_offset_to<int8_t>(static_cast<int32_t>(v), output_offset_, act_min_, act_max_);
  }

 private:
  int32_t multiplier_ = 0;
  int32_t left_ = 0;
  int32_t shift_ = 31;
  int64_t round_ = 0;
  int64_t negative_ = 0;
  int32_t output_offset_ = 0;
  int32_t act_min_ = 0;
  int32_t act_max_ = 0;
};

// Persistent op data: the shape and the requantisation. The per-channel multipliers are
// not kept: eval derives them from the scales in the model into the transient scratch area
// (output_c x 8 bytes for the one step in flight), which keeps them out of the arena's
// persistent part (they were 8 bytes per channel per layer, the bulk of per-op RAM).
struct ConvOpData {
  ConvShape shape;
  int32_t input_offset;
  int32_t output_offset;
  int32_t act_min;
  int32_t act_max;
  float input_scale;
  float output_scale;
  float filter_scale;           // per-tensor filters
  const float* filter_scales;   // per-channel filters (in the model), else nullptr

  ConvRequant requant(const QuantizedMultiplier* channels) const {
    return ConvRequant{input_offset, output_offset, act_min, act_max, channels};
  }
  // Fills out[0 .. output_c) as TFLM PopulateConvolutionQuantizationParams does.
  void channel_multipliers(QuantizedMultiplier* out) const;
  // The multiplier of output channel c alone.
  QuantizedMultiplier channel_multiplier(int32_t c) const;
};

// Scratch bytes for the per-channel multipliers, rounded to keep what follows 16-aligned.
inline size_t channel_multiplier_bytes(const ConvShape& s) {
  return (static_cast<size_t>(s.output_c) * sizeof(QuantizedMultiplier) + 15) / 16 * 16;
}

enum class ConvKind : uint8_t { kStandard, kDepthwise };

// Builtin options of either op, read into one form.
struct ConvOptions {
  WindowPadding padding;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t depth_multiplier;  // DEPTHWISE_CONV_2D only
  int activation;
};

// The NHWC input and filter window sizes of `s` from the tensors (filters [*, h, w, *]).
inline void set_input_and_window(ConvShape* s, const TensorInfo& in, const TensorInfo& filter) {
  s->batches = in.shape.dims[0];
  s->input_h = in.shape.dims[1];
  s->input_w = in.shape.dims[2];
  s->input_c = in.shape.dims[3];
  s->filter_h = filter.shape.dims[1];
  s->filter_w = filter.shape.dims[2];
}

// The quantisation checks of the TFLite int8 and 16x8 spec that every convolution-like
// operator shares: per-axis filter scales (output_c of them on `channel_axis`) or one,
// filter zero points 0, positive filter, input and output scales.
Status check_filter_quantization(const PrepareContext& ctx, const TensorInfo& in, const TensorInfo& filter, const TensorInfo& out,
                                 int32_t output_c, int32_t channel_axis);

// The requantisation fields of `d` (offsets, clamp range, scales) from the tensors.
void set_requantization(ConvOpData* d, const TensorInfo& in, const TensorInfo& filter, const TensorInfo& out, const ActivationRange& range);

// Validates the operator (types, shapes, quantisation, options, the model's output shape
// against TFLite ComputeOutSize), sets the MAC count and allocates and fills the op data.
// *shape is set in both passes (to size scratch); *data is nullptr in measuring mode.
Status prepare_convolution(PrepareContext& ctx, ConvKind kind, const ConvOptions& options, ConvShape* shape, ConvOpData** data);

}  // namespace chorus::runtime::kernels
