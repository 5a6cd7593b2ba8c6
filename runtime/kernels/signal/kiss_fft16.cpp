#include "signal/kiss_fft16.hpp"

#include <cmath>

namespace chorus::runtime::signal {
namespace {

// kissfft _kiss_fft_guts.h, FIXED_POINT == 16: FRACBITS 15, SAMP_MAX 32767, products in
// int32, sround(x) = (x + 2^14) >> 15 truncated to int16.
constexpr int32_t kSampMax = 32767;

inline int16_t wrap16(int32_t v) { return static_cast<int16_t>(v); }
inline int16_t round_q15(int32_t x) { return static_cast<int16_t>((x + (1 << 14)) >> 15); }

// C_FIXDIV(c, k): scales by (32767 / k) in Q15, the per-stage scaling that keeps the
// fixed-point transform from overflowing.
inline void fix_div(Complex16& c, int32_t k) {
  const int32_t f = kSampMax / k;
  c.r = round_q15(c.r * f);
  c.i = round_q15(c.i * f);
}

// C_MUL: m = a * b with each component rounded once.
inline Complex16 mul(Complex16 a, Complex16 b) {
  return {round_q15(a.r * b.r - a.i * b.i), round_q15(a.r * b.i + a.i * b.r)};
}
inline Complex16 add(Complex16 a, Complex16 b) { return {wrap16(a.r + b.r), wrap16(a.i + b.i)}; }
inline Complex16 sub(Complex16 a, Complex16 b) { return {wrap16(a.r - b.r), wrap16(a.i - b.i)}; }

// kf_cexp for fixed point: floor(0.5 + SAMP_MAX * cos/sin(phase)). For fft_length 512 every
// such value lies at least 0.007 from an integer, so any libm (glibc, newlib) gives the same
// table; the Cortex-M4 build matches the golden vectors too.
Complex16 twiddle(double phase) {
  return {static_cast<int16_t>(std::floor(0.5 + kSampMax * std::cos(phase))),
          static_cast<int16_t>(std::floor(0.5 + kSampMax * std::sin(phase)))};
}

void butterfly2(Complex16* out, size_t fstride, const Complex16* tw, int32_t m) {
  Complex16* out2 = out + m;
  for (int32_t k = 0; k < m; ++k) {
    fix_div(out[k], 2);
    fix_div(out2[k], 2);
    const Complex16 t = mul(out2[k], tw[static_cast<size_t>(k) * fstride]);
    out2[k] = sub(out[k], t);
    out[k] = add(out[k], t);
  }
}

// Forward radix-4 butterfly (kf_bfly4 with inverse == 0).
void butterfly4(Complex16* out, size_t fstride, const Complex16* tw, int32_t m) {
  for (int32_t k = 0; k < m; ++k) {
    Complex16& f0 = out[k];
    Complex16& f1 = out[k + m];
    Complex16& f2 = out[k + 2 * m];
    Complex16& f3 = out[k + 3 * m];
    fix_div(f0, 4);
    fix_div(f1, 4);
    fix_div(f2, 4);
    fix_div(f3, 4);
    const size_t step = static_cast<size_t>(k) * fstride;
    const Complex16 s0 = mul(f1, tw[step]);
    const Complex16 s1 = mul(f2, tw[2 * step]);
    const Complex16 s2 = mul(f3, tw[3 * step]);
    const Complex16 s5 = sub(f0, s1);
    f0 = add(f0, s1);
    const Complex16 s3 = add(s0, s2);
    const Complex16 s4 = sub(s0, s2);
    f2 = sub(f0, s3);
    f0 = add(f0, s3);
    f1 = {wrap16(s5.r + s4.i), wrap16(s5.i - s4.r)};
    f3 = {wrap16(s5.r - s4.i), wrap16(s5.i + s4.r)};
  }
}

// Complex sample c of the input seen as (even, odd) pairs; zero past `length` samples.
inline Complex16 load_pair(const int16_t* in, int32_t length, size_t c) {
  const size_t even = 2 * c;
  return {even < static_cast<size_t>(length) ? in[even] : int16_t{0},
          even + 1 < static_cast<size_t>(length) ? in[even + 1] : int16_t{0}};
}

// kf_work: decimation in time, recursively. Stage s splits into radix[s] sub-FFTs of
// remainder[s] points, each over every (fstride * radix)-th input, then recombines them.
void transform(const RealFft16Plan& plan, int stage, Complex16* out, const int16_t* in, int32_t in_length, size_t first,
               size_t fstride) {
  const int32_t p = plan.radix[stage];
  const int32_t m = plan.remainder[stage];
  if (m == 1) {
    for (int32_t j = 0; j < p; ++j) out[j] = load_pair(in, in_length, first + static_cast<size_t>(j) * fstride);
  } else {
    for (int32_t j = 0; j < p; ++j)
      transform(plan, stage + 1, out + static_cast<size_t>(j) * m, in, in_length, first + static_cast<size_t>(j) * fstride,
                fstride * static_cast<size_t>(p));
  }
  if (p == 4)
    butterfly4(out, fstride, plan.twiddles, m);
  else
    butterfly2(out, fstride, plan.twiddles, m);
}

}  // namespace

bool real_fft16_supported(int32_t length) {
  return length >= 4 && length <= 32768 && (length & (length - 1)) == 0;
}

size_t real_fft16_table_entries(int32_t length) {
  const size_t half = static_cast<size_t>(length / 2);
  return half + half / 2;
}

void real_fft16_init(int32_t length, Complex16* tables, RealFft16Plan* plan) {
  const int32_t half = length / 2;
  plan->length = length;
  plan->half = half;
  // kf_factor on a power of two: 4 while it divides, then a last 2.
  int32_t n = half;
  int stages = 0;
  while (n > 1) {
    const int32_t p = n % 4 == 0 ? 4 : 2;
    n /= p;
    plan->radix[stages] = p;
    plan->remainder[stages] = n;
    ++stages;
  }
  plan->num_stages = stages;
  // kiss_fft_alloc: phase = -2 pi i / nfft (same evaluation order, so the same doubles).
  const double pi = 3.141592653589793238462643383279502884197169399375105820974944;
  for (int32_t i = 0; i < half; ++i) tables[i] = twiddle(-2 * pi * i / half);
  // kiss_fftr_alloc: phase = -pi ((i + 1) / ncfft + 1/2).
  Complex16* super = tables + half;
  for (int32_t i = 0; i < half / 2; ++i)
    super[i] = twiddle(-3.14159265358979323846264338327 * (static_cast<double>(i + 1) / half + .5));
  plan->twiddles = tables;
  plan->super_twiddles = super;
}

void real_fft16(const RealFft16Plan& plan, const int16_t* input, int32_t input_length, Complex16* work, Complex16* output) {
  const int32_t n = plan.half;
  // The real signal packed as n complex points, through the complex FFT.
  transform(plan, 0, work, input, input_length, 0, 1);

  // kiss_fftr: DC and Nyquist from bin 0, then the even/odd split of each pair of bins.
  Complex16 dc = work[0];
  fix_div(dc, 2);
  output[0] = {wrap16(dc.r + dc.i), 0};
  output[n] = {wrap16(dc.r - dc.i), 0};
  for (int32_t k = 1; k <= n / 2; ++k) {
    Complex16 fpk = work[k];
    Complex16 fpnk = {work[n - k].r, wrap16(-work[n - k].i)};
    fix_div(fpk, 2);
    fix_div(fpnk, 2);
    const Complex16 f1k = add(fpk, fpnk);
    const Complex16 f2k = sub(fpk, fpnk);
    const Complex16 tw = mul(f2k, plan.super_twiddles[k - 1]);
    // HALF_OF is >> 1 in fixed point. At k == n/2 both writes hit one bin; the second wins.
    output[k] = {wrap16((f1k.r + tw.r) >> 1), wrap16((f1k.i + tw.i) >> 1)};
    output[n - k] = {wrap16((f1k.r - tw.r) >> 1), wrap16((tw.i - f1k.i) >> 1)};
  }
}

}  // namespace chorus::runtime::signal
