// A simulation scenario in XML (host only): the pipelines to run on a board, their
// models, release periods, deadlines, levels and priorities. Format in
// samples/multi_model/SCENARIO.md; errors name file, line and element.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chorus/module/os/clock.hpp"
#include "chorus/scheduler/pipeline.hpp"
#include "chorus/scheduler/scheduler.hpp"

namespace chorus::tools {

struct ScenarioPipeline {
  std::string name;
  std::string model;            // resolved path; empty for a features-only pipeline
  os::TimeNs period = 0;
  os::TimeNs deadline = 0;      // 0: the period
  os::TimeNs phase = 0;
  int level = -1;               // -1: chosen by the level search
  int priority = -1;            // -1: by deadline (shorter = higher)
  sched::OverloadPolicy overload = sched::OverloadPolicy::kSkip;
  bool npu = true;              // its model may use the NPU
  uint32_t feature_steps = 0;   // a stand-in feature stage: steps x cycles
  uint64_t feature_cycles = 0;
  std::string feature_note;     // what the stand-in stands for
  uint32_t input_seed = 1;      // the model's input: deterministic pseudo-random bytes
  int line = 0;
};

struct Scenario {
  std::string path;
  std::string name;
  double duration_s = 60.0;
  std::vector<ScenarioPipeline> pipelines;
};

// Parses a scenario file; nullptr with "PATH:LINE: ..." in `error` on failure.
std::unique_ptr<Scenario> load_scenario(const std::string& path, std::string* error);
// The same from text already read (`path` names it in errors and anchors relative model paths).
std::unique_ptr<Scenario> parse_scenario(const std::string& text, const std::string& path, std::string* error);

}  // namespace chorus::tools
