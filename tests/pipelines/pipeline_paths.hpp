// Where the pipeline tests find the board, the trained models and ../shared. Tests that
// need a file fail (never skip) when it is missing.
#pragma once

#include <sys/stat.h>
#include <string>

#include <gtest/gtest.h>

namespace chorus::pipeline_test {

inline std::string shared(const std::string& rel) {
  return std::string(CHORUS_SHARED_DIR) + "/" + rel;
}
inline std::string source(const std::string& rel) {
  return std::string(CHORUS_SOURCE_DIR) + "/" + rel;
}
inline std::string board() {
  return source("dts/boards/psoc_edge_e84_ai.xml");
}

inline ::testing::AssertionResult exists(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << path << " is missing (the shared data and models must be present)";
}

}  // namespace chorus::pipeline_test
