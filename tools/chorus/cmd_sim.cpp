// chorus sim: the multi-model scheduler on a board, in deterministic virtual time.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "chorus/module/host/board_xml.hpp"
#include "chorus/scheduler/analysis.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus/tools/host_system.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_session.hpp"
#include "chorus/tools/scenario.hpp"
#include "chorus/tools/sim_report.hpp"
#include "chorus/tools/trace_json.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus sim --board BOARD.xml --scenario SCENARIO.xml [--duration S] [--trace OUT.json]\n"
    "                  [--policy edf|fp|run-to-completion] [--clock-mhz F] [--npu on|off] [--json] [--allow-misses]\n"
    "\n"
    "Runs the scenario's pipelines on the board with the cooperative scheduler in virtual time:\n"
    "the real kernels compute, each step is charged the board's cost model. Without --clock-mhz\n"
    "the CPU runs at the lowest clock at which the schedulability analysis accepts the set\n"
    "(with EDF, or FP under --policy fp), after searching the preemption levels that need the\n"
    "least arena. Prints per pipeline: releases, completions, skips, deadline misses, response\n"
    "times (min/p50/p99/max) and the analysis bound; then utilisation and the arena.\n"
    "  --duration S     virtual seconds (default: the scenario's, else 60)\n"
    "  --trace OUT      Chrome trace-event JSON (open in Perfetto)\n"
    "  --policy P       edf (default), fp, run-to-completion (a plain superloop, for comparison)\n"
    "  --clock-mhz F    fixed CPU clock instead of the lowest accepted one\n"
    "  --npu on|off     offload to the board's NPU (default on when the board has one)\n"
    "  --json           one JSON object instead of the table (always complete, whatever the exit status)\n"
    "  --allow-misses   exit 0 even when the set is rejected or misses (overload demos)\n"
    "  --host-limit S   refuse up front a run predicted to take longer than S s of host time (default 60)\n"
    "\n"
    "A miss is any job that did not meet its deadline: a late completion, a skipped or dropped\n"
    "release, or a job unfinished past its deadline when the run ends.\n"
    "Exit status: 0 the analysis accepts the set and nothing missed; 3 the analysis rejects it or\n"
    "a job missed (run-to-completion is never analysed: always 3); 1 bad input; 2 usage.\n";

using os::TimeNs;
constexpr TimeNs kSecond = 1000000000ULL;

double ms(TimeNs ns) { return static_cast<double>(ns) / 1e6; }

}  // namespace

