// Recordings made by others, as `chorus listen` reads them: WAV audio of any channel count
// (8/16/24/32-bit integer PCM, 32/64-bit IEEE float, plain or WAVE_FORMAT_EXTENSIBLE),
// NumPy .npy arrays (1-D, 2-D samples x axes, or a radar cube frames x rx x chirps x
// samples) and CSV tables of accelerometer samples. Everything becomes interleaved float
// samples in the file's own units; `resample` changes the rate with a windowed-sinc
// low-pass. Host only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace chorus::tools {

struct Recording {
  double rate_hz = 0.0;        // samples a second per channel; 0: the file does not say
  size_t channels = 1;         // interleaved channels (audio) or axes (accelerometer)
  std::vector<float> samples;  // frames x channels; WAV integer PCM scaled to [-1, 1)
  std::vector<size_t> shape;   // the array's shape (NPY); {frames, channels} otherwise
  std::string type;            // "pcm16", "pcm24", "pcm32", "pcm8", "float32", "float64", "int16", ...

  size_t frames() const { return channels == 0 ? 0 : samples.size() / channels; }
};

// A WAV file. Integer PCM becomes sample / 2^(bits-1) (so 16-bit values are exact as
// multiples of 1/32768); float WAVs are taken as they are.
bool read_wav_recording(const std::string& path, Recording* out, std::string* error);

// A NumPy .npy file (format 1.0-3.0, C order, little-endian '<f8', '<f4', '<i4', '<i2' or
// '|i1'), values as they are; `shape` keeps the array's dimensions, `channels` is the last
// dimension of a 2-D array (1 for 1-D).
bool read_npy_recording(const std::string& path, Recording* out, std::string* error);

// A CSV table: one row a sample, columns separated by commas, semicolons, tabs or spaces;
// a first row that is not all numbers names the columns. `columns` picks the columns by
// name (case-insensitive) when there is a header, and by 0-based position when `positions`
// is true; empty: every column. Lines starting with '#' and blank lines are skipped.
bool read_csv_recording(const std::string& path, const std::vector<std::string>& columns, bool positions, Recording* out,
                        std::string* error);

// The same from bytes already read (`path` names them in errors), for fuzzing and tests.
bool parse_wav_recording(const std::string& path, const std::vector<uint8_t>& bytes, Recording* out, std::string* error);
bool parse_npy_recording(const std::string& path, const std::vector<uint8_t>& bytes, Recording* out, std::string* error);
bool parse_csv_recording(const std::string& path, const std::string& text, const std::vector<std::string>& columns, bool positions,
                         Recording* out, std::string* error);

// `frames` frames of `channels` interleaved channels from `from_hz` to `to_hz`: a
// Kaiser-windowed sinc interpolator (beta 8.6, 32 zero crossings each side of the shorter
// period) whose cut-off is 0.9 of the lower Nyquist frequency, so downsampling removes
// what the new rate cannot hold instead of folding it. Equal rates copy.
std::vector<float> resample(const std::vector<float>& samples, size_t channels, double from_hz, double to_hz);

// The mean of the channels of each frame (a mono mix-down).
std::vector<float> mix_down(const std::vector<float>& samples, size_t channels);

}  // namespace chorus::tools
