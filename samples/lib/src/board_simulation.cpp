#include "chorus/samples/board_simulation.hpp"

#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/tools/board_cost.hpp"
#include "chorus/tools/model_set.hpp"

namespace chorus::samples {

using os::TimeNs;

// Everything one simulation needs, built for one clock and one level assignment.
struct BoardSimulation::Instance {
  sched::CostModel cost;
  os::VirtualClock clock;
  std::unique_ptr<sched::SimulatedNpu> npu;
  tools::ModelSet models;
  std::vector<int> model_of;  // pipeline -> model index, or -1
  std::unique_ptr<sched::Scheduler> scheduler;
};

struct BoardSimulation::Plan {
  bool found = false;
  uint32_t clock_hz = 0;
  TimeNs max_step = 0;  // operator slicing: 0 = every operator whole
  sched::LevelSearchResult search;
  std::vector<uint8_t> levels;
};

BoardSimulation::BoardSimulation() = default;
BoardSimulation::~BoardSimulation() = default;

uint32_t BoardSimulation::clock_hz() const {
  return plan_ ? plan_->clock_hz : 0;
}
bool BoardSimulation::npu_on() const {
  return options_.npu && board_ && board_->has_npu;
}
const sched::Scheduler& BoardSimulation::scheduler() const {
  return *instance_->scheduler;
}
const sched::LevelSearchResult& BoardSimulation::search() const {
  return plan_->search;
}
void BoardSimulation::set_trace(sched::TraceSink* trace) {
  instance_->scheduler->set_trace(trace);
}

int BoardSimulation::pipeline(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  return -1;
}

std::unique_ptr<BoardSimulation::Instance> BoardSimulation::make_instance(uint32_t clock_hz, const std::vector<uint8_t>& levels,
                                                                          TimeNs max_step, std::string* error) const {
  auto in = std::make_unique<Instance>();
  in->cost = tools::cost_from_board(*board_, clock_hz, npu_on());
  if (in->cost.npu.present) in->npu = std::make_unique<sched::SimulatedNpu>(in->clock, in->cost);
  std::vector<bool> npu_models;
  for (size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].model_path.empty()) {
      in->model_of.push_back(-1);
      continue;
    }
    const int m = in->models.add(specs_[i].model_path, levels[i], error);
    if (m < 0) {
      *error = "pipeline '" + names_[i] + "': " + *error;
      return nullptr;
    }
    in->model_of.push_back(m);
    npu_models.push_back(specs_[i].npu && in->npu != nullptr);
  }
  if (!in->models.init(error, in->npu.get(), npu_models)) return nullptr;
  in->scheduler = std::make_unique<sched::Scheduler>(in->clock, &in->clock, in->cost, options_.policy);
  in->scheduler->set_npu(in->npu.get());
  for (size_t i = 0; i < specs_.size(); ++i) {
    sched::PipelineConfig c = specs_[i].config;
    c.level = levels[i];
    c.max_step = max_step;
    // Fixed priorities by deadline (shorter = higher), as `chorus sim` assigns them.
    const TimeNs d = c.relative_deadline ? c.relative_deadline : c.period;
    int rank = 1;
    for (const PipelineSpec& other : specs_) {
      const TimeNs od = other.config.relative_deadline ? other.config.relative_deadline : other.config.period;
      if (od > d) ++rank;
    }
    c.priority = static_cast<uint8_t>(rank);
    if (in->model_of[i] >= 0) c.model = &in->models.interpreter(static_cast<size_t>(in->model_of[i]));
    Result<uint32_t> added = in->scheduler->add_pipeline(c);
    if (!added.is_ok()) {
      *error = added.status().message();
      return nullptr;
    }
  }
  return in;
}

bool BoardSimulation::analyse_at(uint32_t clock_hz, Plan* plan, std::string* error) const {
  const sched::Policy analysis_policy = options_.policy == sched::Policy::kFixedPriority ? options_.policy : sched::Policy::kEdf;
  // Operators whole first, then ever finer slices (each slice pays the per-operator
  // overhead again), as `chorus sim` searches them.
  const TimeNs candidates[] = {0, 4000000, 2000000, 1000000, 500000};
  Plan best;
  for (TimeNs max_step : candidates) {
    std::vector<uint8_t> own(specs_.size());
    for (size_t i = 0; i < own.size(); ++i) own[i] = static_cast<uint8_t>(i % sched::Scheduler::kMaxLevels);  // timing and footprints only
    std::unique_ptr<Instance> probe = make_instance(clock_hz, own, max_step, error);
    if (!probe) return false;
    std::vector<sched::AnalysisTask> tasks;
    std::vector<size_t> act, pers, scr;
    for (uint32_t i = 0; i < probe->scheduler->num_pipelines(); ++i) {
      tasks.push_back(sched::analysis_task(*probe->scheduler, i));
      const int m = probe->model_of[i];
      const runtime::ArenaNeeds n = m >= 0 ? probe->models.session(static_cast<size_t>(m)).needs() : runtime::ArenaNeeds{};
      act.push_back(n.activation_bytes);
      pers.push_back(n.persistent_bytes);
      scr.push_back(n.scratch_bytes);
    }
    Plan p;
    p.clock_hz = clock_hz;
    p.max_step = max_step;
    p.search = sched::search_levels(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), analysis_policy,
                                    Span<const size_t>(act.data(), act.size()), Span<const size_t>(pers.data(), pers.size()),
                                    Span<const size_t>(scr.data(), scr.size()));
    p.found = p.search.found;
    p.levels.assign(p.search.levels, p.search.levels + tasks.size());
    if (max_step == 0) best = p;  // the explanation when nothing fits
    if (p.found && (!best.found || p.search.arena_bytes < best.search.arena_bytes)) best = p;
    if (best.found && max_step == 0) break;  // whole operators already fit: no slicing
  }
  *plan = best;
  return true;
}

