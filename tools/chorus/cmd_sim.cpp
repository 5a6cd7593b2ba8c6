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
#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/tools/board_cost.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_set.hpp"
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

// Writes deterministic pseudo-random bytes into the model's inputs (xorshift32).
class InputStage : public sched::FeatureStage {
 public:
  InputStage(uint32_t seed, uint64_t cycles) : state_(seed ? seed : 0x9E3779B9u), cycles_(cycles) {}
  Status run(uint32_t, SampleSource*, runtime::Interpreter* model) override {
    for (size_t i = 0; i < model->num_inputs(); ++i) {
      uint8_t* p = model->input(i);
      for (size_t b = 0; b < model->input_info(i).bytes; ++b) {
        state_ ^= state_ << 13;
        state_ ^= state_ >> 17;
        state_ ^= state_ << 5;
        p[b] = static_cast<uint8_t>(state_);
      }
    }
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  uint32_t state_;
  uint64_t cycles_;
};

// A feature stage whose work is not modelled yet: it charges its stated cycles.
class StandInStage : public sched::FeatureStage {
 public:
  StandInStage(uint32_t steps, uint64_t cycles) : steps_(steps), cycles_(cycles) {}
  uint32_t steps() const override { return steps_; }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override { return Status::ok(); }
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  uint32_t steps_;
  uint64_t cycles_;
};

// Everything one simulation needs, built for one clock and one level assignment.
struct Sim {
  sched::CostModel cost;
  os::VirtualClock clock;
  std::unique_ptr<sched::SimulatedNpu> npu;
  tools::ModelSet models;
  std::vector<int> model_of;  // pipeline -> model index or -1
  std::vector<std::unique_ptr<sched::FeatureStage>> stages;
  std::unique_ptr<sched::Scheduler> scheduler;
};

std::unique_ptr<Sim> build(const tools::Scenario& sc, const board::host::BoardDescription& b, uint32_t clock_hz, bool npu_on,
                           sched::Policy policy, const std::vector<uint8_t>& levels, TimeNs max_step, std::string* error) {
  auto sim = std::make_unique<Sim>();
  sim->cost = tools::cost_from_board(b, clock_hz, npu_on);
  if (sim->cost.npu.present) sim->npu = std::make_unique<sched::SimulatedNpu>(sim->clock, sim->cost);
  std::vector<bool> npu_models;
  for (size_t i = 0; i < sc.pipelines.size(); ++i) {
    const tools::ScenarioPipeline& p = sc.pipelines[i];
    if (p.model.empty()) {
      sim->model_of.push_back(-1);
      continue;
    }
    const int m = sim->models.add(p.model, levels[i], error);
    if (m < 0) {
      *error = sc.path + ":" + std::to_string(p.line) + ": pipeline '" + p.name + "': " + *error;
      return nullptr;
    }
    sim->model_of.push_back(m);
    npu_models.push_back(p.npu && sim->npu != nullptr);
  }
  if (!sim->models.init(error, sim->npu.get(), npu_models)) return nullptr;
  sim->scheduler = std::make_unique<sched::Scheduler>(sim->clock, &sim->clock, sim->cost, policy);
  sim->scheduler->set_npu(sim->npu.get());
  // Default priorities by deadline (shorter = higher), for the fixed-priority policy.
  std::vector<TimeNs> deadlines;
  for (const auto& p : sc.pipelines) deadlines.push_back(p.deadline ? p.deadline : p.period);
  for (size_t i = 0; i < sc.pipelines.size(); ++i) {
    const tools::ScenarioPipeline& p = sc.pipelines[i];
    sched::PipelineConfig c;
    c.name = p.name.c_str();
    c.period = p.period;
    c.relative_deadline = p.deadline;
    c.phase = p.phase;
    c.level = levels[i];
    c.overload = p.overload;
    c.max_step = max_step;
    int rank = 1;
    for (TimeNs d : deadlines)
      if (d > deadlines[i]) ++rank;
    c.priority = static_cast<uint8_t>(p.priority >= 0 ? p.priority : rank);
    if (sim->model_of[i] >= 0) {
      runtime::Interpreter& interp = sim->models.interpreter(static_cast<size_t>(sim->model_of[i]));
      c.model = &interp;
      size_t in_bytes = 0;
      for (size_t k = 0; k < interp.num_inputs(); ++k) in_bytes += interp.input_info(k).bytes;
      sim->stages.push_back(std::make_unique<InputStage>(p.input_seed, 100 + in_bytes * sim->cost.cpu.millicycles_per_byte / 1000));
    } else {
      sim->stages.push_back(std::make_unique<StandInStage>(p.feature_steps, p.feature_cycles));
    }
    c.features = sim->stages.back().get();
    Result<uint32_t> added = sim->scheduler->add_pipeline(c);
    if (!added.is_ok()) {
      *error = added.status().message();
      return nullptr;
    }
  }
  return sim;
}

struct Plan {
  bool found = false;
  uint32_t clock_hz = 0;
  TimeNs max_step = 0;  // operator slicing: 0 = every operator whole
  sched::LevelSearchResult search;
  std::vector<uint8_t> levels;
};

// Analyses the scenario at `clock_hz`: the best level assignment (or the given levels).
bool analyse_with(const tools::Scenario& sc, const board::host::BoardDescription& b, uint32_t clock_hz, bool npu_on,
                  sched::Policy analysis_policy, TimeNs max_step, Plan* plan, std::string* error) {
  std::vector<uint8_t> own(sc.pipelines.size());
  for (size_t i = 0; i < own.size(); ++i) own[i] = static_cast<uint8_t>(i % sched::Scheduler::kMaxLevels);  // timing and footprints only
  std::unique_ptr<Sim> probe = build(sc, b, clock_hz, npu_on, analysis_policy, own, max_step, error);
  if (!probe) return false;
  std::vector<sched::AnalysisTask> tasks;
  std::vector<size_t> act, pers, scr;
  for (uint32_t i = 0; i < probe->scheduler->num_pipelines(); ++i) {
    tasks.push_back(sched::analysis_task(*probe->scheduler, i));
    const int m = probe->model_of[i];
    const runtime::ArenaNeeds n = m >= 0 ? probe->models.session(static_cast<size_t>(m)).needs() : runtime::ArenaNeeds{};
    act.push_back(n.activation_bytes);
    pers.push_back(n.persistent_bytes);
    scr.push_back(n.scratch_bytes);
  }
  bool fixed = true;
  for (const auto& p : sc.pipelines) fixed = fixed && p.level >= 0;
  plan->clock_hz = clock_hz;
  if (fixed) {
    for (size_t i = 0; i < tasks.size(); ++i) tasks[i].level = static_cast<uint8_t>(sc.pipelines[i].level);
    plan->search = sched::LevelSearchResult{};
    plan->search.analysis = sched::analyse(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), analysis_policy);
    plan->search.found = plan->search.analysis.schedulable;
    plan->levels.clear();
    for (const auto& p : sc.pipelines) plan->levels.push_back(static_cast<uint8_t>(p.level));
    // Arena figures for the fixed assignment.
    sched::LevelSearchResult bytes =
        sched::search_levels(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), analysis_policy,
                             Span<const size_t>(act.data(), act.size()), Span<const size_t>(pers.data(), pers.size()),
                             Span<const size_t>(scr.data(), scr.size()));
    plan->search.own_level_bytes = bytes.own_level_bytes;
    plan->search.separate_arena_bytes = bytes.separate_arena_bytes;
  } else {
    plan->search = sched::search_levels(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), analysis_policy,
                                        Span<const size_t>(act.data(), act.size()), Span<const size_t>(pers.data(), pers.size()),
                                        Span<const size_t>(scr.data(), scr.size()));
    plan->levels.assign(plan->search.levels, plan->search.levels + tasks.size());
  }
  plan->found = plan->search.found;
  plan->max_step = max_step;
  return true;
}

