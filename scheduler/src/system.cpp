#include "chorus/scheduler/system.hpp"

#include <new>

#include "chorus/module/format.hpp"

namespace chorus {
namespace {

using os::TimeNs;

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

TimeNs deadline_of(const sched::PipelineConfig& c) { return c.relative_deadline != 0 ? c.relative_deadline : c.period; }

// The analysis policy of a run policy: run-to-completion is compared with, not analysed;
// its plan is the EDF one.
sched::Policy analysis_policy(sched::Policy p) { return p == sched::Policy::kFixedPriority ? p : sched::Policy::kEdf; }

}  // namespace

System::~System() { destroy_scheduler(); }

void System::destroy_scheduler() {
  if (scheduler_ != nullptr) scheduler_->~Scheduler();
  scheduler_ = nullptr;
}

Status System::load(const SystemConfig& config, Span<const PipelineSpec> pipelines) {
  destroy_scheduler();
  config_ = config;
  if (config.board == nullptr) return Status::error(StatusCode::kInvalidArgument, "system: no board");
  if (config.clock == nullptr) return Status::error(StatusCode::kInvalidArgument, "system: no clock");
  if (pipelines.empty()) return Status::error(StatusCode::kInvalidArgument, "system: no pipelines");
  if (pipelines.size() > kMaxPipelines)
    return Status::error(StatusCode::kOutOfRange, "system: %zu pipelines, at most %u", pipelines.size(),
                         static_cast<unsigned>(kMaxPipelines));
  count_ = static_cast<uint32_t>(pipelines.size());
  // The cost model at the board's clock until build() chooses one: a simulated NPU that
  // charges from it (and says what it supports by it) sees the board's NPU from the start.
  cost_ = sched::cost_model_from(*config.board, 0, config.npu != nullptr);
  size_t offsets_used = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    specs_[i] = pipelines[i];
    const PipelineSpec& s = specs_[i];
    const char* name = s.config.name ? s.config.name : "";
    needs_[i] = runtime::ArenaNeeds{};
    interpreters_[i].~Interpreter();
    new (&interpreters_[i]) runtime::Interpreter();
    if (!has_model(i)) continue;
    const runtime::OpResolver& resolver = s.resolver ? *s.resolver : runtime::builtin_op_resolver();
    Result<runtime::Model> model = runtime::Model::load(s.model, runtime::LoadOptions{&resolver});
    if (!model.is_ok()) {
      Status st = model.status();
      return st.prefix("pipeline '%s': ", name);
    }
    models_[i] = *model;
    const size_t tensors = models_[i].num_tensors();
    if (offsets_used + tensors > config.tensor_offsets.size())
      return Status::error(StatusCode::kOutOfMemory, "pipeline '%s': %zu tensor offsets needed in all, %zu given", name,
                           offsets_used + tensors, config.tensor_offsets.size());
    if (runtime::plan_workspace_bytes(models_[i]) > config.workspace.size())
      return Status::error(StatusCode::kOutOfMemory, "pipeline '%s': the planner needs %zu bytes of workspace, %zu given", name,
                           runtime::plan_workspace_bytes(models_[i]), config.workspace.size());
    Result<runtime::MemoryPlan> plan = runtime::plan_memory(
        models_[i], Span<uint32_t>(config.tensor_offsets.data() + offsets_used, tensors), config.workspace);
    if (!plan.is_ok()) {
      Status st = plan.status();
      return st.prefix("pipeline '%s': ", name);
    }
    offsets_used += tensors;
    memory_plans_[i] = *plan;
    Result<runtime::ArenaNeeds> needs = runtime::Interpreter::measure(models_[i], memory_plans_[i], resolver);
    if (!needs.is_ok()) {
      Status st = needs.status();
      return st.prefix("pipeline '%s': ", name);
    }
    needs_[i] = *needs;
  }
  return Status::ok();
}

sched::PipelineConfig System::pipeline_config(uint32_t i, const SystemPlan& plan, runtime::Interpreter* model) const {
  sched::PipelineConfig c = specs_[i].config;
  c.level = plan.levels[i];
  c.max_step = plan.max_step;
  c.model = model;
  if (specs_[i].priority >= 0) {
    c.priority = static_cast<uint8_t>(specs_[i].priority);
  } else {
    // By deadline: shorter = higher (equal deadlines share a rank; the scheduler then
    // breaks the tie by index, as the analysis does).
    int rank = 1;
    for (uint32_t j = 0; j < count_; ++j)
      if (deadline_of(specs_[j].config) > deadline_of(specs_[i].config)) ++rank;
    c.priority = static_cast<uint8_t>(rank);
  }
  return c;
}

