// Chorus keyword spotting from a microphone on Zephyr, in real time: TFLM's micro_speech
// example streamed on chorus::System (zephyr/samples/common/runner.cpp):
//  - the microphone is the devicetree's chosen chorus,microphone, a Chorus sensor stream
//    (chorus/zephyr/sensor_stream.hpp): on QEMU a replay sensor playing real Speech
//    Commands clips, 10 ms blocks into the microphone's ring buffer (the board XML's placed
//    sensor buffer), each block waking the scheduler;
//  - "kws_frontend" is released by the scheduler when the ring holds a 30 ms window (every
//    20 ms hop): the audio_preprocessor_int8 model turns it into 40 int8 features that join
//    a 49-frame history;
//  - "kws" runs micro_speech on that history every 100 ms (k_timer) and a posterior
//    smoother (TFLM's RecognizeCommands: 1 s average, threshold 200 of 255) reports keywords.
// At the end, the keywords heard are compared with what the replay played (its ground
// truth): every keyword once, in its clip or within 1.5 s after it, and nothing else.
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include <cstring>
#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/scheduler/post/posterior_smoother.hpp"
#include "chorus/scheduler/stages/feature_history.hpp"
#include "chorus/scheduler/stages/stages.hpp"
#include "chorus/zephyr/sensor_stream.hpp"
#include "runner.hpp"

namespace {

using namespace chorus;
using os::TimeNs;

constexpr TimeNs kRunNs = static_cast<TimeNs>(CHORUS_RUN_SECONDS) * 1000000000ull;
constexpr uint32_t kWindow = 480, kHop = 320, kFrames = 49, kFeatures = 40, kClasses = 4;
const char* const kLabels[kClasses] = {"silence", "unknown", "yes", "no"};

const zsample::Played kPlayed[] = {
#include "chorus_replay_mic_truth.inc"
};
constexpr size_t kPlayedCount = sizeof(kPlayed) / sizeof(kPlayed[0]);
constexpr TimeNs kLate = 1500000000ull;  // the smoother's 1 s average plus a hop and a half

const struct device* const g_mic = DEVICE_DT_GET(DT_CHOSEN(chorus_microphone));

uint8_t g_history_storage[kFrames * kFeatures];
sched::FeatureHistory g_history(Span<uint8_t>(g_history_storage, sizeof(g_history_storage)), kFrames, kFeatures);
sched::WindowToInput g_window(kWindow, sched::copy_cycles(kWindow * 2));
sched::AppendOutput g_append(g_history, sched::copy_cycles(kFeatures));
sched::HistoryToInput g_to_input(g_history, sched::copy_cycles(kFrames * kFeatures));
sched::PosteriorSmoother g_smoother(sched::SmootherConfig{1000000000ull, 1000000000ull, 3, 200, 0x3u}, kClasses);

constexpr size_t kMaxHeard = 16;
zsample::Reported g_heard[kMaxHeard];
size_t g_heard_count = 0;

Status on_scores(void*, const runtime::Interpreter& model, TimeNs, TimeNs now) {
  if (model.output_info(0).bytes != kClasses)
    return Status::error(StatusCode::kInvalidArgument, "micro_speech: %zu outputs, expected 4", model.output_info(0).bytes);
  if (!g_history.full()) return Status::ok();  // until 49 frames exist the history is partly zeros
  const sched::Detection d = g_smoother.add(reinterpret_cast<const int8_t*>(model.output(0)), now);
  if (d.detected && g_heard_count < kMaxHeard) {
    g_heard[g_heard_count++] = zsample::Reported{now, kLabels[d.label]};
    printk("chorus mic_kws: heard \"%s\" (score %d) at %u ms\n", kLabels[d.label], static_cast<int>(d.score),
           static_cast<unsigned>(now / 1000000));
  }
  return Status::ok();
}
sched::OutputCallback g_classify(&on_scores, nullptr, 300);

void on_block(void*, uint64_t, uint64_t) { zsample::wake(); }

int run() {
  const zephyr::StreamInfo* info = zsample::open_sensor("mic_kws", g_mic);
  if (info == nullptr) return -1;
  if (info->values_per_frame != 1 || info->rate_hz != 16000) {
    printk("chorus mic_kws: micro_speech needs 16 kHz mono audio\n");
    return -1;
  }
  // The ring: the board XML's placed microphone buffer.
  const board::Board& b = zsample::board_description();
  RingBuffer* ring = nullptr;
  for (uint32_t s = 0; s < zsample::sensor_buffers().size(); ++s) {
    if (b.sensors[s].type != board::SensorType::kMicrophone) continue;
    const board::Buffer& buf = zsample::sensor_buffers()[s];
    uint8_t* p = zsample::memory_at(buf.region, buf.address, buf.size);
    alignas(RingBuffer) static unsigned char storage[sizeof(RingBuffer)];
    if (p != nullptr) ring = new (storage) RingBuffer(Span<uint8_t>(p, buf.size), sizeof(int16_t));
  }
  if (ring == nullptr) {
    printk("chorus mic_kws: the board description places no microphone buffer\n");
    return -1;
  }
  static RingBufferSource source(*ring, StreamInfo{SampleFormat::kInt16, 1, info->rate_hz});

  const board::PipelineEntry* front = zsample::entry("kws_frontend");
  const board::PipelineEntry* kws = zsample::entry("kws");
  if (front == nullptr || kws == nullptr || zsample::pipeline_entries().size() != 2) {
    printk("chorus mic_kws: the scenario must have the pipelines kws_frontend and kws\n");
    return -1;
  }
  PipelineSpec specs[2];
  for (uint32_t i = 0; i < 2; ++i) {
    const board::PipelineEntry& e = zsample::pipeline_entries()[i];
    Status s = zsample::spec_for(e, &specs[i]);
    if (!s.is_ok() || specs[i].model.empty()) {
      printk("chorus mic_kws: pipeline %s: %s\n", e.name, s.is_ok() ? "no model" : s.message());
      return -1;
    }
    if (&e == front) {  // released by the scheduler when a window is in the ring
      specs[i].config.source = &source;
      specs[i].config.features = &g_window;
      specs[i].config.post = &g_append;
      specs[i].config.release = sched::ReleaseRule::kWindowReady;
      specs[i].config.window_frames = kWindow;
      specs[i].config.hop_frames = kHop;
    } else {  // on a timer
      specs[i].config.features = &g_to_input;
      specs[i].config.post = &g_classify;
      specs[i].config.release = sched::ReleaseRule::kPeriodic;
    }
  }
  Status s = zsample::run_with_sensor(Span<const PipelineSpec>(specs, 2), g_mic, ring, &on_block, kRunNs);
  if (!s.is_ok()) {
    printk("chorus mic_kws: %s\n", s.message());
    return -1;
  }
  printk("chorus mic_kws: %u keywords heard, %u frames of features; microphone overruns %u, %u frames past the recording\n",
         static_cast<unsigned>(g_heard_count), static_cast<unsigned>(g_history.appended()),
         static_cast<unsigned>(ring->overrun_frames()), static_cast<unsigned>(zephyr::stream_frames_past_end(g_mic)));
  if (zsample::reported_as_played("mic_kws", Span<const zsample::Played>(kPlayed, kPlayedCount),
                                  Span<const zsample::Reported>(g_heard, g_heard_count), kLate, "silence"))
    printk("chorus mic_kws: heard every keyword played, nothing else (%u played)\n", static_cast<unsigned>(kPlayedCount));
  zsample::report("mic_kws", kRunNs);
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
