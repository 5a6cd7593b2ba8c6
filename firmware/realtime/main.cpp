// The multi-model firmware in real time (issue 13), bare metal on QEMU's Corstone-300 (M55)
// and MPS2 AN386 (M4): chorus::System assembled from the header `chorus board --scenario`
// generated at build time from the board XML and the scenario (pipelines, levels, the
// placed arena), on the real clock.
//  - SysTick interrupts every millisecond: the clock (milliseconds plus the counter), the
//    pipelines' releases through Scheduler::release_from_isr at their nominal instants, and
//    a simulated microphone that writes a DMA half (10 ms of 16 kHz samples) into the
//    board's placed ring buffer every 10 ms (overruns counted by the ring).
//  - The scheduler runs steps; idle is WFI until the next interrupt.
//  - Response times are measured with the same clock from each job's nominal release.
// QEMU runs it with -icount shift=N,sleep=off: the core executes 10^9/2^N instructions per
// second of virtual time, the rate kClockHz the header was planned at. At the end it prints
// one JSON line per pipeline (the analysis bound as this target computes it) and one per
// placed area (for the ELF-symbol check), then exits through semihosting.
#include <cstdint>
#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/sample_source.hpp"
#include "chorus/scheduler/generated_pipelines.hpp"
#include "chorus/scheduler/response_log.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus_board.hpp"
#include "console.hpp"

using namespace chorus;
using os::TimeNs;

namespace {

namespace brd = CHORUS_RT_BOARD_NS;

constexpr TimeNs kMs = 1000000;
constexpr TimeNs kRunNs = CHORUS_RT_SECONDS * 1000 * kMs;
constexpr uint32_t kPipelines = sizeof(brd::kPipelines) / sizeof(brd::kPipelines[0]);
static_assert(kPipelines <= System::kMaxPipelines, "too many pipelines for this firmware");

// --- SysTick (ARMv7-M/ARMv8-M B3.3): control, reload, current value; ICSR's PENDSTSET ---
volatile uint32_t& reg(uint32_t address) { return *reinterpret_cast<volatile uint32_t*>(address); }
constexpr uint32_t kSystCsr = 0xE000E010u, kSystRvr = 0xE000E014u, kSystCvr = 0xE000E018u, kIcsr = 0xE000ED04u;
constexpr uint32_t kTicksPerMs = brd::kBoard.cpu.clock_hz / 1000;  // SysTick counts the CPU clock

volatile uint32_t g_ms = 0;

// Nanoseconds since SysTick started: whole milliseconds from the interrupt, the rest from
// the counter (which counts down from kTicksPerMs - 1). A wrap whose interrupt is still
// pending (read with interrupts masked) counts as the next millisecond.
class SysTickClock final : public os::Clock {
 public:
  TimeNs now() const override {
    for (;;) {
      const uint32_t ms = g_ms;
      uint32_t ticks = kTicksPerMs - 1 - reg(kSystCvr);
      const bool pending = (reg(kIcsr) & (1u << 26)) != 0;
      if (ms != g_ms) continue;
      uint64_t whole = ms;
      if (pending && ticks < kTicksPerMs / 2) ++whole;  // wrapped after the read of g_ms
      return whole * kMs + static_cast<uint64_t>(ticks) * 1000000000ull / brd::kBoard.cpu.clock_hz;
    }
  }
};

// --- the simulated microphone: a DMA half of 160 samples every 10 ms ---
SimulatedMicrophone g_mic;

void mic_tick(uint32_t ms) {
  if (ms % 10 == 0) g_mic.dma_half();
}

// --- the system ---
alignas(System) unsigned char g_system_storage[sizeof(System)] __attribute__((section(".chorus_arena.rt_system")));
alignas(16) uint8_t g_workspace[CHORUS_RT_WORKSPACE] __attribute__((section(".chorus_arena.rt_workspace")));
uint32_t g_offsets[1024] __attribute__((section(".chorus_arena.rt_offsets")));
System* g_system = nullptr;
SysTickClock g_clock;
TimeNs g_next_release[kPipelines];
bool g_running = false;

void print_us(const char* key, TimeNs ns, bool comma = true) {
  fw::print("\"%s\":%llu.%03llu%s", key, static_cast<unsigned long long>(ns / 1000), static_cast<unsigned long long>(ns % 1000),
            comma ? "," : "");
}

// Idle: sleep until the next interrupt (the 1 ms SysTick comes before any `until` is
// missed by more than a tick), and count the time slept (the summary's idle_us).
TimeNs g_idle_ns = 0;
void wfi(void*, TimeNs) {
  const TimeNs before = g_clock.now();
  __asm volatile("wfi");
  g_idle_ns += g_clock.now() - before;
}

}  // namespace

