#include "chorus/scheduler/post/normal_profile.hpp"

#include <cmath>
#include <cstring>

namespace chorus::sched {
namespace {

void put_u32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
uint32_t get_u32(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }
void put_f32(uint8_t* p, float f) {
  uint32_t v;
  std::memcpy(&v, &f, 4);
  put_u32(p, v);
}
float get_f32(const uint8_t* p) {
  const uint32_t v = get_u32(p);
  float f;
  std::memcpy(&f, &v, 4);
  return f;
}

constexpr uint16_t kVersion = 1;

}  // namespace

Status NormalProfile::begin(size_t features, uint8_t axes, float rate_hz, const NormalProfileConfig& config) {
  if (features == 0 || features > kMaxFeatures)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: %zu features (1 to %zu)", features, kMaxFeatures);
  if (axes == 0 || features % axes != 0)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: %zu features do not split into %u axes", features,
                         unsigned{axes});
  if (!(config.sd_floor > 0.0f) || !(config.margin >= 1.0f))
    return Status::error(StatusCode::kInvalidArgument, "normal profile: sd floor must be > 0 and margin >= 1");
  config_ = config;
  phase_ = Phase::kStatistics;
  features_ = features;
  axes_ = axes;
  rate_hz_ = rate_hz;
  rows_ = decisions_ = 0;
  max_decision_ = threshold_ = 0.0f;
  for (size_t i = 0; i < kMaxFeatures; ++i) sum_[i] = m2_[i] = 0.0;
  return Status::ok();
}

Status NormalProfile::learn(Span<const float> row) {
  if (phase_ != Phase::kStatistics) return Status::error(StatusCode::kFailedPrecondition, "normal profile: not learning statistics");
  if (row.size() != features_)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: a row of %zu values, expected %zu", row.size(), features_);
  for (size_t i = 0; i < features_; ++i)
    if (!std::isfinite(row[i])) return Status::error(StatusCode::kInvalidArgument, "normal profile: value %zu is not finite", i);
  ++rows_;
  // Welford's online mean and variance (Knuth, TAOCP vol. 2, 4.2.2).
  for (size_t i = 0; i < features_; ++i) {
    const double x = row[i];
    const double delta = x - sum_[i];
    sum_[i] += delta / rows_;
    m2_[i] += delta * (x - sum_[i]);
  }
  return Status::ok();
}

Status NormalProfile::end_statistics() {
  if (phase_ != Phase::kStatistics) return Status::error(StatusCode::kFailedPrecondition, "normal profile: not learning statistics");
  if (rows_ < 2) return Status::error(StatusCode::kFailedPrecondition, "normal profile: %u rows learnt, need at least 2", static_cast<unsigned>(rows_));
  for (size_t i = 0; i < features_; ++i) {
    mean_[i] = static_cast<float>(sum_[i]);
    double sd = std::sqrt(m2_[i] / static_cast<double>(rows_ - 1));
    if (sd < config_.sd_floor) sd = config_.sd_floor;
    inv_sd_[i] = static_cast<float>(1.0 / sd);
  }
  phase_ = Phase::kThreshold;
  return Status::ok();
}

Status NormalProfile::learn_decision(float decision_score) {
  if (phase_ != Phase::kThreshold) return Status::error(StatusCode::kFailedPrecondition, "normal profile: not learning the threshold");
  if (!std::isfinite(decision_score) || decision_score < 0.0f)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: decision score is not a finite non-negative number");
  ++decisions_;
  if (decision_score > max_decision_) max_decision_ = decision_score;
  return Status::ok();
}

Status NormalProfile::end_threshold() {
  if (phase_ != Phase::kThreshold) return Status::error(StatusCode::kFailedPrecondition, "normal profile: not learning the threshold");
  if (decisions_ == 0) return Status::error(StatusCode::kFailedPrecondition, "normal profile: no decision learnt for the threshold");
  threshold_ = max_decision_ * config_.margin;
  if (threshold_ < config_.margin) threshold_ = config_.margin;  // never below the margin x a perfect fit's 1
  phase_ = Phase::kReady;
  return Status::ok();
}

