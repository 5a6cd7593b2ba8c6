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

// A Vela-compiled model: the NPU/CPU split and its command stream, read from the ethos-u
// operator (figures: the stream's own commands, counted by EthosuCommandStream tests).
TEST(Cli, InfoShowsTheNpuPartOfAVelaModel) {
  CliRun r = run("info " + model_path("person_detect_vela"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("NPU: 1 ethos-u operator; CPU: 0 operators\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  op 0: ethos-u55-256 (arch 1.0.6, 48 KiB SHRAM): "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ends with NPU_OP_STOP; constants 260480 bytes"), std::string::npos) << r.out;
  CliRun j = run("info --json " + model_path("person_detect_vela"));
  ASSERT_EQ(j.exit_code, 0) << j.out;
  EXPECT_NE(j.out.find("\"cpu_ops\":0,\"npu\":[{\"op\":0,\"command_bytes\":8168,\"constant_bytes\":260480,\"accelerator\":\"ethos-u55-256\""),
            std::string::npos)
      << j.out;
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

namespace chorus::test {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// chorus replay: the frames a replay sensor plays and their truth, derived from the inputs.
TEST(CliReplay, MicrophonePlaysTheClipsInOrderWithTheirWords) {
  const std::string data = shared_dir() + "/data/";
  const std::string out = temp_path("mic.bin"), truth = temp_path("mic.inc");
  CliRun r = run("replay --sensor microphone --wav " + data + "yes_1000ms.wav," + data + "no_1000ms.wav --out " + out +
                 " --truth " + truth);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Two 1 s clips at 16 kHz, 16-bit: their samples back to back, little-endian.
  const std::string bytes = slurp(out);
  ASSERT_EQ(bytes.size(), 2u * 16000u * 2u);
  const std::string yes = slurp(data + "yes_1000ms.wav");
  EXPECT_EQ(bytes.substr(0, 32000), yes.substr(yes.size() - 32000));  // the clip's data chunk ends the file
  EXPECT_EQ(slurp(truth),
            "// Generated by `chorus replay --sensor microphone`: {start_ns, end_ns, name} per event.\n"
            "{0ull, 1000000000ull, \"yes\"},\n{1000000000ull, 2000000000ull, \"no\"},\n");
}

TEST(CliReplay, RadarAndAccelerometerSizesFollowTheirArguments) {
  const std::string out = temp_path("radar.bin"), truth = temp_path("radar.inc");
  CliRun r = run("replay --sensor radar --gestures push,swipe_up --first 0.5 --spacing 2.6 --tail 0.5 --out " + out + " --truth " + truth);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // 0.5 s before the first, 2.6 s to the second, 0.5 s tail and 2 s for the last gesture, at 30 frames/s
  // (33 333 333 ns each), 64 x 32 x 3 int16 values a frame.
  EXPECT_EQ(slurp(out).size(), static_cast<size_t>(5600000000ull / 33333333ull) * 6144u * 2u);
  const std::string t = slurp(truth);
  EXPECT_NE(t.find("{500000000ull, "), std::string::npos) << t;
  EXPECT_NE(t.find("\"swipe_up\"},"), std::string::npos) << t;
  // Two gestures whose hands would be in view at once are refused.
  r = run("replay --sensor radar --gestures push,swipe_up --first 0.5 --spacing 1 --tail 0.5 --out " + out + " --truth " + truth);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("overlap"), std::string::npos) << r.out;
  r = run("replay --sensor accelerometer --seconds 3 --fault looseness --fault-at 1 --out " + out + " --truth " + truth);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(slurp(out).size(), 3u * 1344u * 3u * 2u);  // x, y, z at 1344 Hz
  EXPECT_EQ(slurp(truth).substr(slurp(truth).find('\n') + 1), "{1000000000ull, 3000000000ull, \"looseness\"},\n");
}

TEST(CliReplay, BadArgumentsAreOneLineErrors) {
  const std::string files = " --out " + temp_path("x.bin") + " --truth " + temp_path("x.inc");
  EXPECT_EQ(run("replay --sensor sonar" + files).exit_code, 2);
  EXPECT_EQ(run("replay --sensor radar").exit_code, 2);  // no --out/--truth
  CliRun r = run("replay --sensor radar --gestures push,wave" + files);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "chorus replay: radar: unknown gesture 'wave'\n");
  r = run("replay --sensor accelerometer --seconds 2 --fault looseness --fault-at 5" + files);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("--fault-at must be a number from 0"), std::string::npos) << r.out;
  r = run("replay --sensor microphone --wav " + shared_dir() + "/data/missing.wav" + files);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  r = run("replay --sensor radar --gestures push,push --spacing 0.6" + files);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("overlap"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace chorus::test
