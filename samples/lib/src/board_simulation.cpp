#include "chorus/samples/board_simulation.hpp"

namespace chorus::samples {

using os::TimeNs;

BoardSimulation::BoardSimulation() = default;
BoardSimulation::~BoardSimulation() = default;

uint32_t BoardSimulation::clock_hz() const { return host_ ? host_->system().plan().clock_hz : 0; }
bool BoardSimulation::npu_on() const { return host_ && host_->npu_on(); }
const sched::Scheduler& BoardSimulation::scheduler() const { return host_->scheduler(); }
const sched::LevelSearchResult& BoardSimulation::search() const { return host_->system().plan().search; }
void BoardSimulation::set_trace(sched::TraceSink* trace) { host_->scheduler().set_trace(trace); }

int BoardSimulation::pipeline(const std::string& name) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i);
  return -1;
}

bool BoardSimulation::build(const BoardSimulationOptions& options, const std::vector<PipelineGroup*>& groups,
                            std::string* error) {
  options_ = options;
  host_.reset();
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
  std::vector<tools::HostPipeline> pipelines;
  for (const PipelineSpec& s : specs_) {
    tools::HostPipeline p;
    p.spec.config = s.config;
    p.spec.npu = s.npu;
    p.model_path = s.model_path;
    pipelines.push_back(p);
  }
  uint32_t clock = 0;
  if (options.clock == ClockChoice::kLowest) clock = SystemConfig::kLowestClock;
  if (options.clock == ClockChoice::kFixed) {
    if (options.clock_hz == 0) {
      *error = "fixed clock of 0 Hz";
      return false;
    }
    clock = options.clock_hz;
  }
  auto host = std::make_unique<tools::HostSystem>();
  int failed = -1;
  if (!host->build(*board_, pipelines, clock, options.policy, options.npu, error, &failed)) {
    if (failed >= 0) {
      const std::string own = "pipeline '" + names_[static_cast<size_t>(failed)] + "': ";
      if (error->compare(0, own.size(), own) != 0) *error = own + *error;
    }
    return false;
  }
  host_ = std::move(host);
  lowest_clock_hz_ = host_->system().lowest_clock_hz();
  const SystemPlan& plan = host_->system().plan();
  levels_.assign(plan.levels, plan.levels + specs_.size());
  host_->scheduler().set_time_hook(&BoardSimulation::time_hook, this);
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
  if (!host_) return Status::error(StatusCode::kFailedPrecondition, "board simulation: run_until before build");
  CHORUS_RETURN_IF_ERROR(host_->scheduler().run_until(end));
  return sensor_status_;
}

tools::SimReport BoardSimulation::report(TimeNs duration) const {
  tools::SimReport r;
  const SystemPlan& plan = host_->system().plan();
  r.scheduler = &host_->scheduler();
  r.policy = options_.policy;
  r.analysis = &plan.search.analysis;
  r.names = names_;
  r.levels = levels_;
  for (uint32_t i = 0; i < names_.size(); ++i) r.has_model.push_back(host_->has_model(i));
  r.duration = duration;
  r.npu_on = npu_on();
  r.layout = &host_->arena_layout();
  r.own_level_bytes = plan.search.own_level_bytes;
  r.separate_arena_bytes = plan.search.separate_arena_bytes;
  return r;
}

}  // namespace chorus::samples
