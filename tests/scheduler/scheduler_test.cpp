// Deterministic scenario tests of the scheduler in virtual time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "chorus/scheduler/scheduler.hpp"
#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/tools/model_set.hpp"
#include "support/golden.hpp"
#include "support/golden_stage.hpp"
#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using namespace chorus::sched;
using os::TimeNs;

constexpr TimeNs kMs = 1000000;

// A feature stage of `steps` steps of `cycles` each (1 cycle = 10 ns at 100 MHz).
class FakeFeatures : public FeatureStage {
 public:
  FakeFeatures(uint32_t steps, uint64_t cycles) : steps_(steps), cycles_(cycles) {}
  uint32_t steps() const override { return steps_; }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override {
    ++runs;
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }
  int runs = 0;

 private:
  uint32_t steps_;
  uint64_t cycles_;
};

struct StepRecord {
  uint32_t pipeline;
  int32_t op;
  TimeNs start, end;
  bool npu;
};

class RecordingTrace : public TraceSink {
 public:
  void release(uint32_t p, TimeNs at) override { releases.push_back({p, at}); }
  void skip(uint32_t p, TimeNs at) override { skips.push_back({p, at}); }
  void step(uint32_t p, int32_t op, const char*, TimeNs start, TimeNs end, bool npu) override {
    steps.push_back({p, op, start, end, npu});
  }
  void job_done(uint32_t p, TimeNs release, TimeNs end, bool missed) override { done.push_back({p, release, end, missed}); }
  struct Event {
    uint32_t p;
    TimeNs at;
  };
  struct Done {
    uint32_t p;
    TimeNs release, end;
    bool missed;
  };
  std::vector<Event> releases, skips;
  std::vector<StepRecord> steps;
  std::vector<Done> done;
};

CostModel cpu_at_100mhz() {
  CostModel c;
  c.cpu.clock_hz = 100000000;
  return c;
}

PipelineConfig periodic(const char* name, FeatureStage* f, TimeNs period, TimeNs deadline, uint8_t level, uint8_t prio = 0) {
  PipelineConfig c;
  c.name = name;
  c.features = f;
  c.period = period;
  c.relative_deadline = deadline;
  c.level = level;
  c.priority = prio;
  return c;
}

TEST(Scheduler, EdfRunsTheEarliestDeadlineFirst) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures a(1, 100000), b(1, 100000);  // 1 ms each
  ASSERT_TRUE(s.add_pipeline(periodic("late", &a, 100 * kMs, 50 * kMs, 0)).is_ok());
  ASSERT_TRUE(s.add_pipeline(periodic("early", &b, 100 * kMs, 5 * kMs, 1)).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(10 * kMs).is_ok());
  ASSERT_EQ(trace.steps.size(), 2u);
  EXPECT_EQ(trace.steps[0].pipeline, 1u);
  EXPECT_EQ(trace.steps[1].pipeline, 0u);
  EXPECT_EQ(trace.steps[0].end - trace.steps[0].start, 1 * kMs);
  EXPECT_EQ(s.metrics(1).response.max(), 1 * kMs);
  EXPECT_EQ(s.metrics(0).response.max(), 2 * kMs);
}

// A job that completes exactly at its deadline meets it; one nanosecond less is a miss.
TEST(Scheduler, ADeadlineMetExactlyIsNoMiss) {
  for (const TimeNs deadline : {1 * kMs, 1 * kMs - 1}) {
    os::VirtualClock clock;
    CostModel cost = cpu_at_100mhz();
    Scheduler s(clock, &clock, cost, Policy::kEdf);
    FakeFeatures a(1, 100000);  // exactly 1 ms at 100 MHz
    ASSERT_TRUE(s.add_pipeline(periodic("a", &a, 10 * kMs, deadline, 0)).is_ok());
    ASSERT_TRUE(s.run_until(35 * kMs).is_ok());
    EXPECT_EQ(s.metrics(0).completions, 4u);
    EXPECT_EQ(s.metrics(0).response.max(), 1 * kMs);
    EXPECT_EQ(s.metrics(0).deadline_misses, deadline == 1 * kMs ? 0u : 4u) << "deadline " << deadline;
  }
}

// EDF ties: equal absolute deadlines go to the earlier release, then to the lower index.
TEST(Scheduler, EdfBreaksTiesByReleaseThenIndex) {
  {
    os::VirtualClock clock;
    CostModel cost = cpu_at_100mhz();
    Scheduler s(clock, &clock, cost, Policy::kEdf);
    FakeFeatures a(1, 100000), b(1, 100000);
    ASSERT_TRUE(s.add_pipeline(periodic("first", &a, 100 * kMs, 10 * kMs, 0)).is_ok());
    ASSERT_TRUE(s.add_pipeline(periodic("second", &b, 100 * kMs, 10 * kMs, 1)).is_ok());
    RecordingTrace trace;
    s.set_trace(&trace);
    ASSERT_TRUE(s.run_until(5 * kMs).is_ok());
    ASSERT_EQ(trace.steps.size(), 2u);
    EXPECT_EQ(trace.steps[0].pipeline, 0u);  // same release, same deadline: the lower index
    EXPECT_EQ(trace.steps[1].pipeline, 1u);
  }
  {
    // early: released at 0, deadline 10 ms, four 1 ms steps; late: released at 2 ms with a
    // relative deadline of 8 ms, so the same absolute deadline. At 2 ms the earlier release
    // keeps the CPU (a later index would too, so late gets index 0 here).
    os::VirtualClock clock;
    CostModel cost = cpu_at_100mhz();
    Scheduler s(clock, &clock, cost, Policy::kEdf);
    FakeFeatures early_work(4, 100000), late_work(1, 100000);
    PipelineConfig late = periodic("late", &late_work, 100 * kMs, 8 * kMs, 0);
    late.phase = 2 * kMs;
    ASSERT_TRUE(s.add_pipeline(late).is_ok());
    ASSERT_TRUE(s.add_pipeline(periodic("early", &early_work, 100 * kMs, 10 * kMs, 1)).is_ok());
    RecordingTrace trace;
    s.set_trace(&trace);
    ASSERT_TRUE(s.run_until(9 * kMs).is_ok());
    ASSERT_EQ(trace.steps.size(), 5u);
    for (size_t i = 0; i < 4; ++i) EXPECT_EQ(trace.steps[i].pipeline, 1u) << "step " << i;
    EXPECT_EQ(trace.steps[4].pipeline, 0u);
  }
}

