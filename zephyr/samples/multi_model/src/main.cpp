// Chorus multi-model on Zephyr, in real time: the scenario's pipelines on chorus::System,
// assembled from the header `chorus board --scenario` generated at build time (pipelines,
// levels, the placed arena) and the models the build linked in (GeneratedPipelines), driven
// by Zephyr primitives:
//  - one k_timer per pipeline releases its jobs through Scheduler::release_from_isr at their
//    nominal instants (absolute tick deadlines: the periods are whole milliseconds);
//  - a k_timer every 10 ms writes a DMA half (160 samples of 16 kHz audio, simulated) into
//    the microphone's ring buffer, which the front end's stand-in drains;
//  - this thread runs the scheduler and sleeps on a semaphore the timers give when idle;
//  - response times are measured from each job's nominal release with the cycle counter.
// Memory comes from devicetree: the overlay `chorus board --emit dts` generated at configure
// time declares the board's regions and the arena's areas (node chorus_arena); the arena
// is those areas at their own addresses, past the part of the DTCM that Zephyr's RAM takes
// (checked at compile time), and the sample's large tables go to the SRAM region's linker
// section. After CHORUS_RUN_SECONDS it prints one line per pipeline and a summary.
#include <zephyr/devicetree.h>
#include <zephyr/kernel.h>
#include <zephyr/linker/devicetree_regions.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/time_units.h>

#include <new>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/scheduler/generated_pipelines.hpp"
#include "chorus/scheduler/response_log.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus_board.hpp"

namespace {

using namespace chorus;
using os::TimeNs;
namespace brd = CHORUS_BOARD_NS;

constexpr TimeNs kMs = 1000000;
constexpr TimeNs kRunNs = static_cast<TimeNs>(CHORUS_RUN_SECONDS) * 1000 * kMs;
constexpr uint32_t kPipelines = sizeof(brd::kPipelines) / sizeof(brd::kPipelines[0]);
constexpr size_t kSensors = sizeof(brd::kSensorBuffers) / sizeof(brd::kSensorBuffers[0]);
static_assert(kPipelines <= System::kMaxPipelines, "too many pipelines for this build");

// --- time: Zephyr's cycle counter, extended to 64 bits, from the first release's tick ---
class ZephyrClock final : public os::Clock {
 public:
  TimeNs now() const override {
    const unsigned key = irq_lock();
    const uint32_t c = k_cycle_get_32();
    if (c < last_) high_ += uint64_t{1} << 32;
    last_ = c;
    const uint64_t cycles = high_ + c;
    irq_unlock(key);
    const TimeNs ns = k_cyc_to_ns_floor64(cycles);
    return ns > zero_ ? ns - zero_ : 0;
  }
  void set_zero(TimeNs zero) { zero_ = zero; }

