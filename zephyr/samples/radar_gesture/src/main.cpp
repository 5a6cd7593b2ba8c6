// Chorus gesture recognition from a radar on Zephyr, in real time, on chorus::System
// (zephyr/samples/common/runner.cpp):
//  - the radar is the devicetree's chosen chorus,radar, a Chorus sensor stream
//    (chorus/zephyr/sensor_stream.hpp): on QEMU a replay sensor playing the radar
//    simulator's frames (64 samples x 32 chirps x 3 antennas, 30 a second) into a ring of
//    four frames;
//  - each frame's arrival releases "radar_frontend" (a sensor-triggered release at the
//    frame's nominal time): sched::RadarFeatureStage turns it into one feature row in 17
//    short steps, appended to a 32-row history;
//  - "gesture" runs the gesture CNN on that history every 50 ms (k_timer); a debouncer
//    reports a gesture once it has led at 200/255 or more for 4 windows in a row, then
//    nothing for 1 s nor before "nothing" has led for 2 windows (the host's
//    GestureRecognition settings).
// At the end, the gestures reported are compared with what the replay played.
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/runtime/dsp/radar_gesture_features.hpp"
#include "chorus/scheduler/post/debouncer.hpp"
#include "chorus/scheduler/stages/feature_history.hpp"
#include "chorus/scheduler/stages/radar_feature_stage.hpp"
#include "chorus/scheduler/stages/stages.hpp"
#include "chorus/zephyr/sensor_stream.hpp"
#include "runner.hpp"

