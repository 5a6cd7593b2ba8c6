// The host's RecordStore: one file, replaced atomically (written to PATH.tmp, flushed, then
// renamed over PATH), so a crash mid-save leaves the previous record whole.
#pragma once

#include <string>

#include "chorus/module/record_store.hpp"

namespace chorus::tools {

class FileRecordStore final : public RecordStore {
 public:
  explicit FileRecordStore(std::string path) : path_(std::move(path)) {}
  Status save(Span<const uint8_t> record) override;
  Result<size_t> load(Span<uint8_t> out) override;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace chorus::tools
