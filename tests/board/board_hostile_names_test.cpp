// Artefacts that cannot be broken by names (issue 12): one identifier policy for the board
// header, the devicetree overlay, the ld fragment and `chorus embed`
// (chorus/module/host/identifiers.hpp). Names a board author chose that the artefacts
// cannot carry are refused with one line; names derived from file names are mangled the
// same way everywhere; symbols that would collide after mangling (partitions "a" and
// "a_end", an area named like a generated one) are made unique; descriptions and paths are
// escaped. Every artefact is checked by the tool that consumes it.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>

#include "board_test_util.hpp"
#include "chorus/module/host/identifiers.hpp"

namespace chorus::test {
namespace {

// mps3_an547 with hostile names that are still allowed: partitions close to the generated
// areas' symbols, a sensor named like the scratch area, a region in mixed case, and a
// description that tries to end the comment, splice lines, inject a directive and colour
// the terminal.
const char kHostileBoard[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<board name="hostile_board" vendor="x" description="line one&#10;#define int long\ */ #error &#27;[31mred&#27;[0m tail\">
  <cpu core="cortex-m55" clock="32MHz" features="fpu dsp mve">
    <cost lanes="16" step="1310">
      <kind name="conv" op="0.5" vector="3.623" row="72.56" output="13.45" channel="150.37"/>
      <kind name="depthwise" op="1782.352" mac="0.798" row="133.571" output="9.618" channel="582.141"/>
      <kind name="fully-connected" op="559.547" output="24.402" channel="17.611"/>
      <kind name="svdf" op="9494.315" mac="1.692" output="28.543"/>
      <kind name="pool" op="300"/>
      <kind name="elementwise" op="5691.507" mac="3.24" byte="1.49"/>
      <kind name="other" op="585.262"/>
    </cost>
  </cpu>
  <memory name="itcm" base="0x00000000" size="512K" kind="itcm" access="cpu" speed="100"/>
  <memory name="Dtcm" base="0x20000000" size="512K" kind="dtcm" access="cpu" speed="100" reserved="64K"/>
  <memory name="isram" base="0x21000000" size="4M" kind="sram" access="cpu npu dma" cacheable="true" speed="80"/>
  <memory name="qspi" base="0x28000000" size="8M" kind="flash" access="cpu npu dma" cacheable="true" speed="20"/>
  <npu type="ethos-u55" macs-per-cycle="128" clock="32MHz" base="0x48102000" irq="56" command-alignment="16" tensor-alignment="16"/>
  <sensor name="mic" type="microphone" bus="i2s" rate="16000" buffer="4K" region="isram"/>
  <sensor name="scratch" type="radar" bus="spi" rate="20" buffer="2K" region="isram"/>
  <arena regions="Dtcm isram" alignment="16" weights="qspi">
    <partition name="a" level="0" size="96K" region="isram" npu="true"/>
    <partition name="End" level="1" size="96K" region="isram" npu="true"/>
    <partition name="scratch_pad" level="2" size="96K" region="isram" npu="true"/>
    <partition name="level" level="3" size="96K" region="isram" npu="true"/>
    <partition name="Weights" level="4" size="16K" region="isram" npu="true"/>
  </arena>
</board>
)";

// The shared model under hostile file names: a dash, a leading digit, a keyword, two dots.
const char* const kModelFiles[] = {"hello-v2.tflite", "2fast.tflite", "int.tflite", "a.b.tflite"};

// One directory per test: ctest runs the tests of this file in parallel processes.
std::string hostile_dir() {
  return temp_path(std::string("hostile_") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
}

std::string hostile_board() {
  run("mkdir -p " + hostile_dir());
  const std::string path = hostile_dir() + "/board.xml";
  write_text(path, kHostileBoard);
  return path;
}

std::string hostile_models() {
  std::string list;
  for (const char* f : kModelFiles) {
    const std::string path = hostile_dir() + "/" + f;
    EXPECT_EQ(run("cp " + shared_model("kws_ref_model") + " " + path).exit_code, 0);
    list += (list.empty() ? "" : ",") + path;
  }
  return list;
}

std::string emit_hostile(const std::string& kind, const std::string& out_name) {
  const std::string board = hostile_board();
  const std::string models = hostile_models();
  const std::string out = hostile_dir() + "/" + out_name;
  ToolRun r = run(std::string(CHORUS_CLI) + " board " + board + " --emit " + kind + " --models " + models + " --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return out;
}

TEST(Identifiers, ManglingIsOnePolicy) {
  EXPECT_EQ(host::model_identifier("models/hello-v2.tflite"), "hello_v2");
  EXPECT_EQ(host::model_identifier("2fast.tflite"), "m_2fast");
  EXPECT_EQ(host::model_identifier("int.tflite"), "int_");
  EXPECT_EQ(host::model_identifier("a.b.tflite"), "a_b");
  EXPECT_EQ(host::model_identifier("x/--__y.tflite"), "m_y");
  EXPECT_EQ(host::model_identifier("INT32_MAX.tflite"), "INT32_MAX_");
  EXPECT_EQ(host::model_identifier(".tflite"), "m_tflite");
  for (const char* word : {"class", "NULL", "offsetof", "UINT_LEAST8_MAX", "INTMAX_C", "origin", "NOLOAD", "a__b", "_X"})
    EXPECT_NE(host::reserved_identifier_reason(word), nullptr) << word;
  for (const char* word : {"sram", "dtcm", "kws", "origin2", "mic_in"})
    EXPECT_EQ(host::reserved_identifier_reason(word), nullptr) << word;
  EXPECT_NE(host::reserved_region_reason("Arena"), nullptr);
  EXPECT_NE(host::reserved_region_reason("npu"), nullptr);
  EXPECT_EQ(host::comment_text("a\nb\\*/\x1b"), "a\\x0ab\\x5c*\\x2f\\x1b");
  EXPECT_EQ(host::comment_text(std::string(300, 'x'), 10), std::string(10, 'x') + "...");
}

// Only #pragma, #include, #ifndef, #define and #endif; no line a description could open.
TEST(BoardHostileNames, HeaderHasOnlyItsOwnDirectivesAndCompiles) {
  const std::string header = emit_hostile("header", "hostile.hpp");
  const std::string text = read_text(header);
  std::istringstream lines(text);
  int directives = 0;
  for (std::string line; std::getline(lines, line);) {
    const size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] != '#') continue;
    ++directives;
    EXPECT_TRUE(std::regex_search(line.substr(first), std::regex("^#(pragma|include|ifndef|define|endif)\\b"))) << line;
  }
  EXPECT_GE(directives, 2);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find("\\\n"), std::string::npos);  // no line splice out of a // comment
  const std::string user = hostile_dir() + "/user.cpp";
  write_text(user, "#include \"" + header +
                       "\"\nnamespace b = chorus::boards::hostile_board;\n"
                       "static_assert(sizeof(b::kArenaAreas) / sizeof(b::kArenaAreas[0]) >= 5, \"areas\");\n"
                       "const chorus::board::Board* board() { return &b::kBoard; }\n");
  ToolRun r = run(std::string(CHORUS_CXX) + " -std=c++17 -Wall -Wextra -Werror -I" + CHORUS_SOURCE_DIR + "/module/include -c " +
                  user + " -o " + hostile_dir() + "/user.o");
  EXPECT_EQ(r.exit_code, 0) << r.out;
}

TEST(BoardHostileNames, OverlayHasNoHeaderAndCompilesWithDtc) {
  ASSERT_TRUE(have_tool("dtc")) << "dtc not found (Debian package device-tree-compiler; scripts/setup.sh installs it)";
  const std::string overlay = read_text(emit_hostile("dts", "hostile.overlay"));
  EXPECT_EQ(overlay.find("/dts-v1/"), std::string::npos);
  const std::string dts = hostile_dir() + "/wrapped.dts";
  write_text(dts,
             "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
             "\tnvic: interrupt-controller@e000e100 {\n\t\treg = <0xe000e100 0xc00>;\n"
             "\t\tinterrupt-controller;\n\t\t#interrupt-cells = <2>;\n\t\t#address-cells = <0>;\n\t};\n};\n\n" +
                 overlay);
  ToolRun r = run("dtc -I dts -O dtb -o /dev/null " + dts);
  EXPECT_EQ(r.exit_code, 0) << r.out << overlay;
  EXPECT_EQ(r.out, "") << overlay;  // no warnings (duplicate node names or labels would be errors)
}

// Every __chorus_* symbol defined once; the fragment links with `chorus embed`'s objects for
// the four models (default names) and each model's array lands at its planned address.
TEST(BoardHostileNames, LinkerFragmentDefinesEachSymbolOnceAndPlacesEmbeddedWeights) {
  const std::string fragment = emit_hostile("ld", "hostile.ld");
  const std::string text = read_text(fragment);
  std::map<std::string, int> definitions;
  const std::regex def("(__chorus_[A-Za-z0-9_]+) = \\.;");
  for (std::sregex_iterator it(text.begin(), text.end(), def), end; it != end; ++it) ++definitions[(*it)[1]];
  EXPECT_GE(definitions.size(), 20u);
  for (const auto& [symbol, count] : definitions) EXPECT_EQ(count, 1) << symbol;
  for (const char* id : {"hello_v2", "m_2fast", "int_", "a_b"})
    EXPECT_NE(text.find(std::string("KEEP(*(.chorus_weights.") + id + "))"), std::string::npos) << id << "\n" << text;

  const bool cross = have_tool("arm-none-eabi-g++") && have_tool("arm-none-eabi-ld");
  if (!cross) GTEST_SKIP() << "arm-none-eabi-g++/ld not installed (Debian gcc-arm-none-eabi): text checks only";
  std::string objects;
  for (const char* f : kModelFiles) {
    const std::string cpp = hostile_dir() + "/" + f + ".cpp";
    ToolRun e = run(std::string(CHORUS_CLI) + " embed " + hostile_dir() + "/" + f + " --out " + cpp);
    ASSERT_EQ(e.exit_code, 0) << e.out;
    const std::string o = cpp + ".o";
    ToolRun c = run(std::string("arm-none-eabi-g++ -std=c++17 -mthumb -mcpu=cortex-m55 -fno-exceptions -fno-rtti -I") +
                    CHORUS_SOURCE_DIR + "/module/include -I" + CHORUS_SOURCE_DIR + "/runtime/include -c " + cpp + " -o " + o);
    ASSERT_EQ(c.exit_code, 0) << c.out;
    objects += " " + o;
  }
  const std::string script = hostile_dir() + "/link.ld";
  write_text(script, "INCLUDE " + fragment + "\n");
  const std::string elf = hostile_dir() + "/hostile.elf";
  // The kernels and the C++ runtime are not linked: only placement is checked here.
  ToolRun l = run("arm-none-eabi-ld --unresolved-symbols=ignore-all -T " + script + objects + " -o " + elf);
  ASSERT_EQ(l.exit_code, 0) << l.out;
  ToolRun nm = run("arm-none-eabi-nm " + elf);
  auto address = [&](const std::string& name) {
    const std::regex line("([0-9a-f]{8}) [A-Za-z] " + name + "\n");
    std::smatch m;
    return std::regex_search(nm.out, m, line) ? m[1].str() : std::string("missing");
  };
  for (const char* id : {"hello_v2", "m_2fast", "int_", "a_b"}) {
    EXPECT_NE(address(std::string(id) + "_model"), "missing") << nm.out;
    EXPECT_EQ(address(std::string(id) + "_model"), address(std::string("__chorus_weights_") + id)) << id << "\n" << nm.out;
  }
}

// The human-facing artefacts: the SVG stays well-formed XML, the report prints no escape.
TEST(BoardHostileNames, ReportAndSvgEscapeTheDescription) {
  ASSERT_TRUE(have_tool("xmllint")) << "xmllint not found (libxml2-utils)";
  const std::string svg = emit_hostile("svg", "hostile.svg");
  ToolRun r = run("xmllint --noout " + svg);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string report = read_text(emit_hostile("report", "hostile.txt"));
  EXPECT_EQ(report.find('\x1b'), std::string::npos);
  EXPECT_NE(report.find("line one\\x0a#define int long"), std::string::npos) << report;
}

// Names the artefacts cannot carry: one line, exit 1, naming the file and line.
TEST(BoardHostileNames, ReservedNamesAreRefusedWithOneLine) {
  const std::string base = read_text(boards_dir() + "/mps3_an547.xml");
  struct Case {
    std::string from, to, expect;
  };
  const Case cases[] = {
      {"<board name=\"mps3_an547\"", "<board name=\"class\"", "board name 'class' is a C++ keyword"},
      {"<board name=\"mps3_an547\"", "<board name=\"INT32_MAX\"", "board name 'INT32_MAX' is a macro of <stdint.h>"},
      {"<board name=\"mps3_an547\"", "<board name=\"NULL\"", "is a macro of <stdint.h> or <stddef.h>"},
      {"name=\"ddr\"", "name=\"origin\"", "region name 'origin' is a GNU ld script keyword"},
      {"name=\"ddr\"", "name=\"NOLOAD\"", "region name 'NOLOAD' is a GNU ld script keyword"},
      {"name=\"ddr\"", "name=\"arena\"", "region name 'arena' is used by the generated devicetree"},
      {"name=\"ddr\"", "name=\"x__y\"", "reserved in C++"},
      {"<arena ", "<sensor name=\"MIC\" type=\"radar\" bus=\"spi\" rate=\"20\" buffer=\"2K\" region=\"isram\"/>\n  <arena ",
       "sensor name 'MIC' is used twice"},
      // Partitions: the "_end" symbols, generated areas' symbols, names that differ in case.
      {"weights=\"qspi\"/>", "weights=\"qspi\"><partition name=\"a_end\" level=\"0\" size=\"1K\"/></arena>",
       "partition name 'a_end' is reserved: the ld fragment defines __chorus_<name>_end"},
      {"weights=\"qspi\"/>", "weights=\"qspi\"><partition name=\"weights_kws\" level=\"0\" size=\"1K\"/></arena>",
       "partition name 'weights_kws' is reserved: weights_*"},
      {"weights=\"qspi\"/>", "weights=\"qspi\"><partition name=\"level2\" level=\"0\" size=\"1K\"/></arena>",
       "partition name 'level2' is reserved: level<N>"},
      {"weights=\"qspi\"/>", "weights=\"qspi\"><partition name=\"scratch\" level=\"0\" size=\"1K\"/></arena>",
       "partition name 'scratch' is reserved"},
      {"weights=\"qspi\"/>",
       "weights=\"qspi\"><partition name=\"p\" level=\"0\" size=\"1K\"/><partition name=\"P\" level=\"1\" size=\"1K\"/></arena>",
       "partition name 'P' is used twice (names are compared ignoring case)"},
      {"weights=\"qspi\"/>", "weights=\"qspi\"><partition name=\"int\" level=\"0\" size=\"1K\"/></arena>",
       "partition name 'int' is a C++ keyword"},
  };
  for (const Case& c : cases) {
    const std::string path = temp_path("reserved.xml");
    write_text(path, replaced(base, c.from, c.to));
    ToolRun r = run(std::string(CHORUS_CLI) + " board " + path + " --emit header");
    EXPECT_EQ(r.exit_code, 1) << c.to << "\n" << r.out;
    EXPECT_NE(r.out.find(c.expect), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(path + ":"), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  }
}

TEST(BoardHostileNames, ModelsWhoseIdentifiersCollideAreRefused) {
  run("mkdir -p " + hostile_dir() + "/x " + hostile_dir() + "/y");
  const std::string a = hostile_dir() + "/x/m-1.tflite", b = hostile_dir() + "/y/m_1.tflite";
  ASSERT_EQ(run("cp " + shared_model("kws_ref_model") + " " + a + " && cp " + shared_model("kws_ref_model") + " " + b).exit_code, 0);
  ToolRun r = run(std::string(CHORUS_CLI) + " board " + boards_dir() + "/mps3_an547.xml --emit ld --models " + a + "," + b);
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("both have the identifier 'm_1'"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  ToolRun e = run(std::string(CHORUS_CLI) + " embed " + a + " --name class");
  EXPECT_EQ(e.exit_code, 2) << e.out;  // a usage error
  EXPECT_NE(e.out.find("--name 'class' is a C++ keyword"), std::string::npos) << e.out;
}

}  // namespace
}  // namespace chorus::test
