// kissfft's 16-bit fixed-point FFT (FIXED_POINT=16, kissfft v130, the version TFLM's signal
// library builds), written for Chorus: a complex mixed-radix FFT plus kiss_fftr's real-input
// split. Every butterfly scales its inputs down by the radix (C_FIXDIV), rounds products
// to Q15 as `(x + 2^14) >> 15`, and stores every intermediate as int16 (wrapping) exactly
// where kissfft's macros do, so the output matches TFLM's SignalRfft bit for bit.
//
// Only radices 2 and 4 are implemented: real lengths that are powers of two (kissfft
// factors those into 4s and a final 2, which is what this plan does too).
#pragma once

#include <cstddef>
#include <cstdint>

namespace chorus::runtime::signal {

struct Complex16 {
  int16_t r;
  int16_t i;
};

struct RealFft16Plan {
  static constexpr int kMaxStages = 16;
  int32_t length = 0;       // real input points
  int32_t half = 0;         // complex FFT points (length / 2)
  int32_t num_stages = 0;
  int32_t radix[kMaxStages] = {};      // kissfft's factors p
  int32_t remainder[kMaxStages] = {};  // and m (points per sub-FFT after each stage)
  const Complex16* twiddles = nullptr;        // `half` entries: e^{-2 pi i k / half}
  const Complex16* super_twiddles = nullptr;  // `half / 2` entries for the real split
};

// True for the lengths this FFT handles: powers of two from 4 to 32768.
bool real_fft16_supported(int32_t length);
// Complex16 entries of the twiddle tables for `length`.
size_t real_fft16_table_entries(int32_t length);
// Fills `tables` (real_fft16_table_entries(length) entries) and `plan`. Twiddles are computed
// in double as kissfft does: floor(0.5 + 32767 * cos/sin(phase)).
void real_fft16_init(int32_t length, Complex16* tables, RealFft16Plan* plan);
// Transforms plan.length real samples -- the `input_length` given, then zeros -- into
// plan.length / 2 + 1 bins. `work` holds plan.half entries.
void real_fft16(const RealFft16Plan& plan, const int16_t* input, int32_t input_length, Complex16* work, Complex16* output);

}  // namespace chorus::runtime::signal
