// The vibration anomaly pipeline streamed: the stepped front end against the DSP the
// autoencoder was trained on, and the targets -- with the k-of-n rule, no false
// alarm in 60 simulated minutes of normal running, every injected fault flagged within 5 s.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "chorus/drivers/sim/vibration_simulator.hpp"
#include "chorus/runtime/dsp/vibration_features.hpp"
#include "chorus/samples/anomaly_detection.hpp"
#include "chorus/samples/board_simulation.hpp"
#include "chorus/tools/model_set.hpp"
#include "pipeline_paths.hpp"

namespace chorus::samples {
namespace {

namespace sim = drivers::sim;
using pipeline_test::exists;
using pipeline_test::source;

constexpr os::TimeNs kSecond = 1000000000ULL;

TEST(VibrationFeatureStage, RowIsByteIdenticalToVibrationFeatures) {
  runtime::dsp::VibrationFeatures reference;
  ASSERT_TRUE(reference.init(runtime::dsp::VibrationFeatureConfig()).is_ok());
  sched::VibrationFeatureStage stage;
  ASSERT_TRUE(stage.init(1344).is_ok());
  ASSERT_EQ(stage.row_size(), reference.row_size());
  // The model input the stage writes into: a stand-in interpreter is not needed to compare
  // rows, but the last step checks the input size, so run it against the real model.
  const std::string model_path = source("models/anomaly/vibration_ae.tflite");
  ASSERT_TRUE(exists(model_path));
  tools::ModelSet models;
  std::string error;
  ASSERT_GE(models.add(model_path, 0, &error), 0) << error;
  ASSERT_TRUE(models.init(&error)) << error;
  runtime::Interpreter& model = models.interpreter(0);

  const sim::MachineFault faults[] = {sim::MachineFault::kNone, sim::MachineFault::kImbalance,
                                      sim::MachineFault::kBearingOuterRace, sim::MachineFault::kLooseness};
  size_t compared = 0;
  for (sim::MachineFault fault : faults) {
    sim::VibrationSimConfig config;
    config.seed = 21;
    config.fault = fault;
    config.severity = 0.6;
    std::vector<int16_t> storage(3 * 4096);
    RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * sizeof(int16_t)), 6);
    sim::VibrationSimulator machine(ring, config);
    for (uint64_t second = 1; second <= 3; ++second) {
      ASSERT_TRUE(machine.advance_to(second * kSecond).is_ok());
      // The stage keeps the newest 1280 of the second's 1344 samples.
      std::vector<int16_t> window(1280 * 3);
      machine.render(second * 1344 - 1280, 1280, window.data());
      std::vector<int8_t> expected(reference.row_size());
      ASSERT_TRUE(
          reference.compute(Span<const int16_t>(window.data(), window.size()), Span<int8_t>(expected.data(), expected.size()))
              .is_ok());
      for (uint32_t s = 0; s < stage.steps(); ++s) ASSERT_TRUE(stage.run(s, &machine.source(), &model).is_ok()) << "step " << s;
      EXPECT_EQ(std::vector<int8_t>(stage.row(), stage.row() + stage.row_size()), expected)
          << sim::machine_fault_name(fault) << ", second " << second;
      EXPECT_EQ(std::vector<int8_t>(reinterpret_cast<const int8_t*>(model.input(0)),
                                    reinterpret_cast<const int8_t*>(model.input(0)) + stage.row_size()),
                expected);
      ++compared;
    }
    EXPECT_EQ(machine.source().available(), 0u);
  }
  EXPECT_EQ(stage.periods_dropped(), 0u);
  std::printf("compared %zu feature rows (96 values each) byte for byte\n", compared);
}

struct AnomalyRun {
  std::unique_ptr<AnomalyDetection> anomaly;
  BoardSimulation simulation;
};

void run(const AnomalyDetectionConfig& config, os::TimeNs end, AnomalyRun* r) {
  r->anomaly = std::make_unique<AnomalyDetection>(config);
  ASSERT_TRUE(r->anomaly->open().is_ok());
  BoardSimulationOptions options;
  options.board_path = pipeline_test::board();
  std::string error;
  ASSERT_TRUE(r->simulation.build(options, {r->anomaly.get()}, &error)) << error;
  ASSERT_TRUE(r->simulation.run_until(end).is_ok());
  EXPECT_EQ(r->simulation.scheduler().metrics(0).deadline_misses, 0u);
}

AnomalyDetectionConfig base_config() {
  AnomalyDetectionConfig c;
  c.model = source("models/anomaly/vibration_ae.tflite");
  return c;
}

