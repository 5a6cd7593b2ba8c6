// One system from a board to running pipelines (issue 13): the same assembly for the host
// simulation, the bare-metal firmware and the Zephyr samples. From a board (the constexpr
// tables `chorus board --emit header` generates, or the host's view of the XML) and a
// fixed-capacity table of pipeline specs it
//   1. loads and plans every model (tensor offsets, arena needs) -- no arena yet;
//   2. plans every pipeline's steps at the chosen clock and analyses the set: the level
//      assignment with the least arena the analysis accepts, with operators whole or, when
//      that does not fit, in ever finer slices (optionally also the lowest clock that does);
//   3. places the level partitions, per-model persistent areas, the shared scratch area,
//      the models (weights) and the sensor buffers into the board's regions by the board's
//      placement rules -- the same requests, in the same order, as `chorus board`, so the
//      addresses are the ones its report and ld fragment give;
//   4. initialises each model's interpreter in its areas and the scheduler with every
//      pipeline, on the given NPU backend (nullptr: everything on the CPU).
// Firmware-clean: no heap, no exceptions; every table has a fixed capacity.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/board.hpp"
#include "chorus/module/board_placement.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/interpreter.hpp"
#include "chorus/runtime/memory_plan.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/runtime/npu_backend.hpp"
#include "chorus/scheduler/analysis.hpp"
#include "chorus/scheduler/cost_model.hpp"
#include "chorus/scheduler/scheduler.hpp"
#include "chorus/scheduler/step_plan.hpp"

namespace chorus {

// One pipeline as the application describes it. `config` carries its name, timing, release
// rule, window, overload policy, sample source, feature stage and post-process; the system
// fills in its model, level, priority and slicing.
struct PipelineSpec {
  sched::PipelineConfig config;
  Span<const uint8_t> model;                      // the .tflite, 16-byte aligned; empty: no model
  const runtime::OpResolver* resolver = nullptr;  // nullptr: every kernel
  int16_t level = -1;                             // -1: the level search chooses
  int16_t priority = -1;                          // -1: by deadline (shorter = higher)
  bool npu = true;                                // offload what the system's NPU takes
};

// Where a board region's bytes are in this address space. On a bare-metal target the region
// is at its own address (leave SystemConfig::memory empty); the host simulation and an RTOS
// that links its own RAM pass buffers.
struct RegionMemory {
  uint8_t region = board::kNoRegion;
  uint8_t* base = nullptr;  // the region's byte at offset `from` (its base address + from stands for it)
  size_t size = 0;          // bytes from there
  uint32_t from = 0;        // the buffer holds the region from this offset on
};

// The part [from, from + bytes) of region `region` that a generated header's placed arena
// uses (its partitions and the sensor buffers), relative to the region's base; {0, 0} when
// none. constexpr: a shell sizes its buffers from the header at compile time.
struct RegionWindow {
  uint32_t from = 0;
  uint32_t bytes = 0;
};
constexpr RegionWindow placed_window(const board::Board& b, const board::Buffer* sensors, size_t num_sensors, uint8_t region) {
  uint64_t lo = UINT64_MAX, hi = 0;
  auto take = [&](uint8_t r, uint32_t address, uint32_t size) {
    if (r != region || address == 0 || size == 0) return;
    const uint64_t start = address - b.regions[region].base, end = start + size;
    if (start < lo) lo = start;
    if (end > hi) hi = end;
  };
  for (size_t k = 0; k < b.arena.num_partitions; ++k)
    take(b.arena.partitions[k].region, b.arena.partitions[k].address, b.arena.partitions[k].size);
  for (size_t k = 0; k < num_sensors; ++k) take(sensors[k].region, sensors[k].address, sensors[k].size);
  if (hi == 0) return RegionWindow{};
  return RegionWindow{static_cast<uint32_t>(lo), static_cast<uint32_t>(hi - lo)};
}
// The bytes of one buffer holding every region's window, each 16-byte aligned.
constexpr size_t placed_bytes(const board::Board& b, const board::Buffer* sensors, size_t num_sensors) {
  size_t total = 0;
  for (size_t r = 0; r < b.num_regions; ++r) total += (placed_window(b, sensors, num_sensors, static_cast<uint8_t>(r)).bytes + 15) / 16 * 16;
  return total;
}
// Where board address `address` (`bytes` long, in region `region`) is in `memory`: the
// address itself when `memory` is empty (a bare-metal target), else inside the region's
// buffer; nullptr when no buffer holds it.
uint8_t* region_memory_at(const board::Board& b, Span<const RegionMemory> memory, uint8_t region, uint32_t address,
                          uint32_t bytes);
// Lays the regions' windows out in `buffer` (at least placed_bytes, 16-byte aligned) and
// writes their RegionMemory to `out`; returns how many (0 when `buffer` or `out` is short).
size_t placed_memory(const board::Board& b, Span<const board::Buffer> sensors, Span<uint8_t> buffer, Span<RegionMemory> out);

struct SystemConfig {
  static constexpr uint32_t kLowestClock = UINT32_MAX;

