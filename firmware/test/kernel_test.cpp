// The target kernels (DSP on M4/M7/M33, Helium on M55, the portable loops elsewhere)
// against the reference loop nests on random shapes and quantisations, byte for byte: the
// paths the shared models do not reach (channel and tap tails, left shifts, multipliers
// without a right shift, depth multipliers, dilation, strides, odd sizes).
#include <cstdint>
#include <cstring>

#include "reference/add_ref.hpp"
#include "arm_int8.hpp"
#include "console.hpp"
#include "reference/conv2d_loops.hpp"
#include "reference/depthwise_conv2d_loops.hpp"
#include "fw_test.hpp"
#include "scratch_sizes.hpp"

namespace chorus::fw {
namespace {

using runtime::QuantizedMultiplier;
using runtime::quantize_multiplier;
using namespace runtime::kernels;

uint32_t g_state = 2463534242u;
uint32_t next() {  // xorshift32
  g_state ^= g_state << 13;
  g_state ^= g_state >> 17;
  g_state ^= g_state << 5;
  return g_state;
}
int32_t uniform(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1)); }

constexpr size_t kMaxTensor = 4096;
constexpr int kMaxChannels = 64;
int8_t g_input[kMaxTensor], g_filter[kMaxTensor];
int8_t g_expected[kMaxTensor], g_actual[kMaxTensor];
int32_t g_bias[kMaxChannels];
QuantizedMultiplier g_multipliers[kMaxChannels];
alignas(16) uint8_t g_scratch[16384];

void fill(int8_t* p, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<int8_t>(uniform(-128, 127));
}

// A multiplier as layers have them (mostly 1e-4 .. 0.5), sometimes in [0.5, 1) (no right
// shift) or above 1 (a left shift).
QuantizedMultiplier random_multiplier() {
  const int32_t kind = uniform(0, 9);
  const double mantissa = 0.5 + static_cast<double>(uniform(0, 1 << 20)) / static_cast<double>(1 << 21);
  if (kind == 0) return quantize_multiplier(mantissa);         // [0.5, 1): shift 0
  if (kind == 1) return quantize_multiplier(mantissa * 4.0);  // left shift
  return quantize_multiplier(mantissa / static_cast<double>(1 << uniform(1, 13)));
}

int32_t out_size(int32_t in, int32_t filter, int32_t stride, int32_t dilation, bool same, int32_t* pad) {
  const int32_t effective = (filter - 1) * dilation + 1;
  const int32_t out = same ? (in + stride - 1) / stride : (in - effective + stride) / stride;
  const int32_t total = (out - 1) * stride + effective - in;
  *pad = same && total > 0 ? total / 2 : 0;
  return out;
}

// A random shape; false when it does not fit the buffers.
bool random_shape(bool depthwise, ConvShape* s) {
  *s = ConvShape{};
  s->batches = uniform(1, 2);
  s->input_h = uniform(1, 7);
  s->input_w = uniform(1, 7);
  s->input_c = uniform(1, depthwise ? 20 : 24);
  s->filter_h = uniform(1, 3);
  s->filter_w = uniform(1, 4);
  s->stride_h = uniform(1, 2);
  s->stride_w = uniform(1, 2);
  s->dilation_h = uniform(0, 3) == 0 ? 2 : 1;
  s->dilation_w = uniform(0, 3) == 0 ? 2 : 1;
  static const int32_t kMultipliers[] = {1, 1, 1, 2, 4, 8};
  s->depth_multiplier = depthwise ? kMultipliers[uniform(0, 5)] : 1;
  s->output_c = depthwise ? s->input_c * s->depth_multiplier : uniform(1, 19);
  const bool same = uniform(0, 1) == 1;
  s->output_h = out_size(s->input_h, s->filter_h, s->stride_h, s->dilation_h, same, &s->pad_h);
  s->output_w = out_size(s->input_w, s->filter_w, s->stride_w, s->dilation_w, same, &s->pad_w);
  if (s->output_h <= 0 || s->output_w <= 0 || s->output_c > kMaxChannels) return false;
  const size_t in = static_cast<size_t>(s->batches) * s->input_h * s->input_w * s->input_c;
  const size_t filter = static_cast<size_t>(s->filter_h) * s->filter_w * (depthwise ? s->output_c : s->input_c * s->output_c);
  const size_t out = static_cast<size_t>(s->batches) * s->output_h * s->output_w * s->output_c;
  return in <= kMaxTensor && filter <= kMaxTensor && out <= kMaxTensor;
}