bool BoardSimulation::build(const BoardSimulationOptions& options, const std::vector<PipelineGroup*>& groups,
                            std::string* error) {
  options_ = options;
  board_ = board::host::load_board(options.board_path, error);
  if (!board_) return false;
  groups_ = groups;
  specs_.clear();
  names_.clear();
  for (PipelineGroup* g : groups_)
    for (PipelineSpec& s : g->pipelines()) {
      names_.push_back(s.config.name);
      specs_.push_back(s);
    }
  if (specs_.empty()) {
    *error = "no pipelines to run";
    return false;
  }
  if (specs_.size() > sched::Scheduler::kMaxPipelines) {
    *error = std::to_string(specs_.size()) + " pipelines; the scheduler takes at most " +
             std::to_string(sched::Scheduler::kMaxPipelines);
    return false;
  }
  // The lowest accepted clock: binary search over 10 kHz steps below the board's.
  auto plan = std::make_unique<Plan>();
  const uint32_t top = board_->cpu.clock_hz;
  Plan at_top;
  if (!analyse_at(top, &at_top, error)) return false;
  lowest_clock_hz_ = 0;
  // The search analyses the set at a dozen clocks, near the limit where busy periods are
  // long: only when asked.
  if (at_top.found && options.clock == ClockChoice::kLowest) {
    uint32_t lo = 10000, hi = top;  // hi is accepted
    Plan lowest = at_top;
    while (hi - lo > 10000) {
      const uint32_t mid = lo + (hi - lo) / 2;
      Plan p;
      if (!analyse_at(mid, &p, error)) return false;
      if (p.found) {
        hi = mid;
        lowest = p;
      } else {
        lo = mid;
      }
    }
    lowest_clock_hz_ = lowest.clock_hz;
    *plan = lowest;
  }
  if (options.clock == ClockChoice::kBoard) *plan = at_top;
  if (options.clock == ClockChoice::kFixed) {
    if (options.clock_hz == 0) {
      *error = "fixed clock of 0 Hz";
      return false;
    }
    if (!analyse_at(options.clock_hz, plan.get(), error)) return false;
  }
  if (options.clock == ClockChoice::kLowest && lowest_clock_hz_ == 0) *plan = at_top;  // not schedulable: say why at the top
  levels_ = plan->levels;
  if (levels_.empty()) levels_.assign(specs_.size(), 0);
  plan_ = std::move(plan);
  instance_ = make_instance(plan_->clock_hz, levels_, plan_->max_step, error);
  if (!instance_) return false;
  instance_->scheduler->set_time_hook(&BoardSimulation::time_hook, this);
  sensor_status_ = Status::ok();
  return true;
}

void BoardSimulation::time_hook(void* user, TimeNs now) {
  BoardSimulation& self = *static_cast<BoardSimulation*>(user);
  if (!self.sensor_status_.is_ok()) return;
  for (PipelineGroup* g : self.groups_) {
    Status s = g->advance_to(now);
    if (!s.is_ok()) {
      self.sensor_status_ = s.prefix("%s sensor: ", g->name());
      return;
    }
  }
}

Status BoardSimulation::run_until(TimeNs end) {
  if (!instance_) return Status::error(StatusCode::kFailedPrecondition, "board simulation: run_until before build");
  CHORUS_RETURN_IF_ERROR(instance_->scheduler->run_until(end));
  return sensor_status_;
}

tools::SimReport BoardSimulation::report(TimeNs duration) const {
  tools::SimReport r;
  r.scheduler = instance_->scheduler.get();
  r.policy = options_.policy;
  r.analysis = &plan_->search.analysis;
  r.names = names_;
  r.levels = levels_;
  for (int m : instance_->model_of) r.has_model.push_back(m >= 0);
  r.duration = duration;
  r.npu_on = npu_on();
  r.layout = &instance_->models.layout();
  r.own_level_bytes = plan_->search.own_level_bytes;
  r.separate_arena_bytes = plan_->search.separate_arena_bytes;
  return r;
}

}  // namespace chorus::samples
