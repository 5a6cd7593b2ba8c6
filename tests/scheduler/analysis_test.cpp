// The schedulability analysis: textbook figures, blocking by levels, and agreement with
// the simulator (bounds never exceeded; rejected sets really miss at their worst case).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "chorus/scheduler/analysis.hpp"

namespace chorus::test {
namespace {

using namespace chorus::sched;
using os::TimeNs;
constexpr TimeNs kMs = 1000000;

AnalysisTask task(TimeNs c, TimeNs t, TimeNs d, TimeNs step, uint8_t level, uint8_t prio) {
  AnalysisTask a;
  a.timing.wcet = c;
  a.timing.period = t;
  a.timing.deadline = d;
  a.timing.max_step = step;
  a.level = level;
  a.priority = prio;
  return a;
}

TEST(Analysis, FixedPriorityMatchesClassicResponseTimes) {
  // Fully preemptive (own levels, negligible steps): Joseph & Pandya's example gives 3, 6, 20.
  std::vector<AnalysisTask> t = {task(3 * kMs, 7 * kMs, 7 * kMs, 1, 2, 3), task(3 * kMs, 12 * kMs, 12 * kMs, 1, 1, 2),
                                 task(5 * kMs, 20 * kMs, 20 * kMs, 1, 0, 1)};
  AnalysisResult r = analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kFixedPriority);
  EXPECT_TRUE(r.schedulable);
  EXPECT_EQ(r.response[0], 3 * kMs + 1);  // one 1 ns step of blocking
  EXPECT_EQ(r.response[1], 6 * kMs + 1);
  EXPECT_EQ(r.response[2], 20 * kMs);
}

// An oracle from the literature: Davis, Burns, Bril & Lukkien, "Controller Area Network
// (CAN) schedulability analysis: Refuted, revisited and revised", Real-Time Systems 35
// (2007), the example of section 3: non-preemptive fixed priority, A (C 1, T 2.5), B and C
// (C 1, T 3.5, D 3.25). The original analysis gave C 3 (accepted); the true worst case is
// 3.5, met by C's second job in the busy period, so the set misses. Each job here is one
// non-preemptive step on its own level.
TEST(Analysis, NonPreemptiveFixedPriorityMatchesTheRevisedCanExample) {
  const TimeNs us = kMs / 1000;
  std::vector<AnalysisTask> t = {task(1000 * us, 2500 * us, 2500 * us, 1000 * us, 2, 3),
                                 task(1000 * us, 3500 * us, 3250 * us, 1000 * us, 1, 2),
                                 task(1000 * us, 3500 * us, 3250 * us, 1000 * us, 0, 1)};
  for (AnalysisTask& a : t) a.timing.last_step = a.timing.wcet;  // one step: all of it non-preemptive
  AnalysisResult r = analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kFixedPriority);
  EXPECT_EQ(r.response[0], 2000 * us);
  EXPECT_EQ(r.response[1], 3000 * us);
  EXPECT_EQ(r.response[2], 3500 * us);
  EXPECT_FALSE(r.schedulable);
}

