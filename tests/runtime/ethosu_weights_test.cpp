// Chorus's Ethos-U weight decoder against Arm's encoder: 256 weight volumes encoded by
// Vela's own mlw_codec.reorder_encode() (tests/data/ethosu/weight_streams.bin, made by
// tools/oracles/ethosu_weight_vectors.py) must decode and scatter back to exactly the
// volumes encoded, which the test regenerates from their seeds.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/weights.hpp"

namespace chorus::runtime::ethosu {
namespace {

// The generator of tools/oracles/ethosu_weight_vectors.py (weights()), rule for rule.
std::vector<int16_t> regenerate(uint32_t seed, int mode, int span, size_t n) {
  uint32_t x = seed ? seed : 1;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
  };
  const int32_t width = 2 * span + 1;
  const int16_t five[5] = {static_cast<int16_t>(-span), -1, 0, 3, static_cast<int16_t>(span)};
  std::vector<int16_t> out(n);
  for (size_t k = 0; k < n; ++k) {
    const uint32_t r1 = next(), r2 = next();
    int32_t v;
    if (mode == 0)
      v = static_cast<int32_t>(r1 % static_cast<uint32_t>(width)) - span;
    else if (mode == 1)
      v = r1 % 4 ? 0 : static_cast<int32_t>(r2 % static_cast<uint32_t>(width)) - span;
    else
      v = five[r1 % 5];
    out[k] = static_cast<int16_t>(v);
  }
  return out;
}

struct Case {
  int32_t f[16];
  std::vector<uint8_t> encoded;
};

std::vector<Case> read_cases() {
  const std::string path = std::string(CHORUS_SOURCE_DIR) + "/tests/data/ethosu/weight_streams.bin";
  std::ifstream in(path, std::ios::binary);
  std::vector<Case> cases;
  char magic[4];
  uint32_t version = 0, count = 0;
  if (!in.read(magic, 4) || std::memcmp(magic, "CHWS", 4) != 0) return cases;
  in.read(reinterpret_cast<char*>(&version), 4);
  in.read(reinterpret_cast<char*>(&count), 4);
  for (uint32_t i = 0; i < count; ++i) {
    Case c;
    in.read(reinterpret_cast<char*>(c.f), sizeof c.f);
    c.encoded.resize(static_cast<size_t>(c.f[15]));
    in.read(reinterpret_cast<char*>(c.encoded.data()), c.f[15]);
    if (!in) return {};
    cases.push_back(std::move(c));
  }
  return cases;
}

WeightLayout layout_of(const Case& c) {
  WeightLayout l;
  l.ofm_depth = static_cast<uint32_t>(c.f[3]);
  l.kernel_height = static_cast<uint32_t>(c.f[4]);
  l.kernel_width = static_cast<uint32_t>(c.f[5]);
  l.ifm_depth = static_cast<uint32_t>(c.f[6]);
  l.ofm_block_depth = static_cast<uint32_t>(c.f[7]);
  l.ifm_ublock_depth = static_cast<uint32_t>(c.f[8]);
  l.ofm_ublock_depth = static_cast<uint32_t>(c.f[9]);
  l.depthwise = c.f[10] != 0;
  l.part_kernel_first = c.f[11] != 0;
  l.ifm_bits = static_cast<uint32_t>(c.f[12]);
  l.dilation_x = static_cast<uint32_t>(c.f[13]);
  l.dilation_y = static_cast<uint32_t>(c.f[14]);
  return l;
}

TEST(EthosuWeights, EveryVolumeVelaEncodedDecodesToItself) {
  const std::vector<Case> cases = read_cases();
  ASSERT_EQ(cases.size(), 256u) << "tests/data/ethosu/weight_streams.bin missing or short";
  size_t values = 0, depthwise = 0, part_kernel = 0, wide = 0, zeros = 0;
  for (size_t k = 0; k < cases.size(); ++k) {
    const Case& c = cases[k];
    const WeightLayout l = layout_of(c);
    SCOPED_TRACE("case " + std::to_string(k));
    const size_t n = size_t{l.ofm_depth} * l.kernel_height * l.kernel_width * l.ifm_depth;
    const std::vector<int16_t> want = regenerate(static_cast<uint32_t>(c.f[0]), c.f[1], c.f[2], n);
    std::vector<int16_t> scratch(n * 64 + 4096), got(n, 0x7FFF);
    const Status s = decode_weights(Span<const uint8_t>(c.encoded.data(), c.encoded.size()), l, scratch.data(), scratch.size(),
                                    got.data(), got.size());
    ASSERT_TRUE(s.is_ok()) << s.message();
    ASSERT_EQ(got, want);
    const size_t walked = for_each_weight_position(l, [](void*, int64_t) {}, nullptr);
    EXPECT_EQ(weight_stream_values(l), walked);
    values += n;
    depthwise += l.depthwise;
    part_kernel += l.part_kernel_first;
    wide += l.kernel_width * l.dilation_x > 8 || l.kernel_height * l.dilation_y > 8;
    for (int16_t v : want) zeros += v == 0;
  }
  std::printf("weight streams: %zu decoded (%zu depthwise, %zu part-kernel-first, %zu split into sub-kernels), %zu values, %zu zero\n",
              cases.size(), depthwise, part_kernel, wide, values, zeros);
  EXPECT_GT(depthwise, 50u);
  EXPECT_GT(part_kernel, 50u);
  EXPECT_GT(wide, 20u);
}

TEST(EthosuWeights, ABrokenStreamIsAnErrorNamingItsByte) {
  const std::vector<Case> cases = read_cases();
  ASSERT_FALSE(cases.empty());
  const Case& c = cases[0];
  const WeightLayout l = layout_of(c);
  const size_t n = size_t{l.ofm_depth} * l.kernel_height * l.kernel_width * l.ifm_depth;
  std::vector<int16_t> scratch(n * 8 + 4096), got(n);
  // Cut in half: the slice ends early.
  const Status cut = decode_weights(Span<const uint8_t>(c.encoded.data(), c.encoded.size() / 2), l, scratch.data(), scratch.size(),
                                    got.data(), got.size());
  EXPECT_FALSE(cut.is_ok());
  EXPECT_NE(std::string(cut.message()).find("byte"), std::string::npos) << cut.message();
  // A first slice that keeps a palette nobody set: header bits ZDIV=6, length, WDIV, WTRUNC, NEWPAL=0.
  const uint8_t no_palette[4] = {0x06, 0x00, 0x00, 0x00};
  int16_t out[8];
  Result<size_t> r = decode_weight_stream(Span<const uint8_t>(no_palette, 4), out, 8);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(std::string(r.status().message()).find("palette"), std::string::npos) << r.status().message();
  // A zero-run divisor of 5 does not exist.
  const uint8_t bad_zdiv[4] = {0x05, 0x00, 0x00, 0x00};
  Result<size_t> r2 = decode_weight_stream(Span<const uint8_t>(bad_zdiv, 4), out, 8);
  ASSERT_FALSE(r2.is_ok());
  EXPECT_NE(std::string(r2.status().message()).find("divisor 5"), std::string::npos) << r2.status().message();
}

TEST(EthosuWeights, ScaleRecordsReadAsVelaPacksThem) {
  // encode_bias(bias=-2, scale=0x40000001, shift=38): bias in 40 bits, then scale, then shift.
  const uint8_t record[10] = {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0x40, 38};
  const ChannelScale c = read_channel_scale(record);
  EXPECT_EQ(c.bias, -2);
  EXPECT_EQ(c.scale, 0x40000001u);
  EXPECT_EQ(c.shift, 38u);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
