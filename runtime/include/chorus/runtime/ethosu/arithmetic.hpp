// The output arithmetic of Chorus's Ethos-U functional model: how an accumulator becomes an
// OFM value under a 32-bit scale, a 6-bit shift and one of the NPU's three rounding modes.
//
// Arm documents the modes by name only (ethos_u55_regs.py: rounding TFL, TRUNCATE,
// NATURAL; OFM_PRECISION bits 15..14), and states that with TFL rounding Vela's output is
// bit-exact with the TensorFlow Lite reference kernels. So TFL is defined here as TFLite's own
// requantisation, MultiplyByQuantizedMultiplier (gemmlowp's SaturatingRoundingDoublingHighMul,
// then RoundingDivideByPOT), with Vela's shift = 31 - TFLite's shift (scaling.py
// quantise_scale); TRUNCATE rounds towards zero and NATURAL half up, each once. Vela's own
// scale choices (scaling.py: simplified_elementwise_add_sub_scale's test of the low 12 bits of
// the output scale, "double rounding") reason in exactly these terms.
#pragma once

#include <cstdint>

namespace chorus::runtime::ethosu {

enum class Rounding : uint8_t { kTfl = 0, kTruncate = 1, kNatural = 2 };

// floor((value * scale + 2^(shift - 1)) / 2^shift), exact for any 64-bit value (the product
// is formed in 96 bits, so 40-bit accumulators need no 128-bit type on a 32-bit core);
// shift 0: value * scale.
int64_t multiply_round_half_up(int64_t value, uint32_t scale, uint32_t shift);

// gemmlowp SaturatingRoundingDoublingHighMul for a 64-bit value: floor((v * m + 2^30) / 2^31).
int64_t doubling_high_mul(int64_t value, uint32_t multiplier);
// gemmlowp RoundingDivideByPOT: divide by 2^exponent, rounding half away from zero.
int64_t rounding_divide_by_pot(int64_t value, uint32_t exponent);

// value * scale / 2^shift in the given rounding mode.
int64_t apply_scale(int64_t value, uint32_t scale, uint32_t shift, Rounding rounding);

}  // namespace chorus::runtime::ethosu
