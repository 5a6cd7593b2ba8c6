// Per-pipeline run-time figures: counts, response-time distribution (a fixed log-linear
// histogram, no heap: percentiles to within 1/16 of an octave, min and max exact), and
// busy time.
#pragma once

#include <cstdint>

#include "chorus/module/os/clock.hpp"

namespace chorus::sched {

class LatencyHistogram {
 public:
  static constexpr int kSubBuckets = 16;
  static constexpr int kOctaves = 40;  // 1 ns .. ~18 minutes
  void add(os::TimeNs value);
  uint64_t count() const { return count_; }
  os::TimeNs min() const { return count_ ? min_ : 0; }
  os::TimeNs max() const { return max_; }
  // The value below which `percent` of samples fall (upper edge of its bucket, capped by max).
  os::TimeNs percentile(double percent) const;

 private:
  static int bucket_of(os::TimeNs v);
  static os::TimeNs upper_edge(int bucket);
  uint32_t buckets_[kSubBuckets * kOctaves] = {};
  uint64_t count_ = 0;
  os::TimeNs min_ = UINT64_MAX;
  os::TimeNs max_ = 0;
};

struct PipelineMetrics {
  uint32_t releases = 0;
  uint32_t completions = 0;
  uint32_t skips = 0;            // releases not run (overload policy)
  uint32_t deadline_misses = 0;  // completions after the absolute deadline
  uint32_t step_overruns = 0;    // steps longer than their budget (watchdog)
  uint32_t npu_steps = 0;
  uint32_t npu_fallbacks = 0;
  uint32_t npu_timeouts = 0;     // NPU operators abandoned after their timeout
  uint32_t deferred_releases = 0;  // releases that came sooner than period - jitter (deferred)
  os::TimeNs cpu_busy_ns = 0;
  os::TimeNs npu_busy_ns = 0;
  os::TimeNs longest_step_ns = 0;
  LatencyHistogram response;
};

}  // namespace chorus::sched
