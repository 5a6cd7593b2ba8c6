// The three pipelines with Vela-compiled models on the Corstone-300 (samples/multi_model/
// scenario_vela.xml): the NPU's time per job is Vela's own per-pass estimate (the per-layer
// CSVs beside the models, from Vela --verbose-performance) at the board's NPU clock, in the
// analysis and in the simulated NPU alike; every job's command stream is executed by the
// functional model; a board whose NPU configuration differs is refused.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/tools/host_system.hpp"
#include "chorus/tools/scenario.hpp"
#include "chorus/tools/vela_performance.hpp"

namespace chorus::tools {
namespace {

const std::string kRoot = CHORUS_SOURCE_DIR;

// Sums a per-layer CSV's "Op Cycles" column with a plain line reader (not the code under test).
uint64_t csv_cycles(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  uint64_t sum = 0;
  while (std::getline(in, line)) {
    if (line.rfind("TFLite_operator", 0) == 0) continue;
    size_t at = 0;
    for (int comma = 0; comma < 4; ++comma) at = line.find(',', at) + 1;
    sum += static_cast<uint64_t>(std::stod(line.substr(at)) + 0.5);
  }
  return sum;
}

TEST(VelaScenario, NpuTimeIsVelasEstimateAtTheBoardsNpuClock) {
  std::string error;
  std::unique_ptr<board::host::BoardDescription> board = board::host::load_board(kRoot + "/dts/boards/mps3_an547.xml", &error);
  ASSERT_TRUE(board) << error;
  std::unique_ptr<Scenario> sc = load_scenario(kRoot + "/samples/multi_model/scenario_vela.xml", &error);
  ASSERT_TRUE(sc) << error;
  HostSystem host;
  ASSERT_TRUE(host.build_scenario(*board, *sc, SystemConfig::kLowestClock, sched::Policy::kEdf, true, &error)) << error;
  // Two seconds: kws every 100 ms, gesture every 50 ms, anomaly every second.
  ASSERT_TRUE(host.scheduler().run_until(2000000000ULL).is_ok());
  const char* models[] = {"", "micro_speech_quantized", "kws_ref_model", "ad01_int8"};
  const uint64_t jobs[] = {0, 20, 40, 2};
  const uint32_t npu_hz = board->view().npu->clock_hz;
  os::TimeNs expected_busy = 0;
  uint32_t expected_jobs = 0;
  for (uint32_t p = 1; p < 4; ++p) {
    const uint64_t cycles = csv_cycles(kRoot + "/tests/data/vela/ethos-u55-128/" + models[p] + "_per-layer.csv");
    ASSERT_GT(cycles, 0u);
    ASSERT_EQ(host.npu_cycles(p).size(), 1u) << "one ethos-u operator";
    EXPECT_EQ(host.npu_cycles(p)[0], cycles);
    expected_busy += jobs[p] * ((cycles * 1000000000ull + npu_hz - 1) / npu_hz);
    expected_jobs += static_cast<uint32_t>(jobs[p]);
    std::printf("%-24s %8llu NPU cycles per inference (Vela), %.3f ms at %.0f MHz\n", models[p], static_cast<unsigned long long>(cycles),
                static_cast<double>(cycles) * 1e3 / npu_hz, npu_hz / 1e6);
  }
  ASSERT_NE(host.npu(), nullptr);
  EXPECT_EQ(host.npu()->jobs(), expected_jobs);
  EXPECT_EQ(host.npu()->busy_ns(), expected_busy);
  for (uint32_t p = 0; p < 4; ++p) {
    EXPECT_EQ(host.scheduler().metrics(p).deadline_misses, 0u) << p;
    EXPECT_EQ(host.scheduler().metrics(p).npu_fallbacks, 0u) << p;
  }
}

TEST(VelaScenario, ABoardWithAnotherNpuConfigurationIsRefused) {
  std::string error;
  std::unique_ptr<board::host::BoardDescription> board = board::host::load_board(kRoot + "/dts/boards/alif_e7_hp.xml", &error);
  ASSERT_TRUE(board) << error;
  std::unique_ptr<Scenario> sc = load_scenario(kRoot + "/samples/multi_model/scenario_vela.xml", &error);
  ASSERT_TRUE(sc) << error;
  HostSystem host;
  EXPECT_FALSE(host.build_scenario(*board, *sc, 0, sched::Policy::kEdf, true, &error));
  EXPECT_NE(error.find("compiled by Vela for ethos-u55-128, but the board's NPU is ethos-u55-256"), std::string::npos) << error;
  EXPECT_FALSE(host.build_scenario(*board, *sc, 0, sched::Policy::kEdf, false, &error));
  EXPECT_NE(error.find("it runs only on the board's NPU"), std::string::npos) << error;
}

TEST(VelaScenario, MissingEstimatesAreAnErrorNamingTheFile) {
  std::vector<uint64_t> cycles;
  std::string error;
  EXPECT_FALSE(read_vela_per_layer("/nonexistent/x_per-layer.csv", &cycles, &error));
  EXPECT_NE(error.find("x_per-layer.csv"), std::string::npos) << error;
  EXPECT_EQ(vela_per_layer_path("a/b/kws_vela.tflite"), "a/b/kws_per-layer.csv");
  EXPECT_EQ(vela_per_layer_path("a/b/kws.tflite"), "");
}

}  // namespace
}  // namespace chorus::tools
