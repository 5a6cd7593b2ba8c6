// Hand-built Ethos-U driver payloads for the command-stream and register-state tests:
// "COP1", a configuration (U55 or U65, log2 MACs, 24 KiB SHRAM), the ID (architecture
// 1.0.6), NOPs to 16 bytes, the command-stream tag, then the commands, as little-endian bytes.
#pragma once

#include <cstdint>
#include <vector>

namespace chorus::runtime::ethosu {

inline std::vector<uint8_t> words_to_bytes(const std::vector<uint32_t>& words) {
  std::vector<uint8_t> b;
  for (uint32_t w : words)
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(w >> (8 * i)));
  return b;
}

inline std::vector<uint32_t> payload(const std::vector<uint32_t>& commands, uint32_t log2_macs = 7, uint32_t product = 0) {
  std::vector<uint32_t> w = {0x31504F43, 0x01 | (0x10 << 16), (product << 28) | (24u << 8) | log2_macs, (1u << 28) | (0u << 20) | (6u << 16)};
  while ((w.size() + 1) % 4 != 0) w.push_back(0x05);
  w.push_back(0x02 | (static_cast<uint32_t>(commands.size() & 0xFFFF) << 16) | (static_cast<uint32_t>(commands.size() >> 16) << 8));
  w.insert(w.end(), commands.begin(), commands.end());
  return w;
}

}  // namespace chorus::runtime::ethosu
