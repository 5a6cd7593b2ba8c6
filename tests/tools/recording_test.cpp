// Recordings as `chorus listen` reads them: WAV sample layouts, NumPy arrays, CSV tables,
// and the resampler against sines whose values are known in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "chorus/tools/file.hpp"
#include "chorus/tools/recording.hpp"

namespace chorus::tools {
namespace {

constexpr double kPi = 3.14159265358979323846;

std::string temp(const std::string& name) { return ::testing::TempDir() + "chorus_recording_" + name; }

void put16(std::vector<uint8_t>* b, uint32_t v) {
  b->push_back(static_cast<uint8_t>(v));
  b->push_back(static_cast<uint8_t>(v >> 8));
}
void put32(std::vector<uint8_t>* b, uint32_t v) {
  put16(b, v & 0xFFFF);
  put16(b, v >> 16);
}
void tag(std::vector<uint8_t>* b, const char* s) { b->insert(b->end(), s, s + 4); }

// A WAV file with a `fmt ` chunk of `fmt_size` bytes (16, or 40 for EXTENSIBLE with
// `sub_tag`), an odd-sized LIST chunk before the data (padded, as RIFF requires), and
// `data` declared as `declared` bytes (default: its size).
std::string wav(const std::string& name, uint16_t format, uint16_t channels, uint32_t rate, uint16_t bits,
                const std::vector<uint8_t>& data, uint16_t sub_tag = 0, int64_t declared = -1) {
  std::vector<uint8_t> b;
  tag(&b, "RIFF");
  put32(&b, 0);
  tag(&b, "WAVE");
  tag(&b, "fmt ");
  put32(&b, format == 0xFFFE ? 40 : 16);
  put16(&b, format);
  put16(&b, channels);
  put32(&b, rate);
  put32(&b, rate * channels * bits / 8);
  put16(&b, static_cast<uint16_t>(channels * bits / 8));
  put16(&b, bits);
  if (format == 0xFFFE) {
    put16(&b, 22);    // cbSize
    put16(&b, bits);  // valid bits
    put32(&b, 0);     // channel mask
    put16(&b, sub_tag);
    const uint8_t guid_rest[14] = {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71};
    b.insert(b.end(), guid_rest, guid_rest + 14);
  }
  tag(&b, "LIST");
  put32(&b, 3);
  b.insert(b.end(), {'a', 'b', 'c', 0});  // 3 bytes and the pad byte
  tag(&b, "data");
  put32(&b, declared < 0 ? static_cast<uint32_t>(data.size()) : static_cast<uint32_t>(declared));
  b.insert(b.end(), data.begin(), data.end());
  const uint32_t riff = static_cast<uint32_t>(b.size() - 8);
  std::memcpy(b.data() + 4, &riff, 4);
  std::string error;
  const std::string path = temp(name);
  EXPECT_TRUE(write_file(path, b.data(), b.size(), &error)) << error;
  return path;
}

TEST(Recording, WavIntegerLayoutsScaleToUnitFullScale) {
  std::string error;
  Recording r;
  // 8-bit is unsigned around 128; 16, 24 and 32-bit are two's complement.
  ASSERT_TRUE(read_wav_recording(wav("u8.wav", 1, 1, 8000, 8, {0, 128, 255, 64}), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{-1.0f, 0.0f, 127.0f / 128.0f, -0.5f}));
  EXPECT_EQ(r.type, "pcm8");
  EXPECT_EQ(r.rate_hz, 8000.0);
  ASSERT_TRUE(read_wav_recording(wav("s16.wav", 1, 2, 16000, 16, {0x00, 0x80, 0xFF, 0x7F, 0x00, 0x40, 0x01, 0x00}), &r, &error))
      << error;
  EXPECT_EQ(r.channels, 2u);
  EXPECT_EQ(r.frames(), 2u);
  EXPECT_EQ(r.samples, (std::vector<float>{-1.0f, 32767.0f / 32768.0f, 0.5f, 1.0f / 32768.0f}));
  ASSERT_TRUE(read_wav_recording(wav("s24.wav", 1, 1, 48000, 24, {0x00, 0x00, 0x80, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x40}), &r, &error))
      << error;
  EXPECT_EQ(r.samples, (std::vector<float>{-1.0f, -1.0f / 8388608.0f, 0.5f}));
  ASSERT_TRUE(read_wav_recording(wav("s32.wav", 1, 1, 48000, 32, {0x00, 0x00, 0x00, 0xC0}), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{-0.5f}));
  // WAVE_FORMAT_EXTENSIBLE carrying PCM.
  ASSERT_TRUE(read_wav_recording(wav("ext.wav", 0xFFFE, 1, 16000, 16, {0x00, 0x20}, 1), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{0.25f}));
}

TEST(Recording, WavFloatsAreTakenAsTheyAre) {
  std::string error;
  Recording r;
  std::vector<uint8_t> f32(8), f64(8);
  const float a[2] = {0.125f, -2.5f};
  const double d = 0.3;
  std::memcpy(f32.data(), a, 8);
  std::memcpy(f64.data(), &d, 8);
  ASSERT_TRUE(read_wav_recording(wav("f32.wav", 3, 1, 16000, 32, f32), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{0.125f, -2.5f}));
  EXPECT_EQ(r.type, "float32");
  ASSERT_TRUE(read_wav_recording(wav("f64.wav", 3, 1, 16000, 64, f64), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{0.3f}));
  const float nan = std::nanf("");
  std::memcpy(f32.data(), &nan, 4);
  EXPECT_FALSE(read_wav_recording(wav("nan.wav", 3, 1, 16000, 32, f32), &r, &error));
  EXPECT_NE(error.find("not a finite number"), std::string::npos) << error;
}

TEST(Recording, WavErrorsNameTheFileAndTheProblem) {
  std::string error;
  Recording r;
  const std::string adpcm = wav("adpcm.wav", 2, 1, 16000, 4, {0, 0});
  EXPECT_FALSE(read_wav_recording(adpcm, &r, &error));
  EXPECT_EQ(error, adpcm + ": format tag 2 with 4-bit samples (integer PCM of 8, 16, 24 or 32 bits, or 32/64-bit float)");
  const std::string cut = wav("cut.wav", 1, 1, 16000, 16, {0, 0}, 0, 100);
  EXPECT_FALSE(read_wav_recording(cut, &r, &error));
  EXPECT_NE(error.find("declares 100 bytes but only 2 remain (file truncated)"), std::string::npos) << error;
  const std::string rate = wav("rate.wav", 1, 1, 0, 16, {0, 0});
  EXPECT_FALSE(read_wav_recording(rate, &r, &error));
  EXPECT_EQ(error, rate + ": sample rate 0 Hz (1 Hz to 1 MHz)");
  const std::string empty = wav("empty.wav", 1, 1, 16000, 16, {});
  EXPECT_FALSE(read_wav_recording(empty, &r, &error));
  EXPECT_EQ(error, empty + ": the 'data' chunk holds no samples");
  // A streaming writer's open size (0xFFFFFFFF) runs to the end of the file.
  ASSERT_TRUE(read_wav_recording(wav("open.wav", 1, 1, 16000, 16, {0x00, 0x40, 0x00, 0xC0}, 0, 0xFFFFFFFFLL), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{0.5f, -0.5f}));
}

// A NumPy .npy file, version 1.0 (or 2.0 with its 4-byte header length).
std::string npy(const std::string& name, const std::string& descr, const std::string& shape, const std::vector<uint8_t>& data,
                int version = 1, const std::string& fortran = "False") {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
  const size_t prefix = version == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(version), 0};
  if (version == 1) put16(&b, static_cast<uint32_t>(header.size()));
  else
    put32(&b, static_cast<uint32_t>(header.size()));
  b.insert(b.end(), header.begin(), header.end());
  b.insert(b.end(), data.begin(), data.end());
  std::string error;
  const std::string path = temp(name);
  EXPECT_TRUE(write_file(path, b.data(), b.size(), &error)) << error;
  return path;
}

template <class T>
std::vector<uint8_t> bytes_of(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(Recording, NpyTypesAndShapes) {
  std::string error;
  Recording r;
  ASSERT_TRUE(read_npy_recording(npy("f8.npy", "<f8", "(2, 3)", bytes_of<double>({1, 2, 3, 4, 5, 6.5})), &r, &error)) << error;
  EXPECT_EQ(r.shape, (std::vector<size_t>{2, 3}));
  EXPECT_EQ(r.channels, 3u);
  EXPECT_EQ(r.samples, (std::vector<float>{1, 2, 3, 4, 5, 6.5f}));
  EXPECT_EQ(r.type, "float64");
  ASSERT_TRUE(read_npy_recording(npy("f4.npy", "<f4", "(3,)", bytes_of<float>({-1.5f, 0, 2})), &r, &error)) << error;
  EXPECT_EQ(r.channels, 1u);
  EXPECT_EQ(r.samples, (std::vector<float>{-1.5f, 0, 2}));
  ASSERT_TRUE(read_npy_recording(npy("i2.npy", "<i2", "(1, 2)", bytes_of<int16_t>({-32768, 4095}), 2), &r, &error)) << error;
  EXPECT_EQ(r.samples, (std::vector<float>{-32768, 4095}));
  EXPECT_EQ(r.type, "int16");
  // A radar cube keeps its four dimensions.
  ASSERT_TRUE(read_npy_recording(npy("cube.npy", "<i2", "(2, 3, 4, 5)", bytes_of(std::vector<int16_t>(120, 7))), &r, &error)) << error;
  EXPECT_EQ(r.shape, (std::vector<size_t>{2, 3, 4, 5}));
  EXPECT_EQ(r.samples.size(), 120u);
}

TEST(Recording, NpyErrorsNameTheFileAndTheProblem) {
  std::string error;
  Recording r;
  const std::string big = npy("big.npy", ">f4", "(1,)", {0, 0, 0, 0});
  EXPECT_FALSE(read_npy_recording(big, &r, &error));
  EXPECT_EQ(error, big + ": dtype >f4 (float64, float32, int32, int16 or int8, little-endian, supported)");
  const std::string fortran = npy("fortran.npy", "<f4", "(1,)", {0, 0, 0, 0}, 1, "True");
  EXPECT_FALSE(read_npy_recording(fortran, &r, &error));
  EXPECT_EQ(error, fortran + ": Fortran-ordered array (save it in C order)");
  const std::string short_data = npy("short.npy", "<f4", "(4, 3)", {0, 0, 0, 0});
  EXPECT_FALSE(read_npy_recording(short_data, &r, &error));
  EXPECT_EQ(error, short_data + ": shape (4, 3) needs 48 data bytes, the file has 4");
  const std::string text = temp("text.npy");
  ASSERT_TRUE(write_file(text, reinterpret_cast<const uint8_t*>("x,y\n"), 4, &error));
  EXPECT_FALSE(read_npy_recording(text, &r, &error));
  EXPECT_EQ(error, text + ": not a NumPy .npy file");
}

std::string csv(const std::string& name, const std::string& text) {
  std::string error;
  const std::string path = temp(name);
  EXPECT_TRUE(write_file(path, reinterpret_cast<const uint8_t*>(text.data()), text.size(), &error)) << error;
  return path;
}

TEST(Recording, CsvColumnsByHeaderNameOrInOrder) {
  std::string error;
  Recording r;
  // A header: columns by name, in the order asked, whatever the file's order.
  ASSERT_TRUE(read_csv_recording(csv("h.csv", "t,Z,y,x\n0,3,2,1\n0.1,6,5,4\n"), {"x", "y", "z"}, false, &r, &error)) << error;
  EXPECT_EQ(r.channels, 3u);
  EXPECT_EQ(r.samples, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // No header: the axes in order, a leading time column skipped; comments and blank lines too.
  ASSERT_TRUE(read_csv_recording(csv("n.csv", "# made by a logger\n0.0;1;2;3\n\n0.1;4;5;6\n"), {"x", "y", "z"}, false, &r, &error))
      << error;
  EXPECT_EQ(r.samples, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(read_csv_recording(csv("one.csv", "0.5\n-0.25\n"), {"x"}, false, &r, &error)) << error;
  EXPECT_EQ(r.channels, 1u);
  EXPECT_EQ(r.samples, (std::vector<float>{0.5f, -0.25f}));
}

TEST(Recording, CsvErrorsNameTheLine) {
  std::string error;
  Recording r;
  const std::string bad = csv("bad.csv", "x,y,z\n1,2,3\n1,two,3\n");
  EXPECT_FALSE(read_csv_recording(bad, {"x", "y", "z"}, false, &r, &error));
  EXPECT_EQ(error, bad + ": line 3: '1,two,3' is not numbers");
  const std::string missing = csv("missing.csv", "x,y\n1,2\n");
  EXPECT_FALSE(read_csv_recording(missing, {"x", "y", "z"}, false, &r, &error));
  EXPECT_EQ(error, missing + ": no column named 'z' in line 1");
  const std::string ragged = csv("ragged.csv", "1,2,3\n4,5\n");
  EXPECT_FALSE(read_csv_recording(ragged, {"x", "y", "z"}, false, &r, &error));
  EXPECT_EQ(error, ragged + ": line 2 has 2 columns, line 1 has 3");
  const std::string huge = csv("huge.csv", "1,2,3\n1,1e39,3\n");  // a double, but no float
  EXPECT_FALSE(read_csv_recording(huge, {"x", "y", "z"}, false, &r, &error));
  EXPECT_EQ(error, huge + ": line 2: 1e39 is beyond the range of a float");
  const std::string wide = csv("wide.csv", "1,2,3,4,5\n");
  EXPECT_FALSE(read_csv_recording(wide, {"x", "y", "z"}, false, &r, &error));
  EXPECT_EQ(error, wide + ": line 1 has 5 columns and no header; expected 3 (the axes)");
}

std::vector<float> sine(double hz, double rate, size_t n, double amplitude = 0.5) {
  std::vector<float> s(n);
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<float>(amplitude * std::sin(2.0 * kPi * hz * static_cast<double>(i) / rate));
  return s;
}

// The largest difference from the ideal sine away from the ends (where the kernel reaches
// past the signal).
double max_error(const std::vector<float>& got, double hz, double rate, size_t margin) {
  double worst = 0.0;
  for (size_t i = margin; i + margin < got.size(); ++i)
    worst = std::max(worst, std::fabs(got[i] - 0.5 * std::sin(2.0 * kPi * hz * static_cast<double>(i) / rate)));
  return worst;
}

TEST(Recording, ResamplingKeepsWhatTheNewRateHoldsAndRemovesWhatItCannot) {
  // 1 kHz at 48 kHz down to 16 kHz, and 16 kHz up to 44.1 kHz: the same sine, sampled anew.
  const std::vector<float> down = resample(sine(1000, 48000, 48000), 1, 48000, 16000);
  ASSERT_EQ(down.size(), 16000u);
  EXPECT_LT(max_error(down, 1000, 16000, 200), 1e-3);
  const std::vector<float> up = resample(sine(1000, 16000, 16000), 1, 16000, 44100);
  ASSERT_EQ(up.size(), 44100u);
  EXPECT_LT(max_error(up, 1000, 44100, 500), 1e-3);
  // 10 kHz is above the new Nyquist frequency (8 kHz): removed, not folded to 6 kHz.
  const std::vector<float> alias = resample(sine(10000, 48000, 48000), 1, 48000, 16000);
  double rms = 0.0;
  for (size_t i = 200; i + 200 < alias.size(); ++i) rms += static_cast<double>(alias[i]) * alias[i];
  rms = std::sqrt(rms / static_cast<double>(alias.size() - 400));
  EXPECT_LT(rms, 1e-3) << "a 0.35 RMS tone at 10 kHz leaves " << rms;
  // Channels stay apart; equal rates copy.
  std::vector<float> two(2 * 4800);
  const std::vector<float> a = sine(100, 4800, 4800), b = sine(300, 4800, 4800);
  for (size_t i = 0; i < 4800; ++i) {
    two[2 * i] = a[i];
    two[2 * i + 1] = b[i];
  }
  const std::vector<float> half = resample(two, 2, 4800, 2400);
  ASSERT_EQ(half.size(), 2u * 2400);
  std::vector<float> left(2400), right(2400);
  for (size_t i = 0; i < 2400; ++i) {
    left[i] = half[2 * i];
    right[i] = half[2 * i + 1];
  }
  EXPECT_LT(max_error(left, 100, 2400, 100), 1e-3);
  EXPECT_LT(max_error(right, 300, 2400, 100), 1e-3);
  EXPECT_EQ(resample(a, 1, 4800, 4800), a);
  EXPECT_EQ(mix_down({1, 3, -2, 4}, 2), (std::vector<float>{2, 1}));
}

}  // namespace
}  // namespace chorus::tools
