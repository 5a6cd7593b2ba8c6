// Small string helpers for firmware code. equal_strings replaces std::strcmp(a, b) == 0:
// newlib's strcmp for Thumb-2 is about 730 bytes of word-at-a-time code, more than every
// name comparison in the runtime is worth (they run at load time, on short names).
#pragma once

namespace chorus {

// True when the NUL-terminated strings a and b are equal.
inline bool equal_strings(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

}  // namespace chorus