Status System::analyse_at(uint32_t clock_hz, SystemPlan* out) const {
  const sched::CostModel cost = sched::cost_model_from(*config_.board, clock_hz, config_.npu != nullptr);
  const sched::Policy policy = analysis_policy(config_.policy);
  bool fixed = true;
  for (uint32_t i = 0; i < count_; ++i) fixed = fixed && specs_[i].level >= 0;
  size_t act[kMaxPipelines], pers[kMaxPipelines], scr[kMaxPipelines];
  for (uint32_t i = 0; i < count_; ++i) {
    act[i] = needs_[i].activation_bytes;
    pers[i] = needs_[i].persistent_bytes;
    scr[i] = needs_[i].scratch_bytes;
  }
  // Operators whole first, then ever finer slices (each slice pays the per-operator
  // overhead again); the assignment with the least arena among those accepted wins, and
  // whole operators win outright when they fit.
  static constexpr TimeNs kSlices[] = {0, 4000000, 2000000, 1000000, 500000};
  const size_t candidates = config_.slice_operators ? sizeof(kSlices) / sizeof(kSlices[0]) : 1;
  SystemPlan best;
  for (size_t k = 0; k < candidates; ++k) {
    SystemPlan p;
    p.clock_hz = cost.cpu.clock_hz;
    p.max_step = kSlices[k];
    for (uint32_t j = 0; j < count_; ++j) p.levels[j] = fixed ? static_cast<uint8_t>(specs_[j].level) : 0;
    sched::AnalysisTask tasks[kMaxPipelines];
    for (uint32_t i = 0; i < count_; ++i) {
      const sched::PipelineConfig c = pipeline_config(i, p, nullptr);
      sched::ModelView view;
      if (has_model(i)) {
        view.model = &models_[i];
        view.resolver = specs_[i].resolver;
        view.npu = specs_[i].npu ? config_.npu : nullptr;
      }
      sched::StepPlan steps;
      CHORUS_RETURN_IF_ERROR(sched::plan_steps(c, view, config_.npu, cost, &steps));
      tasks[i].timing = sched::task_timing(c, steps, cost);
      tasks[i].level = c.level;
      tasks[i].priority = c.priority;
    }
    const Span<const sched::AnalysisTask> view(tasks, count_);
    p.search = sched::search_levels(view, policy, Span<const size_t>(act, count_), Span<const size_t>(pers, count_),
                                    Span<const size_t>(scr, count_));
    if (fixed) {
      // The given levels: their analysis and arena; the search's figures for comparison.
      const size_t own = p.search.own_level_bytes, separate = p.search.separate_arena_bytes;
      p.search = sched::LevelSearchResult{};
      p.search.analysis = sched::analyse(view, policy);
      p.search.found = p.search.analysis.schedulable;
      p.search.own_level_bytes = own;
      p.search.separate_arena_bytes = separate;
      for (uint32_t i = 0; i < count_; ++i) p.search.levels[i] = static_cast<uint8_t>(specs_[i].level);
    }
    for (uint32_t i = 0; i < count_; ++i) p.levels[i] = p.search.levels[i];
    p.schedulable = p.search.found;
    if (k == 0) best = p;  // the explanation when nothing fits
    if (p.schedulable && (!best.schedulable || p.search.arena_bytes < best.search.arena_bytes)) best = p;
    if (best.schedulable && k == 0) break;  // whole operators already fit: no slicing
  }
  *out = best;
  return Status::ok();
}

uint8_t* region_memory_at(const board::Board& b, Span<const RegionMemory> memory, uint8_t region, uint32_t address,
                          uint32_t bytes) {
  if (memory.empty()) return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(address));
  if (region >= b.num_regions) return nullptr;
  const board::MemoryRegion& r = b.regions[region];
  for (const RegionMemory& m : memory) {
    if (m.region != region) continue;
    const uint64_t offset = static_cast<uint64_t>(address) - r.base;
    if (address < r.base || offset < m.from || offset - m.from + bytes > m.size) return nullptr;
    return m.base + (offset - m.from);
  }
  return nullptr;
}

uint8_t* System::memory_at(uint8_t region, uint32_t address, uint32_t bytes) const {
  return region_memory_at(*config_.board, config_.memory, region, address, bytes);
}

