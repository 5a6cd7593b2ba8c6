// Oracle generator (host, not part of the build): int8 DIV outputs of TFLM's reference
// kernel for every pair of int8 inputs, under a list of quantisation cases, so Chorus's DIV
// can be compared with TFLM byte for byte (tests/runtime/div_tflm_test.cpp). Compiled by
// tools/oracles/div_tflm.sh against a tflite-micro tree and gemmlowp fetched outside the
// repository; it calls TFLM's own functions -- the multiplier as div.cc's
// CalculateOpDataDiv computes it (QuantizeMultiplier of in1_scale / (in2_scale *
// out_scale), the quotient in float) and reference_ops::Div -- and writes, per case,
// 65536 bytes: output[x + 128][y + 128] (0 where y is the divisor's zero point, a
// division by zero TFLM does not define), and <case>.undefined.bin, 1 where TFLM's
// arithmetic is undefined: gemmlowp's RoundingDivideByPOT asserts exponent <= 31, which
// some pairs exceed (a release build shifts an int32 by 32 or more; x86 and Arm differ).
// The generator keeps gemmlowp's assert and catches it (glibc's __assert_fail, replaced
// here, jumps back), so it records exactly the pairs TFLM does not define.
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "tensorflow/lite/kernels/internal/quantization_util.h"
#include "tensorflow/lite/kernels/internal/reference/div.h"
#include "tensorflow/lite/kernels/internal/types.h"

struct Case {
  const char* name;
  float s1;
  int z1;
  float s2;
  int z2;
  float so;
  int zo;
};

const Case kCases[] = {
#include "../../tests/data/div_tflm/cases.inc"
};

namespace {
jmp_buf g_assert_jump;
}  // namespace

// glibc's handler of a failed assert(): back to the pair being computed.
extern "C" void __assert_fail(const char*, const char*, unsigned int, const char*) { longjmp(g_assert_jump, 1); }

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: div_tflm OUT_DIR\n");
    return 2;
  }
  for (const Case& c : kCases) {
    tflite::ArithmeticParams p{};
    p.input1_offset = -c.z1;
    p.input2_offset = -c.z2;
    p.output_offset = c.zo;
    p.quantized_activation_min = -128;
    p.quantized_activation_max = 127;
    const double real = static_cast<double>(c.s1 / (c.s2 * c.so));
    int shift = 0;
    tflite::QuantizeMultiplier(real, &p.output_multiplier, &shift);
    p.output_shift = shift;
    std::vector<int8_t> out(65536, 0);
    std::vector<uint8_t> undefined(65536, 0);
    size_t undefined_pairs = 0;
    const tflite::RuntimeShape shape(1, 1);  // one dimension of size 1
    for (int x = -128; x <= 127; ++x) {
      for (int y = -128; y <= 127; ++y) {
        if (y == c.z2) continue;
        const int8_t a = static_cast<int8_t>(x), b = static_cast<int8_t>(y);
        static int8_t r;
        r = 0;
        const size_t at = static_cast<size_t>((x + 128) * 256 + (y + 128));
        if (setjmp(g_assert_jump) != 0) {
          undefined[at] = 1;
          ++undefined_pairs;
          continue;
        }
        tflite::reference_ops::Div(p, shape, &a, shape, &b, shape, &r);
        out[at] = r;
      }
    }
    for (const char* suffix : {".bin", ".undefined.bin"}) {
      const std::string path = std::string(argv[1]) + "/" + c.name + suffix;
      const void* bytes = suffix[1] == 'b' ? static_cast<const void*>(out.data()) : static_cast<const void*>(undefined.data());
      FILE* f = std::fopen(path.c_str(), "wb");
      if (f == nullptr || std::fwrite(bytes, 1, 65536, f) != 65536 || std::fclose(f) != 0) {
        std::fprintf(stderr, "div_tflm: cannot write %s\n", path.c_str());
        return 1;
      }
    }
    std::printf("%s: multiplier %d shift %d, %zu pairs undefined in TFLM\n", c.name, p.output_multiplier, p.output_shift,
                undefined_pairs);
  }
  return 0;
}
