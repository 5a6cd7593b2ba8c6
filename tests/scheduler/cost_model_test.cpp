// The cost model against QEMU: every shipped board's <cost> is what the fit gives for its
// core's committed per-operator instruction counts (dts/boards/costs/ops_CORE.tsv, measured
// by scripts/firmware-test.sh CORE --bench), and it predicts every measured model's
// instructions within 5 % (the worst is 4.5 %, dts/boards/SCHEMA.md). The fit itself recovers known coefficients from exact data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <dirent.h>
#include <map>
#include <string>
#include <vector>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/runtime/interpreter.hpp"
#include "chorus/scheduler/cost_model.hpp"
#include "chorus/tools/cost_fit.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

using board::OpFeature;
using board::OpKind;

std::string costs_dir() { return std::string(CHORUS_SOURCE_DIR) + "/dts/boards/costs"; }

const char* core_file(board::Core core) {
  switch (core) {
    case board::Core::kCortexM3: return "m3";
    case board::Core::kCortexM4: return "m4";
    case board::Core::kCortexM7: return "m7";
    case board::Core::kCortexM33: return "m33";
    case board::Core::kCortexM55: return "m55";
    default: return nullptr;
  }
}

std::vector<std::string> board_files() {
  std::vector<std::string> out;
  const std::string dir = std::string(CHORUS_SOURCE_DIR) + "/dts/boards";
  if (DIR* d = opendir(dir.c_str())) {
    while (dirent* e = readdir(d)) {
      const std::string n = e->d_name;
      if (n.size() > 4 && n.compare(n.size() - 4, 4, ".xml") == 0) out.push_back(dir + "/" + n);
    }
    closedir(d);
  }
  return out;
}

std::vector<tools::MeasuredOp> measured(const char* core) {
  std::vector<tools::MeasuredOp> rows;
  std::string error;
  EXPECT_TRUE(tools::read_measured_ops(costs_dir() + "/ops_" + std::string(core) + ".tsv", &rows, &error)) << error;
  return rows;
}

TEST(CostModel, EveryShippedBoardCarriesTheFitOfItsCoresMeasurements) {
  const std::vector<std::string> boards = board_files();
  ASSERT_EQ(boards.size(), 8u);
  std::map<std::string, tools::CostFit> fits;
  size_t checked = 0;
  for (const std::string& path : boards) {
    std::string error;
    auto b = board::host::load_board(path, &error);
    ASSERT_NE(b, nullptr) << error;
    const char* core = core_file(b->cpu.core);
    ASSERT_NE(core, nullptr) << path << ": no QEMU measurement for its core";
    if (!fits.count(core)) {
      tools::CostFit fit;
      ASSERT_TRUE(tools::fit_costs(measured(core), shared_dir() + "/models", {1, 4, 16}, &fit, &error)) << error;
      fits[core] = fit;
    }
    const tools::CostFit& fit = fits[core];
    EXPECT_EQ(static_cast<unsigned>(b->cpu.cost.lanes), static_cast<unsigned>(fit.cost.lanes)) << path;
    EXPECT_EQ(b->cpu.cost.margin_permille, fit.cost.margin_permille) << path << ": <cost margin>";
    EXPECT_GT(fit.cost.margin_permille, 0u) << core << ": the fit underestimates some model";
    for (size_t k = 0; k < board::kOpKinds; ++k)
      for (size_t f = 0; f < board::kOpFeatures; ++f)
        EXPECT_EQ(b->cpu.cost.millicycles[k][f], fit.cost.millicycles[k][f])
            << path << ": <kind name='" << board::op_kind_name(static_cast<OpKind>(k)) << "'> "
            << board::op_feature_name(static_cast<OpFeature>(f)) << " is not what chorus_calibrate_costs fits for " << core;
    ++checked;
  }
  std::printf("compared %zu boards with the fits of %zu cores' measurements\n", checked, fits.size());
}

TEST(CostModel, PredictsEveryMeasuredModelWithinFivePercent) {
  size_t models = 0, ops = 0;
  for (const char* core : {"m3", "m4", "m7", "m33", "m55"}) {
    const std::vector<tools::MeasuredOp> rows = measured(core);
    ASSERT_GT(rows.size(), 100u) << core;
    // The board's coefficients (one board per core is enough: the test above ties them).
    std::string error;
    const char* board_of[] = {"mps2_an385", "mps2_an386", "stm32f746g_disco", "nrf5340dk_cpuapp", "mps3_an547"};
    const std::string names[] = {"m3", "m4", "m7", "m33", "m55"};
    std::string board_name;
    for (size_t i = 0; i < 5; ++i)
      if (names[i] == core) board_name = board_of[i];
    auto b = board::host::load_board(std::string(CHORUS_SOURCE_DIR) + "/dts/boards/" + board_name + ".xml", &error);
    ASSERT_NE(b, nullptr) << error;
    std::vector<tools::ModelFit> fits;
    ASSERT_TRUE(tools::predict_models(rows, shared_dir() + "/models", b->cpu.cost, &fits, &error)) << error;
    ASSERT_GE(fits.size(), 9u) << core;
    for (const tools::ModelFit& m : fits) {
      const double ratio = static_cast<double>(m.predicted) / static_cast<double>(m.measured);
      EXPECT_LE(std::fabs(ratio - 1.0), 0.05) << core << " " << m.model << ": predicted " << m.predicted << ", measured "
                                              << m.measured;
      ++models;
      ops += m.ops;
    }
  }
  std::printf("compared %zu model totals (%zu operators) with QEMU instruction counts\n", models, ops);
}

