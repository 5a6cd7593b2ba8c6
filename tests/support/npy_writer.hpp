// Writes a NumPy .npy file (format 1.0: magic, header length, a dict literal padded to a
// multiple of 64 bytes, then C-order little-endian data), for tests that feed recordings
// to the CLI.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "chorus/tools/file.hpp"

namespace chorus::test {

// `descr` "<f4", "<i2", ...; `shape` as NumPy gives it; `data` the elements' bytes.
inline bool write_npy(const std::string& path, const char* descr, const std::vector<size_t>& shape, const void* data, size_t bytes,
                      std::string* error) {
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims = dims.substr(0, dims.size() - 2);
  else if (!shape.empty())
    dims = dims.substr(0, dims.size() - 1);  // (n,)
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::vector<uint8_t> b = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size()),
                            static_cast<uint8_t>(header.size() >> 8)};
  b.insert(b.end(), header.begin(), header.end());
  const size_t at = b.size();
  b.resize(at + bytes);
  if (bytes > 0) std::memcpy(b.data() + at, data, bytes);
  return tools::write_file(path, b.data(), b.size(), error);
}

}  // namespace chorus::test
