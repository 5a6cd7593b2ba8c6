// Post-processing: KWS posterior smoothing with suppression, gesture debouncing, and the
// k-of-n anomaly alarm.
#include <gtest/gtest.h>

#include "chorus/scheduler/post/debouncer.hpp"
#include "chorus/scheduler/post/k_of_n.hpp"
#include "chorus/scheduler/post/posterior_smoother.hpp"

namespace chorus::test {
namespace {

using namespace chorus::sched;
constexpr os::TimeNs kMs = 1000000;

TEST(PosteriorSmoother, ReportsAKeywordOnceThenSuppresses) {
  SmootherConfig c;
  c.min_count = 3;
  c.threshold = 200;
  c.ignore_mask = 0x3;  // silence, unknown
  PosteriorSmoother s(c, 4);
  const int8_t yes[4] = {-128, -128, 127, -128};
  const int8_t silence[4] = {127, -128, -128, -128};
  int detections = 0;
  for (int i = 0; i < 10; ++i) {
    const Detection d = s.add(yes, static_cast<os::TimeNs>(i) * 100 * kMs);
    if (d.detected) {
      ++detections;
      EXPECT_EQ(d.label, 2);
      EXPECT_EQ(i, 2);  // needs three results in the window
    }
  }
  EXPECT_EQ(detections, 1);  // 1.5 s suppression covers the rest
  // Silence is never reported, however confident.
  PosteriorSmoother quiet(c, 4);
  for (int i = 0; i < 10; ++i) EXPECT_FALSE(quiet.add(silence, static_cast<os::TimeNs>(i) * 100 * kMs).detected);
}

TEST(PosteriorSmoother, OneConfidentFrameAmongNoiseIsNotEnough) {
  SmootherConfig c;
  c.min_count = 3;
  PosteriorSmoother s(c, 4);
  const int8_t yes[4] = {-128, -128, 127, -128};
  const int8_t unsure[4] = {0, 0, -60, 0};
  EXPECT_FALSE(s.add(unsure, 0).detected);
  EXPECT_FALSE(s.add(unsure, 100 * kMs).detected);
  const Detection d = s.add(yes, 200 * kMs);
  EXPECT_FALSE(d.detected);  // average of (68, 68, 255) is below 200
  EXPECT_EQ(d.label, 2);
}

TEST(PosteriorSmoother, OldResultsLeaveTheWindow) {
  SmootherConfig c;
  c.min_count = 2;
  c.average_window = 300 * kMs;
  PosteriorSmoother s(c, 2);
  const int8_t a[2] = {127, -128}, b[2] = {-128, 127};
  s.add(a, 0);
  s.add(a, 100 * kMs);
  const Detection d = s.add(b, 1000 * kMs);  // the two old ones are gone: only 1 result
  EXPECT_FALSE(d.detected);
  const Detection e = s.add(b, 1100 * kMs);
  EXPECT_EQ(e.label, 1);
}

// The window and the suppression include their edges: a result exactly average_window old
// still counts, and a detection exactly `suppression` after the last is reported.
TEST(PosteriorSmoother, TheWindowAndTheSuppressionIncludeTheirEdges) {
  const int8_t yes[2] = {-128, 127};
  SmootherConfig window;
  window.min_count = 2;
  window.average_window = 300 * kMs;
  PosteriorSmoother w(window, 2);
  EXPECT_FALSE(w.add(yes, 0).detected);        // one result: fewer than min_count
  EXPECT_TRUE(w.add(yes, 300 * kMs).detected);  // the first is exactly 300 ms old: still in
  SmootherConfig suppress;
  suppress.min_count = 1;
  suppress.suppression = 500 * kMs;
  PosteriorSmoother p(suppress, 2);
  EXPECT_TRUE(p.add(yes, 0).detected);
  EXPECT_FALSE(p.add(yes, 499 * kMs).detected);  // within the suppression
  EXPECT_TRUE(p.add(yes, 500 * kMs).detected);   // exactly at its end: reported
}

TEST(Debouncer, NeedsConsecutiveWindowsAndReportsOnce) {
  DebounceConfig c;
  c.hold = 2;
  c.threshold = 150;
  c.background = 0;
  Debouncer d(c);
  const int8_t swipe[3] = {-128, 100, -128}, nothing[3] = {120, -128, -128}, weak[3] = {-128, 0, -10};
  EXPECT_EQ(d.add(swipe, 3), -1);
  EXPECT_EQ(d.add(swipe, 3), 1);
  EXPECT_EQ(d.add(swipe, 3), -1);  // still the same gesture
  EXPECT_EQ(d.add(nothing, 3), -1);
  EXPECT_EQ(d.add(weak, 3), -1);  // 128 < threshold
  EXPECT_EQ(d.add(swipe, 3), -1);
  EXPECT_EQ(d.add(swipe, 3), 1);  // a new gesture after a pause
}

// With rearm, the hand's return after a gesture (another class, confidently, in every window
// until the scene is quiet) is not reported; the background leading for `rearm` windows in a
// row re-arms, and one background window between return windows does not.
TEST(Debouncer, AfterAReportOnlyTheBackgroundLeadingRearms) {
  DebounceConfig c;
  c.hold = 2;
  c.threshold = 150;
  c.background = 0;
  c.rearm = 2;
  Debouncer d(c);
  const int8_t push[3] = {-128, 100, -128}, back[3] = {-128, -128, 110}, nothing[3] = {120, -128, -128};
  EXPECT_EQ(d.add(push, 3), -1);
  EXPECT_EQ(d.add(push, 3), 1);
  EXPECT_TRUE(d.waiting());
  for (int i = 0; i < 6; ++i) EXPECT_EQ(d.add(back, 3), -1) << i;  // the return: not a gesture
  EXPECT_EQ(d.add(nothing, 3), -1);
  EXPECT_EQ(d.add(back, 3), -1);  // one quiet window is not enough
  EXPECT_EQ(d.add(back, 3), -1);
  EXPECT_TRUE(d.waiting());
  EXPECT_EQ(d.add(nothing, 3), -1);
  EXPECT_TRUE(d.waiting());  // the return windows reset the count: one quiet window so far
  EXPECT_EQ(d.add(nothing, 3), -1);
  EXPECT_FALSE(d.waiting());
  EXPECT_EQ(d.add(back, 3), -1);
  EXPECT_EQ(d.add(back, 3), 2);  // re-armed: the next gesture is reported
  // Without rearm the same return is reported once it has held.
  c.rearm = 0;
  Debouncer plain(c);
  EXPECT_EQ(plain.add(push, 3), -1);
  EXPECT_EQ(plain.add(push, 3), 1);
  EXPECT_EQ(plain.add(back, 3), -1);
  EXPECT_EQ(plain.add(back, 3), 2);
}

// The threshold is inclusive (a best score equal to it counts), and a tie goes to the
// lower class index (the first maximum), as the mutation run found untested.
TEST(Debouncer, AScoreAtTheThresholdCountsAndTiesGoToTheFirstClass) {
  DebounceConfig c;
  c.hold = 1;
  c.threshold = 200;  // int8 72
  c.background = 0;
  Debouncer at(c);
  const int8_t exactly[3] = {-128, 72, -128}, below[3] = {-128, 71, -128};
  EXPECT_EQ(at.add(below, 3), -1);
  EXPECT_EQ(at.add(exactly, 3), 1);
  Debouncer tie(c);
  const int8_t two_way[4] = {-128, 100, 100, -128};
  EXPECT_EQ(tie.add(two_way, 4), 1);
}

TEST(KOfNAlarm, OneNoisyWindowRaisesNothing) {
  KOfNAlarm alarm(KOfNConfig{3, 5, 1.0f});
  const float scores[] = {0.2f, 5.0f, 0.1f, 0.3f, 0.2f, 0.1f, 0.4f};
  for (float s : scores) EXPECT_EQ(alarm.add(s), AlarmEvent::kNone);
  EXPECT_FALSE(alarm.active());
}

TEST(KOfNAlarm, RaisesOnKOfNAndClearsWhenQuiet) {
  KOfNAlarm alarm(KOfNConfig{3, 5, 1.0f});
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(0.5f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kRaised);  // 3 of the last 4
  EXPECT_TRUE(alarm.active());
  int cleared_at = -1;
  for (int i = 0; i < 10; ++i)
    if (alarm.add(0.1f) == AlarmEvent::kCleared) cleared_at = i;
  EXPECT_EQ(cleared_at, 4);  // once the last five are all quiet
  EXPECT_FALSE(alarm.active());
}

// Noisy windows far apart never add up: each leaves the count when the window slides past it
// (three isolated noisy windows in an hour must not raise a 3-of-10 alarm).
TEST(KOfNAlarm, ScatteredNoisyWindowsLeaveTheCount) {
  KOfNAlarm alarm(KOfNConfig{3, 10, 1.0f});
  int events = 0;
  for (int i = 0; i < 200; ++i) {
    const AlarmEvent e = alarm.add(i % 10 == 0 ? 5.0f : 0.1f);  // one noisy window every ten
    if (e != AlarmEvent::kNone) ++events;
    EXPECT_LE(alarm.above(), 1u) << "window " << i;
  }
  EXPECT_EQ(events, 0);
  EXPECT_FALSE(alarm.active());
  // Two noisy windows nine apart are both in the last ten; a third right after raises.
  KOfNAlarm close(KOfNConfig{3, 10, 1.0f});
  EXPECT_EQ(close.add(5.0f), AlarmEvent::kNone);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(close.add(0.1f), AlarmEvent::kNone);
  EXPECT_EQ(close.add(5.0f), AlarmEvent::kNone);
  EXPECT_EQ(close.add(5.0f), AlarmEvent::kNone);  // the first has just left: 2 of the last 10
  EXPECT_EQ(close.above(), 2u);
  EXPECT_EQ(close.add(5.0f), AlarmEvent::kRaised);
}

// An active alarm is raised once: further noisy windows report nothing until it clears.
TEST(KOfNAlarm, RaisesOncePerEpisode) {
  KOfNAlarm alarm(KOfNConfig{2, 4, 1.0f});
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kRaised);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kNone) << i;
  EXPECT_TRUE(alarm.active());
  for (int i = 0; i < 3; ++i) EXPECT_EQ(alarm.add(0.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(0.0f), AlarmEvent::kCleared);
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.add(2.0f), AlarmEvent::kRaised);  // a new episode
}

// "Above the threshold" is strict: a score equal to it is quiet.
TEST(KOfNAlarm, AScoreAtTheThresholdIsQuiet) {
  KOfNAlarm alarm(KOfNConfig{1, 1, 1.0f});
  EXPECT_EQ(alarm.add(1.0f), AlarmEvent::kNone);
  EXPECT_EQ(alarm.above(), 0u);
  EXPECT_EQ(alarm.add(1.0001f), AlarmEvent::kRaised);
}

}  // namespace
}  // namespace chorus::test