 private:
  mutable uint32_t last_ = 0;
  mutable uint64_t high_ = 0;
  TimeNs zero_ = 0;
};

ZephyrClock g_clock;
K_SEM_DEFINE(g_wake, 0, 1);
System* g_system = nullptr;

// The large tables: in the SRAM region (a zephyr,memory-region node of the generated
// overlay, so a NOLOAD linker section): nothing here relies on zero-initialisation.
#define CHORUS_BIG __attribute__((section(LINKER_DT_NODE_REGION_NAME(DT_NODELABEL(chorus_sram)))))
alignas(System) CHORUS_BIG unsigned char g_system_storage[sizeof(System)];
alignas(16) CHORUS_BIG uint8_t g_workspace[65536];
CHORUS_BIG uint32_t g_offsets[1024];
alignas(GeneratedPipelines) CHORUS_BIG unsigned char g_pipelines_storage[sizeof(GeneratedPipelines)];

// --- memory from devicetree ---
#define CHORUS_ARENA_NODE DT_NODELABEL(chorus_arena)
struct DtRange {
  uint32_t address;
  uint32_t size;
};
#define CHORUS_DT_REGION(node, prop, idx) \
  DtRange{DT_REG_ADDR(DT_PHANDLE_BY_IDX(node, prop, idx)), static_cast<uint32_t>(DT_REG_SIZE(DT_PHANDLE_BY_IDX(node, prop, idx)))},
#define CHORUS_DT_AREA(node) DtRange{DT_PROP(node, address), DT_PROP(node, size)},
constexpr DtRange kDtRegions[] = {DT_FOREACH_PROP_ELEM(CHORUS_ARENA_NODE, memory_regions, CHORUS_DT_REGION)};
constexpr DtRange kDtAreas[] = {DT_FOREACH_CHILD(CHORUS_ARENA_NODE, CHORUS_DT_AREA)};
constexpr size_t kDtRegionCount = sizeof(kDtRegions) / sizeof(kDtRegions[0]);
constexpr size_t kDtAreaCount = sizeof(kDtAreas) / sizeof(kDtAreas[0]);

// The header and the overlay come from one `chorus board` run: the same areas, each in a
// region of the overlay's list.
constexpr bool areas_agree() {
  if (kDtAreaCount != brd::kBoard.arena.num_partitions) return false;
  for (size_t k = 0; k < kDtAreaCount; ++k) {
    const board::Partition& p = brd::kBoard.arena.partitions[k];
    bool found = false, inside = false;
    for (size_t d = 0; d < kDtAreaCount; ++d) found = found || (kDtAreas[d].address == p.address && kDtAreas[d].size == p.size);
    for (size_t r = 0; r < kDtRegionCount; ++r)
      inside = inside || (p.address >= kDtRegions[r].address && uint64_t{p.address} + p.size <= uint64_t{kDtRegions[r].address} + kDtRegions[r].size);
    if (!found || !inside) return false;
  }
  return true;
}
static_assert(areas_agree(), "the devicetree's chorus_arena and chorus_board.hpp describe different arenas: rebuild both");

// Zephyr's RAM (chosen zephyr,sram, CONFIG_SRAM_SIZE) and the areas: the SSE-300 maps each
// memory at a non-secure and a secure alias (address bit 28, Arm AN547 memory map); the
// board XML uses the first, Zephyr's devicetree the second.
constexpr uint32_t kAliasBit = 0x10000000u;
constexpr uint32_t kZephyrRam = DT_REG_ADDR(DT_CHOSEN(zephyr_sram)) & ~kAliasBit;
constexpr bool clear_of_zephyr_ram() {
  for (size_t d = 0; d < kDtAreaCount; ++d) {
    const uint32_t a = kDtAreas[d].address & ~kAliasBit;
    if (a < kZephyrRam + CONFIG_SRAM_SIZE * 1024u && a + kDtAreas[d].size > kZephyrRam) return false;
  }
  return true;
}
static_assert(clear_of_zephyr_ram(), "an arena area lies in Zephyr's RAM: lower CONFIG_SRAM_SIZE or raise the region's reserved bytes in the board XML");

RegionMemory g_memory[kDtRegionCount];

// The overlay's regions as the System's memory: each at its own address.
size_t regions_from_devicetree() {
  size_t n = 0;
  for (size_t d = 0; d < kDtRegionCount; ++d) {
    for (size_t r = 0; r < brd::kBoard.num_regions; ++r) {
      if (brd::kBoard.regions[r].base != kDtRegions[d].address) continue;
      g_memory[n++] = RegionMemory{static_cast<uint8_t>(r), reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(kDtRegions[d].address)),
                                   kDtRegions[d].size, 0};
    }
  }
  return n == kDtRegionCount ? n : 0;
}

// --- releases: a timer per pipeline ---
struct k_timer g_timers[kPipelines];
TimeNs g_next_release[kPipelines];

void on_release(struct k_timer* timer) {
  const uint32_t i = static_cast<uint32_t>(timer - g_timers);
  g_system->scheduler().release_from_isr(i, g_next_release[i]);
  g_next_release[i] += brd::kPipelines[i].period_ns;
  k_sem_give(&g_wake);
}