ConvRequant random_requant(const ConvShape& s) {
  for (int32_t c = 0; c < s.output_c; ++c) {
    g_multipliers[c] = random_multiplier();
    g_bias[c] = uniform(-20000, 20000);
  }
  ConvRequant q{};
  q.input_offset = uniform(-127, 128);
  q.output_offset = uniform(-128, 127);
  q.act_min = uniform(0, 3) == 0 ? uniform(-128, 0) : -128;
  q.act_max = uniform(0, 3) == 0 ? uniform(q.act_min, 127) : 127;
  q.channels = g_multipliers;
  return q;
}

size_t output_bytes(const ConvShape& s) { return static_cast<size_t>(s.batches) * s.output_h * s.output_w * s.output_c; }

void describe(const char* op, const ConvShape& s) {
  print("[ kernels  ] %s %dx%dx%dx%d filter %dx%d -> %d (x%d) stride %d,%d dilation %d,%d pad %d,%d\n", op, static_cast<int>(s.batches),
              static_cast<int>(s.input_h), static_cast<int>(s.input_w), static_cast<int>(s.input_c), static_cast<int>(s.filter_h),
              static_cast<int>(s.filter_w), static_cast<int>(s.output_c), static_cast<int>(s.depth_multiplier),
              static_cast<int>(s.stride_h), static_cast<int>(s.stride_w), static_cast<int>(s.dilation_h),
              static_cast<int>(s.dilation_w), static_cast<int>(s.pad_h), static_cast<int>(s.pad_w));
}

using ConvLoops = void (*)(const ConvShape&, const ConvRequant&, const int8_t*, const int8_t*, const int32_t*, int8_t*);
using FastLoops = void (*)(const ConvShape&, const ConvRequant&, const int8_t*, const int8_t*, const int32_t*, int8_t*,
                           uint8_t*);

// 300 random shapes through the reference and the target loops, output bytes compared.
void compare_random_shapes(const char* op, bool depthwise, ConvLoops reference, FastLoops fast,
                           size_t (*scratch_bytes)(const ConvShape&)) {
  int compared = 0;
  for (int trial = 0; trial < 1000 && compared < 300; ++trial) {
    ConvShape s;
    if (!random_shape(depthwise, &s)) continue;
    // As the kernels' glue lays it out: [per-channel multipliers | the loops' scratch].
    const size_t multiplier_bytes = channel_multiplier_bytes(s);
    CHORUS_FW_ASSERT(multiplier_bytes + scratch_bytes(s) <= sizeof(g_scratch), "%s scratch of %u bytes", op,
                     static_cast<unsigned>(scratch_bytes(s)));
    const ConvRequant q = random_requant(s);
    fill(g_input, kMaxTensor);
    fill(g_filter, kMaxTensor);
    const int32_t* bias = uniform(0, 4) == 0 ? nullptr : g_bias;
    reference(s, q, g_input, g_filter, bias, g_expected);
    std::memset(g_actual, 0x55, sizeof(g_actual));
    ConvRequant in_scratch = q;
    std::memcpy(g_scratch, g_multipliers, static_cast<size_t>(s.output_c) * sizeof(QuantizedMultiplier));
    in_scratch.channels = reinterpret_cast<const QuantizedMultiplier*>(g_scratch);
    fast(s, in_scratch, g_input, g_filter, bias, g_actual, g_scratch + multiplier_bytes);
    const size_t n = output_bytes(s);
    const size_t at = first_difference(reinterpret_cast<const uint8_t*>(g_expected), reinterpret_cast<const uint8_t*>(g_actual), n);
    if (at != n) describe(op, s);
    CHORUS_FW_ASSERT(at == n, "%s shape %d: byte %u of %u: reference %d, target %d", op, compared, static_cast<unsigned>(at),
                     static_cast<unsigned>(n), g_expected[at], g_actual[at]);
    ++compared;
  }
  print("[ kernels  ] %d random %s shapes compared byte for byte\n", compared, op);
  CHORUS_FW_EXPECT(compared >= 300, "only %d %s shapes", compared, op);
}

