// ResponseLog: exact nearest-rank percentiles of the kept response times, the events
// forwarded, and "complete" only while every completed job was kept.
#include <gtest/gtest.h>

#include <vector>

#include "chorus/scheduler/response_log.hpp"

namespace chorus::sched {
namespace {

class Counting final : public TraceSink {
 public:
  void release(uint32_t, os::TimeNs) override { ++releases; }
  void skip(uint32_t, os::TimeNs) override { ++skips; }
  void step(uint32_t, int32_t, const char*, os::TimeNs, os::TimeNs, bool) override { ++steps; }
  void job_done(uint32_t, os::TimeNs, os::TimeNs, bool) override { ++done; }
  int releases = 0, skips = 0, steps = 0, done = 0;
};

TEST(ResponseLog, PercentilesAreExactNearestRank) {
  ResponseLog log;
  std::vector<os::TimeNs> buf(16);
  log.set_buffer(1, Span<os::TimeNs>(buf.data(), buf.size()));
  // Responses 1000, 1001, ... 1009 ns, completed out of order.
  const os::TimeNs responses[] = {1007, 1002, 1009, 1000, 1004, 1001, 1008, 1003, 1006, 1005};
  for (os::TimeNs r : responses) log.job_done(1, 5000, 5000 + r, false);
  EXPECT_TRUE(log.complete(1));
  EXPECT_EQ(log.kept(1), 10u);
  EXPECT_EQ(log.percentile(1, 50), 1004u);   // rank round(5.0) = 5
  EXPECT_EQ(log.percentile(1, 99), 1009u);   // rank round(9.9) = 10
  EXPECT_EQ(log.percentile(1, 0), 1000u);    // rank at least 1
  EXPECT_EQ(log.percentile(1, 100), 1009u);
  EXPECT_EQ(log.percentile(1, 24), 1001u);   // rank round(2.4) = 2
  EXPECT_EQ(log.percentile(0, 50), 0u);      // nothing kept
  EXPECT_FALSE(log.complete(0));
}

TEST(ResponseLog, AFullBufferIsNoLongerComplete) {
  ResponseLog log;
  std::vector<os::TimeNs> buf(3);
  log.set_buffer(0, Span<os::TimeNs>(buf.data(), buf.size()));
  for (os::TimeNs r = 1; r <= 3; ++r) log.job_done(0, 0, r, false);
  EXPECT_TRUE(log.complete(0));
  log.job_done(0, 0, 99, false);
  EXPECT_FALSE(log.complete(0));
  EXPECT_EQ(log.completed(0), 4u);
  EXPECT_EQ(log.kept(0), 3u);
  EXPECT_EQ(log.percentile(0, 100), 3u);  // the kept ones only
}

TEST(ResponseLog, ForwardsEveryEvent) {
  Counting next;
  ResponseLog log(&next);
  log.release(0, 1);
  log.skip(0, 2);
  log.step(0, 3, "op", 4, 5, false);
  log.job_done(0, 1, 6, false);  // no buffer: counted, not kept, still forwarded
  EXPECT_EQ(next.releases, 1);
  EXPECT_EQ(next.skips, 1);
  EXPECT_EQ(next.steps, 1);
  EXPECT_EQ(next.done, 1);
  EXPECT_EQ(log.completed(0), 1u);
  EXPECT_EQ(log.kept(0), 0u);
}

}  // namespace
}  // namespace chorus::sched