// Exact data from known non-negative coefficients: the fit gives them back.
TEST(CostModel, FitRecoversKnownCoefficientsFromExactCounts) {
  const std::vector<tools::MeasuredOp> real = measured("m55");
  ASSERT_FALSE(real.empty());
  board::CostModel truth{};
  truth.lanes = 4;
  const int32_t per[board::kOpKinds][board::kOpFeatures] = {
      {700000, 0, 3000, 60000, 15000, 150000, 0, 120000, 4000}, {1500000, 800, 0, 130000, 10000, 500000, 0, 40000, 0},
      {560000, 0, 0, 0, 24000, 18000, 0, 0, 0},                 {9500000, 1700, 0, 0, 28000, 0, 1500, 0, 0},
      {5000000, 2000, 0, 0, 3000, 0, 0, 0, 0},                  {0, 3000, 0, 0, 0, 0, 1500, 0, 0},
      {585000, 0, 0, 0, 0, 0, 200, 0, 0}};
  for (size_t k = 0; k < board::kOpKinds; ++k)
    for (size_t f = 0; f < board::kOpFeatures; ++f) truth.millicycles[k][f] = per[k][f];
  // Instructions the truth charges each real operator.
  std::vector<tools::ModelFit> unused;
  std::string error;
  std::vector<tools::MeasuredOp> exact;
  sched::CpuCost cpu;
  cpu.lanes = truth.lanes;
  for (size_t k = 0; k < board::kOpKinds; ++k)
    for (size_t f = 0; f < board::kOpFeatures; ++f) cpu.millicycles[k][f] = truth.millicycles[k][f];
  std::map<std::string, tools::AlignedBytes> files;
  for (const tools::MeasuredOp& r : real) {
    if (!files.count(r.model)) ASSERT_TRUE(read_model_file(r.model, &files[r.model]));
    Result<runtime::Model> m = runtime::Model::load(files[r.model].span());
    ASSERT_TRUE(m.is_ok()) << r.model;
    tools::MeasuredOp e = r;
    e.instructions = cpu.cycles(sched::op_features(*m, r.op_index, r.macs, truth.lanes));
    exact.push_back(e);
  }
  tools::CostFit fit;
  ASSERT_TRUE(tools::fit_costs(exact, shared_dir() + "/models", {1, 4, 16}, &fit, &error)) << error;
  EXPECT_EQ(fit.cost.lanes, 4u);
  EXPECT_LT(fit.worst_error, 0.001) << fit.worst_model;
  // Kinds with enough distinct operators pin every coefficient they are fitted on.
  for (OpKind k : {OpKind::kFullyConnected, OpKind::kOther}) {
    for (size_t f = 0; f < board::kOpFeatures; ++f) {
      const int32_t want = truth.millicycles[static_cast<size_t>(k)][f];
      const int32_t got = fit.cost.millicycles[static_cast<size_t>(k)][f];
      EXPECT_NEAR(got, want, 2 + want / 1000) << board::op_kind_name(k) << " " << board::op_feature_name(static_cast<OpFeature>(f));
    }
  }
}

TEST(CostModel, FeaturesOfAConvolutionFollowItsShapes) {
  tools::AlignedBytes bytes;
  ASSERT_TRUE(read_model_file("kws_ref_model", &bytes));
  Result<runtime::Model> m = runtime::Model::load(bytes.span());
  ASSERT_TRUE(m.is_ok());
  // Op 0 of kws_ref_model: CONV_2D, 10x4 kernel, 1 input channel, 64 output channels on a
  // 25x5 output (the MLPerf Tiny DS-CNN's first layer).
  ASSERT_STREQ(m->op(0).name(), "CONV_2D");
  const sched::OpFeatures f = sched::op_features(*m, 0, runtime::builtin_op_resolver(), 16);
  EXPECT_EQ(f.kind, OpKind::kConv);
  EXPECT_EQ(f[OpFeature::kBase], 1u);
  EXPECT_EQ(f[OpFeature::kOutput], 25u * 5 * 64);
  EXPECT_EQ(f[OpFeature::kMac], 25u * 5 * 64 * 40);
  EXPECT_EQ(f[OpFeature::kRow], 25u * 5 * 3);              // ceil(40 / 16) steps a pixel
  EXPECT_EQ(f[OpFeature::kVector], 25u * 5 * 16 * 3);      // 16 blocks of four channels
  EXPECT_EQ(f[OpFeature::kChannel], 16u * 3);
  const sched::OpFeatures half = f.slice(2);
  EXPECT_EQ(half[OpFeature::kBase], 1u);
  EXPECT_EQ(half[OpFeature::kOutput], 25u * 5 * 32);
  // A slice is charged its share rounded up (a budget never falls short), its own dispatch whole.
  sched::OpFeatures odd;
  odd[OpFeature::kBase] = 1;
  odd[OpFeature::kMac] = 7;
  odd[OpFeature::kOutput] = 5;
  const sched::OpFeatures third = odd.slice(3);
  EXPECT_EQ(third[OpFeature::kBase], 1u);
  EXPECT_EQ(third[OpFeature::kMac], 3u);
  EXPECT_EQ(third[OpFeature::kOutput], 2u);
  EXPECT_EQ(odd.slice(1)[OpFeature::kMac], 7u);
}

}  // namespace
}  // namespace chorus::test
