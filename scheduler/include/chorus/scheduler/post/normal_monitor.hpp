// Learn-normal condition monitoring on the device: feature windows in, alarms out, the
// learnt profile kept across resets in a RecordStore. At start the store's profile is used
// if it was learnt for the same features, axes and rate; otherwise the monitor learns:
//   1. the first `statistics_windows` windows make the profile's statistics;
//   2. the next `threshold_decisions` decisions (of `windows_per_decision` windows each,
//      scored against them) make its threshold;
// then it saves the profile and monitors: each decision's score (the mean of its windows'
// scores) goes through a k-of-n alarm at the profile's threshold. `chorus listen --pipeline
// vibration` runs the same object on recordings. No heap; firmware-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/record_store.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/scheduler/post/k_of_n.hpp"
#include "chorus/scheduler/post/normal_profile.hpp"

namespace chorus::sched {

struct NormalMonitorConfig {
  uint32_t windows_per_decision = 1;
  uint32_t statistics_windows = 2;    // at least 2
  uint32_t threshold_decisions = 1;   // at least 1
  uint32_t k = 3, n = 5;              // the alarm: k of the last n decisions above the threshold
  NormalProfileConfig profile;
};

enum class MonitorEvent : uint8_t {
  kNone,      // a window taken, no decision yet
  kLearning,  // a decision made while learning (no alarm yet)
  kLearnt,    // learning finished: the profile is saved and monitoring starts
  kDecision,  // a decision made, the alarm unchanged
  kRaised,    // a decision raised the alarm
  kCleared,   // a decision cleared it
};

class NormalMonitor {
 public:
  enum class Phase : uint8_t { kStopped, kStatistics, kThreshold, kMonitoring };

  // Starts monitoring with the store's profile when it fits (`features`, `axes`, `rate_hz`),
  // else learning. `store` may be null (nothing kept across resets). A store that holds
  // something unreadable is not an error: the monitor learns again and replaces it.
  Status start(const NormalMonitorConfig& config, size_t features, uint8_t axes, float rate_hz, RecordStore* store);
  // Forgets the profile and learns again (the machine was serviced, moved, re-fitted).
  Status relearn();
  // One feature row of `features` values.
  Result<MonitorEvent> add_window(Span<const float> row);
  // A new recording or a gap in the data: the decision under way and the alarm's memory
  // start afresh (learning goes on where it was).
  void restart_decisions();

  Phase phase() const { return phase_; }
  const NormalProfile& profile() const { return profile_; }
  bool loaded_from_store() const { return loaded_; }
  bool alarm_active() const { return alarm_.active(); }
  float last_decision_score() const { return last_score_; }
  uint32_t decisions() const { return decisions_; }  // made while monitoring

 private:
  Status save();
  NormalMonitorConfig config_;
  RecordStore* store_ = nullptr;
  Phase phase_ = Phase::kStopped;
  NormalProfile profile_;
  KOfNAlarm alarm_;
  size_t features_ = 0;
  uint8_t axes_ = 0;
  float rate_hz_ = 0.0f;
  bool loaded_ = false;
  uint32_t rows_ = 0;            // windows taken in the current phase
  uint32_t in_decision_ = 0;     // windows in the decision under way
  double decision_sum_ = 0.0;
  uint32_t decisions_ = 0;
  float last_score_ = 0.0f;
};

}  // namespace chorus::sched
