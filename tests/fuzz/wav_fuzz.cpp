// libFuzzer target: arbitrary bytes as a WAV file (drivers/sim wav_file).
#include <cstddef>
#include <cstdint>

#include "chorus/drivers/sim/wav_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  chorus::Result<chorus::drivers::sim::WavAudio> wav = chorus::drivers::sim::parse_wav("fuzz.wav", data, size);
  if (wav.is_ok() && wav->channels != 0 && wav->samples.size() % wav->channels != 0) __builtin_trap();
  return 0;
}
