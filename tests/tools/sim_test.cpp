// `chorus sim` as a user runs it: exit status 0 only when the analysis accepts the set and
// nothing misses, 3 when it rejects or anything misses, 1 bad input, 2 usage; --json
// always complete.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/cli_runner.hpp"

namespace chorus::test {
namespace {

const std::string kBoard = std::string(CHORUS_SOURCE_DIR) + "/dts/boards/mps3_an547.xml";
const std::string kScenario = std::string(CHORUS_SOURCE_DIR) + "/samples/multi_model/scenario.xml";

CliRun sim(const std::string& args) {
  return run_cli(CHORUS_CLI, "sim --board " + kBoard + " --scenario " + kScenario + " --duration 2 " + args);
}

TEST(CliSim, AcceptedSetAtTheChosenClockExitsZeroWithoutMisses) {
  for (const char* policy : {"edf", "fp"}) {
    SCOPED_TRACE(policy);
    const CliRun r = sim(std::string("--json --policy ") + policy);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("\"analysis_schedulable\":true"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"deadline_misses\":0}"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\"bound_us\":null"), std::string::npos) << r.out;
  }
}

TEST(CliSim, RejectedOverloadedSetExitsThreeUnlessMissesAreAllowed) {
  // The CPU alone at the board's 32 MHz cannot hold the scenario.
  const CliRun r = sim("--npu off --clock-mhz 32 --json");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("\"analysis_schedulable\":false"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"pipelines\":["), std::string::npos) << r.out;  // the report is complete anyway
  EXPECT_EQ(r.out.find("\"deadline_misses\":0}"), std::string::npos) << r.out;
  EXPECT_EQ(sim("--npu off --clock-mhz 32 --allow-misses").exit_code, 0);
}

TEST(CliSim, RunToCompletionIsNeverAcceptedAndHasNoBound) {
  const CliRun r = sim("--policy run-to-completion --json");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("\"bound_us\":null"), std::string::npos) << r.out;
}

TEST(CliSim, UsageErrorsExitTwoAndBadInputOne) {
  EXPECT_EQ(sim("--policy sometimes").exit_code, 2);
  EXPECT_EQ(sim("--duration 1e").exit_code, 2);
  EXPECT_EQ(sim("--clock-mhz fast").exit_code, 2);
  const CliRun missing = run_cli(CHORUS_CLI, "sim --board /nonexistent.xml --scenario " + kScenario);
  EXPECT_EQ(missing.exit_code, 1) << missing.out;
}

// Issue 11, mechanism 1: a lone KWS pipeline on an NPU board at the lowest clock the
// analysis accepts used to time out every NPU operator (20 releases, 0 completions,
// "0 misses, schedulable"). Now every job completes within its bound.
TEST(CliSim, LoneNpuPipelineAtTheLowestAcceptedClockCompletesEveryJob) {
  char dir[] = "/tmp/chorus-lone-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string scenario = std::string(dir) + "/lone.xml";
  FILE* f = std::fopen(scenario.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "<scenario name=\"lone\" duration_s=\"2\">\n<pipeline name=\"kws\" model=\"%s/models/micro_speech_quantized.tflite\" period_ms=\"100\"/>\n</scenario>\n",
               CHORUS_SHARED_DIR);
  std::fclose(f);
  const CliRun r = run_cli(CHORUS_CLI, "sim --board " + kBoard + " --scenario " + scenario + " --json");
  std::remove(scenario.c_str());
  rmdir(dir);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"releases\":20,\"completions\":20,\"skips\":0,\"deadline_misses\":0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"npu_steps\":"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\"npu_steps\":0,"), std::string::npos) << r.out;  // the NPU did the work
}

TEST(CliSim, ARunTooLongForTheHostIsRefusedUpFrontInOneLine) {
  const CliRun r = run_cli(CHORUS_CLI, "sim --board " + kBoard + " --scenario " + kScenario + " --duration 86400");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("s of host time, more than the 60 s allowed: use --duration"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;  // one line
}

}  // namespace
}  // namespace chorus::test