// A lower-priority job's NPU operator may hold the NPU when the task's own first operator
// wants it: that operator is blocking, once, on top of the longest lower step - only when a
// task in the window uses the NPU.
TEST(Analysis, ALowerNpuOperatorBlocksOnlyTasksThatUseTheNpu) {
  auto with_npu = [](AnalysisTask a, uint32_t ops, TimeNs longest) {
    a.timing.npu_ops = ops;
    a.timing.max_npu_op = longest;
    return a;
  };
  // i: 2 ms every 20 ms, own level; k: 5 ms every 50 ms, steps of 1 ms, NPU operators of 3 ms.
  const AnalysisTask k = with_npu(task(5 * kMs, 50 * kMs, 50 * kMs, 1 * kMs, 0, 1), 2, 3 * kMs);
  std::vector<AnalysisTask> uses = {with_npu(task(2 * kMs, 20 * kMs, 20 * kMs, kMs / 2, 1, 2), 1, 1 * kMs), k};
  std::vector<AnalysisTask> cpu_only = {task(2 * kMs, 20 * kMs, 20 * kMs, kMs / 2, 1, 2), k};
  const AnalysisResult fp_npu = analyse(Span<const AnalysisTask>(uses.data(), uses.size()), Policy::kFixedPriority);
  const AnalysisResult fp_cpu = analyse(Span<const AnalysisTask>(cpu_only.data(), cpu_only.size()), Policy::kFixedPriority);
  EXPECT_EQ(fp_npu.blocking[0], 1 * kMs + 3 * kMs);  // k's longest step, then its longest NPU operator
  EXPECT_EQ(fp_npu.response[0], 4 * kMs + 2 * kMs);
  EXPECT_EQ(fp_cpu.blocking[0], 1 * kMs);             // a CPU-only task never waits for the NPU
  EXPECT_EQ(fp_cpu.response[0], 1 * kMs + 2 * kMs);
  const AnalysisResult edf_npu = analyse(Span<const AnalysisTask>(uses.data(), uses.size()), Policy::kEdf);
  const AnalysisResult edf_cpu = analyse(Span<const AnalysisTask>(cpu_only.data(), cpu_only.size()), Policy::kEdf);
  EXPECT_EQ(edf_npu.response[0], edf_cpu.response[0] + 3 * kMs);
}

TEST(Analysis, SharingALevelBlocksForAWholeJob) {
  // The urgent task shares a level with a 4 ms task: it may wait for all of it.
  std::vector<AnalysisTask> t = {task(1 * kMs, 10 * kMs, 3 * kMs, kMs / 2, 0, 2), task(4 * kMs, 50 * kMs, 50 * kMs, kMs / 2, 0, 1)};
  AnalysisResult shared = analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kFixedPriority);
  EXPECT_FALSE(shared.schedulable);
  EXPECT_EQ(shared.blocking[0], 4 * kMs);
  EXPECT_EQ(shared.response[0], 5 * kMs);
  EXPECT_EQ(shared.worst, 0);
  EXPECT_EQ(shared.worst_slack, -2 * static_cast<int64_t>(kMs));
  // On separate levels only one 0.5 ms step blocks.
  t[1].level = 1;
  t[0].level = 2;
  AnalysisResult split = analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kFixedPriority);
  EXPECT_TRUE(split.schedulable);
  EXPECT_EQ(split.blocking[0], kMs / 2);
  EXPECT_EQ(split.response[0], 3 * kMs / 2);
  // EDF agrees.
  t[0].level = t[1].level = 0;
  EXPECT_FALSE(analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf).schedulable);
  t[0].level = 1;
  EXPECT_TRUE(analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf).schedulable);
}

TEST(Analysis, EdfAcceptsFullUtilisationAndRejectsOverload) {
  std::vector<AnalysisTask> t = {task(2 * kMs, 4 * kMs, 4 * kMs, 1, 0, 0), task(3 * kMs, 6 * kMs, 6 * kMs, 1, 1, 0)};
  AnalysisResult ok = analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf);
  EXPECT_TRUE(ok.schedulable);  // U = 1.0
  EXPECT_NEAR(ok.utilization, 1.0, 1e-9);
  t[1].timing.wcet = 3 * kMs + kMs / 10;
  EXPECT_FALSE(analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf).schedulable);
}

TEST(Analysis, LevelSearchSharesWhereDeadlinesAllow) {
  // Two relaxed tasks can share a level; the urgent one needs its own.
  std::vector<AnalysisTask> t = {task(1 * kMs, 10 * kMs, 3 * kMs, kMs / 4, 0, 3), task(3 * kMs, 50 * kMs, 50 * kMs, kMs / 4, 0, 2),
                                 task(4 * kMs, 100 * kMs, 100 * kMs, kMs / 4, 0, 1)};
  const size_t act[] = {1000, 8000, 16000}, pers[] = {100, 100, 100}, scratch[] = {0, 64, 32};
  LevelSearchResult r = search_levels(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf, Span<const size_t>(act, 3),
                                      Span<const size_t>(pers, 3), Span<const size_t>(scratch, 3));
  ASSERT_TRUE(r.found);
  EXPECT_EQ(r.assignments_tried, 5u);  // Bell(3)
  EXPECT_EQ(r.num_levels, 2u);
  EXPECT_NE(r.levels[0], r.levels[1]);
  EXPECT_EQ(r.levels[1], r.levels[2]);
  // 1008 (urgent) + 16000 (shared) + scratch 64 + persistent 3 x 112.
  EXPECT_EQ(r.arena_bytes, 1008u + 16000u + 64u + 3u * 112u);
  EXPECT_EQ(r.own_level_bytes, 1008u + 8000u + 16000u + 64u + 3u * 112u);
  EXPECT_GT(r.separate_arena_bytes, r.own_level_bytes);
}

