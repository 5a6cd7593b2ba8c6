#include "chorus/scheduler/post/normal_monitor.hpp"

#include <cmath>

namespace chorus::sched {

Status NormalMonitor::start(const NormalMonitorConfig& config, size_t features, uint8_t axes, float rate_hz, RecordStore* store) {
  if (config.windows_per_decision == 0 || config.statistics_windows < 2 || config.threshold_decisions == 0)
    return Status::error(StatusCode::kInvalidArgument,
                         "normal monitor: %u windows a decision, %u statistics windows, %u threshold decisions (need >= 1, >= 2, >= 1)",
                         static_cast<unsigned>(config.windows_per_decision), static_cast<unsigned>(config.statistics_windows),
                         static_cast<unsigned>(config.threshold_decisions));
  if (config.k == 0 || config.k > config.n || config.n > KOfNAlarm::kMaxWindow)
    return Status::error(StatusCode::kInvalidArgument, "normal monitor: alarm %u of %u (1 <= k <= n <= %u)", static_cast<unsigned>(config.k),
                         static_cast<unsigned>(config.n), static_cast<unsigned>(KOfNAlarm::kMaxWindow));
  config_ = config;
  store_ = store;
  features_ = features;
  axes_ = axes;
  rate_hz_ = rate_hz;
  loaded_ = false;
  if (store_ != nullptr) {
    uint8_t bytes[NormalProfile::max_serialized_bytes()];
    Result<size_t> n = store_->load(Span<uint8_t>(bytes, sizeof(bytes)));
    NormalProfile stored;
    if (n.is_ok() && stored.deserialize(Span<const uint8_t>(bytes, *n)).is_ok() && stored.features() == features &&
        stored.axes() == axes && std::fabs(stored.rate_hz() - rate_hz) <= 0.5f) {
      profile_ = stored;
      loaded_ = true;
      phase_ = Phase::kMonitoring;
      alarm_ = KOfNAlarm(KOfNConfig{config_.k, config_.n, profile_.threshold()});
      restart_decisions();
      decisions_ = 0;
      return Status::ok();
    }
  }
  return relearn();
}

Status NormalMonitor::relearn() {
  CHORUS_RETURN_IF_ERROR(profile_.begin(features_, axes_, rate_hz_, config_.profile));
  phase_ = Phase::kStatistics;
  loaded_ = false;
  rows_ = 0;
  decisions_ = 0;
  restart_decisions();
  return Status::ok();
}

void NormalMonitor::restart_decisions() {
  in_decision_ = 0;
  decision_sum_ = 0.0;
  alarm_.reset();
}

Status NormalMonitor::save() {
  if (store_ == nullptr) return Status::ok();
  uint8_t bytes[NormalProfile::max_serialized_bytes()];
  const size_t n = profile_.serialize(Span<uint8_t>(bytes, sizeof(bytes)));
  if (n == 0) return Status::error(StatusCode::kInternal, "normal monitor: the profile did not serialise");
  return store_->save(Span<const uint8_t>(bytes, n));
}

Result<MonitorEvent> NormalMonitor::add_window(Span<const float> row) {
  switch (phase_) {
    case Phase::kStopped: return Status::error(StatusCode::kFailedPrecondition, "normal monitor: not started");
    case Phase::kStatistics: {
      CHORUS_RETURN_IF_ERROR(profile_.learn(row));
      if (++rows_ < config_.statistics_windows) return MonitorEvent::kNone;
      CHORUS_RETURN_IF_ERROR(profile_.end_statistics());
      phase_ = Phase::kThreshold;
      rows_ = 0;
      in_decision_ = 0;
      decision_sum_ = 0.0;
      return MonitorEvent::kNone;
    }
    case Phase::kThreshold:
    case Phase::kMonitoring: break;
  }
  if (row.size() != features_)
    return Status::error(StatusCode::kInvalidArgument, "normal monitor: a row of %zu values, expected %zu", row.size(), features_);
  decision_sum_ += profile_.score(row);
  if (++in_decision_ < config_.windows_per_decision) return MonitorEvent::kNone;
  last_score_ = static_cast<float>(decision_sum_ / static_cast<double>(in_decision_));
  in_decision_ = 0;
  decision_sum_ = 0.0;
  if (phase_ == Phase::kThreshold) {
    CHORUS_RETURN_IF_ERROR(profile_.learn_decision(last_score_));
    if (++rows_ < config_.threshold_decisions) return MonitorEvent::kLearning;
    CHORUS_RETURN_IF_ERROR(profile_.end_threshold());
    phase_ = Phase::kMonitoring;
    alarm_ = KOfNAlarm(KOfNConfig{config_.k, config_.n, profile_.threshold()});
    decisions_ = 0;
    CHORUS_RETURN_IF_ERROR(save());
    return MonitorEvent::kLearnt;
  }
  ++decisions_;
  switch (alarm_.add(last_score_)) {
    case AlarmEvent::kRaised: return MonitorEvent::kRaised;
    case AlarmEvent::kCleared: return MonitorEvent::kCleared;
    default: return MonitorEvent::kDecision;
  }
}

}  // namespace chorus::sched
