#include "chorus/tools/host_system.hpp"

#include "chorus/runtime/memory_plan.hpp"
#include "chorus/scheduler/stages/stages.hpp"
#include "chorus/tools/vela_performance.hpp"

namespace chorus::tools {

HostSystem::HostSystem() : system_(new System()) {}
HostSystem::~HostSystem() = default;

bool HostSystem::build(const board::host::BoardDescription& board, std::vector<HostPipeline> pipelines, uint32_t clock_hz,
                       sched::Policy policy, bool npu_on, std::string* error, int* failed) {
  if (failed != nullptr) *failed = -1;
  // The model files, checked here so that errors name them.
  files_.clear();
  files_.resize(pipelines.size());
  view_ = board.view();
  npu_cycles_.assign(pipelines.size(), {});
  size_t tensors = 0, workspace = 0;
  for (size_t i = 0; i < pipelines.size(); ++i) {
    if (pipelines[i].model_path.empty()) continue;
    const std::string& path = pipelines[i].model_path;
    if (!read_file(path, &files_[i], error, kMaxModelBytes)) {
      if (failed != nullptr) *failed = static_cast<int>(i);
      return false;
    }
    Result<runtime::Model> model = runtime::Model::load(files_[i].span());
    if (!model.is_ok()) {
      *error = path + ": " + model.status().message();
      if (failed != nullptr) *failed = static_cast<int>(i);
      return false;
    }
    // A Vela-compiled model runs on the board's own Ethos-U configuration, timed by Vela's
    // per-pass estimates (beside the model, as Vela writes them).
    const std::string accel = vela_accelerator(*model);
    if (!accel.empty()) {
      const std::string board_npu = board_accelerator(view_.npu);
      if (!npu_on || board_npu.empty()) {
        *error = path + ": compiled by Vela for " + accel + "; it runs only on the board's NPU (" +
                 (board_npu.empty() ? std::string("the board has none") : std::string("run with the NPU on")) + ")";
        if (failed != nullptr) *failed = static_cast<int>(i);
        return false;
      }
      if (accel != board_npu) {
        *error = path + ": compiled by Vela for " + accel + ", but the board's NPU is " + board_npu;
        if (failed != nullptr) *failed = static_cast<int>(i);
        return false;
      }
      std::vector<uint64_t> streams;
      const std::string csv = vela_per_layer_path(path);
      if (csv.empty() || !read_vela_per_layer(csv, &streams, error) || !vela_cycles_per_op(*model, streams, &npu_cycles_[i], error)) {
        if (csv.empty()) *error = "cannot name Vela's per-layer estimates for it (expected <network>_vela.tflite)";
        *error = path + ": " + *error;
        if (failed != nullptr) *failed = static_cast<int>(i);
        return false;
      }
      pipelines[i].spec.config.npu_cycles = npu_cycles_[i].data();
      pipelines[i].spec.config.npu_cycles_count = static_cast<uint32_t>(npu_cycles_[i].size());
    }
    tensors += model->num_tensors();
    const size_t w = runtime::plan_workspace_bytes(*model);
    if (w > workspace) workspace = w;
    pipelines[i].spec.model = files_[i].span();
  }
  workspace_.assign(workspace, 0);
  offsets_.assign(tensors, 0);
  // Buffers for the regions the arena and the sensors use (weights stay in the files).
  regions_.assign(view_.num_regions, {});
  memory_.clear();
  for (size_t r = 0; r < view_.num_regions; ++r) {
    bool used = false;
    for (size_t k = 0; k < view_.arena.num_regions; ++k) used = used || view_.arena.regions[k] == r;
    for (size_t s = 0; s < view_.num_sensors; ++s) used = used || view_.sensors[s].buffer_region == r;
    if (!used) continue;
    regions_[r].assign(view_.regions[r].size, 0);
    memory_.push_back(RegionMemory{static_cast<uint8_t>(r), regions_[r].data(), regions_[r].size()});
  }
  system_.reset(new System());
  npu_.reset();
  // The simulated NPU charges time from the system's cost model (set by build at the
  // chosen clock; its NPU part does not depend on the clock).
  if (npu_on && board.has_npu) npu_.reset(new sched::SimulatedNpu(clock_, system_->cost()));
  clock_ = os::VirtualClock();
  std::vector<PipelineSpec> specs;
  for (const HostPipeline& p : pipelines) specs.push_back(p.spec);
  SystemConfig c;
  c.board = &view_;
  c.clock_hz = clock_hz;
  c.policy = policy;
  c.npu = npu_.get();
  c.clock = &clock_;
  c.virtual_clock = &clock_;
  c.memory = Span<const RegionMemory>(memory_.data(), memory_.size());
  c.workspace = Span<uint8_t>(workspace_.data(), workspace_.size());
  c.tensor_offsets = Span<uint32_t>(offsets_.data(), offsets_.size());
  Status s = system_->build(c, Span<const PipelineSpec>(specs.data(), specs.size()));
  if (!s.is_ok()) {
    *error = s.message();
    const std::string prefix = "pipeline '";
    for (size_t i = 0; i < specs.size() && failed != nullptr; ++i) {
      const std::string name = specs[i].config.name ? specs[i].config.name : "";
      if (error->compare(0, prefix.size() + name.size() + 1, prefix + name + "'") == 0) *failed = static_cast<int>(i);
    }
    return false;
  }
  // The simulated NPU charges Vela's estimates for the ethos-u operators too.
  for (uint32_t i = 0; npu_ != nullptr && i < system_->num_pipelines() && i < npu_cycles_.size(); ++i)
    if (!npu_cycles_[i].empty() && system_->interpreter(i) != nullptr)
      npu_->set_op_cycles(&system_->interpreter(i)->model(), npu_cycles_[i].data(), static_cast<uint32_t>(npu_cycles_[i].size()));
  // The sizes by level, as the report prints them.
  std::vector<sched::ModelFootprint> prints;
  for (uint32_t i = 0; i < system_->num_pipelines(); ++i) {
    if (system_->interpreter(i) == nullptr) continue;
    const runtime::ArenaNeeds& n = system_->needs(i);
    prints.push_back(sched::ModelFootprint{n.activation_bytes, n.persistent_bytes, n.scratch_bytes, system_->plan().levels[i]});
  }
  Result<sched::ArenaLayout> layout = sched::layout_arena(Span<const sched::ModelFootprint>(prints.data(), prints.size()));
  arena_layout_ = layout.is_ok() ? *layout : sched::ArenaLayout{};
  return true;
}

bool HostSystem::build_scenario(const board::host::BoardDescription& board, const Scenario& sc, uint32_t clock_hz,
                                sched::Policy policy, bool npu_on, std::string* error) {
  stages_.clear();
  std::vector<HostPipeline> pipelines;
  auto at = [&sc](const ScenarioPipeline& p) { return sc.path + ":" + std::to_string(p.line) + ": pipeline '" + p.name + "': "; };
  for (const ScenarioPipeline& p : sc.pipelines) {
    HostPipeline hp;
    hp.model_path = p.model;
    sched::PipelineConfig& c = hp.spec.config;
    c.name = p.name.c_str();
    c.period = p.period;
    c.relative_deadline = p.deadline;
    c.phase = p.phase;
    c.overload = p.overload;
    hp.spec.level = static_cast<int16_t>(p.level);
    hp.spec.priority = static_cast<int16_t>(p.priority);
    hp.spec.npu = p.npu;
    if (!p.model.empty()) {
      AlignedBytes file;
      if (!read_file(p.model, &file, error, kMaxModelBytes)) {
        *error = at(p) + *error;
        return false;
      }
      Result<runtime::Model> model = runtime::Model::load(file.span());
      if (!model.is_ok()) {
        *error = at(p) + p.model + ": " + model.status().message();
        return false;
      }
      size_t in_bytes = 0;
      for (int32_t t : model->inputs()) in_bytes += model->tensor(static_cast<size_t>(t)).bytes;
      stages_.push_back(std::make_unique<sched::SeededInputs>(
          p.input_seed, sched::SeededInputs::cycles_for(in_bytes)));
    } else {
      stages_.push_back(std::make_unique<sched::StandInWork>(p.feature_steps, p.feature_cycles));
    }
    c.features = stages_.back().get();
    pipelines.push_back(hp);
  }
  int failed = -1;
  if (!build(board, pipelines, clock_hz, policy, npu_on, error, &failed)) {
    if (failed >= 0) {
      const ScenarioPipeline& p = sc.pipelines[static_cast<size_t>(failed)];
      const std::string own = "pipeline '" + p.name + "': ";
      if (error->compare(0, own.size(), own) == 0) *error = error->substr(own.size());
      *error = at(p) + *error;
    }
    return false;
  }
  return true;
}

}  // namespace chorus::tools