TEST(Analysis, LevelSearchForSixteenPipelinesStaysWithinEightLevels) {
  static_assert(Scheduler::kMaxPipelines >= 16, "the host build takes 16 pipelines");
  std::vector<AnalysisTask> t;
  std::vector<size_t> act, pers, scratch;
  for (uint32_t i = 0; i < 16; ++i) {
    const TimeNs period = (10 + 5 * (i % 4)) * kMs;
    t.push_back(task(period / 40, period, period, period / 200, 0, static_cast<uint8_t>(i)));
    act.push_back(1000 * (i + 1));
    pers.push_back(64);
    scratch.push_back(0);
  }
  LevelSearchResult r = search_levels(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf,
                                      Span<const size_t>(act.data(), 16), Span<const size_t>(pers.data(), 16),
                                      Span<const size_t>(scratch.data(), 16));
  ASSERT_TRUE(r.found);
  EXPECT_LE(r.num_levels, Scheduler::kMaxLevels);
  for (uint32_t i = 0; i < 16; ++i) EXPECT_LT(r.levels[i], Scheduler::kMaxLevels);
  EXPECT_LT(r.arena_bytes, r.own_level_bytes);
  // The chosen assignment is schedulable when analysed again.
  for (uint32_t i = 0; i < 16; ++i) t[i].level = r.levels[i];
  EXPECT_TRUE(analyse(Span<const AnalysisTask>(t.data(), t.size()), Policy::kEdf).schedulable);
  // U = 0.4 with steps of 1/200 of the period: one shared partition is enough (16 000 B).
  EXPECT_EQ(r.arena_bytes, 16000u + 16u * 64u);
}

// --- Agreement with the simulator ------------------------------------------------------

class StepStage : public FeatureStage {
 public:
  StepStage(uint32_t steps, uint64_t cycles) : steps_(steps), cycles_(cycles) {}
  uint32_t steps() const override { return steps_; }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override { return Status::ok(); }
  uint64_t cost_cycles(uint32_t) const override { return cycles_; }

 private:
  uint32_t steps_;
  uint64_t cycles_;
};

struct RandomSet {
  std::vector<std::unique_ptr<StepStage>> stages;
  std::vector<PipelineConfig> configs;
};

uint32_t next_random(uint32_t& s) {
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

RandomSet make_set(uint32_t seed, uint32_t n) {
  RandomSet set;
  uint32_t s = seed;
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t steps = 1 + next_random(s) % 6;
    const uint64_t cycles = 5000 + next_random(s) % 60000;  // 50..650 us a step at 100 MHz
    const TimeNs period = (5 + next_random(s) % 60) * kMs;
    set.stages.push_back(std::make_unique<StepStage>(steps, cycles));
    PipelineConfig c;
    c.name = "random";
    c.features = set.stages.back().get();
    c.period = period;
    c.relative_deadline = period - (next_random(s) % (period / 2));
    c.level = static_cast<uint8_t>(next_random(s) % 3);
    c.priority = static_cast<uint8_t>(next_random(s) % 200);
    c.phase = 0;
    set.configs.push_back(c);
  }
  return set;
}

