// Integer helpers of the TFLM signal library (signal/src/msb_*.cc, square_root_*.cc,
// log.cc), with the exact rounding the audio front end's golden outputs depend on.
#pragma once

#include <cstdint>

namespace chorus::runtime::signal {

// Index (1-based) of the most significant set bit. For 0 this returns 32 / 64: what the
// reference library returns when built with GCC (its __builtin_clz branch), which is how
// the golden vectors were made.
inline uint32_t most_significant_bit32(uint32_t x) { return x != 0 ? 32u - static_cast<uint32_t>(__builtin_clz(x)) : 32u; }
inline uint32_t most_significant_bit64(uint64_t x) { return x != 0 ? 64u - static_cast<uint32_t>(__builtin_clzll(x)) : 64u; }

// Rounded integer square roots (bit-by-bit method, rounding up when the remainder exceeds
// the root). sqrt64 takes the 32-bit path whenever the upper word is zero, as the
// reference does.
uint16_t sqrt32(uint32_t x);
uint32_t sqrt64(uint64_t x);

// Natural logarithm of x (x >= 1) times out_scale, in the reference's 16.16 fixed point via a
// 128-segment log2 correction table.
uint32_t log32(uint32_t x, uint32_t out_scale);

}  // namespace chorus::runtime::signal