size_t placed_memory(const board::Board& b, Span<const board::Buffer> sensors, Span<uint8_t> buffer, Span<RegionMemory> out) {
  size_t used = 0, n = 0;
  for (size_t r = 0; r < b.num_regions; ++r) {
    const RegionWindow w = placed_window(b, sensors.data(), sensors.size(), static_cast<uint8_t>(r));
    if (w.bytes == 0) continue;
    const size_t bytes = (w.bytes + 15) / 16 * 16;
    if (n == out.size() || used + bytes > buffer.size()) return 0;
    out[n++] = RegionMemory{static_cast<uint8_t>(r), buffer.data() + used, w.bytes, w.from};
    used += bytes;
  }
  return n;
}

Span<uint8_t> System::sensor_buffer(uint32_t index) const {
  for (size_t a = 0; a < num_areas_; ++a) {
    const Area& area = areas_[a];
    if (area.kind == board::ItemKind::kSensorBuffer && area.sensor == index) {
      uint8_t* p = memory_at(area.placed.region, area.placed.address, area.placed.bytes);
      return p ? Span<uint8_t>(p, area.placed.bytes) : Span<uint8_t>();
    }
  }
  return Span<uint8_t>();
}

Status System::use_placed_areas() {
  const board::Board& b = *config_.board;
  num_areas_ = 0;
  uint32_t next_persistent = 0;  // persistent areas go to the model pipelines in order
  for (size_t k = 0; k < b.arena.num_partitions && num_areas_ < kMaxAreas; ++k) {
    const board::Partition& p = b.arena.partitions[k];
    if (p.address == 0 || p.region == board::kNoRegion)
      return Status::error(StatusCode::kInvalidArgument, "system: area %s is not placed (generate the header with its models)",
                           p.name ? p.name : "?");
    Area a{board::ItemKind::kPartition, p.level, 0xFF, 0xFF, board::PlacedItem{p.region, p.address, p.size}};
    if (p.kind == board::AreaKind::kScratch) a.kind = board::ItemKind::kScratch;
    if (p.kind == board::AreaKind::kPersistent) {
      a.kind = board::ItemKind::kPersistent;
      while (next_persistent < count_ && (!has_model(next_persistent) || needs_[next_persistent].persistent_bytes == 0))
        ++next_persistent;
      if (next_persistent == count_)
        return Status::error(StatusCode::kInvalidArgument, "system: the board has more persistent areas than the models need");
      a.pipeline = static_cast<uint8_t>(next_persistent++);
    }
    areas_[num_areas_++] = a;
  }
  for (size_t s = 0; s < config_.sensor_buffers.size() && num_areas_ < kMaxAreas; ++s) {
    const board::Buffer& buf = config_.sensor_buffers[s];
    areas_[num_areas_++] = Area{board::ItemKind::kSensorBuffer, 0, 0xFF, static_cast<uint8_t>(s),
                                board::PlacedItem{buf.region, buf.address, buf.size}};
  }
  // Every model's needs must fit the areas the header was generated with.
  for (uint32_t i = 0; i < count_; ++i) {
    if (!has_model(i)) continue;
    const char* name = specs_[i].config.name ? specs_[i].config.name : "";
    uint64_t partition = 0, persistent = 0, scratch = 0;
    for (size_t a = 0; a < num_areas_; ++a) {
      const Area& area = areas_[a];
      if (area.kind == board::ItemKind::kPartition && area.level == plan_.levels[i]) partition = area.placed.bytes;
      if (area.kind == board::ItemKind::kPersistent && area.pipeline == i) persistent = area.placed.bytes;
      if (area.kind == board::ItemKind::kScratch) scratch = area.placed.bytes;
    }
    if (needs_[i].activation_bytes > partition || needs_[i].persistent_bytes > persistent || needs_[i].scratch_bytes > scratch)
      return Status::error(StatusCode::kOutOfMemory,
                           "pipeline '%s': needs %zu/%zu/%zu B (activations on level %u/persistent/scratch), the board's "
                           "areas have %llu/%llu/%llu B (regenerate the header for these models)",
                           name, needs_[i].activation_bytes, needs_[i].persistent_bytes, needs_[i].scratch_bytes,
                           static_cast<unsigned>(plan_.levels[i]), static_cast<unsigned long long>(partition),
                           static_cast<unsigned long long>(persistent), static_cast<unsigned long long>(scratch));
  }
  return Status::ok();
}

