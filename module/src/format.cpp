#include "chorus/module/format.hpp"

#include <cstdint>

namespace chorus {
namespace {

struct Sink {
  char* out;
  size_t capacity;
  size_t length = 0;
  void put(char c) {
    if (length + 1 < capacity) out[length] = c;
    ++length;
  }
};

void put_number(Sink& sink, unsigned long long value, bool negative, unsigned base, int width,
                bool zero_pad, bool left) {
  char digits[24];
  int n = 0;
  do {
    const unsigned d = static_cast<unsigned>(value % base);
    digits[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
    value /= base;
  } while (value != 0);
  int len = n + (negative ? 1 : 0);
  if (!left && !zero_pad)
    for (; width > len; --width) sink.put(' ');
  if (negative) sink.put('-');
  if (!left && zero_pad)
    for (; width > len; --width) sink.put('0');
  while (n > 0) sink.put(digits[--n]);
  if (left)
    for (; width > len; --width) sink.put(' ');
}

}  // namespace

size_t vformat_to(char* out, size_t capacity, const char* fmt, va_list args) {
  Sink sink{out, capacity};
  for (const char* p = fmt; *p != '\0'; ++p) {
    if (*p != '%') {
      sink.put(*p);
      continue;
    }
    ++p;
    bool zero_pad = false, left = false;
    for (; *p == '0' || *p == '-'; ++p) (*p == '0' ? zero_pad : left) = true;
    int width = 0;
    for (; *p >= '0' && *p <= '9'; ++p) width = width * 10 + (*p - '0');
    int longs = 0;
    bool size_t_arg = false;
    for (; *p == 'l'; ++p) ++longs;
    if (*p == 'z') {
      size_t_arg = true;
      ++p;
    }
    switch (*p) {
      case 'd':
      case 'i': {
        long long v = size_t_arg ? static_cast<long long>(va_arg(args, ptrdiff_t))
                      : longs >= 2 ? va_arg(args, long long)
                      : longs == 1 ? va_arg(args, long)
                                   : va_arg(args, int);
        const bool neg = v < 0;
        const unsigned long long mag =
            neg ? 0ULL - static_cast<unsigned long long>(v) : static_cast<unsigned long long>(v);
        put_number(sink, mag, neg, 10, width, zero_pad, left);
        break;
      }
      case 'u':
      case 'x': {
        unsigned long long v = size_t_arg ? va_arg(args, size_t)
                               : longs >= 2 ? va_arg(args, unsigned long long)
                               : longs == 1 ? va_arg(args, unsigned long)
                                            : va_arg(args, unsigned);
        put_number(sink, v, false, *p == 'x' ? 16u : 10u, width, zero_pad, left);
        break;
      }
      case 's': {
        const char* s = va_arg(args, const char*);
        if (s == nullptr) s = "(null)";
        // Only the width needs the length, and only up to the width: counting at most
        // `width` characters keeps GCC from turning the loop into a call to newlib's strlen
        // (about 220 bytes of firmware code).
        int len = 0;
        while (len < width && s[len] != '\0') ++len;
        if (!left)
          for (int w = width; w > len; --w) sink.put(' ');
        for (const char* c = s; *c != '\0'; ++c) sink.put(*c);
        if (left)
          for (int w = width; w > len; --w) sink.put(' ');
        break;
      }
      case 'c':
        sink.put(static_cast<char>(va_arg(args, int)));
        break;
      case '%':
        sink.put('%');
        break;
      case '\0':
        --p;
        break;
      default:
        sink.put('%');
        sink.put(*p);
        break;
    }
  }
  if (capacity > 0) out[sink.length < capacity ? sink.length : capacity - 1] = '\0';
  return sink.length < capacity ? sink.length : (capacity > 0 ? capacity - 1 : 0);
}

size_t format_to(char* out, size_t capacity, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  const size_t n = vformat_to(out, capacity, fmt, args);
  va_end(args);
  return n;
}

}  // namespace chorus
