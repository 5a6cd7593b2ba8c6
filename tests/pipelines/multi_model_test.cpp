// The multi-model scene on the multi-model sample's default board (PSoC Edge E84): all five pipelines in one shared arena, at the
// board's clock, in virtual time -- no deadline missed, and every scripted keyword, gesture
// and fault detected.
#include <cstdio>
#include <vector>

#include "chorus/samples/board_simulation.hpp"
#include "chorus/samples/multi_model.hpp"
#include "pipeline_paths.hpp"

namespace chorus::samples {
namespace {

using pipeline_test::exists;
namespace sim = drivers::sim;

constexpr os::TimeNs kSecond = 1000000000ULL;

struct MultiRun {
  MultiModelScene scene;
  BoardSimulation simulation;
  std::vector<std::string> events;  // every detection, as the sample prints it
};

// `slice` > 0: the host advances the simulation in run_until calls of that length.
void run(os::TimeNs duration, MultiRun* r, os::TimeNs slice = 0) {
  ASSERT_TRUE(exists(pipeline_test::source("models/gesture/gesture_cnn.tflite")));
  ASSERT_TRUE(exists(pipeline_test::source("models/anomaly/vibration_ae.tflite")));
  ASSERT_TRUE(exists(pipeline_test::shared("models/micro_speech_quantized.tflite")));
  std::string error;
  ASSERT_TRUE(make_multi_model_scene({CHORUS_SHARED_DIR, CHORUS_SOURCE_DIR}, duration, 1, &r->scene, &error)) << error;
  BoardSimulationOptions options;
  options.board_path = pipeline_test::board();
  ASSERT_TRUE(r->simulation.build(options, r->scene.groups(), &error)) << error;
  char line[160];
  r->scene.kws->on_detection([&](const KeywordDetection& d) {
    std::snprintf(line, sizeof(line), "%9.3f s kws %s", static_cast<double>(d.time) / 1e9, KeywordSpotting::label_name(d.label));
    r->events.push_back(line);
  });
  r->scene.gestures->on_detection([&](const GestureDetection& d) {
    std::snprintf(line, sizeof(line), "%9.3f s gesture %s", static_cast<double>(d.time) / 1e9,
                  sim::gesture_name(static_cast<sim::Gesture>(d.label)));
    r->events.push_back(line);
  });
  r->scene.anomaly->on_alarm([&](const AnomalyAlarm& a) {
    std::snprintf(line, sizeof(line), "%9.3f s anomaly %s", static_cast<double>(a.time) / 1e9, a.raised ? "raised" : "cleared");
    r->events.push_back(line);
  });
  if (slice > 0)
    for (os::TimeNs t = slice; t < duration; t += slice) ASSERT_TRUE(r->simulation.run_until(t).is_ok());
  ASSERT_TRUE(r->simulation.run_until(duration).is_ok());
}

TEST(MultiModel, RunsWithoutDeadlineMissesAndDetectsWhatWasScripted) {
  const os::TimeNs duration = 50 * kSecond;
  MultiRun r;
  run(duration, &r);
  ASSERT_FALSE(HasFatalFailure());
  for (const std::string& e : r.events) std::printf("  %s\n", e.c_str());

  // The analysis accepts the set at the board's clock, and the run agrees.
  const BoardSimulation& s = r.simulation;
  EXPECT_EQ(s.clock_hz(), s.board().cpu.clock_hz);
  EXPECT_TRUE(s.search().found);
  ASSERT_EQ(s.scheduler().num_pipelines(), 5u);
  uint32_t periodic = 0;
  for (uint32_t i = 0; i < s.scheduler().num_pipelines(); ++i) {
    SCOPED_TRACE(s.names()[i]);
    const sched::PipelineMetrics& m = s.scheduler().metrics(i);
    EXPECT_EQ(m.deadline_misses, 0u);
    EXPECT_EQ(m.skips, 0u);
    // The periodic pipelines are released every period from one period on: those strictly
    // before the end are released, and those whose analysis bound fits before the end
    // complete (here the only other, the radar's last frame, comes 0.5 us before the end,
    // less than any job takes).
    const sched::PipelineConfig& c = s.scheduler().config(i);
    if (c.release == sched::ReleaseRule::kPeriodic) {
      ASSERT_EQ(c.phase, c.period);
      const uint64_t released = (duration - 1) / c.period;
      const os::TimeNs bound = s.search().analysis.response[i];
      uint64_t complete = 0;
      for (uint64_t k = 1; k <= released; ++k) complete += k * c.period + bound <= duration ? 1 : 0;
      EXPECT_EQ(m.releases, released);
      EXPECT_EQ(m.completions, complete);
      ++periodic;
    }
  }
  EXPECT_EQ(periodic, 4u);
  // The front end's windows: 480 samples, then every 320 (16 kHz): the k-th completes at
  // (480 + 320 k) / 16 kHz = 30 + 20 k ms; those up to the end run (each job takes well
  // under the 10 ms left after the last, at 49.990 s).
  const uint64_t samples = duration / 1000 * 16 / 1000;
  EXPECT_EQ(s.scheduler().metrics(static_cast<uint32_t>(s.pipeline("kws_frontend"))).completions, (samples - 480) / 320 + 1);
  // One arena, laid out by level: smaller than one arena per model.
  const tools::SimReport report = s.report(duration);
  EXPECT_LT(report.layout->total_bytes, report.separate_arena_bytes);
  std::printf("arena %zu bytes in %u level(s) (one arena per model: %zu), CPU %.1f%%\n", report.layout->total_bytes,
              report.layout->num_levels, report.separate_arena_bytes, 100.0 * report.cpu_utilization());

  const MultiModelTally t = tally(r.scene, duration);
  std::printf(
      "kws yes %zu/%zu, no %zu/%zu, other %zu; gestures %zu/%zu, %zu false; faults %zu/%zu (slowest %.3f s), %zu false "
      "alarms\n",
      t.yes_heard, t.yes_expected, t.no_heard, t.no_expected, t.other_keywords, t.gestures.correct, t.gestures.events,
      t.gestures.false_detections, t.faults_flagged, t.faults, static_cast<double>(t.slowest_flag) / 1e9, t.false_alarms);
  EXPECT_EQ(t.yes_expected, 10u);
  EXPECT_EQ(t.yes_heard, t.yes_expected);
  EXPECT_EQ(t.no_heard, t.no_expected);
  EXPECT_EQ(t.other_keywords, 0u);
  EXPECT_GE(t.gestures.events, 18u);
  // Measured: 19/19, no false detection; margin one event, no false one.
  EXPECT_GE(t.gestures.correct + 1, t.gestures.events);
  EXPECT_EQ(t.gestures.false_detections, 0u);
  EXPECT_EQ(t.faults, 2u);
  EXPECT_EQ(t.faults_flagged, t.faults);
  EXPECT_LE(t.slowest_flag, 5 * kSecond);
  EXPECT_EQ(t.false_alarms, 0u);
}

// Virtual time is the whole state: advancing the host in many uneven run_until calls (37 ms
// and 13 ns each, so slices end mid-step, mid-frame and mid-release) gives the same
// detections, the same responses and the same CPU time as one call.
TEST(MultiModel, SlicingTheRunChangesNothing) {
  MultiRun whole, sliced;
  run(12 * kSecond, &whole);
  run(12 * kSecond, &sliced, 37 * 1000000 + 13);
  ASSERT_FALSE(HasFatalFailure());
  // Derived from the scene's script: the first 12 s hold keywords, gestures and a fault.
  EXPECT_GE(whole.events.size(), 3u);
  EXPECT_EQ(whole.events, sliced.events);
  for (uint32_t i = 0; i < whole.simulation.scheduler().num_pipelines(); ++i) {
    SCOPED_TRACE(whole.simulation.names()[i]);
    const sched::PipelineMetrics& ma = whole.simulation.scheduler().metrics(i);
    const sched::PipelineMetrics& mb = sliced.simulation.scheduler().metrics(i);
    EXPECT_GT(ma.completions, 0u);
    EXPECT_EQ(ma.releases, mb.releases);
    EXPECT_EQ(ma.completions, mb.completions);
    EXPECT_EQ(ma.response.max(), mb.response.max());
    EXPECT_EQ(ma.response.percentile(50), mb.response.percentile(50));
  }
  EXPECT_EQ(whole.simulation.scheduler().cpu_busy_ns(), sliced.simulation.scheduler().cpu_busy_ns());
}

}  // namespace
}  // namespace chorus::samples
