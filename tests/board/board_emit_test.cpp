// The artefacts compile with the tools that consume them: the header with the host C++
// compiler (and arm-none-eabi-g++ when installed), the overlay with dtc, the linker
// fragment with arm-none-eabi-ld (or, without it, the host ld); and `chorus board` end to end.
#include <gtest/gtest.h>

#include <algorithm>

#include <cstring>

#include "board_test_util.hpp"

namespace chorus::test {
namespace {

std::string models() {
  return shared_model("micro_speech_quantized") + "," + shared_model("kws_ref_model") + "," + shared_model("ad01_int8");
}

std::string board_file(const std::string& name) {
  return boards_dir() + "/" + name + ".xml";
}

// Runs `chorus board BOARD --emit KIND [--models ...] --out FILE`; returns FILE.
std::string emit(const std::string& board, const std::string& kind, bool with_models, const std::string& out_name) {
  const std::string out = temp_path(out_name);
  ToolRun r = run(std::string(CHORUS_CLI) + " board " + board + " --emit " + kind + (with_models ? " --models " + models() : "") +
                  " --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  return out;
}

std::string board_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return path.substr(slash + 1, path.size() - slash - 5);
}

// A translation unit that includes the header and checks a few values at compile time.
std::string header_user(const std::string& header, const std::string& name) {
  const std::string cpp = temp_path(name + "_user.cpp");
  write_text(cpp,
             "#include \"" + header +
                 "\"\n"
                 "namespace b = chorus::boards::" +
                 name +
                 ";\n"
                 "static_assert(b::kBoard.num_regions == sizeof(b::kRegions) / sizeof(b::kRegions[0]), \"regions\");\n"
                 "static_assert(b::kBoard.arena.num_regions >= 1, \"arena\");\n"
                 "static_assert(b::kArenaBytes <= b::kOneArenaPerModelBytes || b::kOneArenaPerModelBytes == 0, \"saving\");\n"
                 "const chorus::board::Board* chorus_board_" +
                 name + "() { return &b::kBoard; }\n");
  return cpp;
}

TEST(BoardEmit, HeaderCompilesWithTheHostCompiler) {
  for (const std::string& path : shipped_boards()) {
    const std::string name = board_name(path);
    const std::string header = emit(path, "header", name == "mps3_an547", name + ".hpp");
    ToolRun r = run(std::string(CHORUS_CXX) + " -std=c++17 -Wall -Wextra -Wconversion -Werror -I" + CHORUS_SOURCE_DIR +
                    "/module/include -c " + header_user(header, name) + " -o " + temp_path(name + ".o"));
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
  }
}

TEST(BoardEmit, HeaderCompilesForCortexMFreestanding) {
  if (!have_tool("arm-none-eabi-g++")) GTEST_SKIP() << "arm-none-eabi-g++ not installed (Debian gcc-arm-none-eabi)";
  const std::pair<const char*, const char*> targets[] = {
      {"mps3_an547", "-mcpu=cortex-m55"},       {"mps2_an385", "-mcpu=cortex-m3"},
      {"stm32f746g_disco", "-mcpu=cortex-m7"},  {"arduino_nano33_ble_sense", "-mcpu=cortex-m4"},
      {"nrf5340dk_cpuapp", "-mcpu=cortex-m33"}, {"alif_e7_hp", "-mcpu=cortex-m55"},
      {"psoc_edge_e84_ai", "-mcpu=cortex-m55"}};
  for (const auto& [name, cpu] : targets) {
    const std::string header = emit(board_file(name), "header", true, std::string(name) + "_m.hpp");
    ToolRun r = run(std::string("arm-none-eabi-g++ -std=c++17 -mthumb ") + cpu +
                    " -ffreestanding -fno-exceptions -fno-rtti -Wall -Wextra -Werror -I" + CHORUS_SOURCE_DIR +
                    "/module/include -c " + header_user(header, name) + " -o " + temp_path(std::string(name) + "_m.o"));
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
  }
}

TEST(BoardEmit, OverlayCompilesWithDtc) {
  ASSERT_TRUE(have_tool("dtc")) << "dtc not found (Debian package device-tree-compiler; scripts/setup.sh installs it)";
  for (const std::string& path : shipped_boards()) {
    const std::string name = board_name(path);
    const std::string overlay = read_text(emit(path, "dts", true, name + ".overlay"));
    EXPECT_NE(overlay.find("compatible = \"zephyr,memory-region\";"), std::string::npos) << name;
    EXPECT_NE(overlay.find("compatible = \"chorus,arena\";"), std::string::npos) << name;
    // A minimal root like a board's devicetree provides: cells and the NVIC the NPU's
    // interrupt-parent points at.
    const std::string dts = temp_path(name + "_wrapped.dts");
    write_text(dts,
               "/dts-v1/;\n/ {\n\t#address-cells = <1>;\n\t#size-cells = <1>;\n"
               "\tnvic: interrupt-controller@e000e100 {\n\t\treg = <0xe000e100 0xc00>;\n"
               "\t\tinterrupt-controller;\n\t\t#interrupt-cells = <2>;\n\t\t#address-cells = <0>;\n\t};\n};\n\n" +
                   overlay);
    ToolRun r = run("dtc -q -I dts -O dtb -o " + temp_path(name + ".dtb") + " " + dts);
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
    // dtc without -q: no warnings either.
    ToolRun warnings = run("dtc -I dts -O dtb -o /dev/null " + dts);
    EXPECT_EQ(warnings.out, "") << name;
  }
  const std::string an547 = read_text(temp_path("mps3_an547.overlay"));
  EXPECT_NE(an547.find("compatible = \"arm,ethos-u\";"), std::string::npos);
  EXPECT_NE(an547.find("reg = <0x48102000>;"), std::string::npos);
  EXPECT_NE(an547.find("zephyr,memory-region = \"ISRAM\";"), std::string::npos);
  EXPECT_NE(an547.find("address = <0x21002750>;"), std::string::npos);  // level 1, as in board_layout_test
}

struct Linker {
  std::string ld, as, cc, nm, which;
};

Linker pick_linker() {
  if (have_tool("arm-none-eabi-ld")) {
    return {"arm-none-eabi-ld", "arm-none-eabi-as",
            have_tool("arm-none-eabi-gcc") ? "arm-none-eabi-gcc -mthumb -mcpu=cortex-m55" : "", "arm-none-eabi-nm",
            "arm-none-eabi-ld (cross linker)"};
  }
  return {"ld", "as", "cc", "nm", "host ld (no arm-none-eabi-ld installed): syntax and addresses only"};
}

TEST(BoardEmit, LinkerFragmentLinks) {
  const Linker l = pick_linker();
  RecordProperty("linker", l.which);
  std::printf("[ linker   ] %s\n", l.which.c_str());
  ASSERT_TRUE(have_tool(l.ld)) << "no linker at all";
  for (const std::string& path : shipped_boards()) {
    const std::string name = board_name(path);
    const std::string fragment = emit(path, "ld", true, name + ".ld");
    const std::string script = temp_path(name + "_test.ld");
    write_text(script, "INCLUDE " + fragment + "\n");
    const std::string empty = temp_path("empty.o");
    ASSERT_EQ(run(l.as + " /dev/null -o " + empty).exit_code, 0);
    ToolRun r = run(l.ld + " -T " + script + " " + empty + " -o " + temp_path(name + ".elf"));
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out;
  }
  ToolRun nm = run(l.nm + " " + temp_path("mps3_an547.elf"));
  EXPECT_NE(nm.out.find("21002750 B __chorus_level1"), std::string::npos) << nm.out;
  // The scratch area follows kws_ref_model's persistent area in DTCM; both sizes follow
  // the kernels' measurements, so compare the two symbols instead of a fixed address.
  auto symbol = [&](const std::string& name) {
    const size_t at = nm.out.find(" B " + name + "\n");
    return at == std::string::npos || at < 8 ? std::string("?") : nm.out.substr(at - 8, 8);
  };
  EXPECT_NE(symbol("__chorus_scratch"), "?") << nm.out;
  // Largest first: the two DTCM areas are adjacent, in the order of their sizes (the scratch
  // is the M55's Helium kernels', planned for the board's own core).
  EXPECT_TRUE(symbol("__chorus_scratch") == symbol("__chorus_persistent_kws_ref_model_end") ||
              symbol("__chorus_scratch_end") == symbol("__chorus_persistent_kws_ref_model"))
      << nm.out;
}

TEST(BoardEmit, LinkerFragmentPlacesWeightsAndCatchesOversizedOnes) {
  const Linker l = pick_linker();
  if (l.cc.empty()) GTEST_SKIP() << "arm-none-eabi-ld without arm-none-eabi-gcc: cannot build a weights object";
  RecordProperty("linker", l.which);
  const std::string fragment = emit(board_file("mps3_an547"), "ld", true, "weights.ld");
  const std::string script = temp_path("weights_test.ld");
  write_text(script, "INCLUDE " + fragment + "\n");
  auto link_with = [&](size_t bytes) {
    const std::string c = temp_path("weights.c");
    write_text(c, "__attribute__((section(\".chorus_weights.kws_ref_model\"), used))\nconst unsigned char kws[" +
                      std::to_string(bytes) + "] = {1};\n");
    const std::string o = temp_path("weights.o");
    EXPECT_EQ(run(l.cc + " -c " + c + " -o " + o).exit_code, 0);
    return run(l.ld + " -T " + script + " " + o + " -o " + temp_path("weights.elf"));
  };
  // The weights area holds the whole model file, as `chorus embed` places it (53936 B for
  // kws_ref_model), after micro_speech_quantized's 18800 B at the start of QSPI.
  ToolRun ok = link_with(53936);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  ToolRun nm = run(l.nm + " " + temp_path("weights.elf"));
  EXPECT_NE(nm.out.find("28004970 R kws"), std::string::npos) << nm.out;
  ToolRun too_big = link_with(53936 + 64);
  EXPECT_NE(too_big.exit_code, 0);
  EXPECT_NE(too_big.out.find("chorus: weights kws_ref_model exceed the planned 53936 B"), std::string::npos) << too_big.out;
}

// --scenario: the models and levels come from chorus::System's plan of the scenario, the same
// plan `chorus sim` runs (levels compared with its JSON), and the header carries the
// firmware's pipeline table and compiles.
TEST(BoardCli, ScenarioPlansTheModelsAsTheSystemDoes) {
  const std::string cli = CHORUS_CLI;
  const std::string scenario = std::string(CHORUS_SOURCE_DIR) + "/samples/multi_model/scenario.xml";
  const std::string args = " --scenario " + scenario + " --clock-mhz 31.25 --npu off";
  const std::string header = temp_path("scenario_board.hpp");
  ToolRun h = run(cli + " board " + board_file("mps3_an547") + " --emit header" + args + " --out " + header);
  ASSERT_EQ(h.exit_code, 0) << h.out;
  const std::string text = read_text(header);
  EXPECT_NE(text.find("inline constexpr uint32_t kClockHz = 31250000u;"), std::string::npos) << text;
  ToolRun sim = run(cli + " sim --board " + board_file("mps3_an547") + " --scenario " + scenario +
                    " --clock-mhz 31.25 --npu off --duration 1 --json --allow-misses");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  for (const char* name : {"kws_frontend", "kws", "gesture", "anomaly"}) {
    const size_t at = sim.out.find(std::string("\"name\":\"") + name + "\",\"level\":");
    ASSERT_NE(at, std::string::npos) << name;
    const std::string level = sim.out.substr(at + std::string("\"name\":\"\",\"level\":").size() + std::strlen(name), 1);
    EXPECT_NE(text.find(std::string("{\"") + name + "\", "), std::string::npos) << name;
    const size_t row = text.find(std::string("{\"") + name + "\", ");
    // {"name", model, period, deadline, phase, LEVEL, ...
    std::string fields = text.substr(row, text.find('}', row) - row);
    size_t comma = 0;
    for (int k = 0; k < 5; ++k) comma = fields.find(", ", comma) + 2;
    EXPECT_EQ(fields.substr(comma, 1), level) << name << ": " << fields;
  }
  const std::string cpp = temp_path("scenario_user.cpp");
  write_text(cpp, "#include \"" + header +
                      "\"\nnamespace b = chorus::boards::mps3_an547;\n"
                      "static_assert(sizeof(b::kPipelines) / sizeof(b::kPipelines[0]) == 4, \"pipelines\");\n"
                      "static_assert(b::kPipelines[0].model == nullptr && b::kPipelines[0].feature_cycles == 110000, \"stand-in\");\n"
                      "const chorus::board::PipelineEntry* table() { return b::kPipelines; }\n");
  ToolRun c = run(std::string(CHORUS_CXX) + " -std=c++17 -Wall -Wextra -Werror -I" + CHORUS_SOURCE_DIR + "/module/include -c " +
                  cpp + " -o " + temp_path("scenario_user.o"));
  EXPECT_EQ(c.exit_code, 0) << c.out;
  ToolRun both = run(cli + " board " + board_file("mps3_an547") + " --emit ld --scenario " + scenario + " --models x.tflite");
  EXPECT_EQ(both.exit_code, 2) << both.out;
}

TEST(BoardCli, ReportSaysWhereEverythingLives) {
  ToolRun r = run(std::string(CHORUS_CLI) + " board " + board_file("mps3_an547") + " --emit report --models " + models());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("board mps3_an547"), std::string::npos);
  EXPECT_NE(r.out.find("level 1 [npu]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("isram     0x21002750"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("one arena per model"), std::string::npos);
  EXPECT_NE(r.out.find("saved"), std::string::npos);
}

TEST(BoardCli, JsonReport) {
  ToolRun r =
      run(std::string(CHORUS_CLI) + " board " + board_file("stm32f746g_disco") + " --emit report --json --models " + models());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out.front(), '{');
  EXPECT_NE(r.out.find("\"board\":\"stm32f746g_disco\""), std::string::npos);
  EXPECT_NE(r.out.find("\"kind\":\"partition\",\"level\":1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"saved_bytes\":"), std::string::npos);
  if (have_tool("python3")) {
    const std::string json = temp_path("report.json");
    write_text(json, r.out);
    EXPECT_EQ(run("python3 -c 'import json,sys; json.load(open(sys.argv[1]))' " + json).exit_code, 0);
  }
}

TEST(BoardCli, SvgIsWellFormed) {
  ASSERT_TRUE(have_tool("xmllint")) << "xmllint not found (libxml2-utils)";
  const std::string svg = emit(board_file("psoc_edge_e84_ai"), "svg", true, "map.svg");
  ToolRun r = run("xmllint --noout " + svg);
  EXPECT_EQ(r.exit_code, 0) << r.out;
  const std::string text = read_text(svg);
  EXPECT_NE(text.find("<svg xmlns=\"http://www.w3.org/2000/svg\""), std::string::npos);
  EXPECT_NE(text.find("weights kws_ref_model"), std::string::npos);
}

// Usage errors exit 2, bad inputs 1; both one line.
TEST(BoardCli, ErrorsAreOneLineWithExitCodeOneOrTwo) {
  const std::string cli = CHORUS_CLI;
  ToolRun no_emit = run(cli + " board " + board_file("mps3_an547"));
  EXPECT_EQ(no_emit.exit_code, 2);
  EXPECT_EQ(no_emit.out, "chorus board: needs --emit header|dts|ld|report|svg\n");
  ToolRun bad_emit = run(cli + " board " + board_file("mps3_an547") + " --emit pdf");
  EXPECT_EQ(bad_emit.out, "chorus board: --emit must be header, dts, ld, report or svg, got 'pdf'\n");
  const std::string broken = temp_path("broken.xml");
  const std::string text = replaced(read_text(board_file("mps2_an385")), "size=\"16K\"", "size=\"16Q\"");
  write_text(broken, text);
  // The line of the broken element, counted in the file.
  const size_t at = text.find("size=\"16Q\"");
  ASSERT_NE(at, std::string::npos);
  const std::string line = std::to_string(1 + std::count(text.begin(), text.begin() + static_cast<long>(at), '\n'));
  ToolRun r = run(cli + " board " + broken + " --emit report");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("broken.xml:" + line + ": element <memory name=\"blockram\">: attribute size='16Q' is not a size"),
            std::string::npos)
      << r.out;
  ToolRun help = run(cli + " board --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("usage: chorus board"), std::string::npos);
}

TEST(BoardCli, TooBigForTheBoardNamesTheShortfall) {
  // kws_ref_model alone needs more than the AN385's 16 KiB block RAM but fits in SSRAM2/3;
  // with the arena capped at 8 KiB nothing fits.
  const std::string capped = temp_path("capped.xml");
  write_text(capped, replaced(read_text(board_file("mps2_an385")), "alignment=\"16\"", "size=\"8K\" alignment=\"16\""));
  ToolRun r = run(std::string(CHORUS_CLI) + " board " + capped + " --emit report --models " + shared_model("kws_ref_model"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("level 0 needs 16000 B but the arena budget has 8192 B left of 8192 B (short by 7808 B)"),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace chorus::test
