#include "chorus/samples/gesture_recognition.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"

namespace chorus::samples {

namespace sim = drivers::sim;

namespace {
constexpr uint64_t kScriptStream = 0x5343524950540000ull;  // "SCRIPT"
// Finding the top class and the debouncer's bookkeeping.
constexpr uint64_t kDebounceCycles = 300;
}  // namespace

GestureRecognition::GestureRecognition(GestureRecognitionConfig config)
    : config_(std::move(config)),
      ring_(Span<uint8_t>(reinterpret_cast<uint8_t*>(ring_storage_), sizeof(ring_storage_)), config_.radar.format.bytes()),
      radar_(ring_, config_.radar),
      classify_(&GestureRecognition::on_scores, this, kDebounceCycles),
      debouncer_(config_.debounce) {}

Status GestureRecognition::open() {
  CHORUS_RETURN_IF_ERROR(radar_.validate());
  if (config_.radar.format.samples() > sched::RadarFeatureStage::kMaxFrameSamples)
    return Status::error(StatusCode::kOutOfRange, "gesture: radar frames of %zu samples; the front end holds %zu",
                         config_.radar.format.samples(), sched::RadarFeatureStage::kMaxFrameSamples);
  if (config_.gestures > sim::RadarSimulator::kMaxEvents)
    return Status::error(StatusCode::kOutOfRange, "gesture: %zu gestures scripted; the simulator takes %zu", config_.gestures,
                         sim::RadarSimulator::kMaxEvents);
  // One gesture's hand must be out of view before the next comes up, and its detection window over.
  const double in_view = config_.ranges.approach_s[1] + config_.ranges.duration_s[1] + config_.ranges.hold_s[1] + config_.ranges.return_s[1];
  const double scored = config_.ranges.duration_s[1] + kDetectionWindowS;
  const double longest = in_view > scored ? in_view : scored;
  if (!(config_.spacing_s >= longest))
    return Status::error(StatusCode::kInvalidArgument, "gesture: events every %d ms overlap (the longest needs %d ms)",
                         static_cast<int>(config_.spacing_s * 1000), static_cast<int>(longest * 1000));
  runtime::dsp::RadarGestureFeatures probe;
  runtime::dsp::RadarGestureFeatureConfig fc;
  fc.range_doppler.samples_per_chirp = config_.radar.format.samples_per_chirp;
  fc.range_doppler.chirps = config_.radar.format.chirps_per_frame;
  fc.range_doppler.rx_antennas = config_.radar.format.rx_antennas;
  CHORUS_RETURN_IF_ERROR(probe.init(fc));
  history_ = sched::FeatureHistory(Span<uint8_t>(history_storage_, sizeof(history_storage_)), kWindowFrames, probe.row_size());
  history_stage_.emplace(history_, copy_cycles(kWindowFrames * probe.row_size()));
  CHORUS_RETURN_IF_ERROR(stage_.init(config_.radar.format.samples_per_chirp, config_.radar.format.chirps_per_frame, config_.radar.format.rx_antennas, &history_));

  radar_.clear_schedule();
  script_.clear();
  for (size_t i = 0; i < config_.gestures; ++i) {
    sim::GestureEvent e;
    e.gesture = static_cast<sim::Gesture>(sim::random_bits(config_.sequence_seed, kScriptStream, i) % sim::kGestureCount);
    e.params = sim::sample_gesture_params(e.gesture, config_.ranges, config_.sequence_seed, i);
    e.start_ns =
        static_cast<os::TimeNs>(std::llround((config_.first_start_s + static_cast<double>(i) * config_.spacing_s) * 1e9));
    CHORUS_RETURN_IF_ERROR(radar_.schedule(e));
    script_.push_back(e);
  }
  return Status::ok();
}

os::TimeNs GestureRecognition::window_end(size_t i) const {
  return script_[i].start_ns + static_cast<os::TimeNs>(std::llround((script_[i].params.duration_s + kDetectionWindowS) * 1e9));
}

std::vector<PipelineSpec> GestureRecognition::pipelines() {
  const os::TimeNs frame = config_.radar.format.frame_period_ns;
  PipelineSpec front;
  front.config.name = "radar_frontend";
  front.config.source = &radar_.source();
  front.config.features = &stage_;
  // Frame k is complete at (k + 1) frame periods: one job per frame, due before the next.
  front.config.period = frame;
  front.config.phase = frame;
  front.config.relative_deadline = frame;
  PipelineSpec classifier;
  classifier.config.name = "gesture";
  classifier.config.features = history_stage_ ? &*history_stage_ : nullptr;
  classifier.config.post = &classify_;
  classifier.config.period = config_.inference_period;
  classifier.config.phase = config_.inference_period;
  classifier.config.relative_deadline = config_.inference_period;
  classifier.model_path = config_.model;
  return {front, classifier};
}

Status GestureRecognition::on_scores(void* user, const runtime::Interpreter& model, os::TimeNs, os::TimeNs now) {
  GestureRecognition& self = *static_cast<GestureRecognition*>(user);
  const size_t classes = model.output_info(0).bytes;
  if (classes != static_cast<size_t>(sim::kGestureCount))
    return Status::error(StatusCode::kInvalidArgument, "gesture model: %zu outputs, expected %d classes", classes,
                         sim::kGestureCount);
  // Until 32 frames exist the history is partly zeros, which is not radar.
  if (!self.history_.full()) return Status::ok();
  GestureInference inference;
  inference.time = now;
  const int8_t* scores = reinterpret_cast<const int8_t*>(model.output(0));
  for (size_t c = 0; c < classes; ++c) inference.scores[c] = scores[c];
  self.inferences_.push_back(inference);
  const int32_t label = self.debouncer_.add(scores, static_cast<uint32_t>(classes));
  if (label < 0) return Status::ok();
  if (self.reported_ && now - self.last_report_ < self.config_.suppression) return Status::ok();
  self.reported_ = true;
  self.last_report_ = now;
  GestureDetection d;
  d.time = now;
  d.label = label;
  for (size_t i = 0; i < self.script_.size(); ++i)
    if (now >= self.window_start(i) && now < self.window_end(i)) d.event = static_cast<int>(i);
  self.detections_.push_back(d);
  if (self.listener_) self.listener_(d);
  return Status::ok();
}

GestureScore GestureRecognition::score(os::TimeNs now) const {
  GestureScore s;
  std::vector<int> first(script_.size(), -1);
  for (const GestureDetection& d : detections_) {
    if (d.time >= now) continue;
    if (d.event < 0) {
      ++s.false_detections;
    } else if (first[static_cast<size_t>(d.event)] < 0) {
      first[static_cast<size_t>(d.event)] = d.label;
    } else {
      ++s.false_detections;
    }
  }
  for (size_t i = 0; i < script_.size(); ++i) {
    if (window_end(i) > now) continue;
    ++s.events;
    const int truth = static_cast<int>(script_[i].gesture);
    if (first[i] == truth || (truth == 0 && first[i] < 0))
      ++s.correct;
    else if (first[i] < 0)
      ++s.missed;
    else
      ++s.wrong;
  }
  return s;
}

}  // namespace chorus::samples
