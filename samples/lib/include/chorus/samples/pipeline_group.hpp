// What one sensing application contributes to a board simulation: its simulated sensor and
// the pipelines that read it (keyword spotting is two: the front end per 20 ms hop and the
// classifier every 100 ms). The board simulation loads the models, places them in the shared
// arena by level, adds the pipelines to the scheduler and advances the sensors from the
// scheduler's time hook. Host only.
#pragma once

#include <string>
#include <vector>

#include "chorus/module/os/clock.hpp"
#include "chorus/module/status.hpp"
#include "chorus/scheduler/pipeline.hpp"
#include "chorus/scheduler/stages/stages.hpp"

namespace chorus::samples {

struct PipelineSpec {
  // Everything but `model` and `level`, which the board simulation fills in.
  sched::PipelineConfig config;
  std::string model_path;  // empty: a feature-only pipeline
  bool npu = true;         // the model may use the board's NPU
};

class PipelineGroup {
 public:
  virtual ~PipelineGroup() = default;
  virtual const char* name() const = 0;
  // The group's pipelines, in the order their results depend on each other (a producer of
  // a feature history before its consumer). Names point into the group.
  virtual std::vector<PipelineSpec> pipelines() = 0;
  // Produces every sensor sample due by `t` (virtual time since the start).
  virtual Status advance_to(os::TimeNs t) = 0;
};

using sched::copy_cycles;

}  // namespace chorus::samples