TEST(Scheduler, FixedPriorityRunsTheHighestPriorityFirst) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kFixedPriority);
  FakeFeatures a(1, 100000), b(1, 100000);
  ASSERT_TRUE(s.add_pipeline(periodic("important", &a, 100 * kMs, 50 * kMs, 1, 9)).is_ok());
  ASSERT_TRUE(s.add_pipeline(periodic("urgent-but-minor", &b, 100 * kMs, 5 * kMs, 0, 1)).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(10 * kMs).is_ok());
  ASSERT_EQ(trace.steps.size(), 2u);
  EXPECT_EQ(trace.steps[0].pipeline, 0u);
}

// Returns true when some step of `other` lies strictly inside a job of `p` (between its
// first and last step).
bool interleaves(const RecordingTrace& t, uint32_t p, uint32_t other) {
  for (const auto& d : t.done) {
    if (d.p != p) continue;
    TimeNs first = UINT64_MAX, last = 0;
    for (const auto& s : t.steps)
      if (s.pipeline == p && s.start >= d.release && s.end <= d.end) {
        first = std::min(first, s.start);
        last = std::max(last, s.end);
      }
    for (const auto& s : t.steps)
      if (s.pipeline == other && s.start >= first && s.end <= last) return true;
  }
  return false;
}

TEST(Scheduler, JobsOfOneLevelNeverInterleave) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures slow(10, 100000), fast(2, 50000);  // 10 x 1 ms; 2 x 0.5 ms
  PipelineConfig a = periodic("slow", &slow, 40 * kMs, 40 * kMs, 0);
  PipelineConfig b = periodic("fast", &fast, 7 * kMs, 7 * kMs, 0);
  b.phase = 3 * kMs;  // released while "slow" runs, with an earlier deadline
  ASSERT_TRUE(s.add_pipeline(a).is_ok());
  ASSERT_TRUE(s.add_pipeline(b).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  EXPECT_FALSE(interleaves(trace, 0, 1));
  EXPECT_FALSE(interleaves(trace, 1, 0));
  EXPECT_GT(s.metrics(1).completions, 20u);
}

TEST(Scheduler, AHigherLevelRunsBetweenALowerLevelsSteps) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures slow(10, 100000), fast(2, 50000);
  PipelineConfig a = periodic("slow", &slow, 40 * kMs, 40 * kMs, 0);
  PipelineConfig b = periodic("fast", &fast, 7 * kMs, 7 * kMs, 1);
  b.phase = 3 * kMs;
  ASSERT_TRUE(s.add_pipeline(a).is_ok());
  ASSERT_TRUE(s.add_pipeline(b).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  EXPECT_TRUE(interleaves(trace, 0, 1));
  EXPECT_FALSE(interleaves(trace, 1, 0));  // the lower level never runs inside the higher
  // "fast" waits at most one 1 ms step of "slow": response <= 1 ms + its own 1 ms.
  EXPECT_LE(s.metrics(1).response.max(), 2 * kMs);
  EXPECT_EQ(s.metrics(1).deadline_misses, 0u);
}

TEST(Scheduler, SkipPolicyCountsExactly) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures heavy(1, 250000);  // 2.5 ms per job, released every 1 ms
  PipelineConfig c = periodic("heavy", &heavy, 1 * kMs, 1 * kMs, 0);
  c.overload = OverloadPolicy::kSkip;
  ASSERT_TRUE(s.add_pipeline(c).is_ok());
  ASSERT_TRUE(s.run_until(10 * kMs).is_ok());
  const PipelineMetrics& m = s.metrics(0);
  // Jobs released at 0, 3, 6, 9 run (each takes 2.5 ms and blocks the next two
  // releases); 1, 2, 4, 5, 7, 8 are skipped. The job released at 9 ends at 11.5 > 10, but
  // its single step completes anyway.
  EXPECT_EQ(m.releases, 10u);
  EXPECT_EQ(m.skips, 6u);
  EXPECT_EQ(m.completions, 4u);
  EXPECT_EQ(m.deadline_misses, 4u);
  EXPECT_EQ(m.releases, m.skips + m.completions);
}

TEST(Scheduler, DropOldestKeepsTheNewestPendingJob) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures heavy(1, 250000);
  PipelineConfig c = periodic("heavy", &heavy, 1 * kMs, 1 * kMs, 0);
  c.overload = OverloadPolicy::kDropOldest;
  ASSERT_TRUE(s.add_pipeline(c).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(10 * kMs).is_ok());
  const PipelineMetrics& m = s.metrics(0);
  // Job 0 runs 0-2.5 while 1 (pending) is replaced by 2; job 2 runs 2.5-5 while 3, 4 and
  // 5 arrive (3 and 4 dropped); job 5 runs 5-7.5 (6 dropped for 7); job 7 runs 7.5-10
  // (8 dropped for 9, which is still pending at the end).
  EXPECT_EQ(m.releases, 10u);
  ASSERT_EQ(trace.done.size(), 4u);
  EXPECT_EQ(trace.done[0].release, 0 * kMs);
  EXPECT_EQ(trace.done[1].release, 2 * kMs);
  EXPECT_EQ(trace.done[2].release, 5 * kMs);
  EXPECT_EQ(trace.done[3].release, 7 * kMs);
  EXPECT_EQ(m.skips, 5u);
  EXPECT_EQ(m.skips + m.completions + 1u /* the one pending at the end */, m.releases);
}