// The slice-size search: operators whole first, then ever finer slices (each slice pays
// the per-operator overhead again); the first that the analysis accepts wins, preferring
// the assignment that needs the least arena.
bool analyse_at(const tools::Scenario& sc, const board::host::BoardDescription& b, uint32_t clock_hz, bool npu_on,
                sched::Policy analysis_policy, Plan* plan, std::string* error) {
  const TimeNs candidates[] = {0, 4000000, 2000000, 1000000, 500000};
  Plan best;
  for (TimeNs max_step : candidates) {
    Plan p;
    if (!analyse_with(sc, b, clock_hz, npu_on, analysis_policy, max_step, &p, error)) return false;
    if (max_step == 0) best = p;  // the explanation when nothing fits
    if (p.found && (!best.found || p.search.arena_bytes < best.search.arena_bytes)) best = p;
    if (best.found && max_step == 0) break;  // whole operators already fit: no slicing
  }
  *plan = best;
  return true;
}

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
  const sched::Policy analysis_policy = policy == sched::Policy::kFixedPriority ? policy : sched::Policy::kEdf;

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

  // The clock: fixed, or the lowest the analysis accepts (binary search over 10 kHz steps).
  Plan plan;
  if (args.has("clock-mhz")) {
    const std::string text = args.get("clock-mhz");
    char* end = nullptr;
    const double mhz = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !(mhz >= 0.01) || mhz > 4000) return usage("--clock-mhz must be a frequency in MHz (0.01 to 4000)");
    if (!analyse_at(*sc, *board, static_cast<uint32_t>(mhz * 1e6), npu_on, analysis_policy, &plan, &error)) return fail("sim", error);
  } else {
    const uint32_t top = board->cpu.clock_hz;
    Plan at_top;
    if (!analyse_at(*sc, *board, top, npu_on, analysis_policy, &at_top, &error)) return fail("sim", error);
    if (!at_top.found) {
      plan = at_top;  // report why at the board's own clock
    } else {
      uint32_t lo = 10000, hi = top;  // hi is accepted
      plan = at_top;
      while (hi - lo > 10000) {
        const uint32_t mid = lo + (hi - lo) / 2;
        Plan p;
        if (!analyse_at(*sc, *board, mid, npu_on, analysis_policy, &p, &error)) return fail("sim", error);
        if (p.found) {
          hi = mid;
          plan = p;
        } else {
          lo = mid;
        }
      }
    }
  }
  std::vector<uint8_t> levels = plan.levels;
  if (levels.empty()) levels.assign(sc->pipelines.size(), 0);
  std::unique_ptr<Sim> sim = build(*sc, *board, plan.clock_hz, npu_on, policy, levels, plan.max_step, &error);
  if (!sim) return fail("sim", error);
  std::vector<std::string> names;
  for (const auto& p : sc->pipelines) names.push_back(p.name);
  tools::ChromeTrace trace(names);
  if (args.has("trace")) sim->scheduler->set_trace(&trace);

  const TimeNs end = static_cast<TimeNs>(std::llround(duration_s * 1e9));
  // Host time: the first 2 s of virtual time (or the whole run, if shorter) measure how fast
  // this set simulates; a run predicted to take longer than --host-limit is refused then,
  // in one line, instead of running for hours.
  const auto host_start = std::chrono::steady_clock::now();
  const TimeNs probe = end < 2 * kSecond ? end : 2 * kSecond;
  Status probed = sim->scheduler->run_until(probe);
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
    Status s = sim->scheduler->run_until(t);
    if (!s.is_ok()) return fail("sim", s.message());
    if (end > 10 * kSecond) std::fprintf(stderr, "sim: %.1f s of %.1f s virtual time\n", static_cast<double>(t) / 1e9, duration_s);
    if (t == end) break;
  }
  if (args.has("trace") && !trace.write(args.get("trace"), &error)) return fail("sim", error);

  const sched::Scheduler& s = *sim->scheduler;
  const sched::ArenaLayout& layout = sim->models.layout();
  const sched::AnalysisResult& a = plan.search.analysis;
  tools::SimReport report;
  report.scheduler = &s;
  report.policy = policy;
  report.analysis = &a;
  for (size_t i = 0; i < sc->pipelines.size(); ++i) {
    report.names.push_back(sc->pipelines[i].name);
    report.levels.push_back(levels[i]);
    report.has_model.push_back(sim->model_of[i] >= 0);
  }
  report.duration = end;
  report.npu_on = npu_on;
  report.layout = &layout;
  report.own_level_bytes = plan.search.own_level_bytes;
  report.separate_arena_bytes = plan.search.separate_arena_bytes;
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
      j.key("min").value(static_cast<double>(m.response.min()) / 1e3).key("p50").value(static_cast<double>(m.response.percentile(50)) / 1e3);
      j.key("p99").value(static_cast<double>(m.response.percentile(99)) / 1e3).key("max").value(static_cast<double>(m.response.max()) / 1e3);
      j.end_object();
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
        if (levels[i] == l && sim->model_of[i] >= 0) j.value(sc->pipelines[i].name);
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
