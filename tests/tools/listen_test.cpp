// `chorus listen` as a user runs it: labels and scores of the four reference clips, --json,
// --features-out bytes equal to the TFLM reference features, and one-line errors for WAVs
// the pipeline cannot hear.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "chorus/tools/file.hpp"
#include "support/cli_runner.hpp"
#include "support/golden.hpp"

namespace chorus::test {
namespace {

CliRun run(const std::string& args) { return run_cli(CHORUS_CLI, args); }

std::string clip(const std::string& stem) { return shared_dir() + "/data/" + stem + ".wav"; }
std::string temp_path(const std::string& name) { return ::testing::TempDir() + "chorus_listen_" + name; }

// A RIFF/WAVE file: `format` tag, channels, rate, bits; `data_bytes` of zeros, of which the
// data chunk declares `declared` (more than written: a truncated file).
std::string write_wav(const std::string& name, uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits, uint32_t data_bytes,
                      uint32_t declared) {
  std::vector<uint8_t> b;
  auto u32 = [&b](uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
  };
  auto u16 = [&b](uint16_t v) {
    b.push_back(static_cast<uint8_t>(v));
    b.push_back(static_cast<uint8_t>(v >> 8));
  };
  auto tag = [&b](const char* s) { b.insert(b.end(), s, s + 4); };
  tag("RIFF");
  u32(36 + declared);
  tag("WAVE");
  tag("fmt ");
  u32(16);
  u16(format);
  u16(channels);
  u32(rate);
  u32(rate * channels * bits / 8);
  u16(static_cast<uint16_t>(channels * bits / 8));
  u16(bits);
  tag("data");
  u32(declared);
  b.resize(b.size() + data_bytes, 0);
  const std::string path = temp_path(name);
  std::string error;
  EXPECT_TRUE(tools::write_file(path, b.data(), b.size(), &error)) << error;
  return path;
}

TEST(Listen, HasHelp) {
  CliRun r = run("listen --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("usage: chorus listen FILE.wav|DIR..."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--features-out DIR"), std::string::npos) << r.out;
  EXPECT_NE(run("--help").out.find("listen FILE.wav"), std::string::npos);
}

TEST(Listen, HearsTheFourReferenceClips) {
  CliRun r = run("listen " + clip("yes_1000ms") + " " + clip("no_1000ms") + " " + clip("silence_1000ms") + " " +
                 clip("noise_1000ms"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  // Scores: shared/golden/audio_preprocessor_int8/<clip>.micro_speech.output.bin.
  EXPECT_NE(r.out.find(clip("yes_1000ms") + ": yes (silence -128, unknown -128, yes 127, no -128)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(clip("no_1000ms") + ": no (silence -128, unknown -114, yes -128, no 114)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(clip("silence_1000ms") + ": silence (silence -42, unknown -68, yes -68, no -78)\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(clip("noise_1000ms") + ": silence (silence 120, unknown -125, yes -126, no -125)\n"), std::string::npos)
      << r.out;
}

TEST(Listen, JsonIsOneObjectPerFile) {
  CliRun r = run("listen --json " + clip("no_1000ms") + " " + clip("yes_1000ms"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "{\"file\":\"" + clip("no_1000ms") + "\",\"label\":\"no\",\"scores\":[-128,-114,-128,114]}\n{\"file\":\"" +
                       clip("yes_1000ms") + "\",\"label\":\"yes\",\"scores\":[-128,-128,127,-128]}\n");
}

TEST(Listen, FeaturesOutHoldsTheReferenceFeatures) {
  const std::string dir = ::testing::TempDir();
  CliRun r = run("listen --features-out " + dir + " " + clip("yes_1000ms") + " " + clip("noise_1000ms"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  int compared = 0;
  for (const char* stem : {"yes_1000ms", "noise_1000ms"}) {
    std::vector<uint8_t> got, expected;
    ASSERT_TRUE(read_bytes(dir + "/" + stem + ".features.bin", &got));
    ASSERT_TRUE(read_bytes(golden_path("audio_preprocessor_int8", std::string(stem) + ".features.bin"), &expected));
    EXPECT_EQ(got.size(), 1960u);
    EXPECT_EQ(got, expected) << stem << ": " << first_difference(expected.data(), got.data(), std::min(got.size(), expected.size()));
    compared += static_cast<int>(got.size());
  }
  std::printf("[ golden   ] chorus listen --features-out: %d features compared bit for bit\n", compared);
}

TEST(Listen, WavsItCannotHearAreOneLineErrorsAndTheRestStillRuns) {
  const std::string float_wav = write_wav("float.wav", 3, 1, 16000, 32, 64000, 64000);
  const std::string rate_wav = write_wav("rate.wav", 1, 1, 44100, 16, 88200, 88200);
  const std::string truncated_wav = write_wav("truncated.wav", 1, 1, 16000, 16, 1000, 32000);
  const std::string short_wav = write_wav("short.wav", 1, 1, 16000, 16, 960, 960);
  const std::string stereo_wav = write_wav("stereo.wav", 1, 2, 16000, 16, 64000, 64000);
  const std::string byte_wav = write_wav("8bit.wav", 1, 1, 16000, 8, 16000, 16000);
  CliRun r = run("listen " + float_wav + " " + rate_wav + " " + truncated_wav + " " + short_wav + " " + stereo_wav + " " + byte_wav +
                 " " + clip("yes_1000ms") + " /nonexistent/clip.wav");
  EXPECT_EQ(r.exit_code, 1);
  const std::string expected[] = {
      "chorus listen: " + float_wav + ": 'fmt ' chunk at byte 12: format tag 3 (IEEE float) is not integer PCM (tag 1)\n",
      "chorus listen: " + rate_wav + ": sample rate 44100 Hz; micro_speech needs 16000 Hz\n",
      "chorus listen: " + truncated_wav + ": 'data' chunk at byte 36 declares 32000 bytes but only 1000 remain (file truncated)\n",
      "chorus listen: " + short_wav + ": 480 samples (30 ms); needs at least 15840 (49 frames of 480 every 320)\n",
      "chorus listen: " + stereo_wav + ": 2 channels; micro_speech needs mono\n",
      "chorus listen: " + byte_wav + ": 8-bit samples; micro_speech needs 16-bit PCM\n",
      clip("yes_1000ms") + ": yes (silence -128, unknown -128, yes 127, no -128)\n",
      "chorus listen: /nonexistent/clip.wav: No such file or directory\n",
  };
  for (const std::string& line : expected) EXPECT_NE(r.out.find(line), std::string::npos) << "missing: " << line << "in:\n" << r.out;
  size_t lines = 0;
  for (char c : r.out) lines += c == '\n';
  EXPECT_EQ(lines, 8u) << r.out;
}

// A directory stands for its .wav files in name order; one without any is reported on its
// own line and makes the exit status 1, while the other inputs are still heard.
TEST(Listen, DirectoriesAreWalkedAndAnEmptyOneIsReported) {
  const std::string dir = ::testing::TempDir() + "listen_dir";
  const std::string empty = ::testing::TempDir() + "listen_empty";
  ASSERT_EQ(std::system(("mkdir -p " + dir + " " + empty + " && cp " + clip("yes_1000ms") + " " + clip("no_1000ms") + " " + dir +
                         "/ && touch " + dir + "/notes.txt").c_str()),
            0);
  CliRun r = run("listen " + empty + " " + dir);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("chorus listen: " + empty + ": a directory with no .wav files\n"), std::string::npos) << r.out;
  const size_t no = r.out.find(dir + "/no_1000ms.wav: no ");
  const size_t yes = r.out.find(dir + "/yes_1000ms.wav: yes ");
  EXPECT_NE(no, std::string::npos) << r.out;
  EXPECT_NE(yes, std::string::npos) << r.out;
  EXPECT_LT(no, yes);  // name order
  EXPECT_EQ(r.out.find("notes.txt"), std::string::npos) << r.out;
}

TEST(Listen, NeedsFilesAndKnownOptions) {
  CliRun none = run("listen");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.out, "chorus listen: no WAV files given (see --help)\n");
  CliRun bad = run("listen --loud " + clip("yes_1000ms"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "chorus listen: unknown option --loud (see --help)\n");
  CliRun model = run("listen --model " + model_path("ad01_int8") + " " + clip("yes_1000ms"));
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_NE(model.out.find("expected one INT8 input of 1960 bytes and one INT8 output of 4 bytes"), std::string::npos) << model.out;
}

}  // namespace
}  // namespace chorus::test