Status System::place_and_init() {
  const board::Board& b = *config_.board;
  const uint64_t align = b.arena.alignment == 0 ? 16 : b.arena.alignment;
  if (config_.placed_areas) {
    CHORUS_RETURN_IF_ERROR(use_placed_areas());
    return init_interpreters();
  }
  board::PlacementRequest requests[kMaxAreas];
  num_areas_ = 0;
  auto add = [&](board::ItemKind kind, uint8_t level, uint64_t bytes, bool npu, uint8_t region, uint8_t pipeline,
                 uint8_t sensor) -> Status {
    if (num_areas_ == kMaxAreas)
      return Status::error(StatusCode::kOutOfRange, "system: more than %u areas to place", static_cast<unsigned>(kMaxAreas));
    if (bytes > UINT32_MAX) return Status::error(StatusCode::kOutOfRange, "system: an area of %llu bytes", static_cast<unsigned long long>(bytes));
    char* label = labels_[num_areas_];
    const char* model = pipeline < kMaxPipelines && pipeline < count_ && specs_[pipeline].config.name ? specs_[pipeline].config.name : "";
    switch (kind) {
      case board::ItemKind::kPartition: format_to(label, sizeof(labels_[0]), "level %u", static_cast<unsigned>(level)); break;
      case board::ItemKind::kPersistent: format_to(label, sizeof(labels_[0]), "persistent %s", model); break;
      case board::ItemKind::kScratch: format_to(label, sizeof(labels_[0]), "scratch"); break;
      case board::ItemKind::kWeights: format_to(label, sizeof(labels_[0]), "weights %s", model); break;
      case board::ItemKind::kSensorBuffer:
        format_to(label, sizeof(labels_[0]), "sensor %s", b.sensors[sensor].name ? b.sensors[sensor].name : "");
        break;
    }
    requests[num_areas_] = board::PlacementRequest{label, kind, level, static_cast<uint32_t>(bytes), npu, region};
    areas_[num_areas_] = Area{kind, level, pipeline, sensor, board::PlacedItem{}};
    ++num_areas_;
    return Status::ok();
  };
  // Partitions by level: a fixed one from the board, or the largest activation area of the
  // models on the level.
  for (uint32_t level = 0; level < sched::Scheduler::kMaxLevels; ++level) {
    const board::Partition* fixed = nullptr;
    for (size_t k = 0; k < b.arena.num_partitions; ++k)
      if (b.arena.partitions[k].kind == board::AreaKind::kPartition && b.arena.partitions[k].level == level)
        fixed = &b.arena.partitions[k];
    uint64_t need = 0;
    bool npu = fixed != nullptr && fixed->npu;
    for (uint32_t i = 0; i < count_; ++i) {
      if (!has_model(i) || plan_.levels[i] != level) continue;
      const uint64_t a = align_up(needs_[i].activation_bytes, align);
      if (a > need) need = a;
      npu = npu || (specs_[i].npu && config_.npu != nullptr);
    }
    if (fixed != nullptr && need > fixed->size)
      return Status::error(StatusCode::kOutOfMemory, "partition %s (level %u) is fixed at %u B but its models need %llu B",
                           fixed->name, static_cast<unsigned>(level), static_cast<unsigned>(fixed->size),
                           static_cast<unsigned long long>(need));
    const uint64_t bytes = fixed != nullptr ? fixed->size : need;
    if (bytes > 0)
      CHORUS_RETURN_IF_ERROR(add(board::ItemKind::kPartition, static_cast<uint8_t>(level), bytes, npu,
                                 fixed != nullptr ? fixed->region : board::kNoRegion, 0xFF, 0xFF));
  }
  uint64_t scratch = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    if (!has_model(i)) continue;
    if (align_up(needs_[i].scratch_bytes, align) > scratch) scratch = align_up(needs_[i].scratch_bytes, align);
    if (needs_[i].persistent_bytes > 0)
      CHORUS_RETURN_IF_ERROR(add(board::ItemKind::kPersistent, plan_.levels[i], align_up(needs_[i].persistent_bytes, align),
                                 false, board::kNoRegion, static_cast<uint8_t>(i), 0xFF));
  }
  if (scratch > 0) CHORUS_RETURN_IF_ERROR(add(board::ItemKind::kScratch, 0, scratch, false, board::kNoRegion, 0xFF, 0xFF));
  for (uint32_t i = 0; i < count_; ++i)
    if (has_model(i))
      CHORUS_RETURN_IF_ERROR(add(board::ItemKind::kWeights, 0, specs_[i].model.size(), false, b.weights_region,
                                 static_cast<uint8_t>(i), 0xFF));
  for (size_t s = 0; s < b.num_sensors; ++s)
    CHORUS_RETURN_IF_ERROR(add(board::ItemKind::kSensorBuffer, 0, b.sensors[s].buffer_bytes, false, b.sensors[s].buffer_region,
                               0xFF, static_cast<uint8_t>(s)));
  board::PlacedItem placed[kMaxAreas];
  summary_ = board::PlacementSummary{};
  CHORUS_RETURN_IF_ERROR(board::place(b, Span<const board::PlacementRequest>(requests, num_areas_),
                                      Span<board::PlacedItem>(placed, num_areas_), &summary_));
  for (size_t a = 0; a < num_areas_; ++a) areas_[a].placed = placed[a];
  return init_interpreters();
}