TEST(Scheduler, ReleaseFromIsrRunsFromTheInterruptInstantAndKeepsTheSporadicSpacing) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures f(1, 100000);  // 1 ms
  PipelineConfig c = periodic("irq", &f, 5 * kMs, 5 * kMs, 0);
  c.release = ReleaseRule::kInterrupt;
  ASSERT_TRUE(s.add_pipeline(c).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  clock.advance_to(3 * kMs);
  // The ISR saw the data at 1 ms; the scheduler takes it at 3 ms: the job runs from 1 ms.
  EXPECT_TRUE(s.release_from_isr(0, 1 * kMs));
  // 2 ms later: sooner than the 5 ms the analysis assumes, so it is deferred to 6 ms.
  EXPECT_TRUE(s.release_from_isr(0, 3 * kMs));
  ASSERT_TRUE(s.run_until(20 * kMs).is_ok());
  const PipelineMetrics& m = s.metrics(0);
  EXPECT_EQ(m.releases, 2u);
  EXPECT_EQ(m.completions, 2u);
  EXPECT_EQ(m.deferred_releases, 1u);
  EXPECT_EQ(m.skips, 0u);
  ASSERT_EQ(trace.done.size(), 2u);
  EXPECT_EQ(trace.done[0].release, 1 * kMs);
  EXPECT_EQ(trace.done[0].end, 4 * kMs);  // 3 ms response, counted from the interrupt
  EXPECT_EQ(trace.done[1].release, 6 * kMs);
  EXPECT_EQ(trace.done[1].end, 7 * kMs);
  EXPECT_EQ(m.response.max(), 3 * kMs);
}

TEST(Scheduler, IsrReleasesBeyondTheQueueAreCountedAsSkips) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures f(1, 1000);
  PipelineConfig c = periodic("irq", &f, 1 * kMs, 1 * kMs, 0);
  c.release = ReleaseRule::kInterrupt;
  ASSERT_TRUE(s.add_pipeline(c).is_ok());
  // The scheduler is late (clock at 9 ms): the queue holds 8 instants, the 9th is lost.
  clock.advance_to(9 * kMs);
  for (uint32_t k = 0; k < Scheduler::kIsrQueue; ++k) EXPECT_TRUE(s.release_from_isr(0, k * kMs));
  EXPECT_FALSE(s.release_from_isr(0, Scheduler::kIsrQueue * kMs));
  ASSERT_TRUE(s.run_until(20 * kMs).is_ok());
  // The first queued release runs; the next 7 find it active (skip policy); the lost one
  // is a skip too. Nothing disappears from the counts.
  EXPECT_EQ(s.metrics(0).releases, Scheduler::kIsrQueue + 1);
  EXPECT_EQ(s.metrics(0).completions, 1u);
  EXPECT_EQ(s.metrics(0).skips, Scheduler::kIsrQueue);
}

// The worst case of the revised CAN example (Davis et al., Real-Time Systems 35, 2007,
// section 3): non-preemptive fixed priority, synchronous release; C's second job responds
// in 3.5 ms, past its 3.25 ms deadline, as the paper shows (and analysis_test.cpp bounds).
TEST(Scheduler, NonPreemptiveFixedPriorityReproducesTheRevisedCanWorstCase) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kFixedPriority);
  FakeFeatures a(1, 100000), b(1, 100000), c(1, 100000);  // one 1 ms step each
  ASSERT_TRUE(s.add_pipeline(periodic("A", &a, 2500000, 2500000, 2, 3)).is_ok());
  ASSERT_TRUE(s.add_pipeline(periodic("B", &b, 3500000, 3250000, 1, 2)).is_ok());
  ASSERT_TRUE(s.add_pipeline(periodic("C", &c, 3500000, 3250000, 0, 1)).is_ok());
  ASSERT_TRUE(s.run_until(7 * kMs).is_ok());
  // Synchronous release is C's worst case (A's and B's need other phasings: 1.5 and 2 ms
  // here, within their bounds of 2 and 3 ms).
  EXPECT_EQ(s.metrics(0).response.max(), 1500000u);
  EXPECT_EQ(s.metrics(1).response.max(), 2 * kMs);
  EXPECT_EQ(s.metrics(2).response.max(), 3500000u);
  EXPECT_EQ(s.metrics(2).deadline_misses, 1u);
}

// Issue 11, mechanism 3: under EDF + SRP a job above the system ceiling must not start
// while a more urgent job waits behind that ceiling (Baker's start rule).
TEST(Scheduler, EdfStartsNoJobWhileAMoreUrgentOneWaitsBehindTheCeiling) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures long_job(10, 100000), urgent(1, 100000), later(1, 100000);  // 1 ms steps
  PipelineConfig l = periodic("L", &long_job, 1000 * kMs, 100 * kMs, 0);
  PipelineConfig x = periodic("X", &urgent, 1000 * kMs, 10 * kMs, 0);  // shares L's partition
  x.phase = 1 * kMs;
  PipelineConfig y = periodic("Y", &later, 1000 * kMs, 8 * kMs, 1);  // above the ceiling
  y.phase = 5 * kMs;                                                 // deadline 13 ms > X's 11 ms
  ASSERT_TRUE(s.add_pipeline(l).is_ok());
  ASSERT_TRUE(s.add_pipeline(x).is_ok());
  ASSERT_TRUE(s.add_pipeline(y).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(50 * kMs).is_ok());
  ASSERT_EQ(trace.done.size(), 3u);
  // L holds the partition until 10 ms; then X (deadline 11 ms), then Y (13 ms).
  EXPECT_EQ(trace.done[0].p, 0u);
  EXPECT_EQ(trace.done[1].p, 1u);
  EXPECT_EQ(trace.done[1].end, 11 * kMs);
  EXPECT_EQ(trace.done[2].p, 2u);
  EXPECT_EQ(trace.done[2].end, 12 * kMs);
  EXPECT_EQ(s.metrics(1).deadline_misses, 0u);
  EXPECT_EQ(s.metrics(2).deadline_misses, 0u);
}

