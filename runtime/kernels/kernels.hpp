// The kernels Chorus has, one per file in this folder, and the shared helpers they use.
#pragma once

#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/quantization.hpp"
#include "tflite_subset_generated.h"

namespace chorus::runtime::kernels {

extern const Kernel kAdd;
extern const Kernel kAveragePool2d;
extern const Kernel kCast;
extern const Kernel kConcatenation;
extern const Kernel kConv2d;
extern const Kernel kDepthwiseConv2d;
extern const Kernel kDequantize;
extern const Kernel kDiv;
extern const Kernel kFullyConnected;
extern const Kernel kMaximum;
extern const Kernel kMaxPool2d;
extern const Kernel kMean;
extern const Kernel kMinimum;
extern const Kernel kMul;
extern const Kernel kPack;
extern const Kernel kPad;
extern const Kernel kPadV2;
extern const Kernel kQuantize;
extern const Kernel kReshape;
extern const Kernel kSoftmax;
extern const Kernel kSqueeze;
extern const Kernel kStridedSlice;
extern const Kernel kSvdf;
extern const Kernel kTranspose;
extern const Kernel kTransposeConv;

// Vela's `ethos-u` operator, run by the Ethos-U functional model (kernels/ethosu.cpp).
extern const Kernel kEthosU;

// TFLM signal-library custom ops (the micro_speech audio front end), matched by custom name.
extern const Kernel kSignalEnergy;
extern const Kernel kSignalFftAutoScale;
extern const Kernel kSignalFilterBank;
extern const Kernel kSignalFilterBankLog;
extern const Kernel kSignalFilterBankSpectralSubtraction;
extern const Kernel kSignalFilterBankSquareRoot;
extern const Kernel kSignalPcan;
extern const Kernel kSignalRfft;
extern const Kernel kSignalWindow;

// Fused-activation clamp range for a quantised output of type T, or an error for
// activations that cannot be fused into an integer kernel (TANH, SIGN_BIT).
Status activation_range_for(const PrepareContext& ctx, int activation, const TensorInfo& output, ActivationRange* out);

// A quantisation scale the int8 spec allows: positive and finite.
inline bool positive_scale(float s) {
  return s > 0.0f && s < 3.0e38f;
}

// Rejects an operator whose int32 accumulator could overflow for some input: the int8
// quantization spec accumulates sum(w * (x - x_zp)) + bias in int32, and the reference
// kernels (TFLM reference_integer_ops conv.h, depthwise_conv.h, fully_connected.h) add
// without a check, so an overflow is undefined behaviour there and here, and host and
// target would disagree. For every output channel c the bound is
//   |bias[c]| + 256 * sum_k |w[c, k]|
// which covers every evaluation order the kernels use: the reference's running sum
// (|x - x_zp| <= 255) and the precomputed form (bias - x_zp * sum w) + sum(w * x).
// Weights that are not constant count as 128 per tap. `weights` holds `channels` rows of
// `taps` int8 values: element (c, k) at c * channel_stride + k * tap_stride. `bias` may be
// null (no bias); a bias that is not constant cannot be bounded and is refused.
Status check_accumulator_range(const PrepareContext& ctx, const TensorInfo& weights, const TensorInfo* bias, int32_t channels,
                               int32_t taps, size_t channel_stride, size_t tap_stride);

}  // namespace chorus::runtime::kernels
