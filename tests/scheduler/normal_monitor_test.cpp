// NormalMonitor: learning in two phases, then k-of-n alarms; the profile kept in a record
// store across a reset (a new monitor on the same store monitors at once), a store holding
// another layout or garbage leads to learning again.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "chorus/scheduler/post/normal_monitor.hpp"

namespace chorus::sched {
namespace {

class MemoryStore final : public RecordStore {
 public:
  Status save(Span<const uint8_t> record) override {
    bytes.assign(record.data(), record.data() + record.size());
    ++saves;
    return Status::ok();
  }
  Result<size_t> load(Span<uint8_t> out) override {
    if (bytes.empty()) return Status::error(StatusCode::kNotFound, "empty");
    if (out.size() < bytes.size()) return Status::error(StatusCode::kOutOfRange, "small");
    std::memcpy(out.data(), bytes.data(), bytes.size());
    return bytes.size();
  }
  std::vector<uint8_t> bytes;
  int saves = 0;
};

// Rows of 4 features around (10, 20, 30, 40), wobbling by +-1; `offset` shifts them all.
std::vector<float> row(int i, float offset = 0.0f) {
  const float w = (i % 2 == 0) ? 1.0f : -1.0f;
  return {10 + w + offset, 20 - w + offset, 30 + w + offset, 40 - w + offset};
}

NormalMonitorConfig config() {
  NormalMonitorConfig c;
  c.windows_per_decision = 2;
  c.statistics_windows = 6;
  c.threshold_decisions = 3;
  c.k = 2;
  c.n = 3;
  return c;
}

MonitorEvent add(NormalMonitor& m, const std::vector<float>& r) {
  Result<MonitorEvent> e = m.add_window(Span<const float>(r.data(), r.size()));
  EXPECT_TRUE(e.is_ok()) << e.status().message();
  return e.is_ok() ? *e : MonitorEvent::kNone;
}

TEST(NormalMonitor, LearnsThenAlarmsOnKOfNAndKeepsTheProfileAcrossAReset) {
  MemoryStore store;
  NormalMonitor m;
  ASSERT_TRUE(m.start(config(), 4, 2, 26667.0f, &store).is_ok());
  EXPECT_EQ(m.phase(), NormalMonitor::Phase::kStatistics);
  EXPECT_FALSE(m.loaded_from_store());
  int i = 0;
  for (; i < 6; ++i) EXPECT_EQ(add(m, row(i)), MonitorEvent::kNone);
  EXPECT_EQ(m.phase(), NormalMonitor::Phase::kThreshold);
  // 3 decisions of 2 windows: learning, learning, learnt (and saved).
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kNone);
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kLearning);
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kNone);
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kLearning);
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kNone);
  EXPECT_EQ(add(m, row(i++)), MonitorEvent::kLearnt);
  EXPECT_EQ(m.phase(), NormalMonitor::Phase::kMonitoring);
  EXPECT_EQ(store.saves, 1);
  // The same running: decisions, no alarm. From 6 rows of a +-1 wobble the sd is
  // sqrt(6 / 5), so such a row scores 1 / 1.2 = 0.833; 1.5 x that is below the floor of
  // 1.5 x a perfect fit's 1, so the threshold is 1.5.
  EXPECT_NEAR(m.last_decision_score(), 1.0f / 1.2f, 1e-5f);
  EXPECT_FLOAT_EQ(m.profile().threshold(), 1.5f);
  for (int k = 0; k < 6; ++k) {
    add(m, row(i++));
    EXPECT_EQ(add(m, row(i++)), MonitorEvent::kDecision);
  }
  // Shifted by 3 (2.7 sd): the first decision above counts 1 of 3, the second raises (2 of 3).
  add(m, row(i++, 3.0f));
  EXPECT_EQ(add(m, row(i++, 3.0f)), MonitorEvent::kDecision);
  add(m, row(i++, 3.0f));
  EXPECT_EQ(add(m, row(i++, 3.0f)), MonitorEvent::kRaised);
  EXPECT_TRUE(m.alarm_active());
  // Back to normal: cleared once none of the last 3 is above.
  MonitorEvent last = MonitorEvent::kNone;
  for (int k = 0; k < 3; ++k) {
    add(m, row(i++));
    last = add(m, row(i++));
  }
  EXPECT_EQ(last, MonitorEvent::kCleared);

  // A reset: a new monitor on the same store monitors at once, with the same profile.
  NormalMonitor after;
  ASSERT_TRUE(after.start(config(), 4, 2, 26667.0f, &store).is_ok());
  EXPECT_TRUE(after.loaded_from_store());
  EXPECT_EQ(after.phase(), NormalMonitor::Phase::kMonitoring);
  EXPECT_FLOAT_EQ(after.profile().threshold(), m.profile().threshold());
  add(after, row(0, 3.0f));
  EXPECT_EQ(add(after, row(1, 3.0f)), MonitorEvent::kDecision);
  const std::vector<float> r0 = row(0, 3.0f), r1 = row(1, 3.0f);
  const float expected = (m.profile().score(Span<const float>(r0.data(), 4)) + m.profile().score(Span<const float>(r1.data(), 4))) / 2;
  EXPECT_NEAR(after.last_decision_score(), expected, 1e-5f);  // the same statistics, reloaded
  EXPECT_GT(after.last_decision_score(), after.profile().threshold());
  // Another layout (3 axes) or rate does not take that profile: it learns.
  NormalMonitor other;
  ASSERT_TRUE(other.start(config(), 6, 3, 26667.0f, &store).is_ok());
  EXPECT_EQ(other.phase(), NormalMonitor::Phase::kStatistics);
  NormalMonitor slower;
  ASSERT_TRUE(slower.start(config(), 4, 2, 1344.0f, &store).is_ok());
  EXPECT_EQ(slower.phase(), NormalMonitor::Phase::kStatistics);
  // relearn() forgets it on request.
  ASSERT_TRUE(after.relearn().is_ok());
  EXPECT_EQ(after.phase(), NormalMonitor::Phase::kStatistics);
}

TEST(NormalMonitor, GarbageInTheStoreMeansLearningAgain) {
  MemoryStore store;
  store.bytes = {1, 2, 3, 4, 5};
  NormalMonitor m;
  ASSERT_TRUE(m.start(config(), 4, 2, 100.0f, &store).is_ok());
  EXPECT_FALSE(m.loaded_from_store());
  EXPECT_EQ(m.phase(), NormalMonitor::Phase::kStatistics);
  // Without a store it learns and nothing is kept.
  NormalMonitor none;
  ASSERT_TRUE(none.start(config(), 4, 2, 100.0f, nullptr).is_ok());
  for (int i = 0; i < 12; ++i) add(none, row(i));
  EXPECT_EQ(none.phase(), NormalMonitor::Phase::kMonitoring);
}

TEST(NormalMonitor, BadConfigurationsAreRefused) {
  NormalMonitor m;
  NormalMonitorConfig c = config();
  c.statistics_windows = 1;
  EXPECT_FALSE(m.start(c, 4, 2, 100.0f, nullptr).is_ok());
  c = config();
  c.k = 4;
  EXPECT_FALSE(m.start(c, 4, 2, 100.0f, nullptr).is_ok());
  std::vector<float> r = row(0);
  EXPECT_FALSE(m.add_window(Span<const float>(r.data(), r.size())).is_ok());  // not started
}

}  // namespace
}  // namespace chorus::sched