TEST(AnomalyDetection, NoFalseAlarmInAnHourOfNormalRunning) {
  AnomalyDetectionConfig config = base_config();
  ASSERT_TRUE(exists(config.model));
  config.machine.seed = 31;
  config.machine.rpm = 1500.0;
  // Ten-minute stretches across the training band of speeds; each change smears one window.
  const double speeds[] = {1500.0, 600.0, 2400.0, 1000.0, 2000.0, 1200.0};
  for (size_t i = 0; i < 6; ++i) config.schedule.push_back(MachinePhase{600.0 * static_cast<double>(i), speeds[i]});
  AnomalyRun r;
  run(config, 3600 * kSecond + kSecond / 2, &r);
  const std::vector<AnomalyWindow>& windows = r.anomaly->windows();
  double worst = 0.0;
  size_t above = 0;
  for (const AnomalyWindow& w : windows) {
    worst = std::max(worst, w.score);
    if (w.score > config.alarm.threshold) ++above;
  }
  std::printf("60 simulated minutes: %zu windows, highest score %.3f, %zu above %.2f, %zu alarms\n", windows.size(), worst, above,
              static_cast<double>(config.alarm.threshold), r.anomaly->alarms().size());
  EXPECT_EQ(windows.size(), 3600u);
  EXPECT_EQ(r.anomaly->false_alarms(), 0u);
  EXPECT_TRUE(r.anomaly->alarms().empty());
}

TEST(AnomalyDetection, EveryInjectedFaultIsFlaggedWithinFiveSeconds) {
  AnomalyDetectionConfig config = base_config();
  ASSERT_TRUE(exists(config.model));
  config.machine.seed = 41;
  const sim::MachineFault faults[] = {sim::MachineFault::kImbalance, sim::MachineFault::kMisalignment,
                                      sim::MachineFault::kBearingOuterRace, sim::MachineFault::kBearingInnerRace,
                                      sim::MachineFault::kLooseness};
  // The training band's edges and middle, fault onsets at every offset within a window
  // (a window that straddles the onset holds both conditions).
  const double severities[] = {0.2, 0.5, 1.0};
  const double speeds[] = {600.0, 1500.0, 2400.0};
  double t = 10.0;
  size_t n = 0;
  for (double rpm : speeds)
    for (double severity : severities)
      for (sim::MachineFault fault : faults) {
        const double onset = t + 0.137 * static_cast<double>(n % 8);
        config.schedule.push_back(MachinePhase{t - 8.0, rpm, sim::MachineFault::kNone, 0.0});
        config.schedule.push_back(MachinePhase{onset, rpm, fault, severity});
        t += 20.0;
        ++n;
      }
  AnomalyRun r;
  run(config, static_cast<os::TimeNs>(t * 1e9), &r);
  const std::vector<FaultOutcome> outcomes = r.anomaly->faults();
  ASSERT_EQ(outcomes.size(), n);
  double slowest = 0.0, total = 0.0;
  size_t detected = 0;
  for (const FaultOutcome& f : outcomes) {
    const MachinePhase& p = config.schedule[static_cast<size_t>(f.phase)];
    EXPECT_TRUE(f.detected) << sim::machine_fault_name(p.fault) << " at " << p.rpm << " rpm, severity " << p.severity;
    if (!f.detected) continue;
    ++detected;
    const double ttd = static_cast<double>(f.time_to_detect) / 1e9;
    EXPECT_LE(ttd, 5.0) << sim::machine_fault_name(p.fault) << " at " << p.rpm << " rpm, severity " << p.severity;
    slowest = std::max(slowest, ttd);
    total += ttd;
  }
  EXPECT_EQ(r.anomaly->false_alarms(), 0u);
  std::printf(
      "%zu/%zu injected faults flagged (5 kinds x 3 severities x 3 speeds), time to detect mean %.3f s, slowest %.3f s; "
      "%zu false alarms\n",
      detected, n, detected ? total / static_cast<double>(detected) : 0.0, slowest, r.anomaly->false_alarms());
}

TEST(AnomalyDetection, RefusesABadSchedule) {
  AnomalyDetectionConfig config = base_config();
  config.schedule = {MachinePhase{5.0, 1500.0}, MachinePhase{3.0, 1500.0}};
  AnomalyDetection backwards(config);
  EXPECT_FALSE(backwards.open().is_ok());
  config = base_config();
  config.period = 333333333ULL;  // not a whole number of 1344 Hz samples
  AnomalyDetection odd(config);
  EXPECT_FALSE(odd.open().is_ok());
}

}  // namespace
}  // namespace chorus::samples
