// The Ethos-U functional model on command streams from Vela's external API, against a
// separately written Python statement of the NPU arithmetic (tools/reference/ethosu_semantics.py):
// tests/data/ethosu/api_vectors.bin, made by tools/oracles/ethosu_api_vectors.py, holds streams
// with what TFLite models cannot express (TRUNCATE and NATURAL rounding, NHCWB16, IFMs in two
// or four tiles, DMA, lookup tables in SHRAM, 32-bit SHL/SHR/CLZ/MUL). After the stream, all of
// region 1 must equal the expected bytes: the OFM the Python file computed, the DMA'd data,
// and nothing written anywhere else.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

struct ApiCase {
  uint32_t seed = 0, config = 0;
  std::string text;
  std::vector<uint8_t> payload, r0, r1, r2, want;
  uint32_t ofm_at = 0, ofm_bytes = 0;
};

std::vector<ApiCase> read_cases(const std::string& path) {
  std::vector<uint8_t> b;
  std::vector<ApiCase> out;
  if (!test::read_bytes(path, &b) || b.size() < 12 || std::memcmp(b.data(), "CHAV", 4) != 0) return out;
  size_t at = 4;
  auto u32 = [&](uint32_t* v) {
    if (at + 4 > b.size()) return false;
    std::memcpy(v, b.data() + at, 4);
    at += 4;
    return true;
  };
  auto bytes = [&](std::vector<uint8_t>* v) {
    uint32_t n;
    if (!u32(&n) || at + n > b.size()) return false;
    v->assign(b.begin() + static_cast<long>(at), b.begin() + static_cast<long>(at + n));
    at += n;
    return true;
  };
  uint32_t version, count;
  if (!u32(&version) || !u32(&count)) return out;
  for (uint32_t i = 0; i < count; ++i) {
    ApiCase c;
    std::vector<uint8_t> text;
    uint32_t n;
    if (!u32(&c.seed) || !u32(&c.config) || !u32(&n) || at + n > b.size()) return {};
    c.text.assign(reinterpret_cast<const char*>(b.data() + at), n);
    at += n;
    if (!bytes(&c.payload) || !bytes(&c.r0) || !bytes(&c.r1) || !bytes(&c.r2) || !bytes(&c.want) || !u32(&c.ofm_at) || !u32(&c.ofm_bytes))
      return {};
    out.push_back(std::move(c));
  }
  return out;
}

TEST(EthosuApiVectors, EveryStreamWritesWhatThePythonSemanticsExpect) {
  const std::string path = std::string(CHORUS_SOURCE_DIR) + "/tests/data/ethosu/api_vectors.bin";
  const std::vector<ApiCase> cases = read_cases(path);
  ASSERT_GE(cases.size(), 500u) << path << " missing or short";
  size_t failures = 0, ofm_bytes = 0;
  std::map<std::string, size_t> features;
  for (const ApiCase& c : cases) {
    Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(c.payload.data(), c.payload.size()));
    ASSERT_TRUE(p.is_ok()) << c.seed << ": " << p.status().message();
    std::vector<uint8_t> r0 = c.r0, r1 = c.r1, r2 = c.r2;
    NpuMemory memory;
    memory.region[0] = NpuRegion{r0.data(), r0.size()};
    memory.region[1] = NpuRegion{r1.data(), r1.size()};
    memory.region[2] = NpuRegion{r2.data(), r2.size()};
    Result<FunctionalNpuNeeds> needs = FunctionalNpu::measure(*p);
    ASSERT_TRUE(needs.is_ok()) << needs.status().message();
    std::vector<int16_t> stream(needs->stream + 1), weights(needs->weights + 1);
    std::vector<int32_t> ifm(needs->ifm + 1);
    FunctionalNpu npu(FunctionalNpuBuffers{stream.data(), stream.size(), weights.data(), weights.size(), ifm.data(), ifm.size()});
    FunctionalNpuStats stats;
    const Status s = npu.run(*p, memory, &stats);
    ofm_bytes += c.ofm_bytes;
    for (const char* f : {"TRUNCATE", "NATURAL", "NHCWB16", "2 tiles", "4 tiles", "DMA", "LUT", "shl", "shr", "clz", "mul32", "broadcast",
                          "scalar", "conv", "depthwise", "max", "average", "elementwise"})
      if (c.text.find(f) != std::string::npos) ++features[f];
    if (!s.is_ok() || r1 != c.want) {
      ++failures;
      if (failures <= 15)
        ADD_FAILURE() << "seed " << c.seed << " (" << c.text << "): "
                      << (s.is_ok() ? test::first_difference(c.want.data() + c.ofm_at, r1.data() + c.ofm_at, c.ofm_bytes) : s.message());
    }
  }
  std::printf("API streams: %zu run, %zu OFM bytes compared, %zu differ\n", cases.size(), ofm_bytes, failures);
  for (const auto& f : features) std::printf("  %-12s %zu\n", f.first.c_str(), f.second);
  EXPECT_EQ(failures, 0u);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
