#include "runner.hpp"

#include <zephyr/devicetree.h>
#include <zephyr/linker/devicetree_regions.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/time_units.h>

#include <cstring>
#include <new>

#include "chorus/scheduler/generated_pipelines.hpp"
#include "chorus/scheduler/response_log.hpp"
#include "chorus_board.hpp"

namespace chorus::zsample {
namespace {

using os::TimeNs;
namespace brd = CHORUS_BOARD_NS;

constexpr uint32_t kPipelines = sizeof(brd::kPipelines) / sizeof(brd::kPipelines[0]);
constexpr size_t kSensors = sizeof(brd::kSensorBuffers) / sizeof(brd::kSensorBuffers[0]);
static_assert(kPipelines <= System::kMaxPipelines, "too many pipelines for this build");

// --- time: Zephyr's cycle counter, extended to 64 bits, from time 0's tick ---
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
alignas(System) CHORUS_SAMPLE_BIG unsigned char g_system_storage[sizeof(System)];
alignas(16) CHORUS_SAMPLE_BIG uint8_t g_workspace[65536];
CHORUS_SAMPLE_BIG uint32_t g_offsets[1024];

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
      inside = inside || (p.address >= kDtRegions[r].address &&
                          uint64_t{p.address} + p.size <= uint64_t{kDtRegions[r].address} + kDtRegions[r].size);
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
static_assert(clear_of_zephyr_ram(),
              "an arena area lies in Zephyr's RAM: lower CONFIG_SRAM_SIZE or raise the region's reserved bytes in the board XML");

RegionMemory g_memory[kDtRegionCount];
size_t g_regions = 0;

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

// --- timer releases ---
struct k_timer g_timers[kPipelines];
TimeNs g_next_release[kPipelines];
bool g_timed[kPipelines];

void on_release(struct k_timer* timer) {
  const uint32_t i = static_cast<uint32_t>(timer - g_timers);
  g_system->scheduler().release_from_isr(i, g_next_release[i]);
  g_next_release[i] += brd::kPipelines[i].period_ns;
  k_sem_give(&g_wake);
}

// Idle: sleep until an interrupt gives the semaphore (a timer release, a sensor block) or
// until the scheduler's own next work (`until`: a window held back to its spacing, ...).
void idle(void*, TimeNs until) {
  const TimeNs now = g_clock.now();
  k_sem_take(&g_wake, until > now ? K_NSEC(until - now) : K_NO_WAIT);
}

// Exact response times of the first kResponses jobs of each pipeline.
constexpr uint32_t kResponses = 512;
CHORUS_SAMPLE_BIG TimeNs g_responses[kPipelines][kResponses];
sched::ResponseLog g_log;

unsigned us(TimeNs ns) { return static_cast<unsigned>(ns / 1000); }

}  // namespace

const board::Board& board_description() { return brd::kBoard; }
Span<const board::PipelineEntry> pipeline_entries() { return Span<const board::PipelineEntry>(brd::kPipelines, kPipelines); }
Span<const board::Buffer> sensor_buffers() { return Span<const board::Buffer>(brd::kSensorBuffers, kSensors); }
uint32_t clock_hz() { return brd::kClockHz; }

const board::PipelineEntry* entry(const char* name) {
  for (const board::PipelineEntry& e : brd::kPipelines)
    if (std::strcmp(e.name, name) == 0) return &e;
  return nullptr;
}

uint8_t* memory_at(uint8_t region, uint32_t address, uint32_t bytes) {
  if (g_regions == 0) g_regions = regions_from_devicetree();
  return region_memory_at(brd::kBoard, Span<const RegionMemory>(g_memory, g_regions), region, address, bytes);
}

Status spec_for(const board::PipelineEntry& e, PipelineSpec* out) {
  return spec_from_entry(e, Span<const LinkedModel>(kLinkedModels, kLinkedModelCount), out);
}

bool reported_as_played(const char* sample, Span<const Played> played, Span<const Reported> reported, os::TimeNs late,
                        const char* ignore) {
  constexpr size_t kMax = 64;
  bool used[kMax] = {};
  bool ok = reported.size() <= kMax;
  for (const Played& e : played) {
    if (ignore != nullptr && std::strcmp(e.name, ignore) == 0) continue;
    int found = -1;
    for (size_t h = 0; h < reported.size() && h < kMax && found < 0; ++h)
      if (!used[h] && reported[h].time >= e.start && reported[h].time <= e.end + late && std::strcmp(reported[h].name, e.name) == 0)
        found = static_cast<int>(h);
    if (found < 0) {
      printk("chorus %s: \"%s\" played at %u ms was not reported\n", sample, e.name, static_cast<unsigned>(e.start / 1000000));
      ok = false;
    } else {
      used[found] = true;
    }
  }
  for (size_t h = 0; h < reported.size() && h < kMax; ++h) {
    if (used[h]) continue;
    printk("chorus %s: \"%s\" reported at %u ms was not played then\n", sample, reported[h].name,
           static_cast<unsigned>(reported[h].time / 1000000));
    ok = false;
  }
  return ok;
}

uint32_t measured_mips() {
  const uint32_t c0 = k_cycle_get_32();
  spin_instructions(4000000);
  const uint64_t spin_ns = k_cyc_to_ns_floor64(k_cycle_get_32() - c0);
  return static_cast<uint32_t>(spin_ns ? 4000000000ull / spin_ns : 0);
}

Status build(Span<const PipelineSpec> specs) {
  if (specs.size() != kPipelines)
    return Status::error(StatusCode::kInvalidArgument, "%zu pipelines given, the header plans %u", specs.size(),
                         static_cast<unsigned>(kPipelines));
  if (g_regions == 0) g_regions = regions_from_devicetree();
  if (g_regions == 0)
    return Status::error(StatusCode::kInvalidArgument, "a devicetree region of chorus_arena is not in the board description");
  // Timer-released: the sample's periodic pipelines (the header's periods and phases).
  static PipelineSpec timed[kPipelines];
  for (uint32_t i = 0; i < kPipelines; ++i) {
    timed[i] = specs[i];
    g_timed[i] = specs[i].config.release == sched::ReleaseRule::kPeriodic;
    if (g_timed[i]) timed[i].config.release = sched::ReleaseRule::kInterrupt;
  }
  g_system = new (g_system_storage) System();
  SystemConfig config;
  config.board = &brd::kBoard;
  config.clock_hz = brd::kClockHz;
  config.clock = &g_clock;
  config.memory = Span<const RegionMemory>(g_memory, g_regions);
  config.workspace = Span<uint8_t>(g_workspace, sizeof(g_workspace));
  config.tensor_offsets = Span<uint32_t>(g_offsets, sizeof(g_offsets) / sizeof(g_offsets[0]));
  config.placed_areas = true;
  config.sensor_buffers = sensor_buffers();
  CHORUS_RETURN_IF_ERROR(g_system->build(config, Span<const PipelineSpec>(timed, kPipelines)));
  sched::Scheduler& scheduler = g_system->scheduler();
  scheduler.set_idle_hook(&idle, nullptr);
  for (uint32_t i = 0; i < kPipelines; ++i) g_log.set_buffer(i, Span<TimeNs>(g_responses[i], kResponses));
  scheduler.set_trace(&g_log);
  return Status::ok();
}

System& system() { return *g_system; }

int64_t start() {
  // Time 0 is a tick: wait for one, then every timer release is a whole number of ticks
  // later (the periods are whole milliseconds, CONFIG_SYS_CLOCK_TICKS_PER_SEC=1000).
  k_sleep(K_TICKS(1));
  const int64_t start = k_uptime_ticks();
  g_clock.set_zero(k_ticks_to_ns_floor64(static_cast<uint64_t>(start)));
  sched::Scheduler& scheduler = g_system->scheduler();
  for (uint32_t i = 0; i < kPipelines; ++i) {
    if (!g_timed[i]) continue;
    const board::PipelineEntry& e = brd::kPipelines[i];
    const int64_t period = static_cast<int64_t>(k_ns_to_ticks_floor64(e.period_ns));
    k_timer_init(&g_timers[i], &on_release, nullptr);
    g_next_release[i] = e.phase_ns;
    int64_t first = start + static_cast<int64_t>(k_ns_to_ticks_floor64(e.phase_ns));
    if (e.phase_ns == 0) {  // due now: released here, the timer takes the next one
      scheduler.release_from_isr(i, 0);
      g_next_release[i] = e.period_ns;
      first += period;
    }
    k_timer_start(&g_timers[i], K_TIMEOUT_ABS_TICKS(first), K_TICKS(period));
  }
  return start;
}

void release_from_isr(uint32_t index, os::TimeNs nominal) {
  g_system->scheduler().release_from_isr(index, nominal);
  k_sem_give(&g_wake);
}

void wake() { k_sem_give(&g_wake); }

Status run(os::TimeNs until) {
  Status s = g_system->scheduler().run_until(until);
  for (uint32_t i = 0; i < kPipelines; ++i)
    if (g_timed[i]) k_timer_stop(&g_timers[i]);
  return s;
}

os::TimeNs now() { return g_clock.now(); }

const zephyr::StreamInfo* open_sensor(const char* sample, const struct device* dev) {
  if (!device_is_ready(dev)) {
    printk("chorus %s: the sensor %s is not ready\n", sample, dev->name);
    return nullptr;
  }
  const zephyr::StreamInfo* info = zephyr::stream_info(dev);
  printk("chorus %s: %s on %s, %s (%s, %u Hz, %u-frame blocks of %u values); this core runs %u instructions per us\n", sample,
         brd::kBoard.name, CONFIG_BOARD, dev->name, info->sensor_type, static_cast<unsigned>(info->rate_hz),
         static_cast<unsigned>(info->block_frames), static_cast<unsigned>(info->values_per_frame),
         static_cast<unsigned>(measured_mips()));
  return info;
}

Status run_with_sensor(Span<const PipelineSpec> specs, const struct device* dev, RingBuffer* ring,
                       zephyr::BlockCallback on_block, os::TimeNs until) {
  CHORUS_RETURN_IF_ERROR(build(specs));
  const int64_t tick = start();
  if (zephyr::stream_start(dev, ring, tick, on_block, nullptr) != 0)
    return Status::error(StatusCode::kFailedPrecondition, "the sensor %s did not start", dev->name);
  const Status s = run(until);
  zephyr::stream_stop(dev);
  return s;
}

uint32_t report(const char* sample, os::TimeNs until) {
  sched::Scheduler& scheduler = g_system->scheduler();
  const sched::AnalysisResult& a = g_system->plan().search.analysis;
  uint32_t jobs = 0, misses = 0, above = 0;
  for (uint32_t i = 0; i < kPipelines; ++i) {
    const sched::PipelineMetrics& m = scheduler.metrics(i);
    const uint32_t missed = m.deadline_misses + m.skips + scheduler.overdue(i, until);
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
  printk("chorus %s: arena %u B in %u areas over %u devicetree regions\n", sample, static_cast<unsigned>(arena_bytes),
         static_cast<unsigned>(kDtAreaCount), static_cast<unsigned>(kDtRegionCount));
  if (!a.schedulable) {
    printk("chorus %s: %u pipelines, %u jobs, %u deadline misses, the analysis rejects the set\n", sample,
           static_cast<unsigned>(kPipelines), jobs, misses);
    return misses + 1;
  }
  if (above == 0) {
    printk("chorus %s: %u pipelines, %u jobs, %u deadline misses, every response within its bound\n", sample,
           static_cast<unsigned>(kPipelines), jobs, misses);
  } else {
    printk("chorus %s: %u pipelines, %u jobs, %u deadline misses, %u responses above their bounds\n", sample,
           static_cast<unsigned>(kPipelines), jobs, misses, above);
  }
  return misses + above;
}

}  // namespace chorus::zsample