// Issue 11, mechanism 4: equal fixed priorities are ranked by pipeline index, as the
// analysis ranks them, so the first of two equal pipelines preempts the second between
// steps instead of waiting for its whole job.
TEST(Scheduler, EqualFixedPrioritiesFollowTheAnalysisOrder) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kFixedPriority);
  FakeFeatures short_job(1, 100000), long_job(10, 100000);
  PipelineConfig a = periodic("A", &short_job, 1000 * kMs, 3 * kMs, 1, /*prio=*/5);
  a.phase = 2500000;  // 2.5 ms, in the middle of B's third step
  PipelineConfig b = periodic("B", &long_job, 1000 * kMs, 100 * kMs, 0, /*prio=*/5);
  ASSERT_TRUE(s.add_pipeline(a).is_ok());
  ASSERT_TRUE(s.add_pipeline(b).is_ok());
  EXPECT_GT(s.preemption_level(0), s.preemption_level(1));
  ASSERT_TRUE(s.run_until(50 * kMs).is_ok());
  EXPECT_EQ(s.metrics(0).response.max(), 1500000u);  // waits for one step of B, then runs
  EXPECT_EQ(s.metrics(0).deadline_misses, 0u);
}

// A second, plainly written simulation of the textbook rules: EDF with Baker's Stack
// Resource Policy ("Stack-based scheduling of realtime processes", Real-Time Systems 3(1),
// 1991), preemption only between steps. Preemption levels by relative deadline (shorter =
// higher), each partition's ceiling the highest level on it; at each step boundary the
// most urgent started job runs, unless the most urgent job of all has not started and its
// level is above the ceiling of the partitions started jobs hold. Urgency: earlier
// deadline, then earlier release, then lower index. Returns the steps it ran, or an empty
// list if a job is released while its predecessor is unfinished (the reference does not
// model that).
struct RefPipe {
  TimeNs period, deadline, phase, step_ns;
  uint32_t steps, partition;
};
std::vector<StepRecord> reference_edf_srp(const std::vector<RefPipe>& pipes, TimeNs end) {
  const size_t n = pipes.size();
  std::vector<uint32_t> level(n, 1), ceiling(8, 0);
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (pipes[j].deadline > pipes[i].deadline) ++level[i];
  for (size_t i = 0; i < n; ++i) ceiling[pipes[i].partition] = std::max(ceiling[pipes[i].partition], level[i]);
  struct Job {
    bool active = false, started = false;
    TimeNs release = 0, deadline = 0;
    uint32_t done = 0;
  };
  std::vector<Job> job(n);
  std::vector<TimeNs> next_release(n);
  for (size_t i = 0; i < n; ++i) next_release[i] = pipes[i].phase;
  std::vector<StepRecord> steps;
  auto more_urgent = [&](size_t a, size_t b) {
    if (job[a].deadline != job[b].deadline) return job[a].deadline < job[b].deadline;
    if (job[a].release != job[b].release) return job[a].release < job[b].release;
    return a < b;
  };
  TimeNs now = 0;
  while (now < end) {
    for (size_t i = 0; i < n; ++i) {
      if (next_release[i] > now) continue;
      if (job[i].active) return {};
      job[i] = Job{true, false, next_release[i], next_release[i] + pipes[i].deadline, 0};
      next_release[i] += pipes[i].period;
    }
    uint32_t system_ceiling = 0;
    int first = -1;
    for (size_t i = 0; i < n; ++i) {
      if (!job[i].active) continue;
      if (job[i].started) system_ceiling = std::max(system_ceiling, ceiling[pipes[i].partition]);
      if (first < 0 || more_urgent(i, static_cast<size_t>(first))) first = static_cast<int>(i);
    }
    int run = -1;
    for (size_t i = 0; i < n; ++i) {
      const bool may = job[i].active && (job[i].started || (static_cast<int>(i) == first && level[i] > system_ceiling));
      if (may && (run < 0 || more_urgent(i, static_cast<size_t>(run)))) run = static_cast<int>(i);
    }
    if (run < 0) {
      now = *std::min_element(next_release.begin(), next_release.end());
      continue;
    }
    Job& j = job[static_cast<size_t>(run)];
    j.started = true;
    steps.push_back({static_cast<uint32_t>(run), 0, now, now + pipes[static_cast<size_t>(run)].step_ns, false});
    now += pipes[static_cast<size_t>(run)].step_ns;
    if (++j.done == pipes[static_cast<size_t>(run)].steps) j.active = false;
  }
  return steps;
}

