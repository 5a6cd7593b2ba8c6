// Exact response times, for exact percentiles where the metrics' histogram (1/16 of an octave,
// up to 6 % high) is too coarse: a TraceSink that keeps each completed job's response time
// (completion - nominal release) in a buffer the caller gives per pipeline, and forwards
// every event to another sink. No heap; firmware-clean.
#pragma once

#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/scheduler/scheduler.hpp"

namespace chorus::sched {

class ResponseLog final : public TraceSink {
 public:
  explicit ResponseLog(TraceSink* next = nullptr) : next_(next) {}

  // Where pipeline `index`'s response times go (the first buffer.size() jobs are kept).
  void set_buffer(uint32_t index, Span<os::TimeNs> buffer);
  // Jobs completed and jobs whose response time was kept.
  uint64_t completed(uint32_t index) const { return index < Scheduler::kMaxPipelines ? completed_[index] : 0; }
  uint32_t kept(uint32_t index) const { return index < Scheduler::kMaxPipelines ? kept_[index] : 0; }
  // Whether every completed job of `index` was kept (percentiles are then exact).
  bool complete(uint32_t index) const { return kept(index) > 0 && kept(index) == completed(index); }
  // The nearest-rank percentile of the kept response times (rank = round(percent/100 x n),
  // at least 1), as LatencyHistogram::percentile ranks; 0 when none. Sorts the buffer.
  os::TimeNs percentile(uint32_t index, double percent);

  void release(uint32_t pipeline, os::TimeNs at) override;
  void skip(uint32_t pipeline, os::TimeNs at) override;
  void step(uint32_t pipeline, int32_t op, const char* name, os::TimeNs start, os::TimeNs end, bool npu) override;
  void job_done(uint32_t pipeline, os::TimeNs release, os::TimeNs end, bool missed) override;

 private:
  TraceSink* next_;
  Span<os::TimeNs> buffers_[Scheduler::kMaxPipelines];
  uint64_t completed_[Scheduler::kMaxPipelines] = {};
  uint32_t kept_[Scheduler::kMaxPipelines] = {};
};

}  // namespace chorus::sched
