// `chorus embed`: the model as C++ source with a resolver of only the kernels it uses.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "support/golden.hpp"

namespace chorus::test {
namespace {

struct EmbedRun {
  int exit_code = -1;
  std::string out;
};

EmbedRun embed(const std::string& args) {
  EmbedRun r;
  const std::string cmd = std::string(CHORUS_CLI) + " embed " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(Embed, ListsOnlyTheKernelsTheModelUses) {
  const std::string out = ::testing::TempDir() + "chorus_embed_kws.cpp";
  EmbedRun r = embed(model_path("kws_ref_model") + " --name kws --out " + out + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("\"kernels\":[\"kConv2d\",\"kDepthwiseConv2d\",\"kAveragePool2d\",\"kReshape\",\"kFullyConnected\","
                       "\"kSoftmax\"]"),
            std::string::npos)
      << r.out;
  const std::string src = slurp(out);
  EXPECT_NE(src.find("alignas(16) const uint8_t kws_model[53936]"), std::string::npos);
  EXPECT_NE(src.find(".chorus_weights.kws"), std::string::npos);
  EXPECT_NE(src.find("kResolver(kKernels, 6)"), std::string::npos);
  EXPECT_EQ(src.find("kSvdf"), std::string::npos);
}

TEST(Embed, ArrayHoldsTheModelByteForByte) {
  const std::string out = ::testing::TempDir() + "chorus_embed_ad01.cpp";
  EmbedRun r = embed(model_path("ad01_int8") + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::vector<uint8_t> model;
  ASSERT_TRUE(read_bytes(model_path("ad01_int8"), &model));
  const std::string src = slurp(out);
  const size_t start = src.find("ad01_int8_model[");
  ASSERT_NE(start, std::string::npos);
  std::vector<uint8_t> parsed;
  const size_t end = src.find("};", start);
  for (size_t at = src.find("0x", start); at != std::string::npos && at < end; at = src.find("0x", at + 4))
    parsed.push_back(static_cast<uint8_t>(std::stoul(src.substr(at, 4), nullptr, 16)));
  ASSERT_EQ(parsed.size(), model.size());
  EXPECT_TRUE(parsed == model);
  std::printf("[ embed    ] ad01_int8: %zu bytes compared\n", parsed.size());
}

TEST(Embed, BadArgumentsAreOneLineErrors) {
  EmbedRun r = embed(model_path("kws_ref_model") + " --name 9lives");
  EXPECT_EQ(r.exit_code, 2);  // usage
  EXPECT_NE(r.out.find("must be a letter then letters, digits or _"), std::string::npos) << r.out;
  r = embed("/nonexistent/model.tflite");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("chorus embed:"), std::string::npos) << r.out;
  r = embed("");
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace chorus::test