// The scheduler's timeline (which pipeline runs each step, from when to when) equals the
// reference simulation's on three pipelines at 75% load: two sharing partition 0 (SRP
// keeps them from interleaving), one alone on partition 1 preempting between steps.
TEST(Scheduler, EdfSrpTimelineEqualsAReferenceSimulation) {
  const std::vector<RefPipe> ref = {
      {11 * kMs, 11 * kMs, 0, 1500 * 1000, 3, 0},      // a: 3 steps of 1.5 ms
      {5 * kMs, 4 * kMs, 1 * kMs, 400 * 1000, 2, 1},   // b: 2 steps of 0.4 ms
      {17 * kMs, 17 * kMs, 300 * 1000, 600 * 1000, 5, 0},  // c: 5 steps of 0.6 ms
  };
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  std::vector<std::unique_ptr<FakeFeatures>> features;
  const char* names[] = {"a", "b", "c"};
  for (size_t i = 0; i < ref.size(); ++i) {
    features.emplace_back(new FakeFeatures(ref[i].steps, ref[i].step_ns / 10));  // 10 ns a cycle
    PipelineConfig c = periodic(names[i], features.back().get(), ref[i].period, ref[i].deadline,
                                static_cast<uint8_t>(ref[i].partition));
    c.phase = ref[i].phase;
    ASSERT_TRUE(s.add_pipeline(c).is_ok());
  }
  RecordingTrace trace;
  s.set_trace(&trace);
  const TimeNs end = 500 * kMs;
  ASSERT_TRUE(s.run_until(end).is_ok());
  const std::vector<StepRecord> expected = reference_edf_srp(ref, end);
  ASSERT_FALSE(expected.empty()) << "the reference saw a job released before its predecessor ended";
  // Steps the reference began before `end` (the scheduler too begins none at or after it).
  ASSERT_EQ(trace.steps.size(), expected.size());
  size_t preempted = 0;
  for (size_t k = 0; k < expected.size(); ++k) {
    ASSERT_EQ(trace.steps[k].pipeline, expected[k].pipeline) << "step " << k;
    ASSERT_EQ(trace.steps[k].start, expected[k].start) << "step " << k;
    ASSERT_EQ(trace.steps[k].end, expected[k].end) << "step " << k;
    if (k > 0 && expected[k].pipeline == 1 && expected[k - 1].pipeline != 1 && trace.steps[k - 1].end == expected[k].start)
      ++preempted;
  }
  // Derived: 46 jobs of a, 100 of b, 30 of c are released before 500 ms; all but the last
  // of each (released within a deadline of the end) must have run every step.
  EXPECT_GE(expected.size(), 45u * 3 + 99u * 2 + 29u * 5);
  EXPECT_LE(expected.size(), 46u * 3 + 100u * 2 + 30u * 5);
  EXPECT_GT(preempted, 0u);  // b did run between another job's steps
}

TEST(Scheduler, RunToCompletionNeverInterleavesAnything) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kRunToCompletion);
  FakeFeatures slow(10, 100000), fast(2, 50000);
  PipelineConfig a = periodic("slow", &slow, 40 * kMs, 40 * kMs, 0);
  PipelineConfig b = periodic("fast", &fast, 7 * kMs, 7 * kMs, 1);
  b.phase = 3 * kMs;
  ASSERT_TRUE(s.add_pipeline(a).is_ok());
  ASSERT_TRUE(s.add_pipeline(b).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  EXPECT_FALSE(interleaves(trace, 0, 1));
  EXPECT_GT(s.metrics(1).deadline_misses, 0u);  // "fast" waits behind whole 10 ms jobs
}

TEST(Scheduler, BadConfigurationsAreRefused) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  FakeFeatures f(1, 10);
  PipelineConfig c = periodic("zero", &f, 0, 0, 0);
  Result<uint32_t> r = s.add_pipeline(c);
  ASSERT_FALSE(r.is_ok());
  EXPECT_STREQ(r.status().message(), "pipeline 'zero': period must be > 0");
  c = periodic("deep", &f, kMs, kMs, 9);
  EXPECT_FALSE(s.add_pipeline(c).is_ok());
  c = periodic("windowed", &f, kMs, kMs, 0);
  c.release = ReleaseRule::kWindowReady;
  EXPECT_FALSE(s.add_pipeline(c).is_ok());
}

// --- Real models in one shared arena -------------------------------------------------

// Overwrites its level's whole partition and the shared scratch with garbage each job,
// as an arbitrary model on that level might.
class PoisonStage : public FeatureStage {
 public:
  PoisonStage(Span<uint8_t> partition, Span<uint8_t> scratch) : partition_(partition), scratch_(scratch) {}
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override {
    std::memset(partition_.data(), 0xC3, partition_.size());
    std::memset(scratch_.data(), 0x3C, scratch_.size());
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t) const override { return 20000; }

 private:
  Span<uint8_t> partition_, scratch_;
};

using test::GoldenCheck;

struct TwoModels {
  tools::ModelSet set;
  std::unique_ptr<GoldenCheck> check;
  bool open(runtime::NpuBackend* npu = nullptr) {
    std::string error;
    if (set.add(model_path("ad01_int8"), 0, &error) < 0 || set.add(model_path("hello_world_int8"), 1, &error) < 0) {
      ADD_FAILURE() << error;
      return false;
    }
    if (!set.init(&error, npu, {true, false})) {
      ADD_FAILURE() << error;
      return false;
    }
    std::vector<uint8_t> in, out;
    if (!read_bytes(golden_path("ad01_int8", "seed1.input.bin"), &in) || !read_bytes(golden_path("ad01_int8", "seed1.output.bin"), &out))
      return false;
    check = std::make_unique<GoldenCheck>(in, out);
    return true;
  }
};

TEST(SchedulerWithModels, LowerLevelTensorsSurviveAHigherLevelsJobs) {
  TwoModels m;
  ASSERT_TRUE(m.open());
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.cpu.at(OpKind::kFullyConnected, OpFeature::kMac) = 5000;  // ~13 ms a job: many preemption points
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  PipelineConfig anomaly;
  anomaly.name = "anomaly";
  anomaly.features = m.check.get();
  anomaly.model = &m.set.interpreter(0);
  anomaly.post = m.check.get();
  anomaly.period = 50 * kMs;
  anomaly.level = 0;
  ASSERT_TRUE(s.add_pipeline(anomaly).is_ok());
  const ArenaLayout& layout = m.set.layout();
  PoisonStage poison(Span<uint8_t>(m.set.arena().data() + layout.level_offset[1], layout.level_bytes[1]),
                     Span<uint8_t>(m.set.arena().data() + layout.scratch_offset, layout.scratch_bytes));
  PipelineConfig noisy;
  noisy.name = "poison";
  noisy.features = &poison;
  noisy.model = &m.set.interpreter(1);
  noisy.period = 1 * kMs;
  noisy.relative_deadline = 1 * kMs;
  noisy.level = 1;
  ASSERT_TRUE(s.add_pipeline(noisy).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(500 * kMs).is_ok());
  EXPECT_TRUE(interleaves(trace, 0, 1));  // the poison really ran inside anomaly jobs
  EXPECT_EQ(m.check->checked, 10);  // released every 50 ms in 500 ms, none missed
  EXPECT_EQ(s.metrics(0).deadline_misses, 0u);
  EXPECT_EQ(m.check->mismatches, 0);
}

