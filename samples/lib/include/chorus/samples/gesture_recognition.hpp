// Radar gesture recognition, streamed: the simulated BGT60TR13C-shaped radar plays a seeded
// sequence of hand gestures at 30 frames/s into a ring buffer; the radar front end turns
// every frame into one feature row of a 32-row history ("radar_frontend", periodic at the
// frame period, in short steps); every 50 ms the gesture CNN classifies the last 32 rows and
// a debouncer reports a gesture once it has led for `hold` consecutive windows ("gesture").
// Each detection is matched against the simulator's ground truth. Host only.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chorus/drivers/sim/radar_simulator.hpp"
#include "chorus/samples/pipeline_group.hpp"
#include "chorus/scheduler/stages/radar_feature_stage.hpp"
#include "chorus/scheduler/post/debouncer.hpp"
#include "chorus/scheduler/stages/stages.hpp"

namespace chorus::samples {

struct GestureRecognitionConfig {
  std::string model;  // models/gesture/gesture_cnn.tflite
  drivers::sim::RadarSimConfig radar;
  // The scripted sequence: `gestures` events every `spacing_s` from `first_start_s`, each
  // class drawn uniformly from the seven (nothing = a still hand or an empty scene), its
  // parameters drawn from `ranges` (the model card's bands).
  uint64_t sequence_seed = 1;
  size_t gestures = 12;
  double first_start_s = 1.0;
  double spacing_s = 2.5;
  drivers::sim::GestureRanges ranges = drivers::sim::GestureRanges::training();
  os::TimeNs inference_period = 50000000ULL;
  // A gesture is reported once it has led, at 200/255 or more, for 4 windows in a row
  // (150-200 ms); then nothing for 1 s, since the windows that hold only part of a gesture
  // are outside what the model was trained on, and nothing until "nothing" has led for 2
  // windows: the hand's return (on the real push recording the withdrawal reads as
  // swipe_up) is not a gesture.
  sched::DebounceConfig debounce{4, 200, 0, 2};
  os::TimeNs suppression = 1000000000ULL;
};

struct GestureDetection {
  os::TimeNs time = 0;
  int32_t label = 0;  // drivers::sim::Gesture
  int event = -1;     // the scripted event whose window it fell in, or -1
};

// How the run compares with the script: an event is right when its first detection is its
// class (or, for `nothing`, when nothing is detected); detections outside every event's
// window, and repeats within one, are false detections.
struct GestureScore {
  size_t events = 0;
  size_t correct = 0;
  size_t missed = 0;  // a gesture with no detection
  size_t wrong = 0;   // first detection of another class (or any, for nothing)
  size_t false_detections = 0;
  double accuracy() const { return events == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(events); }
};

// One classification of the last 32 frames.
struct GestureInference {
  os::TimeNs time = 0;
  int8_t scores[drivers::sim::kGestureCount] = {};
};

class GestureRecognition final : public PipelineGroup {
 public:
  static constexpr size_t kWindowFrames = 32;
  static constexpr size_t kRingFrames = 4;
  // An event's window: from the motion's start to this long after its end.
  static constexpr double kDetectionWindowS = 1.2;

  explicit GestureRecognition(GestureRecognitionConfig config);
  // Validates the radar, scripts the sequence and prepares the front end.
  Status open();

  const char* name() const override { return "gesture"; }
  std::vector<PipelineSpec> pipelines() override;
  Status advance_to(os::TimeNs t) override { return radar_.advance_to(t); }

  void on_detection(std::function<void(const GestureDetection&)> fn) { listener_ = std::move(fn); }

  const std::vector<drivers::sim::GestureEvent>& script() const { return script_; }
  // [start, end) of event i's detection window.
  os::TimeNs window_start(size_t i) const { return script_[i].start_ns; }
  os::TimeNs window_end(size_t i) const;
  const std::vector<GestureDetection>& detections() const { return detections_; }
  // Scores the events whose windows have closed by `now` (all of them by default).
  GestureScore score(os::TimeNs now = UINT64_MAX) const;
  const sched::RadarFeatureStage& front_end() const { return stage_; }
  const std::vector<GestureInference>& inferences() const { return inferences_; }

 private:
  static Status on_scores(void* self, const runtime::Interpreter& model, os::TimeNs release, os::TimeNs now);

  GestureRecognitionConfig config_;
  int16_t ring_storage_[kRingFrames * sched::RadarFeatureStage::kMaxFrameSamples];
  RingBuffer ring_;
  drivers::sim::RadarSimulator radar_;
  std::vector<drivers::sim::GestureEvent> script_;
  uint8_t history_storage_[kWindowFrames * runtime::dsp::RadarGestureFeatures::kMaxRowSize];
  sched::FeatureHistory history_;
  sched::RadarFeatureStage stage_;
  std::optional<sched::HistoryToInput> history_stage_;  // made by open(), once the row size is known
  sched::OutputCallback classify_;
  sched::Debouncer debouncer_;
  bool reported_ = false;
  os::TimeNs last_report_ = 0;
  std::vector<GestureDetection> detections_;
  std::vector<GestureInference> inferences_;
  std::function<void(const GestureDetection&)> listener_;
};

}  // namespace chorus::samples
