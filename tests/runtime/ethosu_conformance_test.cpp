// Op-level conformance of the Ethos-U functional model, judged from outside: random one-
// operator int8 models (ethosu_conformance_ops.hpp), compiled by the vela CLI for all six
// configurations (tests/data/ethosu/conformance.pack, tools/oracles/ethosu_conformance_vectors.py;
// the configurations Vela did not offload whole are listed in conformance_refused.csv), run by
// the functional model; every output byte must equal Chorus's reference kernels on the
// original model with the same input.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"
#include "ethosu_conformance_ops.hpp"
#include "ethosu_pack.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

const char* const kConfigs[] = {"ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512"};

std::vector<test::EthosuRecord> read_pack(const std::string& path) {
  std::vector<uint8_t> b;
  if (!test::read_bytes(path, &b)) return {};
  return test::read_ethosu_pack(b, "CHCF");
}

std::string pack_path() { return std::string(CHORUS_SOURCE_DIR) + "/tests/data/ethosu/conformance.pack"; }

TEST(EthosuConformance, EveryOperatorVelaOffloadedGivesTheReferenceBytes) {
  const std::vector<test::EthosuRecord> records = read_pack(pack_path());
  ASSERT_GT(records.size(), 0u) << pack_path() << " missing or malformed";
  std::map<std::string, size_t> per_kind;
  std::map<uint32_t, bool> ops;
  size_t compared = 0, differing = 0, bytes_compared = 0, at_risk = 0;
  std::map<std::string, size_t> vela_defects;
  std::string first_failure;
  for (const test::EthosuRecord& rec : records) {
    test::SingleOpModel m;
    test::ConformanceOp desc;
    std::string error;
    ASSERT_TRUE(test::build_conformance_op(rec.op, &m, &desc) && m.load(&error)) << "op " << rec.op << ": " << error;
    const Model& model = m.model();
    // The reference: Chorus's kernels on the original one-operator model.
    std::map<int, std::vector<uint8_t>> inputs;
    std::vector<std::vector<uint8_t>> want;
    ASSERT_EQ(model.inputs().size(), rec.inputs.size()) << "op " << rec.op;
    size_t total_in = 0;
    for (int32_t t : model.inputs()) total_in += model.tensor(static_cast<size_t>(t)).bytes;
    const std::vector<uint8_t> in_bytes = test::conformance_input(rec.op, total_in);
    size_t at = 0;
    for (int32_t t : model.inputs()) {
      const size_t n = model.tensor(static_cast<size_t>(t)).bytes;
      inputs[t] = std::vector<uint8_t>(in_bytes.begin() + static_cast<long>(at), in_bytes.begin() + static_cast<long>(at + n));
      at += n;
    }
    ASSERT_TRUE(test::run_single_op(model, 0, inputs, &want, &error)) << "op " << rec.op << " (" << desc.description << "): " << error;
    // The functional model on what Vela wrote.
    Result<DriverPayload> payload = parse_driver_payload(Span<const uint8_t>(rec.payload.data(), rec.payload.size()));
    ASSERT_TRUE(payload.is_ok()) << payload.status().message();
    EXPECT_STREQ(accelerator_name(*payload), kConfigs[rec.config]);
    std::vector<std::vector<uint8_t>> graph_inputs;
    for (int32_t t : model.inputs()) graph_inputs.push_back(inputs[t]);
    const size_t out_bytes = model.tensor(static_cast<size_t>(model.outputs()[0])).bytes;
    std::vector<uint8_t> region1;
    const Status s = test::run_ethosu_record(rec, graph_inputs, out_bytes, &region1);
    ++compared;
    ops[rec.op] = true;
    ++per_kind[desc.kind];
    bytes_compared += out_bytes;
    const std::vector<uint8_t> got(region1.begin() + rec.outputs[0], region1.begin() + rec.outputs[0] + static_cast<long>(out_bytes));
    if (desc.vela_defect != nullptr) ++at_risk;
    if (s.is_ok() && got != want[0] && desc.vela_defect != nullptr) {
      // A class where Vela's own rewrite changes the result (predicted from the parameters
      // before running): reported, not hidden. The copy class must give the input bytes.
      ++vela_defects[desc.vela_defect];
      if (desc.vela_defect == test::kVelaMeanCopy) EXPECT_TRUE(got == inputs[model.inputs()[0]]) << "op " << rec.op << ": not a copy";
      continue;
    }
    if (!s.is_ok() || got != want[0]) {
      ++differing;
      if (differing <= 40 && (differing <= 6 || rec.config == 0))
        ADD_FAILURE() << "op " << rec.op << " " << kConfigs[rec.config] << " (" << desc.description
                      << "): " << (s.is_ok() ? test::first_difference(want[0].data(), got.data(), out_bytes) : s.message());
    }
  }
  size_t defect_pairs = 0;
  for (const auto& d : vela_defects) defect_pairs += d.second;
  std::printf("conformance: %zu operator/configuration pairs (%zu distinct operators, %zu output bytes) compared: %zu equal the reference, "
              "%zu differ where Vela's rewrite is wrong, %zu other differences\n",
              compared, ops.size(), bytes_compared, compared - defect_pairs - differing, defect_pairs, differing);
  for (const auto& k : per_kind) std::printf("  %-16s %zu\n", k.first.c_str(), k.second);
  std::printf("%zu pairs in classes Vela rewrites wrongly; where the reference and the NPU differ because of it:\n", at_risk);
  for (const auto& d : vela_defects) std::printf("  %zu: %s\n", d.second, d.first.c_str());
  EXPECT_EQ(differing, 0u);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
