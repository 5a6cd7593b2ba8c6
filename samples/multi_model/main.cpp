// The main demo: keyword spotting, radar gesture recognition and vibration anomaly detection
// at once on the default board (PSoC Edge E84: Cortex-M55 at 400 MHz + Ethos-U55, with a microphone,
// a radar and an IMU; the radar front end needs about 71 M instructions a second), five pipelines in ONE
// shared tensor arena laid out by the level search, scheduled by the cooperative EDF
// scheduler in deterministic virtual time; the simulated microphone, radar and accelerometer
// are advanced by the scheduler's time hook. Prints every detection with its virtual time
// and the ground truth, then the scheduler's per-pipeline table and the arena by level (the
// same report as `chorus sim`).
//
// Usage: chorus_multi_model [--duration S] [--trace OUT.json] [--clock board|lowest|MHZ]
//                           [--policy edf|fp] [--npu on|off] [--seed N] [--board BOARD.xml]
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "chorus/samples/board_simulation.hpp"
#include "chorus/samples/multi_model.hpp"
#include "chorus/tools/trace_json.hpp"

using namespace chorus;
namespace sim = chorus::drivers::sim;

namespace {

const char kHelp[] =
    "usage: chorus_multi_model [--duration S] [--trace OUT.json] [--clock board|lowest|MHZ] [--policy edf|fp]\n"
    "                          [--npu on|off] [--seed N] [--board BOARD.xml]\n"
    "\n"
    "Keyword spotting (micro_speech front end every 20 ms, micro_speech every 100 ms), radar gestures\n"
    "(front end per 33 ms frame, gesture CNN every 50 ms) and vibration anomaly detection (autoencoder\n"
    "every 1 s) at once on one board, in one shared arena, in virtual time. Prints each detection,\n"
    "then per pipeline: releases, completions, skips, deadline misses, response times and the\n"
    "analysis bound; then utilisation and the arena by level.\n"
    "  --duration S   virtual seconds (default 30)\n"
    "  --trace OUT    Chrome trace-event JSON of the run (open in Perfetto)\n"
    "  --clock C      the board's CPU clock (default), the lowest the analysis accepts, or MHz\n"
    "  --policy P     edf (default) or fp\n"
    "  --npu on|off   offload to the board's NPU (default on)\n"
    "  --seed N       gesture sequence, radar and machine seed (default 1)\n"
    "  --board B      board description (default dts/boards/psoc_edge_e84_ai.xml)\n";

double seconds(os::TimeNs t) {
  return static_cast<double>(t) / 1e9;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "multi_model: %s (see --help)\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  samples::BoardSimulationOptions options;
  options.board_path = std::string(CHORUS_SOURCE_DIR) + "/dts/boards/psoc_edge_e84_ai.xml";
  double duration_s = 30.0;
  std::string trace_path;
  uint64_t seed = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kHelp, stdout);
      return 0;
    }
    if (i + 1 >= argc) return usage_error("unknown option or missing value: '" + a + "'");
    const std::string v = argv[++i];
    char* end = nullptr;
    if (a == "--duration") {
      duration_s = std::strtod(v.c_str(), &end);
      if (*end != '\0' || !(duration_s > 0.0) || duration_s > 86400.0)
        return usage_error("--duration must be seconds in (0, 86400]");
    } else if (a == "--trace") {
      trace_path = v;
    } else if (a == "--clock") {
      if (v == "board") {
        options.clock = samples::ClockChoice::kBoard;
      } else if (v == "lowest") {
        options.clock = samples::ClockChoice::kLowest;
      } else {
        const double mhz = std::strtod(v.c_str(), &end);
        if (*end != '\0' || !(mhz >= 0.01) || mhz > 4000.0)
          return usage_error("--clock must be board, lowest or MHz in [0.01, 4000]");
        options.clock = samples::ClockChoice::kFixed;
        options.clock_hz = static_cast<uint32_t>(std::llround(mhz * 1e6));
      }
    } else if (a == "--policy") {
      if (v == "edf")
        options.policy = sched::Policy::kEdf;
      else if (v == "fp")
        options.policy = sched::Policy::kFixedPriority;
      else
        return usage_error("--policy must be edf or fp, got '" + v + "'");
    } else if (a == "--npu") {
      if (v != "on" && v != "off") return usage_error("--npu must be on or off, got '" + v + "'");
      options.npu = v == "on";
    } else if (a == "--seed") {
      seed = std::strtoull(v.c_str(), &end, 10);
      if (*end != '\0') return usage_error("--seed must be a number");
    } else if (a == "--board") {
      options.board_path = v;
    } else {
      return usage_error("unknown option '" + a + "'");
    }
  }
  const os::TimeNs duration = static_cast<os::TimeNs>(std::llround(duration_s * 1e9));

  samples::MultiModelScene scene;
  std::string error;
  if (!samples::make_multi_model_scene({CHORUS_SHARED_DIR, CHORUS_SOURCE_DIR}, duration, seed, &scene, &error)) {
    std::fprintf(stderr, "multi_model: %s\n", error.c_str());
    return 1;
  }
  samples::BoardSimulation simulation;
  if (!simulation.build(options, scene.groups(), &error)) {
    std::fprintf(stderr, "multi_model: %s\n", error.c_str());
    return 1;
  }
  tools::ChromeTrace trace(simulation.names());
  if (!trace_path.empty()) simulation.set_trace(&trace);

  const sched::LevelSearchResult& search = simulation.search();
  std::printf("multi_model on %s: %s, CPU %.2f MHz%s, %.1f s virtual\n", simulation.board().name.c_str(),
              sched::policy_name(options.policy), simulation.clock_hz() / 1e6,
              simulation.npu_on() ? ", NPU on" : (simulation.board().has_npu ? ", NPU off" : ""), duration_s);
  const char* analysis =
      sched::policy_name(options.policy == sched::Policy::kFixedPriority ? options.policy : sched::Policy::kEdf);
  if (options.clock == samples::ClockChoice::kBoard)
    std::printf("clock: the board's (--clock lowest finds the lowest at which the %s analysis accepts the set)\n", analysis);
  else if (simulation.lowest_clock_hz() != 0)
    std::printf("clock: the lowest at which the %s analysis accepts the set (board: %.2f MHz)\n", analysis,
                simulation.board().cpu.clock_hz / 1e6);
  std::printf("arena levels: searched %u assignments, %u schedulable, %s\n", search.assignments_tried,
              search.assignments_schedulable,
              search.found ? "chose the one needing the least arena" : "none: every pipeline on its own level");
  if (!search.found) {
    const sched::AnalysisResult& a = search.analysis;
    if (a.worst >= 0)
      std::printf("analysis: NOT schedulable at this clock: pipeline '%s' can respond in %.3f ms, deadline %.3f ms\n",
                  simulation.names()[static_cast<size_t>(a.worst)].c_str(),
                  a.response[a.worst] == UINT64_MAX ? INFINITY : static_cast<double>(a.response[a.worst]) / 1e6,
                  static_cast<double>(simulation.scheduler().config(static_cast<uint32_t>(a.worst)).relative_deadline) / 1e6);
  }
  std::printf("\n");

  const samples::PlaylistMicrophone& mic = scene.kws->microphone();
  const auto& script = scene.gestures->script();
  const samples::AnomalyDetectionConfig& machine = scene.anomaly->config();
  scene.kws->on_detection([&](const samples::KeywordDetection& d) {
    char what[64];
    std::snprintf(what, sizeof(what), "\"%s\" (smoothed %d/255)", samples::KeywordSpotting::label_name(d.label), d.score);
    std::printf("t=%8.3f s  kws      %-28s  truth: ", seconds(d.time), what);
    if (!d.heard.playing) {
      std::printf("past the end of the audio\n");
      return;
    }
    const double start = static_cast<double>(d.heard.start) / mic.rate_hz();
    std::printf("%s, %.2f-%.2f s\n", base_name(mic.file(d.heard.clip)).c_str(), start,
                start + static_cast<double>(mic.clip_frames(d.heard.clip)) / mic.rate_hz());
  });
  scene.gestures->on_detection([&](const samples::GestureDetection& d) {
    const char* name = sim::gesture_name(static_cast<sim::Gesture>(d.label));
    if (d.event < 0) {
      std::printf("t=%8.3f s  gesture  %-28s  truth: no gesture scripted here\n", seconds(d.time), name);
      return;
    }
    const sim::GestureEvent& e = script[static_cast<size_t>(d.event)];
    std::printf("t=%8.3f s  gesture  %-28s  truth: %s, motion %.3f-%.3f s %s\n", seconds(d.time), name,
                sim::gesture_name(e.gesture), seconds(e.start_ns), seconds(e.start_ns) + e.params.duration_s,
                d.label == static_cast<int32_t>(e.gesture) ? "(right)" : "(WRONG)");
  });
  scene.anomaly->on_alarm([&](const samples::AnomalyAlarm& a) {
    char what[64];
    std::snprintf(what, sizeof(what), "alarm %s (score %.2f)", a.raised ? "RAISED" : "cleared", a.score);
    std::printf("t=%8.3f s  anomaly  %-28s  truth: machine %s", seconds(a.time), what,
                a.phase < 0 ? "normal" : sim::machine_fault_name(machine.schedule[static_cast<size_t>(a.phase)].fault));
    if (a.phase >= 0) {
      const double since = machine.schedule[static_cast<size_t>(a.phase)].at_s;
      std::printf(" since %.3f s", since);
      if (a.raised && scene.anomaly->faulty(a.phase)) std::printf(", detected after %.3f s", seconds(a.time) - since);
    }
    std::printf("\n");
  });

  const os::TimeNs second = 1000000000ULL;
  for (os::TimeNs t = second < duration ? second : duration;; t = t + second < duration ? t + second : duration) {
    Status s = simulation.run_until(t);
    if (!s.is_ok()) {
      std::fprintf(stderr, "multi_model: %s\n", s.message());
      return 1;
    }
    if (t == duration) break;
  }
  if (!trace_path.empty() && !trace.write(trace_path, &error)) {
    std::fprintf(stderr, "multi_model: %s\n", error.c_str());
    return 1;
  }

  const samples::MultiModelTally t = samples::tally(scene, duration);
  std::printf(
      "\ndetections: kws yes %zu/%zu, no %zu/%zu, %zu other; gesture %zu/%zu right, %zu false; anomaly %zu/%zu faults "
      "flagged (slowest after %.3f s), %zu false alarms\n",
      t.yes_heard, t.yes_expected, t.no_heard, t.no_expected, t.other_keywords, t.gestures.correct, t.gestures.events,
      t.gestures.false_detections, t.faults_flagged, t.faults, seconds(t.slowest_flag), t.false_alarms);

  tools::SimReport report = simulation.report(duration);
  if (!trace_path.empty()) {
    report.trace_path = trace_path;
    report.trace_events = trace.events();
  }
  tools::print_pipeline_table(report, stdout);
  tools::print_arena_summary(report, stdout);
  return report.deadline_misses() == 0 ? 0 : 3;
}