TEST(SchedulerWithModels, NpuWorkOverlapsCpuWork) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.npu.present = true;
  cost.npu.clock_hz = 100000000;
  cost.npu.macs_per_cycle = 1;  // slow NPU so its jobs are long
  SimulatedNpu npu(clock, cost);
  TwoModels m;
  ASSERT_TRUE(m.open(&npu));
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  s.set_npu(&npu);
  PipelineConfig anomaly;
  anomaly.name = "anomaly";
  anomaly.features = m.check.get();
  anomaly.model = &m.set.interpreter(0);
  anomaly.post = m.check.get();
  anomaly.period = 50 * kMs;
  ASSERT_TRUE(s.add_pipeline(anomaly).is_ok());
  FakeFeatures cpu_work(1, 20000);
  PipelineConfig other = periodic("cpu", &cpu_work, 1 * kMs, 1 * kMs, 1);
  ASSERT_TRUE(s.add_pipeline(other).is_ok());
  RecordingTrace trace;
  s.set_trace(&trace);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  int overlaps = 0;
  for (const auto& n : trace.steps) {
    if (!n.npu) continue;
    for (const auto& c : trace.steps)
      if (!c.npu && c.pipeline == 1 && c.start >= n.start && c.end <= n.end) ++overlaps;
  }
  EXPECT_GT(overlaps, 0);
  EXPECT_GT(s.metrics(0).npu_steps, 0u);
  EXPECT_EQ(m.check->mismatches, 0);
  EXPECT_EQ(m.check->checked, 4);  // released at 0, 50, 100 and 150 ms, each within 50 ms
}

TEST(SchedulerWithModels, NpuFaultFallsBackBitExactly) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.npu.present = true;
  cost.npu.clock_hz = 100000000;
  cost.npu.macs_per_cycle = 8;
  SimulatedNpu npu(clock, cost);
  TwoModels m;
  ASSERT_TRUE(m.open(&npu));
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  s.set_npu(&npu);
  PipelineConfig anomaly;
  anomaly.name = "anomaly";
  anomaly.features = m.check.get();
  anomaly.model = &m.set.interpreter(0);
  anomaly.post = m.check.get();
  anomaly.period = 20 * kMs;
  ASSERT_TRUE(s.add_pipeline(anomaly).is_ok());
  npu.inject_faults(7);  // garbage written into 7 outputs before the fault is reported
  ASSERT_TRUE(s.run_until(100 * kMs).is_ok());
  EXPECT_EQ(npu.faults(), 7u);
  EXPECT_EQ(s.metrics(0).npu_fallbacks, 7u);
  EXPECT_EQ(m.check->mismatches, 0);
  EXPECT_EQ(m.check->checked, 5);  // released every 20 ms in 100 ms
  EXPECT_EQ(s.metrics(0).deadline_misses, 0u);
}

}  // namespace
}  // namespace chorus::test

namespace chorus::test {
namespace {

TEST(SchedulerWithModels, SlicingBoundsTheLongestStepAndKeepsTheBytes) {
  TwoModels m;
  ASSERT_TRUE(m.open());
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.cpu.at(OpKind::kFullyConnected, OpFeature::kMac) = 5000;
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  PipelineConfig anomaly;
  anomaly.name = "anomaly";
  anomaly.features = m.check.get();
  anomaly.model = &m.set.interpreter(0);
  anomaly.post = m.check.get();
  anomaly.period = 50 * kMs;
  anomaly.max_step = kMs / 2;
  ASSERT_TRUE(s.add_pipeline(anomaly).is_ok());
  const TaskTiming t = s.timing(0);
  EXPECT_LE(t.max_step, kMs / 2);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  EXPECT_LE(s.metrics(0).longest_step_ns, kMs / 2);
  EXPECT_EQ(m.check->checked, 4);  // released every 50 ms in 200 ms
  EXPECT_EQ(m.check->mismatches, 0);
}

}  // namespace
}  // namespace chorus::test

