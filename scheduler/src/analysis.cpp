#include "chorus/scheduler/analysis.hpp"

namespace chorus::sched {
namespace {

using os::TimeNs;
constexpr TimeNs kInfinite = AnalysisResult::kUnbounded;
// Beyond an hour a busy window counts as unbounded (and the fixed point as diverging).
constexpr TimeNs kHorizon = TimeNs{3600} * 1000000000ULL;
constexpr int kMaxIterations = 1000000;

TimeNs ceil_div(TimeNs a, TimeNs b) { return (a + b - 1) / b; }
TimeNs max_of(TimeNs a, TimeNs b) { return a > b ? a : b; }

// The per-task figures every term below uses (ANALYSIS.md, "Task model").
struct Task {
  TimeNs C = 0;     // suspension-oblivious job time: CPU steps + NPU operators
  TimeNs T = 0;     // minimum inter-release time: period - release jitter
  TimeNs D = 0;     // relative deadline
  TimeNs s = 0;     // longest non-preemptive CPU step
  TimeNs e = 0;     // final step (last non-preemptive region)
  TimeNs x = 0;     // longest NPU operator
  uint32_t m = 0;   // NPU operators per job
  uint8_t level = 0;
};

Task view(const AnalysisTask& a) {
  Task t;
  t.C = a.timing.wcet;
  t.T = a.timing.period - (a.timing.jitter < a.timing.period ? a.timing.jitter : 0);
  t.D = a.timing.deadline == 0 ? a.timing.period : a.timing.deadline;
  t.s = a.timing.max_step;
  t.e = a.timing.last_step <= a.timing.wcet ? a.timing.last_step : 0;
  t.x = a.timing.max_npu_op;
  t.m = a.timing.npu_ops;
  t.level = a.level;
  return t;
}

// Fixed-priority order: priority, then the lower index (the scheduler's ranks).
bool higher(const AnalysisTask* t, uint32_t a, uint32_t b) {
  return t[a].priority != t[b].priority ? t[a].priority > t[b].priority : a < b;
}

// Iterates x = f(x) from `x` up to the horizon; kInfinite when it does not converge.
template <typename F>
TimeNs fixed_point(TimeNs x, F f) {
  for (int iter = 0; iter < kMaxIterations; ++iter) {
    const TimeNs next = f(x);
    if (next == kInfinite || next > kHorizon) return kInfinite;
    if (next == x) return x;
    x = next;
  }
  return kInfinite;
}

AnalysisResult analyse_fp(Span<const AnalysisTask> tasks) {
  AnalysisResult r;
  const uint32_t n = static_cast<uint32_t>(tasks.size());
  r.count = n;
  const AnalysisTask* at = tasks.data();
  Task t[AnalysisResult::kMax];
  for (uint32_t i = 0; i < n; ++i) t[i] = view(at[i]);
  // Threshold of each task: the highest-priority task on its level (its partition's ceiling).
  uint32_t threshold[AnalysisResult::kMax];
  for (uint32_t i = 0; i < n; ++i) {
    threshold[i] = i;
    for (uint32_t j = 0; j < n; ++j)
      if (t[j].level == t[i].level && higher(at, j, threshold[i])) threshold[i] = j;
  }
  bool ok = true;
  for (uint32_t i = 0; i < n; ++i) {
    // Lower-priority figures: longest step and longest NPU operator.
    TimeNs s_lp = 0, x_lp = 0;
    for (uint32_t k = 0; k < n; ++k)
      if (k != i && higher(at, i, k)) {
        s_lp = max_of(s_lp, t[k].s);
        x_lp = max_of(x_lp, t[k].x);
      }
    // No step begun during a suspension outlasts the NPU operator's budget (the
    // scheduler's NPU guard), so resumptions add no blocking: C is the job's own time.
    TimeNs C[AnalysisResult::kMax];
    for (uint32_t j = 0; j < n; ++j) C[j] = t[j].C;
    // Start blocking: one lower job's whole job if its level's ceiling reaches i (SRP: i
    // cannot start while it holds the partition; it may wait once for another lower job's
    // NPU operator), else one lower step.
    TimeNs B = s_lp;
    for (uint32_t k = 0; k < n; ++k) {
      if (k == i || !higher(at, i, k) || higher(at, i, threshold[k])) continue;
      TimeNs x_other = 0;
      for (uint32_t q = 0; q < n; ++q)
        if (q != i && q != k && higher(at, i, q)) x_other = max_of(x_other, t[q].x);
      B = max_of(B, t[k].C + (t[k].m > 0 ? x_other : 0));
    }
    // One lower NPU operator may hold the NPU when the first operator of the window wants it.
    bool npu_in_window = false;
    for (uint32_t j = 0; j < n; ++j)
      if ((j == i || higher(at, j, i)) && t[j].m > 0) npu_in_window = true;
    if (npu_in_window) B += x_lp;
    r.blocking[i] = B;
    // Level-i utilisation above 1: the busy window never closes (no need to iterate to
    // the horizon to find out).
    double u = 0;
    for (uint32_t j = 0; j < n; ++j)
      if (j == i || higher(at, j, i)) u += static_cast<double>(C[j]) / static_cast<double>(t[j].T);
    if (u > 1.0) {
      r.response[i] = kInfinite;
      ok = false;
      continue;
    }
    // Level-i busy window.
    const TimeNs L = fixed_point(B + C[i], [&](TimeNs len) {
      TimeNs next = B;
      for (uint32_t j = 0; j < n; ++j)
        if (j == i || higher(at, j, i)) next += ceil_div(len, t[j].T) * C[j];
      return next;
    });
    TimeNs R = 0;
    if (L == kInfinite) {
      R = kInfinite;
    } else {
      const TimeNs jobs = ceil_div(L, t[i].T);
      const TimeNs before_last = C[i] - t[i].e;
      for (TimeNs q = 0; q < jobs && R != kInfinite; ++q) {
        // Start of job q: every higher-priority job released up to then goes first.
        const TimeNs S = fixed_point(B + q * C[i], [&](TimeNs st) {
          TimeNs next = B + q * C[i];
          for (uint32_t j = 0; j < n; ++j)
            if (higher(at, j, i)) next += (1 + st / t[j].T) * C[j];
          return next;
        });
        if (S == kInfinite) {
          R = kInfinite;
          break;
        }
        // Start of its last step: after the start only tasks above i's threshold preempt.
        const TimeNs F = fixed_point(S + before_last, [&](TimeNs f) {
          TimeNs next = S + before_last;
          for (uint32_t j = 0; j < n; ++j)
            if (higher(at, j, threshold[i])) {
              const TimeNs released = 1 + f / t[j].T;
              const TimeNs before = 1 + S / t[j].T;
              if (released > before) next += (released - before) * C[j];
            }
          return next;
        });
        if (F == kInfinite) {
          R = kInfinite;
          break;
        }
        const TimeNs finish = F + t[i].e;
        R = max_of(R, finish > q * t[i].T ? finish - q * t[i].T : 0);
      }
    }
    r.response[i] = R;
    if (R == kInfinite || R > t[i].D || R > t[i].T) ok = false;
  }
  r.schedulable = ok;
  return r;
}

AnalysisResult analyse_edf(Span<const AnalysisTask> tasks) {
  AnalysisResult r;
  const uint32_t n = static_cast<uint32_t>(tasks.size());
  r.count = n;
  Task t[AnalysisResult::kMax];
  for (uint32_t i = 0; i < n; ++i) t[i] = view(tasks[i]);
  TimeNs x_all = 0;
  for (uint32_t k = 0; k < n; ++k) x_all = max_of(x_all, t[k].x);
  TimeNs C[AnalysisResult::kMax];
  for (uint32_t j = 0; j < n; ++j) C[j] = t[j].C;
  // Blocking of a busy window whose jobs all have deadlines within `horizon` (Baker's SRP
  // under EDF): a task whose relative deadline lies beyond it blocks a whole job when its
  // level holds a task with a deadline within it, else one step; plus one NPU operator of
  // such a task when a task within it uses the NPU.
  auto blocking = [&](TimeNs horizon) {
    TimeNs B = 0, X = 0;
    bool npu_within = false;
    for (uint32_t k = 0; k < n; ++k)
      if (t[k].D <= horizon && t[k].m > 0) npu_within = true;
    for (uint32_t k = 0; k < n; ++k) {
      if (t[k].D <= horizon) continue;
      bool shares = false;
      for (uint32_t q = 0; q < n; ++q)
        if (q != k && t[q].level == t[k].level && t[q].D <= horizon) shares = true;
      B = max_of(B, shares ? t[k].C + (t[k].m > 0 ? x_all : 0) : t[k].s);
      X = max_of(X, t[k].x);
    }
    return B + (npu_within ? X : 0);
  };
  // The longest busy window: the synchronous one. Every instant of a busy window has the
  // CPU running a step or the NPU an operator of a pending job (a job waiting for a free
  // NPU is picked at once), and a blocking job is a job of one of these tasks, so its
  // length is bounded by the jobs' suspension-oblivious work alone.
  TimeNs sum = 0;
  double u = 0;
  for (uint32_t i = 0; i < n; ++i) {
    sum += t[i].C;
    u += static_cast<double>(t[i].C) / static_cast<double>(t[i].T);
  }
  // Utilisation above 1: every busy window grows without end.
  const TimeNs L = u > 1.0 ? kInfinite : fixed_point(sum, [&](TimeNs len) {
    TimeNs next = 0;
    for (uint32_t i = 0; i < n; ++i) next += ceil_div(len, t[i].T) * t[i].C;
    return next;
  });
  bool ok = L != kInfinite;
  for (uint32_t i = 0; i < n; ++i) {
    if (L == kInfinite) {
      r.response[i] = kInfinite;
      continue;
    }
    const TimeNs Ti = t[i].T, Di = t[i].D;
    TimeNs R = 0;
    // Spuri's candidate offsets a of i's job in the busy window: where a + D_i meets
    // another job's absolute deadline, or a release of i.
    auto try_offset = [&](TimeNs a) {
      const TimeNs horizon = a + Di;
      const TimeNs B = blocking(horizon);
      const TimeNs own = (1 + a / Ti) * C[i];
      const TimeNs len = fixed_point(B + own, [&](TimeNs w) {
        TimeNs next = B + own;
        for (uint32_t m = 0; m < n; ++m) {
          if (m == i || t[m].D > horizon) continue;
          const TimeNs by_time = ceil_div(w, t[m].T);
          const TimeNs by_deadline = 1 + (horizon - t[m].D) / t[m].T;
          next += (by_time < by_deadline ? by_time : by_deadline) * C[m];
        }
        return next;
      });
      if (len == kInfinite) return false;
      R = max_of(R, max_of(C[i], len > a ? len - a : 0));
      r.blocking[i] = max_of(r.blocking[i], B);
      return true;
    };
    bool bounded = true;
    for (TimeNs a = 0; a <= L && bounded; a += Ti) bounded = try_offset(a);
    for (uint32_t j = 0; j < n && bounded; ++j) {
      if (j == i) continue;
      for (TimeNs k = 0; bounded; ++k) {
        const TimeNs dl = k * t[j].T + t[j].D;
        if (dl < Di) continue;
        const TimeNs a = dl - Di;
        if (a > L) break;
        if (a % Ti != 0) bounded = try_offset(a);
      }
    }
    r.response[i] = bounded ? R : kInfinite;
    if (!bounded || R > Di || R > Ti) ok = false;
  }
  r.schedulable = ok;
  return r;
}

}  // namespace

AnalysisTask analysis_task(const Scheduler& scheduler, uint32_t pipeline) {
  AnalysisTask t;
  t.timing = scheduler.timing(pipeline);
  t.level = scheduler.config(pipeline).level;
  t.priority = scheduler.config(pipeline).priority;
  return t;
}

AnalysisResult analyse(Span<const AnalysisTask> tasks, Policy policy) {
  AnalysisResult r;
  if (tasks.size() > AnalysisResult::kMax) return r;
  if (policy == Policy::kRunToCompletion) {
    // A superloop is not analysed: it is there to be compared with.
    r.count = static_cast<uint32_t>(tasks.size());
    for (uint32_t i = 0; i < r.count; ++i) r.response[i] = kInfinite;
  } else {
    r = policy == Policy::kFixedPriority ? analyse_fp(tasks) : analyse_edf(tasks);
  }
  for (uint32_t i = 0; i < r.count; ++i) {
    r.utilization += static_cast<double>(tasks[i].timing.wcet) / static_cast<double>(tasks[i].timing.period);
    const int64_t slack = r.response[i] == kInfinite ? INT64_MIN / 2
                                                     : static_cast<int64_t>(tasks[i].timing.deadline) - static_cast<int64_t>(r.response[i]);
    if (r.worst < 0 || slack < r.worst_slack) {
      r.worst = static_cast<int>(i);
      r.worst_slack = slack;
    }
  }
  return r;
}

LevelSearchResult search_levels(Span<const AnalysisTask> tasks, Policy policy, Span<const size_t> activation,
                                Span<const size_t> persistent, Span<const size_t> scratch) {
  LevelSearchResult best;
  const uint32_t n = static_cast<uint32_t>(tasks.size());
  if (n == 0 || n > AnalysisResult::kMax) return best;
  auto align = [](size_t v) { return (v + 15) / 16 * 16; };
  size_t fixed = 0, max_scratch = 0;
  for (uint32_t i = 0; i < n; ++i) {
    fixed += align(persistent[i]);
    if (align(scratch[i]) > max_scratch) max_scratch = align(scratch[i]);
    best.own_level_bytes += align(activation[i]);
    best.separate_arena_bytes += align(activation[i]) + align(persistent[i]) + align(scratch[i]);
  }
  best.own_level_bytes += fixed + max_scratch;

  auto arena_of = [&](const uint8_t* level, uint32_t levels) {
    size_t bytes = fixed + max_scratch;
    for (uint32_t l = 0; l < levels; ++l) {
      size_t m = 0;
      for (uint32_t i = 0; i < n; ++i)
        if (level[i] == l && align(activation[i]) > m) m = align(activation[i]);
      bytes += m;
    }
    return bytes;
  };
  AnalysisTask trial[AnalysisResult::kMax];
  int64_t best_slack = INT64_MIN;
  // Analyses an assignment (a leaf) and keeps it if it is the best so far.
  auto consider = [&](const uint8_t* level) {
    uint32_t levels = 0;
    for (uint32_t i = 0; i < n; ++i) levels = level[i] + 1u > levels ? level[i] + 1u : levels;
    const size_t bytes = arena_of(level, levels);
    for (uint32_t i = 0; i < n; ++i) {
      trial[i] = tasks[i];
      trial[i].level = level[i];
    }
    const AnalysisResult r = analyse(Span<const AnalysisTask>(trial, n), policy);
    ++best.assignments_tried;
    const bool all_own = levels == n || levels == Scheduler::kMaxLevels;
    if (r.schedulable) {
      ++best.assignments_schedulable;
      if (!best.found || bytes < best.arena_bytes || (bytes == best.arena_bytes && r.worst_slack > best_slack)) {
        best.found = true;
        best.arena_bytes = bytes;
        best.num_levels = levels;
        best_slack = r.worst_slack;
        for (uint32_t i = 0; i < n; ++i) best.levels[i] = level[i];
        best.analysis = r;
      }
    } else if (!best.found && all_own && (best.num_levels == 0 || levels >= best.num_levels)) {
      // Nothing schedulable yet: remember the most preemptive assignment to explain why.
      best.num_levels = levels;
      best.arena_bytes = bytes;
      for (uint32_t i = 0; i < n; ++i) best.levels[i] = level[i];
      best.analysis = r;
    }
  };

  uint8_t level[AnalysisResult::kMax] = {};
  if (n <= 8) {
    // Every set partition, as restricted growth strings: level[0] = 0,
    // level[i] <= 1 + max(level[0..i-1]) (Bell(8) = 4140 at most).
    for (;;) {
      consider(level);
      int i = static_cast<int>(n) - 1;
      for (; i > 0; --i) {
        uint8_t prefix_max = 0;
        for (int k = 0; k < i; ++k) prefix_max = level[k] > prefix_max ? level[k] : prefix_max;
        if (level[i] <= prefix_max) {
          ++level[i];
          for (uint32_t k = static_cast<uint32_t>(i) + 1; k < n; ++k) level[k] = 0;
          break;
        }
      }
      if (i <= 0) break;
    }
    best.exhaustive = true;
    return best;
  }

  // More pipelines than partitions can be enumerated (Bell(16) ~ 1e10): branch and bound.
  // Pipelines are placed largest activation first, each on an existing level or a new one
  // (at most kMaxLevels). A branch is cut when its partial arena already reaches the best
  // found (later pipelines are no larger, so they can only add new levels), or when the
  // partial assignment with every remaining pipeline on a level of its own is not
  // schedulable (for EDF exact: sharing only adds blocking; for FP a heuristic, as higher
  // preemption thresholds can also help). Bounded by kSearchBudget analyses.
  constexpr uint32_t kSearchBudget = 20000;
  uint32_t order[AnalysisResult::kMax];
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  for (uint32_t i = 1; i < n; ++i)
    for (uint32_t k = i; k > 0 && align(activation[order[k]]) > align(activation[order[k - 1]]); --k) {
      const uint32_t t = order[k];
      order[k] = order[k - 1];
      order[k - 1] = t;
    }
  uint32_t budget = kSearchBudget;
  bool truncated = false, heuristic = false;
  // Levels of the first `placed` pipelines in `order`; the rest on new levels of their own.
  auto feasible = [&](uint32_t placed, uint32_t levels) {
    uint8_t lv[AnalysisResult::kMax];
    for (uint32_t k = 0; k < n; ++k) lv[order[k]] = k < placed ? level[order[k]] : static_cast<uint8_t>(levels + (k - placed));
    for (uint32_t i = 0; i < n; ++i) {
      trial[i] = tasks[i];
      trial[i].level = lv[i];
    }
    if (budget > 0) --budget;
    return analyse(Span<const AnalysisTask>(trial, n), policy).schedulable;
  };
  auto partial_bytes = [&](uint32_t placed, uint32_t levels) {
    size_t bytes = fixed + max_scratch;
    for (uint32_t l = 0; l < levels; ++l) {
      size_t m = 0;
      for (uint32_t k = 0; k < placed; ++k)
        if (level[order[k]] == l && align(activation[order[k]]) > m) m = align(activation[order[k]]);
      bytes += m;
    }
    return bytes;
  };
  // Depth-first, iteratively (no recursion on firmware stacks): choice[k] is the level
  // tried for the k-th pipeline in `order`.
  int choice[AnalysisResult::kMax];
  uint32_t levels_at[AnalysisResult::kMax + 1];
  uint32_t k = 0;
  levels_at[0] = 0;
  choice[0] = -1;
  for (;;) {
    if (budget == 0) {
      truncated = true;
      break;
    }
    const uint32_t levels = levels_at[k];
    const int limit = static_cast<int>(levels < Scheduler::kMaxLevels ? levels : levels - 1);  // levels: a new one
    ++choice[k];
    if (choice[k] > limit) {
      if (k == 0) break;
      --k;
      continue;
    }
    level[order[k]] = static_cast<uint8_t>(choice[k]);
    const uint32_t now_levels = static_cast<uint32_t>(choice[k]) == levels ? levels + 1 : levels;
    if (best.found && partial_bytes(k + 1, now_levels) > best.arena_bytes) continue;
    if (!feasible(k + 1, now_levels)) {
      // Exact for EDF (sharing only adds blocking); under FP higher thresholds can help,
      // so the cut makes the search a heuristic.
      if (policy == Policy::kFixedPriority) heuristic = true;
      continue;
    }
    if (k + 1 == n) {
      consider(level);
      continue;
    }
    ++k;
    levels_at[k] = now_levels;
    choice[k] = -1;
  }
  if (!best.found && best.num_levels == 0) {
    // Nothing accepted: analyse the most preemptive assignment (each pipeline on a level of
    // its own, up to kMaxLevels) to explain why.
    for (uint32_t i = 0; i < n; ++i) level[order[i]] = static_cast<uint8_t>(i < Scheduler::kMaxLevels ? i : Scheduler::kMaxLevels - 1);
    consider(level);
  }
  best.exhaustive = !truncated && !heuristic;
  return best;
}

}  // namespace chorus::sched
