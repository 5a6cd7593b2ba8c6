// chorus board BOARD.xml --emit header|dts|ld|report|svg: does it fit, and where does it go?
#include <cstdio>
#include <string>

#include "args.hpp"
#include "chorus/module/host/board_xml.hpp"
#include "chorus/tools/board_emit.hpp"
#include "chorus/tools/board_layout.hpp"
#include "chorus/tools/board_report.hpp"
#include "chorus/tools/file.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus board BOARD.xml --emit header|dts|ld|report|svg [--models M[:LEVEL][:cpu|npu],...]\n"
    "                    [--json] [--out FILE]\n"
    "\n"
    "Loads and validates a board description (dts/boards/SCHEMA.md), sizes the arena for the\n"
    "models (one partition per preemption level = the largest activations on that level, one\n"
    "persistent area per model, one scratch area shared by all), places everything in the\n"
    "board's memory regions and writes one artefact:\n"
    "  header   C++ constexpr tables (chorus/module/board.hpp types) for the firmware\n"
    "  dts      Zephyr devicetree overlay (zephyr,memory-region, arm,ethos-u, chorus,arena)\n"
    "  ld       GNU ld MEMORY + SECTIONS fragment with __chorus_<area> symbols\n"
    "  report   where everything lives and the bytes saved against one arena per model\n"
    "  svg      the memory map as an SVG picture\n"
    "  --models  comma-separated .tflite files; LEVEL defaults to the model's position (each on\n"
    "            its own level); npu/cpu says whether its level holds NPU work (default: npu\n"
    "            when the board has one)\n"
    "  --json    with --emit report: one JSON object instead of text\n"
    "  --out F   write to F instead of stdout\n";

}  // namespace

int cmd_board(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"emit", "models", "out"}, &args, &error)) return usage_error("board", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional.size() != 1) return usage_error("board", "expects one BOARD.xml argument (see --help)");
  const std::string emit = args.get("emit");
  if (emit != "header" && emit != "dts" && emit != "ld" && emit != "report" && emit != "svg") {
    return usage_error("board", emit.empty() ? "needs --emit header|dts|ld|report|svg"
                                      : "--emit must be header, dts, ld, report or svg, got '" + emit + "'");
  }
  if (args.has("json") && emit != "report") return usage_error("board", "--json goes with --emit report");

  std::unique_ptr<board::host::BoardDescription> desc = board::host::load_board(args.positional[0], &error);
  if (!desc) return fail("board", error);

  std::vector<tools::ModelSpec> specs;
  if (args.has("models") && !tools::parse_model_specs(args.get("models"), &specs, &error)) return fail("board", error);
  std::vector<tools::ModelNeeds> models;
  if (!tools::measure_models(specs, desc->has_npu, &models, &error)) return fail("board", error);
  tools::BoardLayout layout;
  if (!tools::build_layout(*desc, models, &layout, &error)) return fail("board", error);

  std::string generated_by = "chorus board " + args.positional[0] + " --emit " + emit;
  if (args.has("models")) generated_by += " --models " + args.get("models");
  std::string text;
  if (emit == "header")
    text = tools::emit_board_header(layout, generated_by);
  else if (emit == "dts")
    text = tools::emit_board_dts(layout, generated_by);
  else if (emit == "ld")
    text = tools::emit_board_ld(layout, generated_by);
  else if (emit == "svg")
    text = tools::board_report_svg(layout);
  else
    text = args.has("json") ? tools::board_report_json(layout) : tools::board_report_text(layout);

  if (args.has("out")) {
    if (!tools::write_file(args.get("out"), reinterpret_cast<const uint8_t*>(text.data()), text.size(), &error)) {
      return fail("board", error);
    }
    return 0;
  }
  std::fputs(text.c_str(), stdout);
  return 0;
}

}  // namespace chorus::cli