int cmd_sim(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help", "allow-misses"},
                  {"board", "scenario", "duration", "trace", "policy", "clock-mhz", "npu", "host-limit"}, &args, &error)) {
    return usage_error("sim", error);
  }
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  auto usage = [](const std::string& message) { return usage_error("sim", message); };
  if (!args.positional.empty()) return usage("unexpected argument '" + args.positional[0] + "' (see --help)");
  if (!args.has("board") || !args.has("scenario")) return usage("--board and --scenario are required (see --help)");
  sched::Policy policy = sched::Policy::kEdf;
  const std::string pol = args.get("policy", "edf");
  if (pol == "fp") policy = sched::Policy::kFixedPriority;
  else if (pol == "run-to-completion") policy = sched::Policy::kRunToCompletion;
  else if (pol != "edf") return usage("--policy must be edf, fp or run-to-completion, got '" + pol + "'");
  std::unique_ptr<board::host::BoardDescription> board = board::host::load_board(args.get("board"), &error);
  if (!board) return fail("sim", error);
  std::unique_ptr<tools::Scenario> sc = tools::load_scenario(args.get("scenario"), &error);
  if (!sc) return fail("sim", error);
  const std::string npu_arg = args.get("npu", "on");
  if (npu_arg != "on" && npu_arg != "off") return usage("--npu must be on or off, got '" + npu_arg + "'");
  const bool npu_on = npu_arg == "on" && board->has_npu;
  double duration_s = sc->duration_s;
  if (args.has("duration")) {
    const std::string text = args.get("duration");
    char* end = nullptr;
    duration_s = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(duration_s > 0) || duration_s > 86400) return usage("--duration must be seconds in (0, 86400]");
  }

  double host_limit_s = 60;
  if (args.has("host-limit")) {
    const std::string text = args.get("host-limit");
    char* end = nullptr;
    host_limit_s = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(host_limit_s > 0) || host_limit_s > 1e6) return usage("--host-limit must be seconds in (0, 1e6]");
  }

  // The clock: fixed, or the lowest the analysis accepts (chorus::System searches it).
  uint32_t clock_hz = SystemConfig::kLowestClock;
  if (args.has("clock-mhz") && !parse_clock_mhz(args.get("clock-mhz"), &clock_hz, &error)) return usage(error);
  tools::HostSystem host;
  if (!host.build_scenario(*board, *sc, clock_hz, policy, npu_on, &error)) return fail("sim", error);
  const SystemPlan& plan = host.system().plan();
  std::vector<uint8_t> levels(plan.levels, plan.levels + sc->pipelines.size());
  std::vector<std::string> names;
  for (const auto& p : sc->pipelines) names.push_back(p.name);
  tools::ChromeTrace trace(names);
  const TimeNs end = static_cast<TimeNs>(std::llround(duration_s * 1e9));
  // Every job's response time, for exact percentiles: at most one job per period (and the
  // one at time 0) completes in the run.
  sched::ResponseLog responses(args.has("trace") ? &trace : nullptr);
  std::vector<std::vector<TimeNs>> kept(sc->pipelines.size());
  for (uint32_t i = 0; i < kept.size(); ++i) {
    const TimeNs period = host.scheduler().config(i).period;
    kept[i].resize(period > 0 ? static_cast<size_t>(end / period) + 2 : 1024);
    responses.set_buffer(i, Span<TimeNs>(kept[i].data(), kept[i].size()));
  }
  host.scheduler().set_trace(&responses);

  // Host time: the first 2 s of virtual time (or the whole run, if shorter) measure how fast
  // this set simulates; a run predicted to take longer than --host-limit is refused then,
  // in one line, instead of running for hours.
  const auto host_start = std::chrono::steady_clock::now();
  const TimeNs probe = end < 2 * kSecond ? end : 2 * kSecond;
  Status probed = host.scheduler().run_until(probe);
  if (!probed.is_ok()) return fail("sim", probed.message());
  const double probe_host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - host_start).count();
  const double predicted_s = probe_host_s * static_cast<double>(end) / static_cast<double>(probe);
  if (predicted_s > host_limit_s) {
    const double fits = static_cast<double>(probe) / 1e9 * host_limit_s / (probe_host_s > 0 ? probe_host_s : 1e-9);
    return fail("sim", "a " + std::to_string(static_cast<long long>(duration_s)) + " s run of this scenario would take about " +
                           std::to_string(static_cast<long long>(predicted_s)) + " s of host time, more than the " +
                           std::to_string(static_cast<long long>(host_limit_s)) + " s allowed: use --duration " +
                           std::to_string(static_cast<long long>(fits * 0.9)) + " or less (or raise --host-limit)");
  }
  const TimeNs chunk = end > 10 * kSecond ? end / 10 : end;
  for (TimeNs t = chunk; ; t += chunk) {
    if (t > end) t = end;
    Status s = host.scheduler().run_until(t);
    if (!s.is_ok()) return fail("sim", s.message());
    if (end > 10 * kSecond) std::fprintf(stderr, "sim: %.1f s of %.1f s virtual time\n", static_cast<double>(t) / 1e9, duration_s);
    if (t == end) break;
  }
  if (args.has("trace") && !trace.write(args.get("trace"), &error)) return fail("sim", error);

  const sched::Scheduler& s = host.scheduler();
  const sched::ArenaLayout& layout = host.arena_layout();
  const sched::AnalysisResult& a = plan.search.analysis;
  tools::SimReport report;
  report.scheduler = &s;
  report.policy = policy;
  report.analysis = &a;
  for (size_t i = 0; i < sc->pipelines.size(); ++i) {
    report.names.push_back(sc->pipelines[i].name);
    report.levels.push_back(levels[i]);
    report.has_model.push_back(host.has_model(static_cast<uint32_t>(i)));
  }
  report.duration = end;
  report.npu_on = npu_on;
  report.layout = &layout;
  report.own_level_bytes = plan.search.own_level_bytes;
  report.separate_arena_bytes = plan.search.separate_arena_bytes;
  report.responses = &responses;
  if (args.has("trace")) {
    report.trace_path = args.get("trace");
    report.trace_events = trace.events();
  }
  const bool accepted = policy != sched::Policy::kRunToCompletion && a.schedulable;
  const uint32_t misses = report.deadline_misses();
  const int status = (accepted && misses == 0) || args.has("allow-misses") ? 0 : 3;

  if (args.has("json")) {
    tools::JsonWriter j;
    j.begin_object().field("scenario", sc->path).field("board", board->name).field("policy", sched::policy_name(policy));
    j.field("clock_hz", static_cast<uint64_t>(plan.clock_hz)).field("npu", npu_on).key("duration_s").value(duration_s);
    j.key("max_step_us").value(static_cast<double>(plan.max_step) / 1e3);
    j.field("analysis_schedulable", accepted);
    j.key("pipelines").begin_array();
    for (uint32_t i = 0; i < s.num_pipelines(); ++i) {
      const sched::PipelineMetrics& m = s.metrics(i);
      j.begin_object().field("name", sc->pipelines[i].name).field("level", static_cast<unsigned>(levels[i]));
      j.field("releases", m.releases).field("completions", m.completions).field("skips", m.skips);
      j.field("deadline_misses", report.misses(i)).field("late_completions", m.deadline_misses).field("unfinished", report.unfinished(i));
      j.field("npu_steps", m.npu_steps).field("step_overruns", m.step_overruns).field("deferred_releases", m.deferred_releases);
      j.key("response_us").begin_object();
      j.key("min").value(static_cast<double>(m.response.min()) / 1e3).key("p50").value(static_cast<double>(report.percentile(i, 50)) / 1e3);
      j.key("p99").value(static_cast<double>(report.percentile(i, 99)) / 1e3).key("max").value(static_cast<double>(m.response.max()) / 1e3);
      j.end_object();
      // The CPU time of a completed job, on average (the real-time firmware prints the same).
      j.key("exec_us").value(m.completions ? static_cast<double>(m.cpu_busy_ns / m.completions) / 1e3 : 0.0);
      j.key("bound_us");
      if (policy != sched::Policy::kRunToCompletion && i < a.count && a.response[i] != sched::AnalysisResult::kUnbounded)
        j.value(static_cast<double>(a.response[i]) / 1e3);
      else
        j.null();
      j.key("deadline_us").value(static_cast<double>(s.config(i).relative_deadline) / 1e3);
      j.end_object();
    }
    j.end_array();
    j.key("cpu_utilization").value(report.cpu_utilization()).key("npu_utilization").value(report.npu_utilization());
    j.field("arena_bytes", static_cast<uint64_t>(layout.total_bytes));
    j.field("own_level_arena_bytes", static_cast<uint64_t>(plan.search.own_level_bytes));
    j.field("separate_arenas_bytes", static_cast<uint64_t>(plan.search.separate_arena_bytes));
    j.field("level_assignments_tried", plan.search.assignments_tried).field("level_assignments_schedulable", plan.search.assignments_schedulable);
    j.key("partitions").begin_array();
    for (uint32_t l = 0; l < layout.num_levels; ++l) {
      j.begin_object().field("level", l).field("bytes", static_cast<uint64_t>(layout.level_bytes[l])).key("models").begin_array();
      for (size_t i = 0; i < sc->pipelines.size(); ++i)
        if (levels[i] == l && host.has_model(static_cast<uint32_t>(i))) j.value(sc->pipelines[i].name);
      j.end_array().end_object();
    }
    j.end_array();
    j.field("scratch_bytes", static_cast<uint64_t>(layout.scratch_bytes));
    j.field("deadline_misses", misses);
    if (args.has("trace")) j.field("trace", args.get("trace"));
    j.end_object();
    std::printf("%s\n", j.str().c_str());
    return status;
  }

  std::printf("scenario %s on %s: %s, CPU %.2f MHz%s, %.1f s virtual\n", sc->name.c_str(), board->name.c_str(),
              sched::policy_name(policy), plan.clock_hz / 1e6, npu_on ? ", NPU on" : (board->has_npu ? ", NPU off" : ""),
              duration_s);
  const sched::Policy analysis_policy = policy == sched::Policy::kFixedPriority ? policy : sched::Policy::kEdf;
  if (!args.has("clock-mhz"))
    std::printf("clock: the lowest at which the %s analysis accepts the set (levels searched: %u assignments, %u schedulable)\n",
                sched::policy_name(analysis_policy), plan.search.assignments_tried, plan.search.assignments_schedulable);
  if (plan.max_step > 0) std::printf("slicing: operators longer than %.3f ms run as bands of their output\n", ms(plan.max_step));
  if (policy == sched::Policy::kRunToCompletion) {
    std::printf("analysis: none for a run-to-completion superloop (no bound holds)\n");
  } else if (!a.schedulable && a.worst >= 0) {
    const double over = a.response[a.worst] == UINT64_MAX ? INFINITY : ms(a.response[a.worst]) - ms(s.config(static_cast<uint32_t>(a.worst)).relative_deadline);
    std::printf("analysis: NOT schedulable: pipeline '%s' can respond in %.3f ms, %.3f ms past its %.3f ms deadline\n",
                sc->pipelines[static_cast<size_t>(a.worst)].name.c_str(),
                a.response[a.worst] == UINT64_MAX ? INFINITY : ms(a.response[a.worst]), over,
                ms(s.config(static_cast<uint32_t>(a.worst)).relative_deadline));
  }
  tools::print_pipeline_table(report, stdout);
  tools::print_arena_summary(report, stdout);
  if (status != 0)
    std::fprintf(stderr, "chorus sim: %s%s%u missed job(s) (exit 3; --allow-misses for overload demos)\n",
                 accepted ? "" : "the analysis does not accept the set; ", accepted ? "" : "", misses);
  return status;
}

}  // namespace chorus::cli
