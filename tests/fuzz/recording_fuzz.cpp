// libFuzzer target: arbitrary bytes as the recordings `chorus listen` reads -- a WAV file, a
// NumPy .npy array and a CSV table (tools/lib recording.cpp). Whatever they hold, a reader
// either refuses them with a message or gives whole frames of finite samples.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chorus/tools/recording.hpp"

namespace {

void check(const chorus::tools::Recording& r) {
  if (r.channels == 0 || r.samples.size() % r.channels != 0) __builtin_trap();
  size_t product = 1;
  for (size_t d : r.shape) product *= d;
  if (!r.shape.empty() && product != r.samples.size()) __builtin_trap();
  for (float v : r.samples)
    if (!std::isfinite(v)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  std::string error;
  chorus::tools::Recording r;
  if (chorus::tools::parse_wav_recording("fuzz.wav", bytes, &r, &error)) check(r);
  else if (error.empty()) __builtin_trap();
  r = chorus::tools::Recording();
  error.clear();
  if (chorus::tools::parse_npy_recording("fuzz.npy", bytes, &r, &error)) check(r);
  else if (error.empty()) __builtin_trap();
  r = chorus::tools::Recording();
  error.clear();
  if (chorus::tools::parse_csv_recording("fuzz.csv", std::string(bytes.begin(), bytes.end()), {"x", "y", "z"}, false, &r, &error)) check(r);
  else if (error.empty()) __builtin_trap();
  return 0;
}
