#include "chorus/tools/sim_report.hpp"

#include <cstdint>

namespace chorus::tools {

namespace {

double ms(os::TimeNs ns) {
  return static_cast<double>(ns) / 1e6;
}

}  // namespace

uint32_t SimReport::unfinished(uint32_t pipeline) const { return scheduler->overdue(pipeline, duration); }

uint32_t SimReport::misses(uint32_t pipeline) const {
  const sched::PipelineMetrics& m = scheduler->metrics(pipeline);
  return m.deadline_misses + m.skips + unfinished(pipeline);
}

uint32_t SimReport::deadline_misses() const {
  uint32_t total = 0;
  for (uint32_t i = 0; i < scheduler->num_pipelines(); ++i) total += misses(i);
  return total;
}

double SimReport::cpu_utilization() const {
  return duration == 0 ? 0.0 : static_cast<double>(scheduler->cpu_busy_ns()) / static_cast<double>(duration);
}

os::TimeNs SimReport::percentile(uint32_t pipeline, double percent) const {
  if (responses != nullptr && responses->complete(pipeline)) return responses->percentile(pipeline, percent);
  return scheduler->metrics(pipeline).response.percentile(percent);
}

double SimReport::npu_utilization() const {
  return duration == 0 ? 0.0 : static_cast<double>(scheduler->npu_busy_ns()) / static_cast<double>(duration);
}

void print_pipeline_table(const SimReport& report, std::FILE* out) {
  const sched::Scheduler& s = *report.scheduler;
  std::fprintf(out, "\n  %-14s %5s %8s %8s %6s %7s %9s %9s %9s %9s %9s %9s\n", "pipeline", "level", "releases", "complete",
               "skips", "misses", "min ms", "p50 ms", "p99 ms", "max ms", "bound ms", "deadline");
  for (uint32_t i = 0; i < s.num_pipelines(); ++i) {
    const sched::PipelineMetrics& m = s.metrics(i);
    char bound[32] = "unbounded";
    // The bounds are the EDF/FP analysis'; a run-to-completion run has none.
    const sched::AnalysisResult* a = report.analysis;
    if (report.policy != sched::Policy::kRunToCompletion && a != nullptr && i < a->count && a->response[i] != UINT64_MAX)
      std::snprintf(bound, sizeof(bound), "%.3f", ms(a->response[i]));
    std::fprintf(out, "  %-14s %5u %8u %8u %6u %7u %9.3f %9.3f %9.3f %9.3f %9s %9.3f\n", report.names[i].c_str(),
                 report.levels[i], m.releases, m.completions, m.skips, report.misses(i), ms(m.response.min()),
                 ms(report.percentile(i, 50)), ms(report.percentile(i, 99)), ms(m.response.max()), bound,
                 ms(s.config(i).relative_deadline));
  }
}

void print_arena_summary(const SimReport& report, std::FILE* out) {
  const sched::ArenaLayout& layout = *report.layout;
  const size_t arena = layout.total_bytes;
  std::fprintf(out, "\n  CPU utilisation %.1f%%", report.cpu_utilization() * 100);
  if (report.npu_on) std::fprintf(out, "   NPU utilisation %.1f%%", report.npu_utilization() * 100);
  std::fprintf(out, "   deadline misses %u\n", report.deadline_misses());
  std::fprintf(out, "  arena %zu bytes: ", arena);
  for (uint32_t l = 0; l < layout.num_levels; ++l) {
    std::fprintf(out, "level %u %zu B [", l, layout.level_bytes[l]);
    bool first = true;
    for (size_t i = 0; i < report.names.size(); ++i)
      if (report.levels[i] == l && report.has_model[i]) {
        std::fprintf(out, "%s%s", first ? "" : " ", report.names[i].c_str());
        first = false;
      }
    std::fprintf(out, "], ");
  }
  std::fprintf(out, "scratch %zu B, persistent %zu B\n", layout.scratch_bytes,
               arena - layout.partition_bytes() - layout.scratch_bytes);
  std::fprintf(out, "  vs every pipeline on its own level: %zu bytes; vs one arena per model: %zu bytes\n",
               report.own_level_bytes, report.separate_arena_bytes);
  if (!report.trace_path.empty()) std::fprintf(out, "  trace: %s (%zu events)\n", report.trace_path.c_str(), report.trace_events);
}

}  // namespace chorus::tools
