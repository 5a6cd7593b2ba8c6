// Quantised softmax arithmetic (TFLM reference_ops::Softmax for int8 input, int8 or int16
// output; parameters from micro/kernels/softmax_common.cc CalculateSoftmaxParams), as
// plain functions so tests can drive them without a model.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "chorus/runtime/quantization.hpp"
#include "fixed_point_math.hpp"

namespace chorus::runtime::kernels {

struct SoftmaxQuantParams {
  int32_t input_multiplier;  // beta * input_scale in Q5.26 steps, as Q31 ...
  int32_t input_left_shift;  // ... with this left shift (>= 0)
  int32_t diff_min;          // input differences below this contribute exp() = 0
};

// The exp() argument is Q5.26; the sum of exps is accumulated in Q12.19.
constexpr int kSoftmaxScaledDiffIntegerBits = 5;
constexpr int kSoftmaxAccumulationIntegerBits = 12;

// TFLM quantization_util.cc PreprocessSoftmaxScaling (double-rounding build: the cap is
// 2^31 - 1) and CalculateInputRadius. False when beta * input_scale is too small for a
// multiplier greater than one (TFLM aborts on that).
inline bool softmax_quant_params(double beta, double input_scale, SoftmaxQuantParams* out) {
  constexpr int kBits = kSoftmaxScaledDiffIntegerBits;
  const double max_real_multiplier = static_cast<double>((1LL << 31) - 1);
  double real = beta * input_scale * static_cast<double>(1 << (31 - kBits));
  if (real > max_real_multiplier) real = max_real_multiplier;
  if (!(real > 1.0)) return false;
  const QuantizedMultiplier m = quantize_multiplier(real);
  if (m.shift < 0) return false;
  const double radius = 1.0 * static_cast<double>((1 << kBits) - 1) * static_cast<double>(1LL << (31 - kBits)) /
                        static_cast<double>(1LL << m.shift);
  out->input_multiplier = m.multiplier;
  out->input_left_shift = m.shift;
  out->diff_min = -static_cast<int32_t>(std::floor(radius));
  return true;
}

// Largest row length whose worst case (every element equal to the maximum, a sum of
// depth * 2^19 in Q12.19) keeps the output shift within 0..31 and the sum within int32.
template <class OutT>
constexpr int32_t softmax_max_depth() {
  return sizeof(OutT) == 1 ? 511 : 4095;
}

// One softmax over `outer` rows of `depth` int8 values. `exps` is scratch for `depth`
// int32 values (the reference computes each exp() twice; this keeps the first).
template <class OutT>
void softmax_int8(const SoftmaxQuantParams& p, const int8_t* input, int32_t outer, int32_t depth, OutT* output, int32_t* exps) {
  constexpr int32_t kOutMin = std::numeric_limits<OutT>::min();
  constexpr int32_t kOutMax = std::numeric_limits<OutT>::max();
  constexpr int kOutBits = static_cast<int>(8 * sizeof(OutT));
  for (int32_t row = 0; row < outer; ++row) {
    const int8_t* in = input + static_cast<size_t>(row) * static_cast<size_t>(depth);
    OutT* out = output + static_cast<size_t>(row) * static_cast<size_t>(depth);
    int32_t max_in_row = std::numeric_limits<int8_t>::min();
    for (int32_t c = 0; c < depth; ++c) max_in_row = in[c] > max_in_row ? in[c] : max_in_row;

    int32_t sum_of_exps = 0;  // Q12.19
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t diff = static_cast<int32_t>(in[c]) - max_in_row;
      int32_t e = 0;
      if (diff >= p.diff_min) {
        // MultiplyByQuantizedMultiplierGreaterThanOne; |diff| << shift fits by diff_min.
        const int32_t scaled = saturating_rounding_doubling_high_mul(diff * (1 << p.input_left_shift), p.input_multiplier);
        e = fixed_point::exp_on_negative_values<kSoftmaxScaledDiffIntegerBits>(scaled);
        sum_of_exps += rounding_divide_by_pot(e, kSoftmaxAccumulationIntegerBits);
      }
      exps[c] = e;
    }

    int num_bits_over_unit = 0;
    const int32_t shifted_scale = fixed_point::reciprocal(sum_of_exps, kSoftmaxAccumulationIntegerBits, &num_bits_over_unit);
    const int exponent = num_bits_over_unit + 31 - kOutBits;
    // Skipped elements (exp 0) give kOutMin, as the reference's explicit branch does.
    for (int32_t c = 0; c < depth; ++c) {
      const int32_t unsat = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted_scale, exps[c]), exponent);
      out[c] = clamp_to<OutT>(unsat + kOutMin, kOutMin, kOutMax);
    }
  }
}

}  // namespace chorus::runtime::kernels