Status System::init_interpreters() {
  // Each model in its level's partition, its own persistent area and the shared scratch.
  auto span_of = [&](const Area& area) -> Span<uint8_t> {
    uint8_t* p = memory_at(area.placed.region, area.placed.address, area.placed.bytes);
    return p ? Span<uint8_t>(p, area.placed.bytes) : Span<uint8_t>();
  };
  Span<uint8_t> scratch_span;
  for (size_t a = 0; a < num_areas_; ++a)
    if (areas_[a].kind == board::ItemKind::kScratch) scratch_span = span_of(areas_[a]);
  for (uint32_t i = 0; i < count_; ++i) {
    if (!has_model(i)) continue;
    const char* name = specs_[i].config.name ? specs_[i].config.name : "";
    runtime::ArenaRegions regions;
    regions.scratch = scratch_span;
    for (size_t a = 0; a < num_areas_; ++a) {
      const Area& area = areas_[a];
      if (area.kind == board::ItemKind::kPartition && area.level == plan_.levels[i]) regions.activations = span_of(area);
      if (area.kind == board::ItemKind::kPersistent && area.pipeline == i) regions.persistent = span_of(area);
    }
    if ((needs_[i].activation_bytes > 0 && regions.activations.empty()) ||
        (needs_[i].persistent_bytes > 0 && regions.persistent.empty()) || (needs_[i].scratch_bytes > 0 && scratch_span.empty()))
      return Status::error(StatusCode::kFailedPrecondition, "pipeline '%s': an area of its model has no memory in this address space",
                           name);
    const runtime::OpResolver& resolver = specs_[i].resolver ? *specs_[i].resolver : runtime::builtin_op_resolver();
    Status s = interpreters_[i].init(models_[i], memory_plans_[i], regions, resolver, specs_[i].npu ? config_.npu : nullptr);
    if (!s.is_ok()) return s.prefix("pipeline '%s': ", name);
  }
  return Status::ok();
}

Status System::build(const SystemConfig& config, Span<const PipelineSpec> pipelines) {
  CHORUS_RETURN_IF_ERROR(load(config, pipelines));
  // The clock: the board's, a given one, or the lowest the analysis accepts (binary search
  // in 10 kHz steps below the board's; the board's when even that is not accepted).
  const uint32_t top = config.board->cpu.clock_hz;
  lowest_clock_hz_ = 0;
  if (config.clock_hz == SystemConfig::kLowestClock) {
    SystemPlan at_top;
    CHORUS_RETURN_IF_ERROR(analyse_at(top, &at_top));
    plan_ = at_top;
    if (at_top.schedulable) {
      uint32_t lo = 10000, hi = top;  // hi is accepted
      while (hi - lo > 10000) {
        const uint32_t mid = lo + (hi - lo) / 2;
        SystemPlan p;
        CHORUS_RETURN_IF_ERROR(analyse_at(mid, &p));
        if (p.schedulable) {
          hi = mid;
          plan_ = p;
        } else {
          lo = mid;
        }
      }
      lowest_clock_hz_ = plan_.clock_hz;
    }
  } else {
    CHORUS_RETURN_IF_ERROR(analyse_at(config.clock_hz != 0 ? config.clock_hz : top, &plan_));
  }
  CHORUS_RETURN_IF_ERROR(place_and_init());
  cost_ = sched::cost_model_from(*config.board, plan_.clock_hz, config.npu != nullptr);
  scheduler_ = new (scheduler_storage_) sched::Scheduler(*config.clock, config.virtual_clock, cost_, config.policy);
  if (!scheduler_->set_npu(config.npu)) return Status::error(StatusCode::kInternal, "system: NPU set after pipelines");
  for (uint32_t i = 0; i < count_; ++i) {
    Result<uint32_t> added = scheduler_->add_pipeline(pipeline_config(i, plan_, has_model(i) ? &interpreters_[i] : nullptr));
    if (!added.is_ok()) return added.status();
  }
  return Status::ok();
}

}  // namespace chorus