#if defined(CHORUS_RT_TRACE_MS) && CHORUS_RT_TRACE_MS > 0
// A diagnostic build (-DCHORUS_RT_TRACE_MS=N): the steps that start in the first N ms, printed
// after the run as {"trace":[pipeline, op, start_ns, end_ns]} lines.
class StepTrace final : public sched::TraceSink {
 public:
  struct Event {
    uint8_t pipeline;
    int16_t op;
    TimeNs start, end;
  };
  void release(uint32_t, TimeNs) override {}
  void skip(uint32_t, TimeNs) override {}
  void step(uint32_t pipeline, int32_t op, const char*, TimeNs start, TimeNs end, bool) override {
    if (start < static_cast<TimeNs>(CHORUS_RT_TRACE_MS) * kMs && count < kEvents)
      events[count++] = Event{static_cast<uint8_t>(pipeline), static_cast<int16_t>(op), start, end};
  }
  void job_done(uint32_t, TimeNs, TimeNs, bool) override {}
  static constexpr uint32_t kEvents = 512;
  Event events[kEvents];
  uint32_t count = 0;
};
StepTrace g_trace;
#endif

// Exact response times (the metrics' histogram is within 1/16 of an octave): the first
// kResponses jobs of each pipeline, enough for every job of the default 10 s run.
constexpr uint32_t kResponses = 512;
TimeNs g_responses[kPipelines][kResponses] __attribute__((section(".chorus_arena.rt_responses")));
#if defined(CHORUS_RT_TRACE_MS) && CHORUS_RT_TRACE_MS > 0
sched::ResponseLog g_log(&g_trace);
#else
sched::ResponseLog g_log;
#endif

// Releases every pipeline whose next release is due at `now` (from the tick interrupt, and
// once at start for the releases due at 0).
void release_due(TimeNs now) {
  for (uint32_t i = 0; i < kPipelines; ++i) {
    while (g_next_release[i] <= now) {
      g_system->scheduler().release_from_isr(i, g_next_release[i]);
      g_next_release[i] += brd::kPipelines[i].period_ns;
    }
  }
}

extern "C" void SysTick_Handler() {
  const uint32_t ms = g_ms + 1;
  g_ms = ms;
  if (!g_running) return;
  release_due(static_cast<TimeNs>(ms) * kMs);
  mic_tick(ms);
}