TEST(AnalysisVsSimulation, BoundsAreNeverExceeded) {
  int checked_sets = 0, checked_tasks = 0;
  for (uint32_t seed = 1; seed < 400 && checked_sets < 60; ++seed) {
    for (Policy policy : {Policy::kEdf, Policy::kFixedPriority}) {
      RandomSet set = make_set(seed, 2 + seed % 4);
      CostModel cost;
      cost.cpu.clock_hz = 100000000;
      // Analyse first.
      os::VirtualClock probe_clock;
      Scheduler probe(probe_clock, &probe_clock, cost, policy);
      for (const auto& c : set.configs) ASSERT_TRUE(probe.add_pipeline(c).is_ok());
      std::vector<AnalysisTask> tasks;
      for (uint32_t p = 0; p < probe.num_pipelines(); ++p) tasks.push_back(analysis_task(probe, p));
      const AnalysisResult bound = analyse(Span<const AnalysisTask>(tasks.data(), tasks.size()), policy);
      if (!bound.schedulable) continue;
      ++checked_sets;
      // Synchronous release at full budget, then random phasings with costs below budget.
      for (int variant = 0; variant < 3; ++variant) {
        os::VirtualClock clock;
        Scheduler s(clock, &clock, cost, policy);
        uint32_t r = seed * 7919 + static_cast<uint32_t>(variant);
        for (PipelineConfig c : set.configs) {
          if (variant > 0) c.phase = (next_random(r) % 20) * kMs / 2;
          ASSERT_TRUE(s.add_pipeline(c).is_ok());
        }
        if (variant > 0) s.set_cost_jitter(seed + static_cast<uint32_t>(variant), 0.3);
        ASSERT_TRUE(s.run_until(2000 * kMs).is_ok());
        for (uint32_t p = 0; p < s.num_pipelines(); ++p) {
          EXPECT_EQ(s.metrics(p).deadline_misses, 0u) << "seed " << seed << " pipeline " << p << " policy " << policy_name(policy);
          EXPECT_LE(s.metrics(p).response.max(), bound.response[p])
              << "seed " << seed << " pipeline " << p << " policy " << policy_name(policy) << " variant " << variant;
          ++checked_tasks;
        }
      }
    }
  }
  std::printf("[ analysis ] %d schedulable random sets, %d task runs: every simulated response within its bound\n",
              checked_sets, checked_tasks);
  EXPECT_GE(checked_sets, 20);
}

TEST(AnalysisVsSimulation, ARejectedSetMissesAtItsWorstCase) {
  // A 0.5 ms-deadline pipeline on the level of a 4 ms job: released just after that job
  // starts, it waits for all of it.
  CostModel cost;
  cost.cpu.clock_hz = 100000000;
  StepStage urgent(1, 50000), long_job(8, 50000);  // 0.5 ms; 8 x 0.5 ms
  PipelineConfig u;
  u.name = "urgent";
  u.features = &urgent;
  u.period = 10 * kMs;
  u.relative_deadline = 2 * kMs;
  u.phase = 1;  // 1 ns after the long job starts: the critical instant for blocking
  u.level = 0;
  u.priority = 2;
  PipelineConfig l;
  l.name = "long";
  l.features = &long_job;
  l.period = 50 * kMs;
  l.level = 0;
  l.priority = 1;
  for (Policy policy : {Policy::kEdf, Policy::kFixedPriority}) {
    os::VirtualClock clock;
    Scheduler s(clock, &clock, cost, policy);
    ASSERT_TRUE(s.add_pipeline(u).is_ok());
    ASSERT_TRUE(s.add_pipeline(l).is_ok());
    std::vector<AnalysisTask> tasks = {analysis_task(s, 0), analysis_task(s, 1)};
    const AnalysisResult bound = analyse(Span<const AnalysisTask>(tasks.data(), tasks.size()), policy);
    EXPECT_FALSE(bound.schedulable) << policy_name(policy);
    EXPECT_EQ(bound.worst, 0);
    ASSERT_TRUE(s.run_until(100 * kMs).is_ok());
    EXPECT_GT(s.metrics(0).deadline_misses, 0u) << policy_name(policy);
    EXPECT_LE(s.metrics(0).response.max(), bound.response[0]);
  }
}

}  // namespace
}  // namespace chorus::test
