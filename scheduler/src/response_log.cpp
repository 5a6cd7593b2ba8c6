#include "chorus/scheduler/response_log.hpp"

#include <algorithm>

namespace chorus::sched {

void ResponseLog::set_buffer(uint32_t index, Span<os::TimeNs> buffer) {
  if (index >= Scheduler::kMaxPipelines) return;
  buffers_[index] = buffer;
  kept_[index] = 0;
  completed_[index] = 0;
}

os::TimeNs ResponseLog::percentile(uint32_t index, double percent) {
  const uint32_t n = kept(index);
  if (n == 0) return 0;
  os::TimeNs* v = buffers_[index].data();
  std::sort(v, v + n);
  uint64_t rank = static_cast<uint64_t>(percent / 100.0 * static_cast<double>(n) + 0.5);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return v[rank - 1];
}

void ResponseLog::release(uint32_t pipeline, os::TimeNs at) {
  if (next_) next_->release(pipeline, at);
}

void ResponseLog::skip(uint32_t pipeline, os::TimeNs at) {
  if (next_) next_->skip(pipeline, at);
}

void ResponseLog::step(uint32_t pipeline, int32_t op, const char* name, os::TimeNs start, os::TimeNs end, bool npu) {
  if (next_) next_->step(pipeline, op, name, start, end, npu);
}

void ResponseLog::job_done(uint32_t pipeline, os::TimeNs release, os::TimeNs end, bool missed) {
  if (pipeline < Scheduler::kMaxPipelines) {
    ++completed_[pipeline];
    if (kept_[pipeline] < buffers_[pipeline].size()) buffers_[pipeline][kept_[pipeline]++] = end - release;
  }
  if (next_) next_->job_done(pipeline, release, end, missed);
}

}  // namespace chorus::sched