// --- the simulated microphone: a DMA half of 160 samples every 10 ms ---
SimulatedMicrophone g_mic;
struct k_timer g_mic_timer;

void on_mic(struct k_timer*) { g_mic.dma_half(); }

void idle(void*) { k_sem_take(&g_wake, K_MSEC(10)); }

// Exact response times of the first kResponses jobs of each pipeline.
constexpr uint32_t kResponses = 512;
CHORUS_BIG TimeNs g_responses[kPipelines][kResponses];
sched::ResponseLog g_log;

unsigned us(TimeNs ns) { return static_cast<unsigned>(ns / 1000); }

int run() {
  // The instruction rate this run gives (QEMU -icount: fixed), next to the planned one.
  const uint32_t c0 = k_cycle_get_32();
  spin_instructions(4000000);
  const uint64_t spin_ns = k_cyc_to_ns_floor64(k_cycle_get_32() - c0);
  printk("chorus multi_model: %s, %u pipelines, planned at %u MHz; this core runs %u instructions per us\n",
         brd::kBoard.name, static_cast<unsigned>(kPipelines), static_cast<unsigned>(brd::kClockHz / 1000000),
         static_cast<unsigned>(spin_ns ? 4000000000ull / spin_ns : 0));

  g_system = new (g_system_storage) System();
  const size_t regions = regions_from_devicetree();
  if (regions == 0) {
    printk("chorus multi_model: a devicetree region of chorus_arena is not in the board description\n");
    return -1;
  }
  SystemConfig config;
  config.board = &brd::kBoard;
  config.clock_hz = brd::kClockHz;
  config.clock = &g_clock;
  config.memory = Span<const RegionMemory>(g_memory, regions);
  config.workspace = Span<uint8_t>(g_workspace, sizeof(g_workspace));
  config.tensor_offsets = Span<uint32_t>(g_offsets, sizeof(g_offsets) / sizeof(g_offsets[0]));
  config.placed_areas = true;
  config.sensor_buffers = Span<const board::Buffer>(brd::kSensorBuffers, kSensors);

  // The microphone's ring buffer: its placed sensor buffer, in the arena's windows.
  alignas(RingBuffer) static unsigned char mic_storage[sizeof(RingBuffer)];
  alignas(RingBufferSource) static unsigned char source_storage[sizeof(RingBufferSource)];
  RingBufferSource* mic_source = nullptr;
  for (uint32_t s = 0; s < kSensors; ++s) {
    if (brd::kBoard.sensors[s].type != board::SensorType::kMicrophone) continue;
    const board::Buffer& buf = brd::kSensorBuffers[s];
    uint8_t* p = region_memory_at(brd::kBoard, Span<const RegionMemory>(g_memory, regions), buf.region, buf.address, buf.size);
    if (p == nullptr) break;
    RingBuffer* ring = new (mic_storage) RingBuffer(Span<uint8_t>(p, buf.size), 2);
    g_mic.attach(ring);
    mic_source = new (source_storage) RingBufferSource(*ring, StreamInfo{SampleFormat::kInt16, 1, brd::kBoard.sensors[s].rate_hz});
    break;
  }
  GeneratedPipelines& pipelines = *new (g_pipelines_storage) GeneratedPipelines();
  Status s = pipelines.build(Span<const board::PipelineEntry>(brd::kPipelines, kPipelines),
                             Span<const LinkedModel>(kLinkedModels, kLinkedModelCount), &spin_instructions, mic_source, 320);
  if (s.is_ok()) s = g_system->build(config, pipelines.specs());
  if (!s.is_ok()) {
    printk("chorus multi_model: %s\n", s.message());
    return -1;
  }
  sched::Scheduler& scheduler = g_system->scheduler();
  scheduler.set_idle_hook(&idle, nullptr);
  for (uint32_t i = 0; i < kPipelines; ++i) g_log.set_buffer(i, Span<TimeNs>(g_responses[i], kResponses));
  scheduler.set_trace(&g_log);

  // Time 0 is a tick: wait for one, then every release is a whole number of ticks later.
  k_sleep(K_TICKS(1));
  const int64_t start = k_uptime_ticks();
  g_clock.set_zero(k_ticks_to_ns_floor64(static_cast<uint64_t>(start)));
  for (uint32_t i = 0; i < kPipelines; ++i) {
    const board::PipelineEntry& e = brd::kPipelines[i];
    g_next_release[i] = e.phase_ns;
    const int64_t first = start + static_cast<int64_t>(k_ns_to_ticks_floor64(e.phase_ns));
    k_timer_init(&g_timers[i], &on_release, nullptr);
    if (e.phase_ns == 0) {  // due now: released here, the timer takes the next one
      scheduler.release_from_isr(i, 0);
      g_next_release[i] = e.period_ns;
      k_timer_start(&g_timers[i], K_TIMEOUT_ABS_TICKS(first + static_cast<int64_t>(k_ns_to_ticks_floor64(e.period_ns))),
                    K_TICKS(k_ns_to_ticks_floor64(e.period_ns)));
    } else {
      k_timer_start(&g_timers[i], K_TIMEOUT_ABS_TICKS(first), K_TICKS(k_ns_to_ticks_floor64(e.period_ns)));
    }
  }
  if (g_mic.ring() != nullptr) {
    k_timer_init(&g_mic_timer, &on_mic, nullptr);
    k_timer_start(&g_mic_timer, K_TIMEOUT_ABS_TICKS(start + static_cast<int64_t>(k_ms_to_ticks_floor64(10))), K_MSEC(10));
  }
  s = scheduler.run_until(kRunNs);
  for (uint32_t i = 0; i < kPipelines; ++i) k_timer_stop(&g_timers[i]);
  if (g_mic.ring() != nullptr) k_timer_stop(&g_mic_timer);
  if (!s.is_ok()) {
    printk("chorus multi_model: %s\n", s.message());
    return -1;
  }

  const sched::AnalysisResult& a = g_system->plan().search.analysis;
  uint32_t jobs = 0, misses = 0, above = 0;
  for (uint32_t i = 0; i < kPipelines; ++i) {
    const sched::PipelineMetrics& m = scheduler.metrics(i);
    const uint32_t missed = m.deadline_misses + m.skips + scheduler.overdue(i, kRunNs);
    const TimeNs bound = a.schedulable && i < a.count ? a.response[i] : 0;
    if (bound != 0 && m.response.max() > bound) ++above;
    printk("chorus %s: level %u, %u releases, %u completions, %u misses, response p50 %u us max %u us, bound %u us\n",
           brd::kPipelines[i].name, static_cast<unsigned>(g_system->plan().levels[i]), m.releases, m.completions, missed,
           us(g_log.complete(i) ? g_log.percentile(i, 50) : m.response.percentile(50)), us(m.response.max()), us(bound));
    jobs += m.completions;
    misses += missed;
  }
  uint32_t arena_bytes = 0;
  for (const DtRange& area : kDtAreas) arena_bytes += area.size;
  printk("chorus multi_model: arena %u B in %u areas over %u devicetree regions, microphone overruns %u\n", static_cast<unsigned>(arena_bytes),
         static_cast<unsigned>(kDtAreaCount),
         static_cast<unsigned>(regions), static_cast<unsigned>(g_mic.ring() != nullptr ? g_mic.ring()->overrun_frames() : 0));
  if (!a.schedulable) {
    printk("chorus multi_model: %u pipelines, %u jobs, %u deadline misses, the analysis rejects the set\n",
           static_cast<unsigned>(kPipelines), jobs, misses);
  } else if (above == 0) {
    printk("chorus multi_model: %u pipelines, %u jobs, %u deadline misses, every response within its bound\n",
           static_cast<unsigned>(kPipelines), jobs, misses);
  } else {
    printk("chorus multi_model: %u pipelines, %u jobs, %u deadline misses, %u responses above their bounds\n",
           static_cast<unsigned>(kPipelines), jobs, misses, above);
  }
  return 0;
}

}  // namespace

int main(void) {
  run();
  return 0;
}
