#include "chorus/tools/file_record_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "chorus/tools/file.hpp"

namespace chorus::tools {

Status FileRecordStore::save(Span<const uint8_t> record) {
  const std::string tmp = path_ + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return Status::error(StatusCode::kFailedPrecondition, "%s: %s", tmp.c_str(), std::strerror(errno));
  size_t done = 0;
  while (done < record.size()) {
    const ssize_t n = ::write(fd, record.data() + done, record.size() - done);
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return Status::error(StatusCode::kFailedPrecondition, "%s: %s", tmp.c_str(), std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return Status::error(StatusCode::kFailedPrecondition, "%s: %s", tmp.c_str(), std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path_.c_str()) != 0)
    return Status::error(StatusCode::kFailedPrecondition, "%s: %s", path_.c_str(), std::strerror(errno));
  return Status::ok();
}

Result<size_t> FileRecordStore::load(Span<uint8_t> out) {
  std::vector<uint8_t> bytes;
  std::string error;
  if (::access(path_.c_str(), F_OK) != 0) return Status::error(StatusCode::kNotFound, "%s: no record saved", path_.c_str());
  if (!read_file(path_, &bytes, &error)) return Status::error(StatusCode::kFailedPrecondition, "%s", error.c_str());
  if (bytes.size() > out.size())
    return Status::error(StatusCode::kOutOfRange, "%s: the record has %zu bytes, the buffer %zu", path_.c_str(), bytes.size(), out.size());
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return bytes.size();
}

}  // namespace chorus::tools