namespace chorus::test {
namespace {

TEST(SchedulerWithModels, HungNpuTimesOutAndTheCpuFinishesBitExactly) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.npu.present = true;
  cost.npu.clock_hz = 100000000;
  cost.npu.macs_per_cycle = 8;
  SimulatedNpu npu(clock, cost);
  TwoModels m;
  ASSERT_TRUE(m.open(&npu));
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  s.set_npu(&npu);
  PipelineConfig anomaly;
  anomaly.name = "anomaly";
  anomaly.features = m.check.get();
  anomaly.model = &m.set.interpreter(0);
  anomaly.post = m.check.get();
  anomaly.period = 50 * kMs;
  ASSERT_TRUE(s.add_pipeline(anomaly).is_ok());
  npu.inject_hangs(3);
  ASSERT_TRUE(s.run_until(200 * kMs).is_ok());
  EXPECT_EQ(s.metrics(0).npu_timeouts, 3u);
  EXPECT_EQ(npu.cancelled(), 3u);
  EXPECT_EQ(s.metrics(0).npu_fallbacks, 3u);
  EXPECT_EQ(m.check->mismatches, 0);
  EXPECT_EQ(m.check->checked, 4);  // released at 0, 50, 100 and 150 ms; none missed
  EXPECT_EQ(s.metrics(0).deadline_misses, 0u);
}

// Every operator kind the NPU takes that a golden model has (CONV_2D, DEPTHWISE_CONV_2D,
// AVERAGE_POOL_2D, ADD, FULLY_CONNECTED) falls back to the CPU, in slices, bit for bit
// with the TFLM reference: after a fault (garbage written first) and after a hang
// (timeout, cancel). Three golden seeds each.
// How the simulated NPU misbehaves on every operator it takes.
enum class NpuFailure { kFault, kHang, kLateWrites };

const char* failure_name(NpuFailure f) {
  return f == NpuFailure::kFault ? "fault" : f == NpuFailure::kHang ? "hang" : "late writes";
}

// Runs `path` twice through the scheduler with every NPU operator failing as `failure`,
// checking the output against `expected` byte for byte; records the operator kinds that
// fell back. Returns the vectors compared.
int run_with_failing_npu(const std::string& path, const std::vector<uint8_t>& in, const std::vector<uint8_t>& expected,
                         NpuFailure failure, std::set<int32_t>* kinds) {
  os::VirtualClock clock;
  CostModel cost = cpu_at_100mhz();
  cost.npu.present = true;
  cost.npu.clock_hz = 100000000;
  cost.npu.macs_per_cycle = 64;
  SimulatedNpu npu(clock, cost);
  tools::ModelSet set;
  std::string error;
  EXPECT_GE(set.add(path, 0, &error), 0) << error;
  if (!set.init(&error, &npu, {true})) {
    ADD_FAILURE() << error;
    return 0;
  }
  GoldenCheck check(in, expected);
  Scheduler s(clock, &clock, cost, Policy::kEdf);
  EXPECT_TRUE(s.set_npu(&npu));
  PipelineConfig c;
  c.name = "fallback";
  c.features = &check;
  c.model = &set.interpreter(0);
  c.post = &check;
  c.period = 2000 * kMs;
  c.max_step = 2 * kMs;  // fallbacks run as bands of at most ~2 ms
  EXPECT_TRUE(s.add_pipeline(c).is_ok());
  const runtime::Model& model = set.model(0);
  uint32_t npu_ops = 0;
  for (size_t op = 0; op < model.num_ops(); ++op)
    if (npu.supports(model, op)) {
      ++npu_ops;
      kinds->insert(model.op(op).code);
    }
  EXPECT_GT(npu_ops, 0u);
  if (failure == NpuFailure::kFault) npu.inject_faults(1000);
  if (failure == NpuFailure::kHang) npu.inject_hangs(1000);
  if (failure == NpuFailure::kLateWrites) npu.inject_late_writes(1000, 3 * kMs);  // longer than a fallback band
  EXPECT_TRUE(s.run_until(4000 * kMs).is_ok());
  EXPECT_EQ(check.checked, 2);
  EXPECT_EQ(check.mismatches, 0);
  EXPECT_EQ(s.metrics(0).npu_fallbacks, 2 * npu_ops);
  EXPECT_EQ(s.metrics(0).npu_steps, 0u);
  if (failure != NpuFailure::kFault) EXPECT_EQ(s.metrics(0).npu_timeouts, 2 * npu_ops);
  if (failure == NpuFailure::kLateWrites) EXPECT_GE(npu.late_writes(), 2 * npu_ops);
  return check.checked;
}

// The CPU fallback after an NPU fault, a hang (timeout, cancel) or a cancel the NPU takes
// time to honour (it keeps writing garbage meanwhile) recomputes every operator kind the
// NPU takes bit for bit: the golden models' CONV_2D, DEPTHWISE_CONV_2D, AVERAGE_POOL_2D,
// ADD and FULLY_CONNECTED against the reference outputs.
TEST(SchedulerWithModels, NpuFallbackIsBitExactForEveryOperatorKind) {
  std::set<int32_t> kinds_fell_back;
  int vectors = 0;
  for (const char* stem : {"kws_ref_model", "pretrainedResnet_quant"}) {
    for (NpuFailure failure : {NpuFailure::kFault, NpuFailure::kHang, NpuFailure::kLateWrites}) {
      for (int seed = 1; seed <= 3; ++seed) {
        SCOPED_TRACE(std::string(stem) + " " + failure_name(failure) + " seed " + std::to_string(seed));
        std::vector<uint8_t> in, out;
        ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &in));
        ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &out));
        vectors += run_with_failing_npu(model_path(stem), in, out, failure, &kinds_fell_back);
      }
    }
  }
  using runtime::OpCode;
  for (OpCode k : {OpCode::kConv2d, OpCode::kDepthwiseConv2d, OpCode::kAveragePool2d, OpCode::kAdd, OpCode::kFullyConnected})
    EXPECT_EQ(kinds_fell_back.count(static_cast<int32_t>(k)), 1u) << runtime::op_code_name(static_cast<int32_t>(k));
  std::printf("[ fallback ] %d golden vectors compared bit for bit after NPU faults, hangs and late writes\n", vectors);
}

