// Chorus multi-model on Zephyr, in real time: the scenario's pipelines on chorus::System,
// assembled (zephyr/samples/common/runner.cpp) from the header and the devicetree overlay
// `chorus board --scenario` generated at build time and the models the build linked in
// (GeneratedPipelines: seeded inputs for the models, stand-in work for the front end),
// driven by Zephyr primitives:
//  - one k_timer per pipeline releases its jobs at their nominal instants;
//  - a k_timer every 10 ms writes a DMA half (160 samples of 16 kHz audio, simulated) into
//    the microphone's ring buffer (its placed sensor buffer), which the front end's
//    stand-in drains;
//  - this thread runs the scheduler and sleeps on a semaphore the timers give when idle.
// After CHORUS_RUN_SECONDS it prints one line per pipeline and a summary.
#include <zephyr/kernel.h>
#include <zephyr/sys/printk.h>

#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/scheduler/generated_pipelines.hpp"
#include "runner.hpp"

namespace {

using namespace chorus;

constexpr os::TimeNs kRunNs = static_cast<os::TimeNs>(CHORUS_RUN_SECONDS) * 1000000000ull;

alignas(GeneratedPipelines) CHORUS_SAMPLE_BIG unsigned char g_pipelines_storage[sizeof(GeneratedPipelines)];
PipelineSpec g_specs[System::kMaxPipelines];

// --- the simulated microphone: a DMA half of 160 samples every 10 ms ---
SimulatedMicrophone g_mic;
struct k_timer g_mic_timer;
void on_mic(struct k_timer*) { g_mic.dma_half(); }

int run() {
  const board::Board& b = zsample::board_description();
  printk("chorus multi_model: %s, %u pipelines, planned at %u MHz; this core runs %u instructions per us\n", b.name,
         static_cast<unsigned>(zsample::pipeline_entries().size()), static_cast<unsigned>(zsample::clock_hz() / 1000000),
         static_cast<unsigned>(zsample::measured_mips()));

  // The microphone's ring buffer: its placed sensor buffer.
  alignas(RingBuffer) static unsigned char mic_storage[sizeof(RingBuffer)];
  alignas(RingBufferSource) static unsigned char source_storage[sizeof(RingBufferSource)];
  RingBufferSource* mic_source = nullptr;
  const Span<const board::Buffer> buffers = zsample::sensor_buffers();
  for (uint32_t s = 0; s < buffers.size(); ++s) {
    if (b.sensors[s].type != board::SensorType::kMicrophone) continue;
    uint8_t* p = zsample::memory_at(buffers[s].region, buffers[s].address, buffers[s].size);
    if (p == nullptr) break;
    RingBuffer* ring = new (mic_storage) RingBuffer(Span<uint8_t>(p, buffers[s].size), 2);
    g_mic.attach(ring);
    mic_source = new (source_storage) RingBufferSource(*ring, StreamInfo{SampleFormat::kInt16, 1, b.sensors[s].rate_hz});
    break;
  }
  GeneratedPipelines& pipelines = *new (g_pipelines_storage) GeneratedPipelines();
  Status s = pipelines.build(zsample::pipeline_entries(), Span<const LinkedModel>(kLinkedModels, kLinkedModelCount),
                             &spin_instructions, mic_source, 320);
  // Every pipeline on its timer.
  const Span<const PipelineSpec> generated = pipelines.specs();
  for (size_t i = 0; i < generated.size(); ++i) {
    g_specs[i] = generated[i];
    g_specs[i].config.release = sched::ReleaseRule::kPeriodic;
  }
  if (s.is_ok()) s = zsample::build(Span<const PipelineSpec>(g_specs, generated.size()));
  if (!s.is_ok()) {
    printk("chorus multi_model: %s\n", s.message());
    return -1;
  }
  const int64_t start = zsample::start();
  if (g_mic.ring() != nullptr) {
    k_timer_init(&g_mic_timer, &on_mic, nullptr);
    k_timer_start(&g_mic_timer, K_TIMEOUT_ABS_TICKS(start + static_cast<int64_t>(k_ms_to_ticks_floor64(10))), K_MSEC(10));
  }
  s = zsample::run(kRunNs);
  if (g_mic.ring() != nullptr) k_timer_stop(&g_mic_timer);
  if (!s.is_ok()) {
    printk("chorus multi_model: %s\n", s.message());
    return -1;
  }
  printk("chorus multi_model: microphone overruns %u\n",
         static_cast<unsigned>(g_mic.ring() != nullptr ? g_mic.ring()->overrun_frames() : 0));
  zsample::report("multi_model", kRunNs);
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
