// chorus board BOARD.xml --emit header|dts|ld|report|svg: does it fit, and where does it go?
#include <cstdio>
#include <cstdlib>
#include <string>

#include "args.hpp"
#include "chorus/module/host/board_xml.hpp"
#include "chorus/module/host/identifiers.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus/tools/board_emit.hpp"
#include "chorus/tools/board_layout.hpp"
#include "chorus/tools/board_report.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/host_system.hpp"
#include "chorus/tools/scenario.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus board BOARD.xml --emit header|dts|ld|report|svg [--models M[:LEVEL][:cpu|npu],...]\n"
    "                    [--scenario SCENARIO.xml [--clock-mhz F] [--npu on|off] [--policy edf|fp]] [--json] [--out FILE]\n"
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
    "  --scenario S  the models and levels of a scenario as chorus::System plans them (the\n"
    "            level search at the board's clock, or --clock-mhz), instead of --models; the\n"
    "            header then also holds kClockHz and kPipelines[], the firmware's pipeline table\n"
    "  --json    with --emit report: one JSON object instead of text\n"
    "  --out F   write to F instead of stdout\n";

}  // namespace

int cmd_board(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"emit", "models", "out", "scenario", "clock-mhz", "npu", "policy"}, &args,
                  &error))
    return usage_error("board", error);
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
  if (args.has("models") && args.has("scenario")) return usage_error("board", "--models and --scenario exclude each other");
  for (const char* o : {"clock-mhz", "npu", "policy"})
    if (args.has(o) && !args.has("scenario")) return usage_error("board", std::string("--") + o + " goes with --scenario");
  if (args.has("models") && !tools::parse_model_specs(args.get("models"), &specs, &error)) return fail("board", error);
  std::vector<tools::LayoutPipeline> pipelines;
  uint32_t clock_hz = 0;
  if (args.has("scenario")) {
    // The scenario as the one system plans it: levels from its analysis at the clock.
    uint32_t clock = 0;
    if (args.has("clock-mhz") && !parse_clock_mhz(args.get("clock-mhz"), &clock, &error)) return usage_error("board", error);
    const std::string npu_arg = args.get("npu", "on");
    if (npu_arg != "on" && npu_arg != "off") return usage_error("board", "--npu must be on or off, got '" + npu_arg + "'");
    const std::string pol = args.get("policy", "edf");
    if (pol != "edf" && pol != "fp") return usage_error("board", "--policy must be edf or fp, got '" + pol + "'");
    std::unique_ptr<tools::Scenario> sc = tools::load_scenario(args.get("scenario"), &error);
    if (!sc) return fail("board", error);
    tools::HostSystem host;
    if (!host.build_scenario(*desc, *sc, clock, pol == "fp" ? sched::Policy::kFixedPriority : sched::Policy::kEdf,
                             npu_arg == "on", &error))
      return fail("board", error);
    const SystemPlan& plan = host.system().plan();
    clock_hz = plan.clock_hz;
    for (size_t i = 0; i < sc->pipelines.size(); ++i) {
      const tools::ScenarioPipeline& p = sc->pipelines[i];
      const sched::PipelineConfig& c = host.scheduler().config(static_cast<uint32_t>(i));
      const bool npu = !p.model.empty() && p.npu && host.npu_on();
      tools::LayoutPipeline row;
      row.name = p.name;
      row.model = p.model.empty() ? std::string() : host::model_identifier(p.model);
      row.period_ns = c.period;
      row.deadline_ns = c.relative_deadline;
      row.phase_ns = c.phase;
      row.level = plan.levels[i];
      row.priority = c.priority;
      row.npu = npu;
      row.feature_steps = p.feature_steps;
      row.feature_cycles = p.feature_cycles;
      row.input_seed = p.input_seed;
      row.overload = p.overload == sched::OverloadPolicy::kDropOldest ? 1 : 0;
      pipelines.push_back(row);
      if (p.model.empty()) continue;
      tools::ModelSpec m;
      m.path = p.model;
      m.level = plan.levels[i];
      m.target = npu ? tools::ModelTarget::kNpu : tools::ModelTarget::kCpu;
      specs.push_back(m);
    }
  }
  std::vector<tools::ModelNeeds> models;
  // Scratch as the board's own kernels request it: the layout is the firmware's.
  if (!tools::measure_models(specs, desc->has_npu, &models, &error, tools::kernel_variant_for(desc->cpu)))
    return fail("board", error);
  tools::BoardLayout layout;
  if (!tools::build_layout(*desc, models, &layout, &error)) return fail("board", error);
  layout.pipelines = pipelines;
  layout.clock_hz = clock_hz;

  std::string generated_by = "chorus board " + args.positional[0] + " --emit " + emit;
  if (args.has("models")) generated_by += " --models " + args.get("models");
  if (args.has("scenario")) generated_by += " --scenario " + args.get("scenario");
  if (args.has("clock-mhz")) generated_by += " --clock-mhz " + args.get("clock-mhz");
  if (args.has("npu")) generated_by += " --npu " + args.get("npu");
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