// MUL and MAX_POOL_2D, which no shared model has: one-operator models, the expected bytes
// from the CPU kernels (checked against the TFLite reference in the kernel tests).
TEST(SchedulerWithModels, NpuFallbackIsBitExactForMulAndMaxPool) {
  using runtime::DType;
  using runtime::OpCode;
  std::set<int32_t> kinds;
  int vectors = 0;
  for (OpCode code : {OpCode::kMul, OpCode::kMaxPool2d}) {
    test::SingleOpModel m;
    const bool mul = code == OpCode::kMul;
    const int a = m.add_tensor(DType::kInt8, {1, 8, 8, 16}, 0.05f, -3);
    const int b = mul ? m.add_tensor(DType::kInt8, {1, 8, 8, 16}, 0.02f, 5) : -1;
    const int out = m.add_tensor(DType::kInt8, mul ? std::vector<int32_t>{1, 8, 8, 16} : std::vector<int32_t>{1, 4, 4, 16},
                                 mul ? 0.01f : 0.05f, mul ? 2 : -3);
    if (mul) {
      m.set_op(code, {a, b}, {out}, chorus::tflite::BuiltinOptions::MulOptions,
               [](flatbuffers::FlatBufferBuilder& fbb) { return chorus::tflite::CreateMulOptions(fbb).Union(); });
    } else {
      m.set_op(code, {a}, {out}, chorus::tflite::BuiltinOptions::Pool2DOptions, [](flatbuffers::FlatBufferBuilder& fbb) {
        return chorus::tflite::CreatePool2DOptions(fbb, chorus::tflite::Padding::VALID, 2, 2, 2, 2).Union();
      });
    }
    std::string error;
    ASSERT_TRUE(m.load(&error)) << error;
    const std::string path = ::testing::TempDir() + (mul ? "one_mul.tflite" : "one_max_pool.tflite");
    {
      std::ofstream f(path, std::ios::binary);
      f.write(reinterpret_cast<const char*>(m.bytes().data()), static_cast<std::streamsize>(m.bytes().size()));
    }
    std::vector<uint8_t> in(static_cast<size_t>(mul ? 2 : 1) * 8 * 8 * 16);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>((i * 73 + 11) % 256);
    // The expected output: the CPU kernel, no NPU.
    tools::ModelSet cpu;
    ASSERT_GE(cpu.add(path, 0, &error), 0) << error;
    ASSERT_TRUE(cpu.init(&error)) << error;
    runtime::Interpreter& ref = cpu.interpreter(0);
    std::memcpy(ref.input(0), in.data(), 8 * 8 * 16);
    if (mul) std::memcpy(ref.input(1), in.data() + 8 * 8 * 16, 8 * 8 * 16);
    ASSERT_TRUE(ref.invoke().is_ok());
    const size_t out_bytes = mul ? 8 * 8 * 16 : 4 * 4 * 16;
    const std::vector<uint8_t> expected(ref.output(0), ref.output(0) + out_bytes);
    for (NpuFailure failure : {NpuFailure::kFault, NpuFailure::kHang, NpuFailure::kLateWrites}) {
      SCOPED_TRACE(std::string(runtime::op_code_name(static_cast<int32_t>(code))) + " " + failure_name(failure));
      vectors += run_with_failing_npu(path, in, expected, failure, &kinds);
    }
  }
  EXPECT_EQ(kinds.size(), 2u);
  std::printf("[ fallback ] MUL and MAX_POOL_2D: %d outputs compared bit for bit after NPU faults, hangs and late writes\n",
              vectors);
}

// The firmware shape: no virtual clock, time read from a (mock) OS clock, nothing charged,
// the idle hook called while nothing is ready.
class MockClock : public os::Clock {
 public:
  MOCK_METHOD(os::TimeNs, now, (), (const, override));
};

TEST(Scheduler, RealClockModeIdlesUntilReleasesAreDue) {
  ::testing::NiceMock<MockClock> clock;
  os::TimeNs t = 0;
  ON_CALL(clock, now()).WillByDefault([&t] { return t; });
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, nullptr, cost, Policy::kEdf);
  FakeFeatures f(2, 100000);
  ASSERT_TRUE(s.add_pipeline(periodic("fw", &f, 10 * kMs, 10 * kMs, 0)).is_ok());
  int idles = 0;
  s.set_idle_hook([](void* user, os::TimeNs) { ++*static_cast<int*>(user); }, &idles);
  // Each idle call stands for a WFI: time moves on by 1 ms.
  struct Ctx {
    os::TimeNs* t;
  } ctx{&t};
  s.set_time_hook([](void* user, os::TimeNs) { *static_cast<Ctx*>(user)->t += 1000000 / 4; }, &ctx);
  ASSERT_TRUE(s.run_until(50 * kMs).is_ok());
  EXPECT_GT(idles, 0);
  EXPECT_EQ(s.metrics(0).releases, 5u);
  EXPECT_EQ(s.metrics(0).completions, 5u);
  EXPECT_EQ(f.runs, 10);
}

// An RTOS port sleeps on a semaphore with a timeout: the idle hook must learn when the
// scheduler's own next work is due, here the next periodic releases (10 ms apart, after the
// 1 ms job at each).
TEST(Scheduler, IdleHookIsToldWhenTheNextReleaseIsDue) {
  ::testing::NiceMock<MockClock> clock;
  os::TimeNs t = 0;
  ON_CALL(clock, now()).WillByDefault([&t] { return t; });
  CostModel cost = cpu_at_100mhz();
  Scheduler s(clock, nullptr, cost, Policy::kEdf);
  FakeFeatures f(1, 100000);
  ASSERT_TRUE(s.add_pipeline(periodic("fw", &f, 10 * kMs, 10 * kMs, 0)).is_ok());
  struct Idle {
    os::TimeNs* t;
    std::vector<os::TimeNs> until;
  } idle{&t, {}};
  // The port sleeps exactly until `until`.
  s.set_idle_hook(
      [](void* user, os::TimeNs until) {
        Idle& i = *static_cast<Idle*>(user);
        i.until.push_back(until);
        *i.t = until;
      },
      &idle);
  s.set_time_hook([](void* user, os::TimeNs) { *static_cast<Idle*>(user)->t += 1000000; }, &idle);
  ASSERT_TRUE(s.run_until(35 * kMs).is_ok());
  ASSERT_GE(idle.until.size(), 3u);
  EXPECT_EQ(idle.until[0], 10 * kMs);
  EXPECT_EQ(idle.until[1], 20 * kMs);
  EXPECT_EQ(idle.until[2], 30 * kMs);
  EXPECT_EQ(s.metrics(0).releases, 4u);
}

}  // namespace
}  // namespace chorus::test
