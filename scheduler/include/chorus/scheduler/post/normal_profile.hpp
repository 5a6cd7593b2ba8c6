// Learn-normal anomaly detection: what a machine's normal running looks like, learnt on the
// machine itself from its first seconds of running (as industrial condition monitors do --
// ST's NanoEdge AI learns on the device), then a score of how far each new window is from
// it.
//
// Learning streams in two halves, so no window is ever scored by statistics it helped
// make (in-sample scores are optimistic, most of all from 2 s of data):
//   1. statistics: per feature the mean and standard deviation (Welford's update, in
//      double) of the feature rows of the first half of the learning time;
//   2. threshold: the decision scores of the second half, scored against those
//      statistics; the threshold is their maximum times `margin`.
// A window's score is the mean over features of the squared z-score ((x - mean) / sd)^2,
// about 1 for running like the learnt one; a decision's score is the mean of its windows'
// scores. The standard deviation is floored at `sd_floor` (feature units) so a feature that
// hardly moved while learning cannot turn a trace of noise into an alarm.
//
// The profile is plain data with a fixed little-endian encoding (serialize/deserialize)
// for a RecordStore (module/record_store.hpp). No heap; firmware-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::sched {

struct NormalProfileConfig {
  float sd_floor = 0.25f;  // feature units (log2 band power: 0.25 = 0.75 dB)
  float margin = 1.5f;     // threshold = margin x the largest second-half decision score
};

class NormalProfile {
 public:
  static constexpr size_t kMaxFeatures = 192;  // 64 bands x 3 axes
  static constexpr uint32_t kMagic = 0x31504E43;  // "CNP1"
  static constexpr size_t kHeaderBytes = 32;
  static constexpr size_t max_serialized_bytes() { return kHeaderBytes + 2 * 4 * kMaxFeatures; }

  enum class Phase : uint8_t { kEmpty, kStatistics, kThreshold, kReady };

  // Starts learning rows of `features` values; `axes` and `rate_hz` are recorded so a
  // profile is never applied to another sensor layout.
  Status begin(size_t features, uint8_t axes, float rate_hz, const NormalProfileConfig& config = NormalProfileConfig());
  // Phase 1: one feature row of normal running.
  Status learn(Span<const float> row);
  // Ends phase 1 (needs at least 2 rows): fixes the statistics.
  Status end_statistics();
  // Phase 2: the score of one decision of normal running (from decision scoring below).
  Status learn_decision(float decision_score);
  // Ends phase 2 (needs at least 1 decision): fixes the threshold.
  Status end_threshold();

  // The score of one row against the statistics (phases kThreshold and kReady).
  float score(Span<const float> row) const;

  Phase phase() const { return phase_; }
  size_t features() const { return features_; }
  uint8_t axes() const { return axes_; }
  float rate_hz() const { return rate_hz_; }
  float threshold() const { return threshold_; }
  uint32_t learned_rows() const { return rows_; }
  uint32_t learned_decisions() const { return decisions_; }
  float mean(size_t i) const { return mean_[i]; }
  float sd(size_t i) const { return inv_sd_[i] > 0.0f ? 1.0f / inv_sd_[i] : 0.0f; }

  // A ready profile as bytes (kHeaderBytes + 8 x features); returns the size, 0 when `out`
  // is too small or the profile is not ready.
  size_t serialize(Span<uint8_t> out) const;
  // Restores a profile serialize() wrote; errors name what does not fit (bad magic,
  // version, feature count, sizes, values that are not finite).
  Status deserialize(Span<const uint8_t> bytes);

 private:
  NormalProfileConfig config_;
  Phase phase_ = Phase::kEmpty;
  size_t features_ = 0;
  uint8_t axes_ = 0;
  float rate_hz_ = 0.0f;
  uint32_t rows_ = 0, decisions_ = 0;
  float max_decision_ = 0.0f;
  float threshold_ = 0.0f;
  double sum_[kMaxFeatures] = {};  // Welford: running mean and sum of squared deviations
  double m2_[kMaxFeatures] = {};
  float mean_[kMaxFeatures] = {};
  float inv_sd_[kMaxFeatures] = {};
};

}  // namespace chorus::sched
