// Chorus vibration anomaly detection from an accelerometer on Zephyr, in real time, on
// chorus::System (zephyr/samples/common/runner.cpp):
//  - the accelerometer is the devicetree's chosen chorus,accelerometer, a Chorus sensor
//    stream (chorus/zephyr/sensor_stream.hpp): on QEMU a replay sensor playing the
//    vibration simulator (x, y, z milli-g at 1344 Hz, one second per block);
//  - each second's arrival releases "anomaly" (a sensor-triggered release at the second's
//    nominal end): sched::VibrationFeatureStage computes the band features in 9 steps, the
//    autoencoder reconstructs them, and the mean squared reconstruction error (in the
//    features' log2-power units) goes through the model card's alarm: 3 of the last 5
//    windows above 0.35.
// At the end: no alarm before the fault the replay played, and one within 5 s of it.
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/scheduler/post/k_of_n.hpp"
#include "chorus/scheduler/stages/stages.hpp"
#include "chorus/scheduler/stages/vibration_feature_stage.hpp"
#include "chorus/zephyr/sensor_stream.hpp"
#include "runner.hpp"

namespace {

using namespace chorus;
using os::TimeNs;

constexpr TimeNs kRunNs = static_cast<TimeNs>(CHORUS_RUN_SECONDS) * 1000000000ull;
constexpr uint32_t kAxes = 3, kRate = 1344, kRingFrames = 4096;
constexpr TimeNs kDetectWithin = 5000000000ull;

const zsample::Played kPlayed[] = {
#include "chorus_replay_accel_truth.inc"
};

const struct device* const g_accel = DEVICE_DT_GET(DT_CHOSEN(chorus_accelerometer));

alignas(16) CHORUS_SAMPLE_BIG int16_t g_ring_storage[kRingFrames * kAxes];
alignas(sched::VibrationFeatureStage) CHORUS_SAMPLE_BIG unsigned char g_stage_storage[sizeof(sched::VibrationFeatureStage)];
sched::VibrationFeatureStage* g_stage = nullptr;
sched::KOfNAlarm g_alarm(sched::KOfNConfig{3, 5, 0.35f});
uint32_t g_windows = 0;
TimeNs g_first_alarm = 0;
bool g_alarmed = false;
TimeNs g_false_alarm = 0;
bool g_false = false;

Status on_output(void*, const runtime::Interpreter& model, TimeNs release, TimeNs now) {
  const size_t n = g_stage->row_size();
  const runtime::TensorInfo out = model.output_info(0);
  if (out.bytes != n || out.type != runtime::DType::kInt8)
    return Status::error(StatusCode::kInvalidArgument, "anomaly model: output of %zu bytes, expected %zu int8 features", out.bytes, n);
  // Input and output share the features' quantisation: code differences times the scale
  // are log2-power differences.
  const int8_t* reconstruction = reinterpret_cast<const int8_t*>(model.output(0));
  const int8_t* input = g_stage->row();
  float sum = 0.0f;
  for (size_t i = 0; i < n; ++i) {
    const float d = (static_cast<float>(reconstruction[i]) - static_cast<float>(input[i])) * out.quant.scale;
    sum += d * d;
  }
  const float score = sum / static_cast<float>(n);
  ++g_windows;
  const sched::AlarmEvent e = g_alarm.add(score);
  printk("chorus accel_anomaly: window %u (to %u ms): score %d/1000%s\n", static_cast<unsigned>(g_windows),
         static_cast<unsigned>(release / 1000000), static_cast<int>(score * 1000.0f),
         e == sched::AlarmEvent::kRaised ? ", alarm raised" : e == sched::AlarmEvent::kCleared ? ", alarm cleared" : "");
  if (e == sched::AlarmEvent::kRaised) {
    // A window ending before the fault began is normal running: a false alarm.
    if (release <= kPlayed[0].start && !g_false) {
      g_false = true;
      g_false_alarm = now;
    } else if (release > kPlayed[0].start && !g_alarmed) {
      g_alarmed = true;
      g_first_alarm = now;
    }
  }
  return Status::ok();
}
sched::OutputCallback g_score(&on_output, nullptr, 96 * 4 + 200);
uint32_t g_anomaly = 0;

// A second of samples is in the ring: its job, nominally at the second's end.
void on_second(void*, uint64_t, uint64_t due_ns) { zsample::release_from_isr(g_anomaly, due_ns); }

int run() {
  const zephyr::StreamInfo* info = zsample::open_sensor("accel_anomaly", g_accel);
  if (info == nullptr) return -1;
  if (info->values_per_frame != kAxes || info->rate_hz != kRate || info->block_frames != kRate) {
    printk("chorus accel_anomaly: the front end takes x, y, z at 1344 Hz, a second per block\n");
    return -1;
  }
  static RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(g_ring_storage), sizeof(g_ring_storage)), kAxes * sizeof(int16_t));
  static RingBufferSource source(ring, StreamInfo{SampleFormat::kInt16, kAxes, info->rate_hz});
  g_stage = new (g_stage_storage) sched::VibrationFeatureStage();
  Status s = g_stage->init(kRate);

  const board::PipelineEntry* anomaly = zsample::entry("anomaly");
  if (s.is_ok() && (anomaly == nullptr || zsample::pipeline_entries().size() != 1))
    s = Status::error(StatusCode::kInvalidArgument, "the scenario must have the one pipeline anomaly");
  PipelineSpec spec;
  if (s.is_ok()) s = zsample::spec_for(*anomaly, &spec);
  spec.config.source = &source;
  spec.config.features = g_stage;
  spec.config.post = &g_score;
  spec.config.release = sched::ReleaseRule::kInterrupt;  // by each second's arrival
  if (s.is_ok()) s = zsample::run_with_sensor(Span<const PipelineSpec>(&spec, 1), g_accel, &ring, &on_second, kRunNs);
  if (!s.is_ok()) {
    printk("chorus accel_anomaly: %s\n", s.message());
    return -1;
  }
  printk("chorus accel_anomaly: %u windows (%u periods dropped); accelerometer overruns %u; %s from %u ms\n",
         static_cast<unsigned>(g_windows), static_cast<unsigned>(g_stage->periods_dropped()),
         static_cast<unsigned>(ring.overrun_frames()), kPlayed[0].name, static_cast<unsigned>(kPlayed[0].start / 1000000));
  if (g_false) {
    printk("chorus accel_anomaly: false alarm at %u ms, before the fault\n", static_cast<unsigned>(g_false_alarm / 1000000));
  } else if (!g_alarmed || g_first_alarm - kPlayed[0].start > kDetectWithin) {
    printk("chorus accel_anomaly: the fault was not alarmed within 5 s\n");
  } else {
    printk("chorus accel_anomaly: no false alarm, the fault alarmed after %u ms\n",
           static_cast<unsigned>((g_first_alarm - kPlayed[0].start) / 1000000));
  }
  zsample::report("accel_anomaly", kRunNs);
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
