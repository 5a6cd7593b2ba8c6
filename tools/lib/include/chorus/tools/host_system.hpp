// chorus::System on the host, in virtual time: the model files read from disk, buffers that
// stand for the board's arena and sensor regions, the planner's workspace, a virtual clock
// and, when the board's NPU is used, the simulated NPU. `chorus sim` and the samples' board
// simulation are thin shells over it. Host only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/scheduler/partition.hpp"
#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus/scheduler/pipeline.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/scenario.hpp"

namespace chorus::tools {

struct HostPipeline {
  PipelineSpec spec;       // its model span is filled from model_path
  std::string model_path;  // empty: no model
};

class HostSystem {
 public:
  HostSystem();
  ~HostSystem();

  // Builds the system for `pipelines` on `board` (which must outlive this object).
  // `clock_hz`: 0 the board's, SystemConfig::kLowestClock the lowest accepted. `npu_on`:
  // the simulated NPU stands for the board's (when it has one). On error, *failed is the
  // pipeline the message is about (or -1).
  bool build(const board::host::BoardDescription& board, std::vector<HostPipeline> pipelines, uint32_t clock_hz,
             sched::Policy policy, bool npu_on, std::string* error, int* failed = nullptr);

  // The same for a scenario file's pipelines: a model's pipeline gets seeded inputs, one
  // without stands in for its feature work by its stated cycles. Errors about a pipeline
  // carry the scenario's file:line.
  bool build_scenario(const board::host::BoardDescription& board, const Scenario& scenario, uint32_t clock_hz,
                      sched::Policy policy, bool npu_on, std::string* error);

  System& system() { return *system_; }
  const System& system() const { return *system_; }
  sched::Scheduler& scheduler() { return system_->scheduler(); }
  const sched::Scheduler& scheduler() const { return system_->scheduler(); }
  os::VirtualClock& clock() { return clock_; }
  bool npu_on() const { return npu_ != nullptr; }
  const sched::SimulatedNpu* npu() const { return npu_.get(); }
  // Vela's NPU cycles per operator of pipeline `i` (empty unless its model is Vela-compiled).
  const std::vector<uint32_t>& npu_cycles(uint32_t i) const { return npu_cycles_[i]; }
  // The arena by level, scratch and persistent areas as sizes (the report's view).
  const sched::ArenaLayout& arena_layout() const { return arena_layout_; }
  bool has_model(uint32_t pipeline) const { return system_->interpreter(pipeline) != nullptr; }

 private:
  board::Board view_;
  os::VirtualClock clock_;
  std::unique_ptr<System> system_;
  std::unique_ptr<sched::SimulatedNpu> npu_;
  std::vector<std::vector<uint32_t>> npu_cycles_;  // per pipeline: Vela's NPU cycles per operator
  std::vector<AlignedBytes> files_;
  std::vector<std::vector<uint8_t>> regions_;
  std::vector<RegionMemory> memory_;
  std::vector<uint8_t> workspace_;
  std::vector<uint32_t> offsets_;
  sched::ArenaLayout arena_layout_;
  std::vector<std::unique_ptr<sched::FeatureStage>> stages_;  // build_scenario's
};

}  // namespace chorus::tools
