// Ethos-U conformance for the operators Chorus's own kernels lack, judged by TFLM: random
// one-operator int8 models of what Vela maps to the IFM upscale modes (RESIZE_NEAREST_NEIGHBOR,
// RESIZE_BILINEAR, TRANSPOSE_CONV), to lookup tables (LOGISTIC, TANH, HARD_SWISH, LEAKY_RELU,
// RSQRT), PAD, operators the main suite does not reach (SUB, PRELU, STRIDED_SLICE, ABS,
// RELU6), two-operator models of a convolution and the activation Vela fuses into it as a
// lookup table, and int16 LEAKY_RELU, LOGISTIC and TANH (the NPU's LRELU mode and its built-in
// SIGMOID and TANH activations), compiled by the vela CLI for the six configurations, with TFLM's reference-kernel
// output for a seeded input (tests/data/ethosu/tflm_vectors.pack, tools/oracles/ethosu_tflm_vectors.py).
// Every output byte of the functional model must equal TFLM's.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "ethosu_pack.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

TEST(EthosuTflmVectors, OperatorsChorusLacksGiveTflmsBytes) {
  const std::string path = std::string(CHORUS_SOURCE_DIR) + "/tests/data/ethosu/tflm_vectors.pack";
  std::vector<uint8_t> b;
  ASSERT_TRUE(test::read_bytes(path, &b)) << path;
  const std::vector<test::EthosuRecord> records = test::read_ethosu_pack(b, "CHTF");
  ASSERT_FALSE(records.empty()) << path << " is malformed";
  std::map<std::string, std::pair<size_t, size_t>> per_kind;  // compared, equal
  size_t compared = 0, equal = 0, bytes = 0;
  for (const test::EthosuRecord& rec : records) {
    std::vector<uint8_t> arena;
    const Status s = test::run_ethosu_record(rec, {rec.input}, rec.expected.size(), &arena);
    const std::string kind = rec.kind.substr(0, rec.kind.find(' '));
    ++compared;
    ++per_kind[kind].first;
    bytes += rec.expected.size();
    const bool same = s.is_ok() && std::equal(rec.expected.begin(), rec.expected.end(), arena.begin() + rec.outputs[0]);
    if (same) {
      ++equal;
      ++per_kind[kind].second;
    } else if (compared - equal <= 12) {
      ADD_FAILURE() << "op " << rec.op << " config " << rec.config << " (" << rec.kind << "): "
                    << (s.is_ok() ? test::first_difference(rec.expected.data(), arena.data() + rec.outputs[0], rec.expected.size())
                                  : s.message());
    }
  }
  std::printf("TFLM-judged operators: %zu operator/configuration pairs, %zu output bytes, %zu equal TFLM\n", compared, bytes, equal);
  for (const auto& k : per_kind) std::printf("  %-16s %zu of %zu\n", k.first.c_str(), k.second.second, k.second.first);
  EXPECT_EQ(equal, compared);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
