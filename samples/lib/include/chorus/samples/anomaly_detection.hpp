// Vibration anomaly detection, streamed: the simulated accelerometer on a rotating machine
// (1344 Hz, x/y/z milli-g) runs through a scripted schedule -- normal running, then injected
// faults -- into a ring buffer; once a second the front end turns the newest 1280-sample
// window into 96 spectral band features, the autoencoder reconstructs them, the score is
// the mean squared reconstruction error in log2-power units (mean(((out - in) x 0.125)^2),
// models/anomaly/MODEL_CARD.md) and a k-of-n rule over the scores raises and clears the
// alarm, so one noisy window raises none. One pipeline, "anomaly" (periodic). Host only.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "chorus/drivers/sim/vibration_simulator.hpp"
#include "chorus/samples/pipeline_group.hpp"
#include "chorus/scheduler/stages/vibration_feature_stage.hpp"
#include "chorus/scheduler/post/k_of_n.hpp"
#include "chorus/scheduler/stages/stages.hpp"

namespace chorus::samples {

// From `at_s` on, the machine runs at `rpm` with `fault` at `severity`.
struct MachinePhase {
  double at_s = 0.0;
  double rpm = 1500.0;
  drivers::sim::MachineFault fault = drivers::sim::MachineFault::kNone;
  double severity = 0.0;
};

struct AnomalyDetectionConfig {
  std::string model;                         // models/anomaly/vibration_ae.tflite
  drivers::sim::VibrationSimConfig machine;  // the condition before the first phase
  std::vector<MachinePhase> schedule;        // in time order
  os::TimeNs period = 1000000000ULL;
  // The model card's per-window threshold (between normal running's maximum, 0.22, and the
  // lowest in-band fault window, 0.57); 3 of the last 5 windows raise the alarm.
  sched::KOfNConfig alarm{3, 5, 0.35f};
};

struct AnomalyWindow {
  os::TimeNs time = 0;  // when the score was known
  os::TimeNs end = 0;   // the window's last sample is due by then
  double score = 0.0;
};

struct AnomalyAlarm {
  os::TimeNs time = 0;
  bool raised = true;  // false: cleared
  double score = 0.0;  // the window's that decided it
  int phase = -1;      // the schedule phase running at the window's end (-1: the initial one)
};

// Per faulty phase of the schedule: when the first alarm after its start came.
struct FaultOutcome {
  int phase = 0;
  bool detected = false;
  os::TimeNs time_to_detect = 0;  // from the phase start to the alarm
};

class AnomalyDetection final : public PipelineGroup {
 public:
  static constexpr size_t kRingFrames = 4096;  // 3 s at 1344 Hz

  explicit AnomalyDetection(AnomalyDetectionConfig config);
  Status open();

  const char* name() const override { return "anomaly"; }
  std::vector<PipelineSpec> pipelines() override;
  Status advance_to(os::TimeNs t) override;

  void on_alarm(std::function<void(const AnomalyAlarm&)> fn) { listener_ = std::move(fn); }

  const AnomalyDetectionConfig& config() const { return config_; }
  const std::vector<AnomalyWindow>& windows() const { return windows_; }
  const std::vector<AnomalyAlarm>& alarms() const { return alarms_; }
  // Alarms raised while the machine was normal and no fault had ended within the last
  // n windows (the k-of-n memory).
  size_t false_alarms() const;
  std::vector<FaultOutcome> faults() const;
  // The schedule phase running at `t` (-1: the initial condition).
  int phase_at(os::TimeNs t) const;
  bool faulty(int phase) const;

 private:
  static Status on_output(void* self, const runtime::Interpreter& model, os::TimeNs release, os::TimeNs now);

  AnomalyDetectionConfig config_;
  int16_t ring_storage_[kRingFrames * 3];
  RingBuffer ring_;
  drivers::sim::VibrationSimulator machine_;
  size_t next_phase_ = 0;
  sched::VibrationFeatureStage stage_;
  sched::OutputCallback score_;
  sched::KOfNAlarm alarm_;
  std::vector<AnomalyWindow> windows_;
  std::vector<AnomalyAlarm> alarms_;
  std::function<void(const AnomalyAlarm&)> listener_;
};

}  // namespace chorus::samples