int main() {
  g_system = new (g_system_storage) System();
  // The microphone's ring buffer: the board's placed sensor buffer.
  static RingBuffer* mic = nullptr;
  alignas(RingBuffer) static unsigned char mic_storage[sizeof(RingBuffer)];
  alignas(RingBufferSource) static unsigned char source_storage[sizeof(RingBufferSource)];
  RingBufferSource* mic_source = nullptr;
  for (uint32_t s = 0; s < brd::kBoard.num_sensors; ++s) {
    if (brd::kBoard.sensors[s].type != board::SensorType::kMicrophone) continue;
    const board::Buffer& buf = brd::kSensorBuffers[s];
    mic = new (mic_storage) RingBuffer(Span<uint8_t>(reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(buf.address)), buf.size), 2);
    mic_source = new (source_storage) RingBufferSource(*mic, StreamInfo{SampleFormat::kInt16, 1, brd::kBoard.sensors[s].rate_hz});
    break;
  }
  // The pipelines of the generated header, with the models this image links in; the front
  // end's stand-in takes its 20 ms hop (320 samples at 16 kHz) from the microphone.
  static GeneratedPipelines pipelines;
  const Status made = pipelines.build(Span<const board::PipelineEntry>(brd::kPipelines, kPipelines),
                                      Span<const LinkedModel>(kLinkedModels, kLinkedModelCount), &spin_instructions, mic_source, 320);
  if (!made.is_ok()) {
    fw::print("realtime: %s\n", made.message());
    return 1;
  }
  g_mic.attach(mic);

  SystemConfig config;
  config.board = &brd::kBoard;
  config.clock_hz = brd::kClockHz;  // the instructions per second the QEMU run gives
  config.clock = &g_clock;
  config.workspace = Span<uint8_t>(g_workspace, sizeof(g_workspace));
  config.tensor_offsets = Span<uint32_t>(g_offsets, sizeof(g_offsets) / sizeof(g_offsets[0]));
  config.placed_areas = true;
  config.sensor_buffers = Span<const board::Buffer>(brd::kSensorBuffers, sizeof(brd::kSensorBuffers) / sizeof(brd::kSensorBuffers[0]));
  const Status built = g_system->build(config, pipelines.specs());
  if (!built.is_ok()) {
    fw::print("realtime: %s\n", built.message());
    return 1;
  }
  sched::Scheduler& scheduler = g_system->scheduler();
  scheduler.set_idle_hook(&wfi, nullptr);
  for (uint32_t i = 0; i < kPipelines; ++i) g_log.set_buffer(i, Span<TimeNs>(g_responses[i], kResponses));
  scheduler.set_trace(&g_log);
  for (uint32_t i = 0; i < kPipelines; ++i) g_next_release[i] = brd::kPipelines[i].phase_ns;

  // SysTick: every millisecond from the CPU clock, interrupt enabled.
  reg(kSystRvr) = kTicksPerMs - 1;
  reg(kSystCvr) = 0;
  g_running = true;
  release_due(0);  // the releases due at 0: the first tick comes at 1 ms
  reg(kSystCsr) = 0x7u;  // ENABLE | TICKINT | CLKSOURCE (processor clock)
  const Status ran = scheduler.run_until(kRunNs);
  g_running = false;
  reg(kSystCsr) = 0;
  if (!ran.is_ok()) {
    fw::print("realtime: %s\n", ran.message());
    return 1;
  }

  const sched::AnalysisResult& a = g_system->plan().search.analysis;
  for (uint32_t i = 0; i < kPipelines; ++i) {
    const sched::PipelineMetrics& m = scheduler.metrics(i);
    const uint32_t misses = m.deadline_misses + m.skips + scheduler.overdue(i, kRunNs);
    fw::print("{\"name\":\"%s\",\"level\":%u,\"releases\":%lu,\"completions\":%lu,\"skips\":%lu,\"deadline_misses\":%lu,",
              brd::kPipelines[i].name, static_cast<unsigned>(g_system->plan().levels[i]), static_cast<unsigned long>(m.releases),
              static_cast<unsigned long>(m.completions), static_cast<unsigned long>(m.skips), static_cast<unsigned long>(misses));
    // The job's own CPU time on this target (every step it ran, measured), on average.
    print_us("exec_us", m.completions ? m.cpu_busy_ns / m.completions : 0);
    fw::print("\"response_us\":{");
    print_us("min", m.response.min());
    print_us("p50", g_log.complete(i) ? g_log.percentile(i, 50) : m.response.percentile(50));
    print_us("max", m.response.max(), false);
    fw::print("},");
    if (a.schedulable && i < a.count) {
      print_us("bound_us", a.response[i], false);
    } else {
      fw::print("\"bound_us\":null");
    }
    fw::print("}\n");
  }
  for (const System::Area& area : g_system->areas())
    fw::print("{\"area\":\"%s\",\"level\":%u,\"address\":%lu,\"bytes\":%lu}\n", board::item_kind_name(area.kind),
              static_cast<unsigned>(area.level), static_cast<unsigned long>(area.placed.address),
              static_cast<unsigned long>(area.placed.bytes));
#if defined(CHORUS_RT_TRACE_MS) && CHORUS_RT_TRACE_MS > 0
  for (uint32_t e = 0; e < g_trace.count; ++e)
    fw::print("{\"trace\":[%u,%d,%llu,%llu]}\n", static_cast<unsigned>(g_trace.events[e].pipeline),
              static_cast<int>(g_trace.events[e].op), static_cast<unsigned long long>(g_trace.events[e].start),
              static_cast<unsigned long long>(g_trace.events[e].end));
#endif
  // Where the run's time went: jobs' steps (busy), asleep (idle), and the rest (interrupt
  // handlers and the scheduler's own work between steps).
  fw::print("{\"clock_hz\":%lu,\"schedulable\":%s,\"mic_overruns\":%lu,\"seconds\":%u,",
            static_cast<unsigned long>(g_system->plan().clock_hz), a.schedulable ? "true" : "false",
            static_cast<unsigned long>(mic != nullptr ? mic->overrun_frames() : 0), static_cast<unsigned>(CHORUS_RT_SECONDS));
  print_us("busy_us", scheduler.cpu_busy_ns());
  print_us("idle_us", g_idle_ns, false);
  fw::print("}\n");
  return 0;
}
