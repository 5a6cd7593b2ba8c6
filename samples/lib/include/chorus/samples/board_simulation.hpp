// Runs pipeline groups together on a board in deterministic virtual time: a thin shell over
// chorus::System (tools::HostSystem), which loads every group's models, chooses the levels
// (the assignment that needs the least arena while the schedulability analysis still
// accepts every deadline), places the areas in the board's regions and schedules the
// pipelines at the board's clock (or the lowest clock the analysis accepts, or a given one).
// Each step is charged its cost from the board's cost model; the groups' simulated sensors
// are advanced from the scheduler's time hook. Host only.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/samples/pipeline_group.hpp"
#include "chorus/scheduler/analysis.hpp"
#include "chorus/scheduler/scheduler.hpp"
#include "chorus/tools/host_system.hpp"
#include "chorus/tools/sim_report.hpp"

namespace chorus::samples {

enum class ClockChoice : uint8_t {
  kBoard,   // the board's CPU clock
  kLowest,  // the lowest clock (10 kHz steps) at which the analysis accepts the set
  kFixed,   // BoardSimulationOptions::clock_hz
};

struct BoardSimulationOptions {
  std::string board_path;
  sched::Policy policy = sched::Policy::kEdf;
  ClockChoice clock = ClockChoice::kBoard;
  uint32_t clock_hz = 0;
  bool npu = true;  // offload to the board's NPU when it has one
};

class BoardSimulation {
 public:
  BoardSimulation();
  ~BoardSimulation();

  // Builds the arena and the scheduler for `groups` (which must outlive this object).
  // Errors name the board, pipeline or model.
  bool build(const BoardSimulationOptions& options, const std::vector<PipelineGroup*>& groups, std::string* error);

  // Runs until virtual time `end`; errors from sensors, stages or models stop it.
  Status run_until(os::TimeNs end);
  void set_trace(sched::TraceSink* trace);

  const board::host::BoardDescription& board() const { return *board_; }
  uint32_t clock_hz() const;
  // With ClockChoice::kLowest: the lowest accepted clock (0 when the set is not
  // schedulable even at the board's clock); otherwise 0.
  uint32_t lowest_clock_hz() const { return lowest_clock_hz_; }
  bool npu_on() const;
  const sched::Scheduler& scheduler() const;
  const sched::LevelSearchResult& search() const;
  const std::vector<std::string>& names() const { return names_; }
  const std::vector<uint8_t>& levels() const { return levels_; }
  // Pipeline index by name, or -1.
  int pipeline(const std::string& name) const;
  // The report `chorus sim` prints, for a run of `duration`.
  tools::SimReport report(os::TimeNs duration) const;

 private:
  static void time_hook(void* self, os::TimeNs now);

  BoardSimulationOptions options_;
  std::unique_ptr<board::host::BoardDescription> board_;
  std::vector<PipelineGroup*> groups_;
  std::vector<PipelineSpec> specs_;
  std::vector<std::string> names_;
  std::vector<uint8_t> levels_;
  std::unique_ptr<tools::HostSystem> host_;
  uint32_t lowest_clock_hz_ = 0;
  Status sensor_status_;
};

}  // namespace chorus::samples
