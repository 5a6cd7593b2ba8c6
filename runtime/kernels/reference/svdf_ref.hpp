// Integer SVDF arithmetic (TFLM micro/kernels/svdf_common.cc EvalIntegerSvdfReference),
// as a plain function so tests can drive it without a model. StateT is the type of both
// weights_time and the activation state: int16 (zero point 0) or int8 (any zero point).
#pragma once

#include "arm_int8.hpp"
#include "int8_vector.hpp"

#include <cstdint>
#include <cstring>
#include <limits>

#include "chorus/runtime/quantization.hpp"
#include "requantizer.hpp"

namespace chorus::runtime::kernels {

struct SvdfShape {
  int32_t batches;
  int32_t input_size;
  int32_t num_filters;  // num_units * rank
  int32_t num_units;
  int32_t rank;
  int32_t memory_size;
};

struct SvdfQuant {
  int32_t input_zero_point;
  int32_t state_zero_point;
  int32_t output_zero_point;
  Requantizer feature_to_state;  // input * weights_feature -> state scale
  Requantizer state_to_output;   // state * weights_time -> output scale
};

// sum(w[j] * (s[j] - zp)) over j < n. Both factors fit int16 (an int8 state minus its
// zero point lies in [-255, 255]; an int16 state has zero point 0), so the products are
// int16 x int16 -> int32, which compilers map to multiply-add instructions.
// Vectorised with GCC vector extensions (int8_vector.hpp): eight lanes at a time, the
// int32 sums reassociated, which is exact.
// int16 x int16 products are summed modulo 2^32 (unsigned lanes): TFLM's int32 sums may
// wrap for full-range int16 states, and wrapping is only defined for unsigned arithmetic.
inline int32_t time_dot(const int16_t* w, const int16_t* s, int32_t n, int32_t) {
#if defined(CHORUS_ARM_MVE)
  // VMLADAVA.S16: eight int16 products a step, summed into 32 bits (modulo 2^32).
  int32_t sum = 0;
  for (int32_t j = 0; j < n; j += 8) {
    const mve_pred16_t p = vctp16q(static_cast<uint32_t>(n - j));
    sum = vmladavaq_p_s16(sum, vldrhq_z_s16(w + j, p), vldrhq_z_s16(s + j, p), p);
  }
  return sum;
#elif defined(CHORUS_ARM_DSP)
  // SMLAD on halfword pairs in memory order (both factors int16), modulo 2^32.
  int32_t sum = 0;
  int32_t j = 0;
  for (; j + 2 <= n; j += 2)
    sum = __smlad(static_cast<int32_t>(arm::load32(w + j)), static_cast<int32_t>(arm::load32(s + j)), sum);
  if (j < n) sum = static_cast<int32_t>(static_cast<uint32_t>(sum) + static_cast<uint32_t>(w[j] * s[j]));
  return sum;
#else
  using namespace simd;
  u32x4 acc = {0, 0, 0, 0};
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const i16x8 a = load16(w + j), b = load16(s + j);
    acc += reinterpret_cast<u32x4>(widen_low(a) * widen_low(b)) + reinterpret_cast<u32x4>(widen_high(a) * widen_high(b));
  }
  uint32_t dot = acc[0] + acc[1] + acc[2] + acc[3];
  for (; j < n; ++j) dot += static_cast<uint32_t>(w[j] * s[j]);
  return static_cast<int32_t>(dot);
#endif
}
inline int32_t time_dot(const int8_t* w, const int8_t* s, int32_t n, int32_t zero_point) {
#if defined(CHORUS_ARM_MVE)
  // Eight lanes widened to int16, the state's zero point subtracted (|s - zp| <= 255).
  int32_t sum = 0;
  for (int32_t j = 0; j < n; j += 8) {
    const mve_pred16_t p = vctp16q(static_cast<uint32_t>(n - j));
    const int16x8_t sv = vsubq_n_s16(vldrbq_z_s16(s + j, p), static_cast<int16_t>(zero_point));
    sum = vmladavaq_p_s16(sum, vldrbq_z_s16(w + j, p), sv, p);
  }
  return sum;
#elif defined(CHORUS_ARM_DSP)
  // SXTB16 splits four int8 into halfword pairs; SSUB16 subtracts the zero point from both.
  const int32_t zp2 = arm::dup16(zero_point);
  int32_t sum = 0;
  int32_t j = 0;
  for (; j + 4 <= n; j += 4) {
    const uint32_t wv = arm::load32(w + j), sv = arm::load32(s + j);
    sum = __smlad(arm::sxtb16(wv), __ssub16(arm::sxtb16(sv), zp2), sum);
    sum = __smlad(arm::sxtb16_ror8(wv), __ssub16(arm::sxtb16_ror8(sv), zp2), sum);
  }
  for (; j < n; ++j) sum += static_cast<int16_t>(w[j]) * static_cast<int16_t>(s[j] - zero_point);
  return sum;
#else
  using namespace simd;
  const int16_t zp = static_cast<int16_t>(zero_point);
  const i16x8 zpv = splat16(zero_point);
  i32x4 acc = {0, 0, 0, 0};
  int32_t j = 0;
  for (; j + 8 <= n; j += 8) acc += pair_sum(load8_widen(w + j) * (load8_widen(s + j) - zpv));
  int32_t dot = reduce1(acc);
  for (; j < n; ++j) dot += static_cast<int16_t>(w[j]) * static_cast<int16_t>(s[j] - zp);
  return dot;
#endif
}

