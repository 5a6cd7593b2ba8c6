// The learn-normal profile: Welford statistics against a two-pass computation, the score as
// a mean squared z-score, the threshold from the second half only, the sd floor, and the
// byte encoding (round trip and every refusal).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "chorus/scheduler/post/normal_profile.hpp"

namespace chorus::sched {
namespace {

Span<const float> span(const std::vector<float>& v) { return Span<const float>(v.data(), v.size()); }

TEST(NormalProfile, StatisticsEqualATwoPassComputation) {
  std::mt19937 rng(7);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const size_t features = 6, rows = 500;
  std::vector<std::vector<float>> data(rows, std::vector<float>(features));
  for (auto& row : data)
    for (size_t i = 0; i < features; ++i) row[i] = 10.0f + static_cast<float>(i) + (0.5f + static_cast<float>(i)) * noise(rng);
  NormalProfile p;
  ASSERT_TRUE(p.begin(features, 2, 1000.0f).is_ok());
  for (const auto& row : data) ASSERT_TRUE(p.learn(span(row)).is_ok());
  ASSERT_TRUE(p.end_statistics().is_ok());
  for (size_t i = 0; i < features; ++i) {
    double mean = 0.0, var = 0.0;
    for (const auto& row : data) mean += row[i];
    mean /= rows;
    for (const auto& row : data) var += (row[i] - mean) * (row[i] - mean);
    const double sd = std::sqrt(var / (rows - 1));
    EXPECT_NEAR(p.mean(i), mean, 1e-5 * std::fabs(mean)) << i;
    EXPECT_NEAR(p.sd(i), std::max(sd, 0.25), 1e-5 * sd) << i;
  }
  // A row at the mean scores 0; one sd off in every feature scores 1.
  std::vector<float> at_mean(features), one_sd(features);
  for (size_t i = 0; i < features; ++i) {
    at_mean[i] = p.mean(i);
    one_sd[i] = p.mean(i) + p.sd(i);
  }
  EXPECT_NEAR(p.score(span(at_mean)), 0.0f, 1e-6f);
  EXPECT_NEAR(p.score(span(one_sd)), 1.0f, 1e-4f);
}

TEST(NormalProfile, TheSdFloorKeepsAStillFeatureFromAlarmingOnATrace) {
  NormalProfile p;
  NormalProfileConfig c;
  c.sd_floor = 0.5f;
  ASSERT_TRUE(p.begin(2, 1, 100.0f, c).is_ok());
  for (int k = 0; k < 10; ++k) ASSERT_TRUE(p.learn(span({3.0f, 5.0f + 0.001f * static_cast<float>(k % 2)})).is_ok());
  ASSERT_TRUE(p.end_statistics().is_ok());
  EXPECT_FLOAT_EQ(p.sd(0), 0.5f);  // it never moved
  EXPECT_FLOAT_EQ(p.sd(1), 0.5f);  // it moved by 0.001
  // 0.1 off in both: (0.2^2 + 0.2^2) / 2.
  EXPECT_NEAR(p.score(span({3.1f, 5.1f})), 0.04f, 1e-3f);
}

TEST(NormalProfile, TheThresholdComesFromTheSecondHalfTimesTheMargin) {
  NormalProfile p;
  NormalProfileConfig c;
  c.margin = 2.0f;
  ASSERT_TRUE(p.begin(1, 1, 100.0f, c).is_ok());
  EXPECT_FALSE(p.end_statistics().is_ok());  // no rows
  ASSERT_TRUE(p.learn(span({1.0f})).is_ok());
  EXPECT_FALSE(p.end_statistics().is_ok());  // one row: no sd
  ASSERT_TRUE(p.learn(span({3.0f})).is_ok());
  EXPECT_FALSE(p.learn_decision(1.0f).is_ok());  // still learning statistics
  ASSERT_TRUE(p.end_statistics().is_ok());
  EXPECT_FALSE(p.learn(span({2.0f})).is_ok());  // statistics are fixed
  EXPECT_FALSE(p.end_threshold().is_ok());      // no decision yet
  for (float d : {0.7f, 1.6f, 1.1f}) ASSERT_TRUE(p.learn_decision(d).is_ok());
  EXPECT_FALSE(p.learn_decision(-1.0f).is_ok());
  ASSERT_TRUE(p.end_threshold().is_ok());
  EXPECT_EQ(p.phase(), NormalProfile::Phase::kReady);
  EXPECT_FLOAT_EQ(p.threshold(), 3.2f);
  EXPECT_EQ(p.learned_rows(), 2u);
  EXPECT_EQ(p.learned_decisions(), 3u);
  // Decisions all well below 1 still leave the threshold at the margin (x a perfect fit's 1).
  NormalProfile q;
  ASSERT_TRUE(q.begin(1, 1, 100.0f, c).is_ok());
  ASSERT_TRUE(q.learn(span({1.0f})).is_ok());
  ASSERT_TRUE(q.learn(span({3.0f})).is_ok());
  ASSERT_TRUE(q.end_statistics().is_ok());
  ASSERT_TRUE(q.learn_decision(0.1f).is_ok());
  ASSERT_TRUE(q.end_threshold().is_ok());
  EXPECT_FLOAT_EQ(q.threshold(), 2.0f);
}

NormalProfile ready_profile() {
  NormalProfile p;
  EXPECT_TRUE(p.begin(4, 2, 26667.0f).is_ok());
  EXPECT_TRUE(p.learn(span({1, 2, 3, 4})).is_ok());
  EXPECT_TRUE(p.learn(span({2, 4, 6, 9})).is_ok());
  EXPECT_TRUE(p.end_statistics().is_ok());
  EXPECT_TRUE(p.learn_decision(1.25f).is_ok());
  EXPECT_TRUE(p.end_threshold().is_ok());
  return p;
}

TEST(NormalProfile, BytesRoundTripAndScoreTheSame) {
  const NormalProfile p = ready_profile();
  std::vector<uint8_t> bytes(NormalProfile::max_serialized_bytes());
  const size_t n = p.serialize(Span<uint8_t>(bytes.data(), bytes.size()));
  ASSERT_EQ(n, NormalProfile::kHeaderBytes + 8 * 4);
  NormalProfile q;
  ASSERT_TRUE(q.deserialize(Span<const uint8_t>(bytes.data(), n)).is_ok());
  EXPECT_EQ(q.features(), 4u);
  EXPECT_EQ(q.axes(), 2u);
  EXPECT_FLOAT_EQ(q.rate_hz(), 26667.0f);
  EXPECT_FLOAT_EQ(q.threshold(), p.threshold());
  EXPECT_EQ(q.learned_rows(), 2u);
  const std::vector<float> row = {1.5f, 7.0f, -2.0f, 4.5f};
  EXPECT_EQ(q.score(span(row)), p.score(span(row)));
  // Too small a buffer, or a profile not ready: nothing written.
  EXPECT_EQ(p.serialize(Span<uint8_t>(bytes.data(), n - 1)), 0u);
  NormalProfile learning;
  ASSERT_TRUE(learning.begin(4, 2, 1.0f).is_ok());
  EXPECT_EQ(learning.serialize(Span<uint8_t>(bytes.data(), bytes.size())), 0u);
}

TEST(NormalProfile, DamagedBytesAreRefusedWithTheReason) {
  const NormalProfile p = ready_profile();
  std::vector<uint8_t> good(NormalProfile::max_serialized_bytes());
  good.resize(p.serialize(Span<uint8_t>(good.data(), good.size())));
  auto refused = [&](std::vector<uint8_t> bytes) {
    NormalProfile q;
    const Status s = q.deserialize(Span<const uint8_t>(bytes.data(), bytes.size()));
    EXPECT_FALSE(s.is_ok());
    return std::string(s.message());
  };
  std::vector<uint8_t> b = good;
  b[0] ^= 1;
  EXPECT_NE(refused(b).find("bad magic"), std::string::npos);
  b = good;
  b[4] = 9;
  EXPECT_NE(refused(b).find("version 9"), std::string::npos);
  b = good;
  b.pop_back();
  EXPECT_NE(refused(b).find("4 features need 64"), std::string::npos);
  b = good;
  b[8] = 3;  // 4 features over 3 axes
  EXPECT_NE(refused(b).find("4 features over 3 axes"), std::string::npos);
  b = good;
  const float nan = std::nanf("");
  std::memcpy(b.data() + NormalProfile::kHeaderBytes + 4, &nan, 4);
  EXPECT_NE(refused(b).find("feature 1 has mean"), std::string::npos);
  EXPECT_NE(refused(std::vector<uint8_t>(good.begin(), good.begin() + 10)).find("the header alone is 32"), std::string::npos);
}

TEST(NormalProfile, BadShapesAreRefused) {
  NormalProfile p;
  EXPECT_FALSE(p.begin(0, 1, 1.0f).is_ok());
  EXPECT_FALSE(p.begin(NormalProfile::kMaxFeatures + 1, 1, 1.0f).is_ok());
  EXPECT_FALSE(p.begin(5, 2, 1.0f).is_ok());
  NormalProfileConfig c;
  c.margin = 0.5f;
  EXPECT_FALSE(p.begin(4, 1, 1.0f, c).is_ok());
  ASSERT_TRUE(p.begin(3, 1, 1.0f).is_ok());
  EXPECT_FALSE(p.learn(span({1.0f, 2.0f})).is_ok());
  EXPECT_FALSE(p.learn(span({1.0f, std::nanf(""), 2.0f})).is_ok());
}

}  // namespace
}  // namespace chorus::sched
