// The chorus CLI as a user runs it: exit codes, one-line errors, JSON keys, raw bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <vector>

#include "chorus/tools/file.hpp"
#include "support/cli_runner.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

CliRun run(const std::string& args) { return run_cli(CHORUS_CLI, args); }

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "chorus_cli_" + name; }

TEST(Cli, EveryCommandHasHelp) {
  for (const char* cmd : {"info", "plan", "infer"}) {
    CliRun r = run(std::string(cmd) + " --help");
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("usage: chorus " + std::string(cmd)), std::string::npos) << r.out;
  }
  CliRun top = run("--help");
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("commands:"), std::string::npos);
}

TEST(Cli, UnknownCommandAndOptionFail) {
  EXPECT_EQ(run("frobnicate").exit_code, 2);
  CliRun r = run("plan --bogus x");
  EXPECT_EQ(r.exit_code, 2);  // a usage error
  EXPECT_EQ(r.out, "chorus plan: unknown option --bogus (see --help)\n");
}

TEST(Cli, InfoListsOpsAsJson) {
  CliRun r = run("info --json " + model_path("micro_speech_quantized"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"ops\":[{\"index\":0,\"name\":\"RESHAPE\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"name\":\"DEPTHWISE_CONV_2D\""), std::string::npos);
  EXPECT_NE(r.out.find("\"weight_bytes\":"), std::string::npos);
}

TEST(Cli, InfoOnAMissingFileIsOneLine) {
  CliRun r = run("info /nonexistent/model.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "chorus info: /nonexistent/model.tflite: No such file or directory\n");
}

TEST(Cli, PlanJsonHasTheArenaKeys) {
  CliRun r = run("plan --json " + model_path("ad01_int8"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const char* key : {"arena_bytes", "activation_bytes", "persistent_bytes", "scratch_bytes", "lower_bound_bytes"})
    EXPECT_NE(r.out.find(std::string("\"") + key + "\":"), std::string::npos) << key << " in " << r.out;
  EXPECT_NE(r.out.find("\"activation_bytes\":768"), std::string::npos) << r.out;
}

TEST(Cli, InferWritesTheReferenceOutput) {
  const std::string out = temp_path("ad01.out");
  CliRun r = run("infer --model " + model_path("ad01_int8") + " --input " + golden_path("ad01_int8", "seed2.input.bin") +
              " --output " + out + " --repeat 3");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<uint8_t> got, expected;
  ASSERT_TRUE(read_bytes(out, &got));
  ASSERT_TRUE(read_bytes(golden_path("ad01_int8", "seed2.output.bin"), &expected));
  EXPECT_EQ(got, expected);
}

TEST(Cli, InferWithAWrongInputSizeStatesBothSizes) {
  const std::string out = temp_path("bad.out");
  CliRun r = run("infer --model " + model_path("ad01_int8") + " --input " + golden_path("hello_world_int8", "seed1.input.bin") +
              " --output " + out);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("is 1 bytes"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("takes 640 bytes"), std::string::npos) << r.out;
}

// Inputs over their default limit are refused before they are read; --max-input-bytes
// (every command) raises the limit.
TEST(Cli, InputLimitsAndTheirOverride) {
  const std::string board = std::string(CHORUS_SOURCE_DIR) + "/dts/boards/mps3_an547.xml";
  const std::string big = ::testing::TempDir() + "big_board.xml";
  {
    std::ifstream in(board, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    std::ofstream out(big, std::ios::binary);
    out << text.str() << "<!--" << std::string(1100000, ' ') << "-->\n";
  }
  CliRun refused = run("board " + big + " --emit header");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("more than the 1048576 allowed (--max-input-bytes raises the limit)"), std::string::npos)
      << refused.out;
  CliRun raised = run("board " + big + " --emit header --max-input-bytes 2000000");
  EXPECT_EQ(raised.exit_code, 0) << raised.out.substr(0, 300);
  CliRun tiny = run("info " + model_path("ad01_int8") + " --max-input-bytes=1000");
  EXPECT_EQ(tiny.exit_code, 1);
  EXPECT_NE(tiny.out.find("more than the 1000 allowed"), std::string::npos) << tiny.out;
  CliRun bad = run("info " + model_path("ad01_int8") + " --max-input-bytes 0");
  EXPECT_EQ(bad.exit_code, 2);
}

// An output that would block (a FIFO nobody reads) or cannot be a file is one line, exit 1.
TEST(Cli, OutputsThatCannotBeWrittenAreOneLine) {
  const std::string fifo = ::testing::TempDir() + "out_fifo";
  std::remove(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& out : {fifo, ::testing::TempDir()}) {
    CliRun r = run("embed " + model_path("hello_world_int8") + " --out " + out);
    EXPECT_EQ(r.exit_code, 1) << out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find("chorus embed: " + out), std::string::npos) << r.out;
  }
  CliRun r = run("embed " + model_path("hello_world_int8") + " --out " + fifo);
  EXPECT_NE(r.out.find("a FIFO nobody reads"), std::string::npos) << r.out;
  std::remove(fifo.c_str());
}

TEST(Cli, InferRejectsABadRepeat) {
  CliRun r = run("infer --model " + model_path("ad01_int8") + " --input x --output y --repeat 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("--repeat must be a whole number"), std::string::npos) << r.out;
}

TEST(Cli, InferOnAnUnsupportedModelNamesTheOp) {
  // Every shared model is supported: rename a custom op in a copy of one.
  std::vector<uint8_t> bytes;
  ASSERT_TRUE(read_bytes(model_path("audio_preprocessor_int8"), &bytes));
  const std::string name = "SignalWindow";
  auto at = std::search(bytes.begin(), bytes.end(), name.begin(), name.end());
  ASSERT_NE(at, bytes.end());
  at[static_cast<long>(name.size()) - 1] = 'Q';
  const std::string path = temp_path("unsupported.tflite");
  std::string error;
  ASSERT_TRUE(tools::write_file(path, bytes.data(), bytes.size(), &error)) << error;
  CliRun r = run("infer --model " + path + " --input x --output y");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("op 0 (SignalWindoQ): operator is not supported"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace chorus::test
