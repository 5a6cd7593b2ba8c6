// `chorus listen` as a user runs it: labels and scores of the four reference clips, --json,
// --features-out bytes equal to the TFLM reference features whatever the WAV's layout
// (stereo, 24-bit, float), one-line errors for files that are not audio, and the
// summaries.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
  EXPECT_NE(r.out.find("usage: chorus listen FILE|DIR..."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--features-out DIR"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--pipeline P"), std::string::npos) << r.out;
  EXPECT_NE(run("--help").out.find("listen FILE|DIR"), std::string::npos);
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
  CliRun r = run_cli_split(CHORUS_CLI, "listen --json " + clip("no_1000ms") + " " + clip("yes_1000ms"), temp_path("json.err"));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
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

// The same 16-bit samples laid out as stereo (both channels equal), 24-bit PCM or 32-bit
// float give the very same features: the reader keeps every sample exact.
std::string rewrite_wav(const std::string& name, const std::string& from, uint16_t format, uint16_t channels, uint16_t bits) {
  std::vector<uint8_t> in;
  EXPECT_TRUE(read_bytes(from, &in));
  std::vector<int16_t> pcm((in.size() - 44) / 2);
  std::memcpy(pcm.data(), in.data() + 44, pcm.size() * 2);
  std::vector<uint8_t> data;
  for (int16_t v : pcm)
    for (uint16_t c = 0; c < channels; ++c) {
      if (format == 3) {
        const float f = static_cast<float>(v) / 32768.0f;
        const uint8_t* p = reinterpret_cast<const uint8_t*>(&f);
        data.insert(data.end(), p, p + 4);
      } else if (bits == 24) {
        const uint32_t w = static_cast<uint32_t>(static_cast<int32_t>(v) * 256);
        for (int i = 0; i < 3; ++i) data.push_back(static_cast<uint8_t>(w >> (8 * i)));
      } else {
        data.push_back(static_cast<uint8_t>(v));
        data.push_back(static_cast<uint8_t>(static_cast<uint16_t>(v) >> 8));
      }
    }
  const std::string path = write_wav(name, format, channels, 16000, bits, 0, 0);
  std::vector<uint8_t> b;
  EXPECT_TRUE(read_bytes(path, &b));
  const uint32_t n = static_cast<uint32_t>(data.size());
  for (int i = 0; i < 4; ++i) {
    b[40 + i] = static_cast<uint8_t>(n >> (8 * i));
    b[4 + i] = static_cast<uint8_t>((36 + n) >> (8 * i));
  }
  b.insert(b.end(), data.begin(), data.end());
  std::string error;
  EXPECT_TRUE(tools::write_file(path, b.data(), b.size(), &error)) << error;
  return path;
}

TEST(Listen, StereoTwentyFourBitAndFloatWavsGiveTheReferenceFeatures) {
  const std::string dir = ::testing::TempDir() + "listen_layouts";
  ASSERT_EQ(std::system(("mkdir -p " + dir).c_str()), 0);
  const std::string stereo = rewrite_wav("yes_stereo.wav", clip("yes_1000ms"), 1, 2, 16);
  const std::string pcm24 = rewrite_wav("yes_pcm24.wav", clip("yes_1000ms"), 1, 1, 24);
  const std::string float32 = rewrite_wav("yes_float.wav", clip("yes_1000ms"), 3, 1, 32);
  CliRun r = run("listen --features-out " + dir + " " + stereo + " " + pcm24 + " " + float32);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<uint8_t> expected;
  ASSERT_TRUE(read_bytes(golden_path("audio_preprocessor_int8", "yes_1000ms.features.bin"), &expected));
  int compared = 0;
  for (const char* stem : {"chorus_listen_yes_stereo", "chorus_listen_yes_pcm24", "chorus_listen_yes_float"}) {
    std::vector<uint8_t> got;
    ASSERT_TRUE(read_bytes(dir + "/" + stem + ".features.bin", &got)) << stem;
    EXPECT_EQ(got, expected) << stem;
    compared += static_cast<int>(got.size());
  }
  EXPECT_EQ(compared, 3 * 1960);
  std::printf("[ golden   ] chorus listen, 3 WAV layouts: %d features compared bit for bit\n", compared);
}

TEST(Listen, FilesThatAreNotAudioAreOneLineErrorsAndTheRestStillRuns) {
  const std::string adpcm_wav = write_wav("adpcm.wav", 2, 1, 16000, 16, 3200, 3200);
  const std::string truncated_wav = write_wav("truncated.wav", 1, 1, 16000, 16, 1000, 32000);
  const std::string text = temp_path("notes.wav");
  std::string error;
  ASSERT_TRUE(tools::write_file(text, reinterpret_cast<const uint8_t*>("hello"), 5, &error)) << error;
  const std::string short_wav = write_wav("short.wav", 1, 1, 16000, 16, 960, 960);        // padded to 1 s
  const std::string rate_wav = write_wav("rate.wav", 1, 1, 44100, 16, 88200, 88200);       // resampled
  const std::string byte_wav = write_wav("8bit.wav", 1, 1, 16000, 8, 16000, 16000);        // 8-bit
  CliRun r = run("listen " + adpcm_wav + " " + truncated_wav + " " + text + " " + short_wav + " " + rate_wav + " " + byte_wav + " " +
                 clip("yes_1000ms") + " /nonexistent/clip.wav");
  EXPECT_EQ(r.exit_code, 1);
  const std::string expected[] = {
      "chorus listen: " + adpcm_wav + ": format tag 2 with 16-bit samples (integer PCM of 8, 16, 24 or 32 bits, or 32/64-bit float)\n",
      "chorus listen: " + truncated_wav + ": 'data' chunk at byte 36 declares 32000 bytes but only 1000 remain (file truncated)\n",
      "chorus listen: " + text + ": not a RIFF/WAVE file\n",
      short_wav + ": ",
      rate_wav + ": ",
      byte_wav + ": ",
      clip("yes_1000ms") + ": yes (silence -128, unknown -128, yes 127, no -128)\n",
      "chorus listen: /nonexistent/clip.wav: No such file or directory\n",
      "chorus listen: micro_speech: 4 files heard, 4 could not be\n",
  };
  for (const std::string& line : expected) EXPECT_NE(r.out.find(line), std::string::npos) << "missing: " << line << "in:\n" << r.out;
  size_t lines = 0;
  for (char c : r.out) lines += c == '\n';
  EXPECT_EQ(lines, 9u) << r.out;
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
  EXPECT_NE(r.out.find("chorus listen: " + empty + ": a directory with no recordings (.wav, .npy, .csv)\n"), std::string::npos) << r.out;
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
  EXPECT_EQ(none.out, "chorus listen: no recordings given (see --help)\n");
  CliRun bad = run("listen --loud " + clip("yes_1000ms"));
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "chorus listen: unknown option --loud (see --help)\n");
  CliRun model = run("listen --model " + model_path("ad01_int8") + " " + clip("yes_1000ms"));
  EXPECT_EQ(model.exit_code, 1);
  EXPECT_NE(model.out.find("expected one INT8 input of 1960 bytes and one INT8 output of 4 bytes"), std::string::npos) << model.out;
  CliRun pipeline = run("listen --pipeline radio " + clip("yes_1000ms"));
  EXPECT_EQ(pipeline.exit_code, 2);
  EXPECT_EQ(pipeline.out, "chorus listen: --pipeline radio: not one of micro_speech, kws_ref, toycar, vibration, gesture\n");
}

}  // namespace
}  // namespace chorus::test
