// Every kernel Chorus has (the resolver models are loaded against by default).
#include "kernels.hpp"

#include <cstdint>
#include <cstring>

namespace chorus::runtime {

// The table lives inside the function: an image that never asks for every kernel (it loads
// its models against its own resolver, e.g. one `chorus embed` wrote) links none of the
// kernels it does not use, as the linker drops this function with its references.
const OpResolver& builtin_op_resolver() {
  static const Kernel kAllKernels[] = {
      kernels::kAdd,           kernels::kAveragePool2d, kernels::kCast,           kernels::kConcatenation,
      kernels::kConv2d,        kernels::kDepthwiseConv2d, kernels::kDequantize,   kernels::kDiv,
      kernels::kFullyConnected, kernels::kMaximum,      kernels::kMaxPool2d,      kernels::kMean,
      kernels::kMinimum,       kernels::kMul,           kernels::kQuantize,       kernels::kReshape,
      kernels::kSoftmax,       kernels::kSqueeze,       kernels::kStridedSlice,   kernels::kSvdf,
      kernels::kSignalEnergy,  kernels::kSignalFftAutoScale, kernels::kSignalFilterBank, kernels::kSignalFilterBankLog,
      kernels::kSignalFilterBankSpectralSubtraction, kernels::kSignalFilterBankSquareRoot, kernels::kSignalPcan,
      kernels::kSignalRfft,    kernels::kSignalWindow,  kernels::kEthosU,        kernels::kTranspose,
      kernels::kTransposeConv, kernels::kPad,           kernels::kPadV2,          kernels::kPack,
  };
  static const OpResolver kBuiltinResolver(kAllKernels, sizeof(kAllKernels) / sizeof(kAllKernels[0]));
  return kBuiltinResolver;
}

namespace kernels {

Status activation_range_for(const PrepareContext& ctx, int activation, const TensorInfo& output, ActivationRange* out) {
  int32_t qmin = 0, qmax = 0;
  switch (output.type) {
    case DType::kInt8: qmin = -128; qmax = 127; break;
    case DType::kInt16: qmin = -32768; qmax = 32767; break;
    case DType::kUInt8: qmin = 0; qmax = 255; break;
    case DType::kInt32: qmin = INT32_MIN; qmax = INT32_MAX; break;
    default: return ctx.error("no integer activation range for %s output", dtype_name(output.type));
  }
  if (activation == 0) {
    *out = {qmin, qmax};
    return Status::ok();
  }
  if (output.quant.count == 0) return ctx.error("fused activation on an unquantised output");
  if (!quantized_activation_range(activation, output.quant.scale, output.quant.zero_point, qmin, qmax, out))
    return ctx.error("fused activation %d is not supported on integer outputs", activation);
  return Status::ok();
}

Status check_accumulator_range(const PrepareContext& ctx, const TensorInfo& weights, const TensorInfo* bias, int32_t channels,
                               int32_t taps, size_t channel_stride, size_t tap_stride) {
  const auto* w = reinterpret_cast<const int8_t*>(weights.constant_data);
  const int32_t* b = nullptr;
  if (bias != nullptr) {
    if (bias->constant_data == nullptr) return ctx.error("bias is not constant: its accumulators cannot be bounded");
    b = reinterpret_cast<const int32_t*>(bias->constant_data);
  }
  constexpr int64_t kLimit = INT32_MAX;
  for (int32_t c = 0; c < channels; ++c) {
    int64_t sum = 0;
    if (w == nullptr) {
      sum = int64_t{128} * taps;
    } else {
      const int8_t* row = w + static_cast<size_t>(c) * channel_stride;
      for (int32_t k = 0; k < taps; ++k) {
        const int32_t v = row[static_cast<size_t>(k) * tap_stride];
        sum += v < 0 ? -v : v;
      }
    }
    int64_t bias_abs = 0;
    if (b != nullptr) {
      int32_t v;
      std::memcpy(&v, b + c, sizeof(v));  // constant data may be unaligned in a hostile file
      bias_abs = v < 0 ? -static_cast<int64_t>(v) : v;
    }
    const int64_t bound = bias_abs + 256 * sum;
    if (bound > kLimit)
      return ctx.error("output channel %d can accumulate up to %lld, beyond int32 (|bias| + 256 x sum |w|): the reference "
                       "arithmetic overflows",
                       static_cast<int>(c), static_cast<long long>(bound));
  }
  return Status::ok();
}

}  // namespace kernels
}  // namespace chorus::runtime
