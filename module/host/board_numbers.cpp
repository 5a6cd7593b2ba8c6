#include "board_numbers.hpp"

#include <cstring>

namespace chorus::board::host {
namespace {

const char* expected(NumberKind kind) {
  switch (kind) {
    case NumberKind::kSize:
      return "a size (decimal or 0x hex, optional K, M or G suffix)";
    case NumberKind::kFrequency:
      return "a frequency (whole number, optional Hz, kHz, MHz or GHz)";
    case NumberKind::kCount:
      return "a whole number (decimal or 0x hex)";
    case NumberKind::kMilli:
      return "a decimal number with at most three decimals";
  }
  return "a number";
}

bool times(uint64_t* v, uint64_t factor) {
  if (*v != 0 && factor > UINT64_MAX / *v) return false;
  *v *= factor;
  return true;
}

}  // namespace

bool parse_number(const char* text, NumberKind kind, uint64_t* out, std::string* why) {
  *why = expected(kind);
  if (text == nullptr) return false;
  const char* p = text;
  const bool hex_ok = kind == NumberKind::kSize || kind == NumberKind::kCount;
  const bool hex = hex_ok && p[0] == '0' && (p[1] == 'x' || p[1] == 'X');
  if (hex) p += 2;
  uint64_t v = 0;
  size_t digits = 0;
  for (;; ++p, ++digits) {
    unsigned d;
    if (*p >= '0' && *p <= '9')
      d = static_cast<unsigned>(*p - '0');
    else if (hex && *p >= 'a' && *p <= 'f')
      d = static_cast<unsigned>(*p - 'a' + 10);
    else if (hex && *p >= 'A' && *p <= 'F')
      d = static_cast<unsigned>(*p - 'A' + 10);
    else
      break;
    if (!times(&v, hex ? 16 : 10) || v + d < v) return false;
    v += d;
  }
  if (digits == 0) return false;
  if (kind == NumberKind::kMilli) {
    uint64_t fraction = 0;
    size_t decimals = 0;
    if (*p == '.') {
      for (++p; *p >= '0' && *p <= '9'; ++p, ++decimals) fraction = fraction * 10 + static_cast<uint64_t>(*p - '0');
      if (decimals == 0 || decimals > 3) return false;
    }
    for (size_t i = decimals; i < 3; ++i) fraction *= 10;
    if (!times(&v, 1000) || v + fraction < v) return false;  // 18446744073709551.999 must not wrap
    v += fraction;
  } else if (*p != '\0') {
    uint64_t factor = 0;
    if (kind == NumberKind::kSize) {
      factor = std::strcmp(p, "K") == 0   ? 1024
               : std::strcmp(p, "M") == 0 ? 1024 * 1024
               : std::strcmp(p, "G") == 0 ? uint64_t{1024} * 1024 * 1024
                                          : 0;
    } else if (kind == NumberKind::kFrequency) {
      factor = std::strcmp(p, "Hz") == 0    ? 1
               : std::strcmp(p, "kHz") == 0 ? 1000
               : std::strcmp(p, "MHz") == 0 ? 1000000
               : std::strcmp(p, "GHz") == 0 ? 1000000000
                                            : 0;
    }
    if (factor == 0 || !times(&v, factor)) return false;
    p += std::strlen(p);
  }
  if (*p != '\0') return false;
  *out = v;
  return true;
}

}  // namespace chorus::board::host