float NormalProfile::score(Span<const float> row) const {
  if ((phase_ != Phase::kThreshold && phase_ != Phase::kReady) || row.size() != features_) return 0.0f;
  double sum = 0.0;
  for (size_t i = 0; i < features_; ++i) {
    const double z = (static_cast<double>(row[i]) - mean_[i]) * inv_sd_[i];
    sum += z * z;
  }
  return static_cast<float>(sum / static_cast<double>(features_));
}

// Layout (little-endian): magic u32, version u16, features u16, axes u8, 3 reserved bytes,
// rate_hz f32, rows u32, decisions u32, threshold f32, sd floor f32 (32 bytes), then
// features x mean f32, features x 1/sd f32.
size_t NormalProfile::serialize(Span<uint8_t> out) const {
  const size_t bytes = kHeaderBytes + 8 * features_;
  if (phase_ != Phase::kReady || out.size() < bytes) return 0;
  uint8_t* p = out.data();
  std::memset(p, 0, kHeaderBytes);
  put_u32(p, kMagic);
  p[4] = static_cast<uint8_t>(kVersion);
  p[5] = static_cast<uint8_t>(kVersion >> 8);
  p[6] = static_cast<uint8_t>(features_);
  p[7] = static_cast<uint8_t>(features_ >> 8);
  p[8] = axes_;
  put_f32(p + 12, rate_hz_);
  put_u32(p + 16, rows_);
  put_u32(p + 20, decisions_);
  put_f32(p + 24, threshold_);
  put_f32(p + 28, config_.sd_floor);
  for (size_t i = 0; i < features_; ++i) {
    put_f32(p + kHeaderBytes + 4 * i, mean_[i]);
    put_f32(p + kHeaderBytes + 4 * (features_ + i), inv_sd_[i]);
  }
  return bytes;
}

Status NormalProfile::deserialize(Span<const uint8_t> bytes) {
  if (bytes.size() < kHeaderBytes)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: %zu bytes, the header alone is %zu", bytes.size(), kHeaderBytes);
  const uint8_t* p = bytes.data();
  if (get_u32(p) != kMagic) return Status::error(StatusCode::kInvalidArgument, "normal profile: bad magic 0x%08x", static_cast<unsigned>(get_u32(p)));
  const unsigned version = p[4] | (p[5] << 8);
  if (version != kVersion) return Status::error(StatusCode::kUnsupported, "normal profile: version %u (this build reads %u)", version, unsigned{kVersion});
  const size_t features = static_cast<size_t>(p[6] | (p[7] << 8));
  const uint8_t axes = p[8];
  if (features == 0 || features > kMaxFeatures || axes == 0 || features % axes != 0)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: %zu features over %u axes", features, unsigned{axes});
  if (bytes.size() != kHeaderBytes + 8 * features)
    return Status::error(StatusCode::kInvalidArgument, "normal profile: %zu bytes, %zu features need %zu", bytes.size(), features,
                         kHeaderBytes + 8 * features);
  const float rate = get_f32(p + 12), threshold = get_f32(p + 24), floor = get_f32(p + 28);
  if (!std::isfinite(rate) || !std::isfinite(threshold) || !(threshold > 0.0f) || !std::isfinite(floor) || !(floor > 0.0f))
    return Status::error(StatusCode::kInvalidArgument, "normal profile: rate, threshold or sd floor out of range");
  for (size_t i = 0; i < features; ++i) {
    const float m = get_f32(p + kHeaderBytes + 4 * i), s = get_f32(p + kHeaderBytes + 4 * (features + i));
    if (!std::isfinite(m) || !std::isfinite(s) || !(s > 0.0f))
      return Status::error(StatusCode::kInvalidArgument, "normal profile: feature %zu has mean %g, 1/sd %g", i, static_cast<double>(m),
                           static_cast<double>(s));
    mean_[i] = m;
    inv_sd_[i] = s;
  }
  features_ = features;
  axes_ = axes;
  rate_hz_ = rate;
  rows_ = get_u32(p + 16);
  decisions_ = get_u32(p + 20);
  threshold_ = threshold;
  config_.sd_floor = floor;
  phase_ = Phase::kReady;
  return Status::ok();
}

}  // namespace chorus::sched
