// libFuzzer target: arbitrary bytes as the FlexBuffers map of a custom operator's options
// (runtime/kernels/flexbuffer_reader), read with the keys the signal kernels use.
#include <cstddef>
#include <cstdint>

#include "flexbuffer_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using chorus::runtime::flexbuffer::Map;
  Map map;
  if (!Map::parse(chorus::Span<const uint8_t>(data, size), &map).is_ok()) return 0;
  for (size_t i = 0; i <= map.size(); ++i) (void)map.key(i);
  static const char* kKeys[] = {"num_channels", "fft_length", "input_size", "scale_bits", "alpha", "spectral", "a", ""};
  for (const char* k : kKeys) {
    int64_t v = 0;
    bool b = false;
    (void)map.contains(k);
    (void)map.get_int(k, INT64_MIN, INT64_MAX, &v);
    (void)map.get_int(k, 0, 255, &v);
    (void)map.get_bool(k, &b);
  }
  return 0;
}
