// Hostile scenario files: every bad input gives one line naming the file and line, never a
// crash, a hang or a silently different scenario.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "chorus/tools/scenario.hpp"

namespace chorus::test {
namespace {

class ScenarioFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/chorus-scenario-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    model_ = std::string(CHORUS_SHARED_DIR) + "/models/ad01_int8.tflite";
  }
  void TearDown() override { (void)std::system(("rm -rf " + dir_).c_str()); }
  std::string write(const std::string& body) {
    const std::string path = dir_ + "/s.xml";
    std::ofstream(path) << body;
    return path;
  }
  // Loads `body`; expects a refusal whose message names `path:line` and has one line.
  std::string refused(const std::string& body, int line) {
    const std::string path = write(body);
    std::string error;
    EXPECT_EQ(tools::load_scenario(path, &error), nullptr) << body;
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_LT(error.size(), 300u) << error;
    EXPECT_EQ(error.rfind(path + ":" + std::to_string(line) + ":", 0), 0u) << error;
    return error;
  }
  std::string dir_, model_;
};

TEST_F(ScenarioFile, NumbersArePlainDecimalsAndWholeWhereCounted) {
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" period_ms=\"0x10\"><features cycles=\"10\"/></pipeline>\n</scenario>", 2)
                .find("period_ms=\"0x10\" is not a decimal number"),
            std::string::npos);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\"1e3\"><features cycles=\"10\"/></pipeline>\n</scenario>", 2);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\" 10\"><features cycles=\"10\"/></pipeline>\n</scenario>", 2);
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\" level=\"1.5\"><features cycles=\"10\"/></pipeline>\n</scenario>", 2)
                .find("level=\"1.5\" is not a whole number from 0 to 7"),
            std::string::npos);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\" priority=\"2.5\"><features cycles=\"10\"/></pipeline>\n</scenario>", 2);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\">\n<features steps=\"2.5\" cycles=\"10\"/></pipeline>\n</scenario>", 3);
}

TEST_F(ScenarioFile, DuplicatesAndIgnoredElementsAreRefused) {
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" name=\"b\" period_ms=\"10\"/>\n</scenario>", 2).find("repeated attribute"),
            std::string::npos);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\"><features cycles=\"10\"/>\n<features cycles=\"20\"/></pipeline>\n</scenario>",
          3);
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" model=\"" + model_ +
                        "\" period_ms=\"10\">\n<features cycles=\"20\"/></pipeline>\n</scenario>",
                    3)
                .find("has one"),
            std::string::npos);
  refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\"><features cycles=\"10\"/></pipeline>\n"
          "<pipeline name=\"a\" period_ms=\"10\"><features cycles=\"10\"/></pipeline>\n</scenario>",
          3);
}

TEST_F(ScenarioFile, LevelsAreAllFixedOrAllSearched) {
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\" level=\"0\"><features cycles=\"10\"/></pipeline>\n"
                    "<pipeline name=\"b\" period_ms=\"10\"><features cycles=\"10\"/></pipeline>\n</scenario>",
                    3)
                .find("give every pipeline a level, or none"),
            std::string::npos);
}

TEST_F(ScenarioFile, ModelPathsMustBeRegularFiles) {
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" model=\"" + dir_ + "\" period_ms=\"10\"/>\n</scenario>", 2).find("directory"),
            std::string::npos);
  EXPECT_NE(refused("<scenario>\n<pipeline name=\"a\" model=\"/dev/zero\" period_ms=\"10\"/>\n</scenario>", 2).find("not a regular file"),
            std::string::npos);
  refused("<scenario>\n<pipeline name=\"a\" model=\"missing.tflite\" period_ms=\"10\"/>\n</scenario>", 2);
}

TEST_F(ScenarioFile, NamesAreEscapedAndCut) {
  const std::string e = refused("<scenario>\n<pipeline name=\"a&#10;b&#27;[31m\" period_ms=\"10\"/>\n</scenario>", 2);
  EXPECT_NE(e.find("\\x0A"), std::string::npos) << e;
  EXPECT_EQ(e.find('\x1b'), std::string::npos) << e;
  // Every echoed value is escaped, enumerations included (found by the scenario fuzzer).
  const std::string o = refused("<scenario>\n<pipeline name=\"a\" period_ms=\"10\" overload=\"drop&#13;oldest\"/>\n</scenario>", 2);
  EXPECT_NE(o.find("\\x0D"), std::string::npos) << o;
  EXPECT_EQ(o.find('\r'), std::string::npos) << o;
  refused("<scenario name=\"a&#27;[2J\">\n<pipeline name=\"a\" period_ms=\"10\"/>\n</scenario>", 1);
  const std::string long_value(100000, 'x');
  const std::string cut = refused("<scenario>\n<pipeline name=\"a\" period_ms=\"" + long_value + "\"/>\n</scenario>", 2);
  EXPECT_LT(cut.size(), 300u);
}

TEST_F(ScenarioFile, WhatIsNotAScenarioFileIsOneLine) {
  std::string error;
  EXPECT_EQ(tools::load_scenario(dir_, &error), nullptr);
  EXPECT_NE(error.find("is a directory"), std::string::npos) << error;
  EXPECT_EQ(tools::load_scenario("/dev/zero", &error), nullptr);
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  const std::string fifo = dir_ + "/fifo";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(tools::load_scenario(fifo, &error), nullptr);  // refused without blocking on the FIFO
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;
  const std::string big = write(std::string(2 << 20, ' '));
  EXPECT_EQ(tools::load_scenario(big, &error), nullptr);
  EXPECT_NE(error.find("more than the 1048576 allowed"), std::string::npos) << error;
  const std::string garbage = write(std::string("\x01\x02garbage<<>>"));
  EXPECT_EQ(tools::load_scenario(garbage, &error), nullptr);
  EXPECT_EQ(error.find("XML_ERROR"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
