#include "chorus/tools/file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "chorus/module/host/input_file.hpp"

namespace chorus::tools {

AlignedBytes::AlignedBytes(size_t size) : storage_(new uint8_t[size + 16]()), size_(size) {
  const uintptr_t p = reinterpret_cast<uintptr_t>(storage_.get());
  data_ = storage_.get() + ((16 - p % 16) % 16);
}

bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error) {
  return host::check_input_file(path, max_bytes, error);
}

namespace {
template <class Sink>
bool read_into(const std::string& path, Sink sink, std::string* error, uint64_t max_bytes) {
  if (!check_input_file(path, max_bytes, error)) return false;
  max_bytes = host::max_input_bytes(max_bytes);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  std::fseek(f, 0, SEEK_END);
  const long size = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  if (size < 0 || static_cast<uint64_t>(size) > max_bytes) {
    std::fclose(f);
    *error = path + (size < 0 ? ": cannot determine size" : ": grew beyond the size allowed while being read");
    return false;
  }
  uint8_t* dst = sink(static_cast<size_t>(size));
  const size_t got = size == 0 ? 0 : std::fread(dst, 1, static_cast<size_t>(size), f);
  std::fclose(f);
  if (got != static_cast<size_t>(size)) {
    *error = path + ": short read";
    return false;
  }
  return true;
}
}  // namespace

bool read_file(const std::string& path, AlignedBytes* out, std::string* error, uint64_t max_bytes) {
  return read_into(
      path,
      [&](size_t n) {
        *out = AlignedBytes(n);
        return out->data();
      },
      error, max_bytes);
}

bool read_file(const std::string& path, std::vector<uint8_t>* out, std::string* error, uint64_t max_bytes) {
  return read_into(
      path,
      [&](size_t n) {
        out->assign(n, 0);
        return out->data();
      },
      error, max_bytes);
}

std::FILE* open_output(const std::string& path, std::string* error) {
  // O_NONBLOCK: opening a FIFO without a reader fails (ENXIO) instead of waiting forever.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0644);
  if (fd < 0) {
    *error = path + (errno == ENXIO ? std::string(": a FIFO nobody reads") : ": " + std::string(std::strerror(errno)));
    return nullptr;
  }
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) (void)::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  std::FILE* f = ::fdopen(fd, "wb");
  if (f == nullptr) {
    *error = path + ": " + std::strerror(errno);
    ::close(fd);
  }
  return f;
}

bool write_file(const std::string& path, const uint8_t* data, size_t size, std::string* error) {
  std::FILE* f = open_output(path, error);
  if (f == nullptr) return false;
  const size_t put = size == 0 ? 0 : std::fwrite(data, 1, size, f);
  const bool ok = std::fclose(f) == 0 && put == size;
  if (!ok) *error = path + ": write failed";
  return ok;
}

}  // namespace chorus::tools