namespace {

using namespace chorus;
using os::TimeNs;

constexpr TimeNs kRunNs = static_cast<TimeNs>(CHORUS_RUN_SECONDS) * 1000000000ull;
constexpr uint32_t kSamples = 64, kChirps = 32, kAntennas = 3, kFrameValues = kSamples * kChirps * kAntennas;
constexpr uint32_t kRows = 32, kRingFrames = 4, kClasses = 6;
const char* const kGestures[kClasses] = {"nothing", "push", "swipe_left", "swipe_right", "swipe_up", "swipe_down"};
constexpr TimeNs kSuppression = 1000000000ull;
constexpr TimeNs kLate = 1200000000ull;  // the host's detection window after a gesture

const zsample::Played kPlayed[] = {
#include "chorus_replay_radar_truth.inc"
};
constexpr size_t kPlayedCount = sizeof(kPlayed) / sizeof(kPlayed[0]);

const struct device* const g_radar = DEVICE_DT_GET(DT_CHOSEN(chorus_radar));

// The large parts in SRAM (placement-new'd: the section is not zeroed).
alignas(16) CHORUS_SAMPLE_BIG int16_t g_ring_storage[kRingFrames * kFrameValues];
alignas(sched::RadarFeatureStage) CHORUS_SAMPLE_BIG unsigned char g_stage_storage[sizeof(sched::RadarFeatureStage)];
uint8_t g_history_storage[kRows * runtime::dsp::RadarGestureFeatures::kMaxRowSize];
sched::FeatureHistory g_history;
alignas(sched::HistoryToInput) unsigned char g_to_input_storage[sizeof(sched::HistoryToInput)];
sched::Debouncer g_debouncer(sched::DebounceConfig{4, 200, 0, 2});
uint32_t g_front = 0;  // radar_frontend's index

constexpr size_t kMaxReported = 32;
zsample::Reported g_reported[kMaxReported];
size_t g_reported_count = 0;
TimeNs g_last_report = 0;

Status on_scores(void*, const runtime::Interpreter& model, TimeNs, TimeNs now) {
  if (model.output_info(0).bytes != kClasses)
    return Status::error(StatusCode::kInvalidArgument, "gesture model: %zu outputs, expected 7", model.output_info(0).bytes);
  if (!g_history.full()) return Status::ok();  // until 32 frames exist the history is partly zeros
  const int32_t label = g_debouncer.add(reinterpret_cast<const int8_t*>(model.output(0)), kClasses);
  if (label < 0) return Status::ok();
  if (g_reported_count > 0 && now - g_last_report < kSuppression) return Status::ok();
  g_last_report = now;
  if (g_reported_count < kMaxReported) g_reported[g_reported_count++] = zsample::Reported{now, kGestures[label]};
  printk("chorus radar_gesture: %s at %u ms\n", kGestures[label], static_cast<unsigned>(now / 1000000));
  return Status::ok();
}
sched::OutputCallback g_classify(&on_scores, nullptr, 300);

// A frame is in the ring: its front-end job, nominally at the frame's due time.
void on_frame(void*, uint64_t, uint64_t due_ns) { zsample::release_from_isr(g_front, due_ns); }

int run() {
  const zephyr::StreamInfo* info = zsample::open_sensor("radar_gesture", g_radar);
  if (info == nullptr) return -1;
  if (info->values_per_frame != kFrameValues || info->block_frames != 1) {
    printk("chorus radar_gesture: the front end takes one frame of %u values per block\n", static_cast<unsigned>(kFrameValues));
    return -1;
  }
  static RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(g_ring_storage), sizeof(g_ring_storage)),
                         kFrameValues * sizeof(int16_t));
  static RingBufferSource source(ring, StreamInfo{SampleFormat::kInt16, kFrameValues, info->rate_hz});

  runtime::dsp::RadarGestureFeatures probe;
  runtime::dsp::RadarGestureFeatureConfig fc;
  Status s = probe.init(fc);
  if (!s.is_ok()) {
    printk("chorus radar_gesture: %s\n", s.message());
    return -1;
  }
  g_history = sched::FeatureHistory(Span<uint8_t>(g_history_storage, kRows * probe.row_size()), kRows, probe.row_size());
  sched::RadarFeatureStage& stage = *new (g_stage_storage) sched::RadarFeatureStage();
  s = stage.init(kSamples, kChirps, kAntennas, &g_history);
  sched::HistoryToInput& to_input = *new (g_to_input_storage) sched::HistoryToInput(g_history, sched::copy_cycles(kRows * probe.row_size()));

  const board::PipelineEntry* front = zsample::entry("radar_frontend");
  const board::PipelineEntry* gesture = zsample::entry("gesture");
  if (s.is_ok() && (front == nullptr || gesture == nullptr || zsample::pipeline_entries().size() != 2))
    s = Status::error(StatusCode::kInvalidArgument, "the scenario must have the pipelines radar_frontend and gesture");
  PipelineSpec specs[2];
  for (uint32_t i = 0; s.is_ok() && i < 2; ++i) {
    const board::PipelineEntry& e = zsample::pipeline_entries()[i];
    s = zsample::spec_for(e, &specs[i]);
    if (&e == front) {  // released by each frame's arrival
      g_front = i;
      specs[i].config.source = &source;
      specs[i].config.features = &stage;
      specs[i].config.release = sched::ReleaseRule::kInterrupt;
    } else {  // on a timer
      specs[i].config.features = &to_input;
      specs[i].config.post = &g_classify;
      specs[i].config.release = sched::ReleaseRule::kPeriodic;
    }
  }
  if (s.is_ok()) s = zsample::run_with_sensor(Span<const PipelineSpec>(specs, 2), g_radar, &ring, &on_frame, kRunNs);
  if (!s.is_ok()) {
    printk("chorus radar_gesture: %s\n", s.message());
    return -1;
  }
  printk("chorus radar_gesture: %u gestures reported, %u frames of features (%u dropped); radar overruns %u\n",
         static_cast<unsigned>(g_reported_count), static_cast<unsigned>(stage.frames()), static_cast<unsigned>(stage.frames_dropped()),
         static_cast<unsigned>(ring.overrun_frames()));
  if (zsample::reported_as_played("radar_gesture", Span<const zsample::Played>(kPlayed, kPlayedCount),
                                  Span<const zsample::Reported>(g_reported, g_reported_count), kLate, nullptr))
    printk("chorus radar_gesture: reported every gesture played, nothing else (%u played)\n", static_cast<unsigned>(kPlayedCount));
  zsample::report("radar_gesture", kRunNs);
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
