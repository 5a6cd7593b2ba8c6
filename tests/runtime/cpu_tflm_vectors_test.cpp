// CPU kernels judged by TFLM: random one-operator TRANSPOSE_CONV (int8; 16x8 with int64, int16
// or no bias), PAD / PADV2 (int8, int16, int32, ranks 1 to 5) and PACK models with TFLM's
// reference-kernel output for a seeded input (tests/data/tflm_ops/cpu_vectors.pack, written by
// tools/oracles/cpu_tflm_vectors.py). Each model runs through the loader, planner and
// interpreter as `chorus infer` runs it, whole and then in row bands, and every output byte
// must equal TFLM's.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "ethosu_pack.hpp"
#include "support/golden.hpp"
#include "support/op_runner.hpp"

namespace chorus::test {
namespace {

struct CpuRecord {
  std::string kind;
  std::vector<uint8_t> model, input, expected;
};

// The pack's records; empty when it is malformed (the field reader the Ethos-U packs use).
std::vector<CpuRecord> read_pack(const std::vector<uint8_t>& b) {
  if (b.size() < 12 || std::memcmp(b.data(), "CHCV", 4) != 0) return {};
  PackReader r(b);
  uint32_t magic = 0, version = 0, count = 0;
  if (!r.u32(&magic) || !r.u32(&version) || !r.u32(&count) || version != 1) return {};
  std::vector<CpuRecord> out;
  for (uint32_t i = 0; i < count; ++i) {
    CpuRecord rec;
    std::vector<uint8_t> kind;
    if (!r.bytes(&kind) || !r.bytes(&rec.model) || !r.bytes(&rec.input) || !r.bytes(&rec.expected)) return {};
    rec.kind.assign(kind.begin(), kind.end());
    out.push_back(std::move(rec));
  }
  return r.at_end() ? out : std::vector<CpuRecord>();
}

tools::AlignedBytes aligned(const std::vector<uint8_t>& bytes) {
  tools::AlignedBytes a(bytes.size());
  std::memcpy(a.data(), bytes.data(), bytes.size());
  return a;
}

TEST(CpuTflmVectors, TransposeConvPadAndPackGiveTflmsBytes) {
  const std::string path = std::string(CHORUS_SOURCE_DIR) + "/tests/data/tflm_ops/cpu_vectors.pack";
  std::vector<uint8_t> b;
  ASSERT_TRUE(read_bytes(path, &b)) << path;
  const std::vector<CpuRecord> records = read_pack(b);
  ASSERT_FALSE(records.empty()) << path << " is malformed";
  std::map<std::string, std::pair<size_t, size_t>> per_kind;  // compared, equal
  size_t compared = 0, equal = 0, bytes = 0, banded = 0;
  for (const CpuRecord& rec : records) {
    const std::string kind = rec.kind.substr(0, rec.kind.find(' '));
    ++compared;
    ++per_kind[kind].first;
    bytes += rec.expected.size();
    ModelRunner runner;
    ASSERT_TRUE(runner.open_bytes(aligned(rec.model))) << rec.kind;
    ASSERT_EQ(runner.input_bytes(), rec.input.size()) << rec.kind;
    ASSERT_EQ(runner.output_bytes(), rec.expected.size()) << rec.kind;
    runner.set_input(rec.input);
    const Status s = runner.interpreter().invoke();
    const std::vector<uint8_t> whole = runner.output();
    bool same = s.is_ok() && whole == rec.expected;
    // Again in bands of output rows, one scheduler step each, where the kernel can be sliced.
    if (same && runner.interpreter().max_slices(0) > 1) {
      const uint8_t slices[1] = {static_cast<uint8_t>(runner.interpreter().max_slices(0) < 4 ? runner.interpreter().max_slices(0) : 4)};
      runner.interpreter().set_slicing(Span<const uint8_t>(slices, 1));
      runner.set_input(rec.input);
      // Poison the output (the interpreter exposes it read-only) so a band left unwritten shows.
      std::memset(const_cast<uint8_t*>(runner.interpreter().output(0)), 0x5A, rec.expected.size());
      int steps = 0;
      for (;;) {
        Result<runtime::StepResult> r = runner.interpreter().step();
        ASSERT_TRUE(r.is_ok()) << rec.kind << ": " << r.status().message();
        ++steps;
        if (*r == runtime::StepResult::kDone) break;
      }
      EXPECT_EQ(steps, slices[0]) << rec.kind;
      same = runner.output() == rec.expected;
      ++banded;
    }
    if (same) {
      ++equal;
      ++per_kind[kind].second;
    } else if (compared - equal <= 12) {
      ADD_FAILURE() << rec.kind << ": "
                    << (s.is_ok() ? first_difference(rec.expected.data(), runner.output().data(), rec.expected.size()) : s.message());
    }
  }
  std::printf("TFLM-judged CPU operators: %zu models, %zu output bytes, %zu equal TFLM (%zu of them also run in row bands)\n",
              compared, bytes, equal, banded);
  for (const auto& k : per_kind) std::printf("  %-22s %zu of %zu\n", k.first.c_str(), k.second.second, k.second.first);
  EXPECT_EQ(equal, compared);
}

}  // namespace
}  // namespace chorus::test
