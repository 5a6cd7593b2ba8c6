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
#include "chorus/scheduler/generated_pipelines.hpp"
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

struct Event {
  TimeNs start, end;
  const char* name;
};
const Event kPlayed[] = {
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

struct Heard {
  TimeNs time;
  int32_t label;
  int32_t score;
};
constexpr size_t kMaxHeard = 16;
Heard g_heard[kMaxHeard];
size_t g_heard_count = 0;

Status on_scores(void*, const runtime::Interpreter& model, TimeNs, TimeNs now) {
  if (model.output_info(0).bytes != kClasses)
    return Status::error(StatusCode::kInvalidArgument, "micro_speech: %zu outputs, expected 4", model.output_info(0).bytes);
  if (!g_history.full()) return Status::ok();  // until 49 frames exist the history is partly zeros
  const sched::Detection d = g_smoother.add(reinterpret_cast<const int8_t*>(model.output(0)), now);
  if (d.detected && g_heard_count < kMaxHeard) {
    g_heard[g_heard_count++] = Heard{now, d.label, d.score};
    printk("chorus mic_kws: heard \"%s\" (score %d) at %u ms\n", kLabels[d.label], static_cast<int>(d.score),
           static_cast<unsigned>(now / 1000000));
  }
  return Status::ok();
}
sched::OutputCallback g_classify(&on_scores, nullptr, 300);

void on_block(void*, uint64_t, uint64_t) { zsample::wake(); }

// Every keyword played (not silence) heard once, in its clip or within kLate after it, with
// its label; nothing else heard.
bool heard_what_was_played() {
  bool ok = true;
  bool used[kMaxHeard] = {};
  for (const Event& e : kPlayed) {
    if (std::strcmp(e.name, "silence") == 0) continue;
    int found = -1;
    for (size_t h = 0; h < g_heard_count; ++h)
      if (!used[h] && g_heard[h].time >= e.start && g_heard[h].time <= e.end + kLate && std::strcmp(kLabels[g_heard[h].label], e.name) == 0)
        found = static_cast<int>(h);
    if (found < 0) {
      printk("chorus mic_kws: \"%s\" played at %u ms was not heard\n", e.name, static_cast<unsigned>(e.start / 1000000));
      ok = false;
    } else {
      used[found] = true;
    }
  }
  for (size_t h = 0; h < g_heard_count; ++h) {
    if (used[h]) continue;
    printk("chorus mic_kws: \"%s\" heard at %u ms was not played then\n", kLabels[g_heard[h].label],
           static_cast<unsigned>(g_heard[h].time / 1000000));
    ok = false;
  }
  return ok;
}

int run() {
  if (!device_is_ready(g_mic)) {
    printk("chorus mic_kws: the microphone %s is not ready\n", g_mic->name);
    return -1;
  }
  const zephyr::StreamInfo* info = zephyr::stream_info(g_mic);
  printk("chorus mic_kws: %s on %s, microphone %s (%s, %u Hz, %u-frame blocks); this core runs %u instructions per us\n",
         zsample::board_description().name, CONFIG_BOARD, g_mic->name, info->sensor_type, static_cast<unsigned>(info->rate_hz),
         static_cast<unsigned>(info->block_frames), static_cast<unsigned>(zsample::measured_mips()));
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
    PipelineSpec& s = specs[i];
    const LinkedModel* m = nullptr;
    for (size_t k = 0; k < kLinkedModelCount; ++k)
      if (e.model != nullptr && std::strcmp(kLinkedModels[k].id, e.model) == 0) m = &kLinkedModels[k];
    if (m == nullptr) {
      printk("chorus mic_kws: pipeline %s has no model in the image\n", e.name);
      return -1;
    }
    s.model = Span<const uint8_t>(m->begin, static_cast<size_t>(m->end - m->begin));
    s.config.name = e.name;
    s.config.period = e.period_ns;
    s.config.phase = e.phase_ns;
    s.config.relative_deadline = e.deadline_ns;
    s.level = e.level;
    s.priority = e.priority;
    s.npu = false;
    if (&e == front) {  // released by the scheduler when a window is in the ring
      s.config.source = &source;
      s.config.features = &g_window;
      s.config.post = &g_append;
      s.config.release = sched::ReleaseRule::kWindowReady;
      s.config.window_frames = kWindow;
      s.config.hop_frames = kHop;
    } else {  // on a timer
      s.config.features = &g_to_input;
      s.config.post = &g_classify;
      s.config.release = sched::ReleaseRule::kPeriodic;
    }
  }
  Status s = zsample::build(Span<const PipelineSpec>(specs, 2));
  if (!s.is_ok()) {
    printk("chorus mic_kws: %s\n", s.message());
    return -1;
  }
  const int64_t start = zsample::start();
  if (zephyr::stream_start(g_mic, ring, start, &on_block, nullptr) != 0) {
    printk("chorus mic_kws: the microphone did not start\n");
    return -1;
  }
  s = zsample::run(kRunNs);
  zephyr::stream_stop(g_mic);
  if (!s.is_ok()) {
    printk("chorus mic_kws: %s\n", s.message());
    return -1;
  }
  printk("chorus mic_kws: %u keywords heard, %u frames of features; microphone overruns %u, %u frames past the recording\n",
         static_cast<unsigned>(g_heard_count), static_cast<unsigned>(g_history.appended()),
         static_cast<unsigned>(ring->overrun_frames()), static_cast<unsigned>(zephyr::stream_frames_past_end(g_mic)));
  if (heard_what_was_played()) printk("chorus mic_kws: heard every keyword played, nothing else (%u played)\n", static_cast<unsigned>(kPlayedCount));
  zsample::report("mic_kws", kRunNs);
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
