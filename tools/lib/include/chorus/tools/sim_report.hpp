// The run report of a multi-model simulation, as `chorus sim` prints it: per pipeline its
// level, releases, completions, skips, deadline misses, response times (min/p50/p99/max)
// next to the analysis bound and the deadline; then CPU/NPU utilisation and the arena by
// level. Shared by `chorus sim` and the multi-model sample so both read the same. Host only.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "chorus/scheduler/analysis.hpp"
#include "chorus/scheduler/partition.hpp"
#include "chorus/scheduler/response_log.hpp"
#include "chorus/scheduler/scheduler.hpp"

namespace chorus::tools {

struct SimReport {
  const sched::Scheduler* scheduler = nullptr;
  sched::Policy policy = sched::Policy::kEdf;
  const sched::AnalysisResult* analysis = nullptr;  // bounds; none under run-to-completion
  std::vector<std::string> names;                   // per pipeline
  std::vector<uint8_t> levels;                      // per pipeline
  std::vector<bool> has_model;                      // per pipeline: listed in its partition
  os::TimeNs duration = 0;                          // the run, for utilisation
  bool npu_on = false;
  const sched::ArenaLayout* layout = nullptr;
  size_t own_level_bytes = 0;       // every pipeline on its own level
  size_t separate_arena_bytes = 0;  // one arena per model
  std::string trace_path;           // empty: no trace written
  size_t trace_events = 0;
  sched::ResponseLog* responses = nullptr;  // exact response times, when kept

  // Every job that did not meet its deadline: late completions, skipped or dropped
  // releases, and jobs still unfinished past their deadline at the end of the run.
  uint32_t deadline_misses() const;
  uint32_t misses(uint32_t pipeline) const;
  uint32_t unfinished(uint32_t pipeline) const;
  double cpu_utilization() const;
  double npu_utilization() const;
  // A pipeline's response-time percentile: exact from `responses` when it kept every job,
  // else the metrics' histogram (within 1/16 of an octave).
  os::TimeNs percentile(uint32_t pipeline, double percent) const;
};

// The per-pipeline table (with a blank line before it).
void print_pipeline_table(const SimReport& report, std::FILE* out);
// Utilisation, misses, the arena by level and the comparison figures (and the trace).
void print_arena_summary(const SimReport& report, std::FILE* out);

}  // namespace chorus::tools