CHORUS_FW_TEST(Kernels, Conv2dMatchesTheReferenceOnRandomShapes) {
  compare_random_shapes("CONV_2D", false, conv2d_reference, conv2d_fast,
                        [](const ConvShape& s) { return conv2d_scratch_bytes(s, chorus::runtime::build_kernel_variant()); });
}

CHORUS_FW_TEST(Kernels, DepthwiseConv2dMatchesTheReferenceOnRandomShapes) {
  compare_random_shapes("DEPTHWISE_CONV_2D", true, depthwise_conv2d_reference, depthwise_conv2d_fast,
                        [](const ConvShape& s) { return depthwise_conv2d_scratch_bytes(s, chorus::runtime::build_kernel_variant()); });
}

#if defined(CHORUS_ARM_KERNELS)
// TFLM ADD's parameters (add.cc PrepareAdd for int8): left shift 20, the inputs' multipliers
// scale / (2 max scale), the output's 2 max scale / (2^20 output scale).
CHORUS_FW_TEST(Kernels, AddMatchesTheReferenceOnRandomScales) {
  int compared = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const double s1 = 0.01 + static_cast<double>(uniform(0, 1000)) / 10000.0;
    const double s2 = uniform(0, 3) == 0 ? s1 : 0.01 + static_cast<double>(uniform(0, 1000)) / 10000.0;
    const double so = 0.01 + static_cast<double>(uniform(0, 2000)) / 10000.0;
    const double twice_max = 2.0 * (s1 > s2 ? s1 : s2);
    AddQuantParams p;
    p.left_shift = 20;
    p.input1_offset = uniform(-127, 128);
    p.input2_offset = uniform(-127, 128);
    p.output_offset = uniform(-128, 127);
    p.input1 = quantize_multiplier(s1 / twice_max);
    p.input2 = quantize_multiplier(s2 / twice_max);
    p.output = quantize_multiplier(twice_max / (static_cast<double>(1 << 20) * so));
    p.act_min = uniform(0, 3) == 0 ? uniform(-128, 0) : -128;
    p.act_max = 127;
    const int32_t n = uniform(1, 700);
    fill(g_input, static_cast<size_t>(n));
    fill(g_filter, static_cast<size_t>(n));
    for (int32_t i = 0; i < n; ++i) g_expected[i] = static_cast<int8_t>(add_quantized(g_input[i], g_filter[i], p));
    std::memset(g_actual, 0x55, sizeof(g_actual));
    runtime::kernels::arm::add_s8(g_input, g_filter, g_actual, n, p.input1_offset, p.input2_offset, p.left_shift, p.input1,
                                  p.input2, p.output, p.output_offset, p.act_min, p.act_max);
    g_expected[n] = 0x55;  // the byte after the output must be untouched
    const size_t bytes = static_cast<size_t>(n) + 1;
    const size_t at = first_difference(reinterpret_cast<const uint8_t*>(g_expected), reinterpret_cast<const uint8_t*>(g_actual), bytes);
    CHORUS_FW_ASSERT(at == bytes, "trial %d (n %d): byte %u: reference %d, target %d", trial, static_cast<int>(n),
                     static_cast<unsigned>(at), g_expected[at], g_actual[at]);
    ++compared;
  }
  print("[ kernels  ] %d random ADD tensors compared byte for byte\n", compared);
}
#endif

}  // namespace
}  // namespace chorus::fw

int main() { return chorus::fw::run_all("kernels") == 0 ? 0 : 1; }