  const board::Board* board = nullptr;
  // The CPU clock the set runs at: 0 the board's, kLowestClock the lowest (in 10 kHz steps)
  // at which the analysis accepts the set (the board's when it accepts none).
  uint32_t clock_hz = 0;
  sched::Policy policy = sched::Policy::kEdf;
  runtime::NpuBackend* npu = nullptr;      // nullptr: every operator on the CPU
  const os::Clock* clock = nullptr;        // the scheduler's time
  os::VirtualClock* virtual_clock = nullptr;  // the same clock to simulate, nullptr on a target
  Span<const RegionMemory> memory;         // empty: regions at their own addresses
  Span<uint8_t> workspace;                 // for the memory planner: the largest plan_workspace_bytes
  Span<uint32_t> tensor_offsets;           // one per tensor of every model, kept for the interpreters
  bool slice_operators = true;             // try sliced operators when whole ones do not fit
  // A board whose arena is already placed (the generated header's kArenaAreas, addresses
  // set): its level partitions, persistent areas (in pipeline order) and scratch are used
  // as they are, each model's needs checked against them, instead of placing anew. The
  // firmware then has exactly the addresses `chorus board` reported and the ld fragment
  // reserved. With it, `sensor_buffers` gives the placed sensor ring buffers.
  bool placed_areas = false;
  Span<const board::Buffer> sensor_buffers;
};

// The outcome of the analysis at one clock.
struct SystemPlan {
  bool schedulable = false;
  uint32_t clock_hz = 0;
  os::TimeNs max_step = 0;         // operator slicing: 0 = every operator whole
  sched::LevelSearchResult search; // levels, bounds (search.analysis), arena bytes
  uint8_t levels[sched::Scheduler::kMaxPipelines] = {};
};

class System {
 public:
  static constexpr uint32_t kMaxPipelines = sched::Scheduler::kMaxPipelines;
  static constexpr uint32_t kMaxAreas = board::kMaxPlacementItems;

  System() = default;
  ~System();
  System(const System&) = delete;
  System& operator=(const System&) = delete;

  // Builds everything (steps 1-4 above). Errors name the pipeline or the area.
  Status build(const SystemConfig& config, Span<const PipelineSpec> pipelines);

  // After build:
  sched::Scheduler& scheduler() { return *scheduler_; }
  const sched::Scheduler& scheduler() const { return *scheduler_; }
  const SystemPlan& plan() const { return plan_; }
  // The cost model at the chosen clock (at the board's clock before build). A simulated NPU
  // may hold this reference from before build: it always reads the current model.
  const sched::CostModel& cost() const { return cost_; }
  uint32_t num_pipelines() const { return count_; }
  // The pipeline's interpreter, nullptr for a pipeline without a model.
  runtime::Interpreter* interpreter(uint32_t pipeline) { return has_model(pipeline) ? &interpreters_[pipeline] : nullptr; }
  const runtime::ArenaNeeds& needs(uint32_t pipeline) const { return needs_[pipeline]; }
  // The lowest clock the analysis accepts (kLowestClock searches only; else 0).
  uint32_t lowest_clock_hz() const { return lowest_clock_hz_; }
  // The placed areas, in request order (partitions by level, persistent areas, scratch,
  // weights, sensor buffers), with what each is.
  struct Area {
    board::ItemKind kind;
    uint8_t level;       // partitions
    uint8_t pipeline;    // persistent areas and weights: the pipeline whose model it holds
    uint8_t sensor;      // sensor buffers: the board's sensor index
    board::PlacedItem placed;
  };
  Span<const Area> areas() const { return Span<const Area>(areas_, num_areas_); }
  const board::PlacementSummary& placement() const { return summary_; }
  // Sensor `index`'s ring-buffer memory (empty when the board has no such sensor).
  Span<uint8_t> sensor_buffer(uint32_t index) const;

  // Step 2 alone, for a clock: the plan the system would run with. Needs step 1 done
  // (build() does it; so does load()).
  Status analyse_at(uint32_t clock_hz, SystemPlan* plan) const;
  // Step 1 alone.
  Status load(const SystemConfig& config, Span<const PipelineSpec> pipelines);

 private:
  bool has_model(uint32_t pipeline) const { return !specs_[pipeline].model.empty(); }
  Status place_and_init();
  Status use_placed_areas();
  Status init_interpreters();
  uint8_t* memory_at(uint8_t region, uint32_t address, uint32_t bytes) const;
  sched::PipelineConfig pipeline_config(uint32_t i, const SystemPlan& plan, runtime::Interpreter* model) const;
  void destroy_scheduler();

  SystemConfig config_;
  PipelineSpec specs_[kMaxPipelines];
  uint32_t count_ = 0;
  runtime::Model models_[kMaxPipelines];
  runtime::MemoryPlan memory_plans_[kMaxPipelines];
  runtime::ArenaNeeds needs_[kMaxPipelines];
  runtime::Interpreter interpreters_[kMaxPipelines];
  sched::CostModel cost_;
  SystemPlan plan_;
  uint32_t lowest_clock_hz_ = 0;
  Area areas_[kMaxAreas] = {};
  char labels_[kMaxAreas][48] = {};  // what placement errors call each area ("level 1")
  size_t num_areas_ = 0;
  board::PlacementSummary summary_;
  alignas(sched::Scheduler) unsigned char scheduler_storage_[sizeof(sched::Scheduler)];
  sched::Scheduler* scheduler_ = nullptr;
};

}  // namespace chorus