// sum(w[i] * x[i]) of int8 weights and int16 inputs (an int8 input minus its zero point).
inline int32_t feature_dot(const int8_t* w, const int16_t* x, int32_t n) {
#if defined(CHORUS_ARM_MVE)
  int32_t sum = 0;
  for (int32_t i = 0; i < n; i += 8) {
    const mve_pred16_t p = vctp16q(static_cast<uint32_t>(n - i));
    sum = vmladavaq_p_s16(sum, vldrbq_z_s16(w + i, p), vldrhq_z_s16(x + i, p), p);
  }
  return sum;
#elif defined(CHORUS_ARM_DSP)
  // Weights [w0 w1 w2 w3] split by SXTB16 into [w0 w2] and [w1 w3]; the int16 inputs
  // [x0 x1], [x2 x3] paired the same way by PKHBT/PKHTB.
  int32_t sum = 0;
  int32_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const uint32_t wv = arm::load32(w + i);
    const int32_t x01 = static_cast<int32_t>(arm::load32(x + i)), x23 = static_cast<int32_t>(arm::load32(x + i + 2));
    sum = __smlad(arm::sxtb16(wv), arm::pack_low_halves(x01, x23), sum);
    sum = __smlad(arm::sxtb16_ror8(wv), arm::pack_high_halves(x01, x23), sum);
  }
  for (; i < n; ++i) sum += static_cast<int16_t>(w[i]) * x[i];
  return sum;
#else
  using namespace simd;
  i32x4 acc = {0, 0, 0, 0};
  int32_t i = 0;
  for (; i + 8 <= n; i += 8) acc += pair_sum(load8_widen(w + i) * load16(x + i));
  int32_t dot = reduce1(acc);
  for (; i < n; ++i) dot += static_cast<int16_t>(w[i]) * x[i];
  return dot;
#endif
}

// One SVDF step. `state` is [batches][num_filters][memory_size] and is updated in place:
// shifted left by one element, then each filter's newest activation written to its last
// slot. `input_scratch` holds input_size int16 values. The reference's two int32 scratch
// buffers are not needed: each unit's rank dot products are summed onto the bias
// directly (the same int32 sum in a different association, exact in two's complement).
// As in the reference, no fused activation is applied; the output clamp is int8's range.
template <class StateT>
void svdf_integer(const SvdfShape& s, const SvdfQuant& q, const int8_t* input, const int8_t* weights_feature,
                  const StateT* weights_time, const int32_t* bias, StateT* state, int8_t* output, int16_t* input_scratch) {
  constexpr int32_t kStateMin = std::numeric_limits<StateT>::min();
  constexpr int32_t kStateMax = std::numeric_limits<StateT>::max();
  const size_t state_per_batch = static_cast<size_t>(s.num_filters) * static_cast<size_t>(s.memory_size);
  const size_t state_elems = static_cast<size_t>(s.batches) * state_per_batch;
  std::memmove(state, state + 1, (state_elems - 1) * sizeof(StateT));

  const int32_t state_zp = q.state_zero_point;
  for (int32_t b = 0; b < s.batches; ++b) {
    // Feature matmul into the newest state slot of every filter.
    const int8_t* x = input + static_cast<size_t>(b) * static_cast<size_t>(s.input_size);
    for (int32_t i = 0; i < s.input_size; ++i)
      input_scratch[i] = static_cast<int16_t>(static_cast<int32_t>(x[i]) - q.input_zero_point);
    StateT* batch_state = state + static_cast<size_t>(b) * state_per_batch;
    const int8_t* w = weights_feature;
    for (int32_t f = 0; f < s.num_filters; ++f, w += s.input_size) {
      int32_t acc = feature_dot(w, input_scratch, s.input_size);
      acc = q.feature_to_state.apply(acc);
      acc = acc < kStateMin ? kStateMin : (acc > kStateMax ? kStateMax : acc);
      // The reference adds the zero point after the clamp and narrows without a second
      // clamp, so an int8 state wraps; kept for bit-exactness.
      batch_state[static_cast<size_t>(f) * s.memory_size + (s.memory_size - 1)] = static_cast<StateT>(state_zp + acc);
    }

    // Time weights, rank reduction, bias, requantisation.
    const StateT* wt = weights_time;
    const StateT* st = batch_state;
    int8_t* out = output + static_cast<size_t>(b) * static_cast<size_t>(s.num_units);
    for (int32_t u = 0; u < s.num_units; ++u) {
      // Summed modulo 2^32, like the reference's int32 sums (defined behaviour here).
      uint32_t sum = bias != nullptr ? static_cast<uint32_t>(bias[u]) : 0u;
      for (int32_t r = 0; r < s.rank; ++r, wt += s.memory_size, st += s.memory_size) {
        sum += static_cast<uint32_t>(time_dot(wt, st, s.memory_size, state_zp));
      }
      int32_t acc = q.state_to_output.apply(static_cast<int32_t>(sum)) + q.output_zero_point;
      out[u] = clamp_to<int8_t>(acc, -128, 127);
    }
  }
}

}  // namespace chorus::runtime::kernels
