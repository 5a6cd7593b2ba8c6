#include "chorus/scheduler/scheduler.hpp"

namespace chorus::sched {

const char* policy_name(Policy policy) {
  switch (policy) {
    case Policy::kEdf: return "edf";
    case Policy::kFixedPriority: return "fp";
    case Policy::kRunToCompletion: return "run-to-completion";
  }
  return "?";
}

Scheduler::Scheduler(const os::Clock& clock, os::VirtualClock* virtual_clock, const CostModel& cost, Policy policy)
    : clock_(clock), virtual_clock_(virtual_clock), cost_(cost), policy_(policy) {}

void Scheduler::set_cost_jitter(uint32_t seed, double min_fraction) {
  jitter_state_ = seed == 0 ? 0x9E3779B9u : seed;
  const double f = min_fraction < 0 ? 0 : (min_fraction > 1 ? 1 : min_fraction);
  jitter_min_permille_ = static_cast<uint32_t>(f * 1000.0 + 0.5);
}

Result<uint32_t> Scheduler::add_pipeline(const PipelineConfig& config) {
  const char* name = config.name ? config.name : "";
  if (count_ == kMaxPipelines)
    return Status::error(StatusCode::kOutOfRange, "pipeline '%s': at most %u pipelines", name,
                         static_cast<unsigned>(kMaxPipelines));
  if (config.period == 0) return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': period must be > 0", name);
  if (config.level >= kMaxLevels)
    return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': level %u, at most %u levels", name,
                         static_cast<unsigned>(config.level), static_cast<unsigned>(kMaxLevels));
  if (config.relative_deadline > config.period)
    return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': deadline %llu ns beyond the period %llu ns (constrained deadlines only)",
                         name, static_cast<unsigned long long>(config.relative_deadline), static_cast<unsigned long long>(config.period));
  if (config.release == ReleaseRule::kWindowReady &&
      (config.source == nullptr || config.features == nullptr || config.window_frames == 0 || config.hop_frames == 0 ||
       config.source->info().rate_hz == 0))
    return Status::error(StatusCode::kInvalidArgument,
                         "pipeline '%s': a window-ready pipeline needs a source with a rate, a feature stage, a window and a hop",
                         name);
  if (config.model != nullptr && !config.model->initialised())
    return Status::error(StatusCode::kFailedPrecondition, "pipeline '%s': its interpreter is not initialised", name);
  if (config.release_jitter >= config.period)
    return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': release jitter must be below the period", name);
  Pipe& p = pipes_[count_];
  p.cfg = config;
  if (p.cfg.relative_deadline == 0) p.cfg.relative_deadline = config.period;
  CHORUS_RETURN_IF_ERROR(plan_steps(p.cfg, ModelView::of(config.model), npu_, cost_, &p));
  if (config.model != nullptr) config.model->set_slicing(Span<const uint8_t>(p.slices, p.model_steps));
  p.next_release = config.phase;
  ++count_;
  assign_preemption_levels();
  return count_ - 1;
}

void Scheduler::assign_preemption_levels() {
  // SRP preemption levels. EDF: by relative deadline (shorter = higher; equal deadlines
  // share a level, which is safe: of two such jobs the later-released has the later
  // deadline and never needs to preempt the other). Fixed priority: distinct ranks by
  // priority, equal priorities broken by the lower pipeline index, exactly the order the
  // analysis uses. Each partition's ceiling is the highest level on it.
  for (uint32_t i = 0; i < count_; ++i) {
    Pipe& p = pipes_[i];
    uint8_t rank = 1;
    for (uint32_t j = 0; j < count_; ++j) {
      if (j == i) continue;
      if (policy_ == Policy::kFixedPriority) {
        const uint8_t a = p.cfg.priority, b = pipes_[j].cfg.priority;
        if (b < a || (b == a && j > i)) ++rank;
      } else if (pipes_[j].cfg.relative_deadline > p.cfg.relative_deadline) {
        ++rank;
      }
    }
    p.preemption_level = rank;
  }
  for (uint8_t& c : level_ceiling_) c = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    uint8_t& c = level_ceiling_[pipes_[i].cfg.level];
    if (pipes_[i].preemption_level > c) c = pipes_[i].preemption_level;
  }
}

uint32_t Scheduler::num_levels() const {
  uint32_t n = 0;
  for (uint32_t i = 0; i < count_; ++i)
    if (pipes_[i].cfg.level + 1u > n) n = pipes_[i].cfg.level + 1u;
  return n;
}

TaskTiming Scheduler::timing(uint32_t index) const { return task_timing(pipes_[index].cfg, pipes_[index], cost_); }

uint32_t Scheduler::overdue(uint32_t index, os::TimeNs at) const {
  const Pipe& p = pipes_[index];
  uint32_t n = 0;
  if (p.has_active && p.active.deadline < at) ++n;
  if (p.has_pending && p.pending.deadline < at) ++n;
  return n;
}

bool Scheduler::release_from_isr(uint32_t pipeline, os::TimeNs at) {
  if (pipeline >= count_) return false;
  IsrQueue& q = pipes_[pipeline].isr;
  const uint32_t head = q.head.load(std::memory_order_relaxed);
  if (head - q.tail.load(std::memory_order_acquire) >= kIsrQueue) {
    q.lost.store(q.lost.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    return false;
  }
  q.at[head % kIsrQueue] = at;
  q.head.store(head + 1, std::memory_order_release);
  return true;
}

void Scheduler::release(Pipe& p, os::TimeNs at) {
  const uint32_t index = static_cast<uint32_t>(&p - pipes_);
  // The analysis assumes releases at least period - jitter apart: an earlier one (an ISR
  // firing too soon) is deferred to that instant and counted.
  at = earliest_release(p, at);
  p.last_release = at;
  p.released_once = true;
  ++p.metrics.releases;
  if (trace_) trace_->release(index, at);
  Job job;
  job.release = at;
  job.deadline = at + p.cfg.relative_deadline;
  const bool windowed = p.cfg.release == ReleaseRule::kWindowReady;
  if (!p.has_active) {
    p.active = job;
    p.has_active = true;
    return;
  }
  auto skipped = [&] {
    ++p.metrics.skips;
    if (trace_) trace_->skip(index, at);
  };
  if (p.cfg.overload == OverloadPolicy::kSkip || policy_ == Policy::kRunToCompletion) {
    // Not run. A window-ready pipeline still owes the skipped window's samples.
    skipped();
    if (windowed) ++skip_debt_[index];
    return;
  }
  // Drop the oldest job that has not started; a started job is never abandoned (its
  // tensors and any recurrent state stay consistent).
  if (!p.active.started) {
    if (windowed) p.cfg.source->consume(p.cfg.hop_frames);
    p.active = job;
    skipped();
  } else if (p.has_pending) {
    if (windowed) p.cfg.source->consume(p.cfg.hop_frames);
    p.pending = job;
    skipped();
  } else {
    p.pending = job;
    p.has_pending = true;
  }
}

void Scheduler::release_due(os::TimeNs now) {
  // Releases at or after the end of this run_until belong to the next one.
  if (now >= run_end_) now = run_end_ - 1;
  for (uint32_t i = 0; i < count_; ++i) {
    Pipe& p = pipes_[i];
    // Interrupt releases, in the order the ISR queued them, each at its own instant.
    const uint32_t head = p.isr.head.load(std::memory_order_acquire);
    uint32_t tail = p.isr.tail.load(std::memory_order_relaxed);
    for (; tail != head; ++tail) {
      const os::TimeNs raw = p.isr.at[tail % kIsrQueue];
      const os::TimeNs at = earliest_release(p, raw);
      if (at > now) break;  // deferred to keep the spacing: it waits in the queue
      if (at != raw) ++p.metrics.deferred_releases;
      p.isr.tail.store(tail + 1, std::memory_order_release);
      release(p, at);
    }
    const uint32_t lost = p.isr.lost.load(std::memory_order_acquire);
    if (lost != p.isr_lost_seen) {
      p.metrics.skips += lost - p.isr_lost_seen;  // releases the full queue could not take
      p.metrics.releases += lost - p.isr_lost_seen;
      p.isr_lost_seen = lost;
    }
    if (p.cfg.release == ReleaseRule::kPeriodic) {
      while (p.next_release <= now) {
        release(p, p.next_release);
        p.next_release += p.cfg.period;
      }
      continue;
    }
    if (p.cfg.release != ReleaseRule::kWindowReady) continue;
    // Window-ready: each released job owns one window at the front of the stream until its
    // feature step consumes its hop; skipped windows are consumed as soon as they are oldest.
    if (skip_debt_[i] > 0 && !(p.has_active && !p.active.started) && !p.has_pending) {
      p.cfg.source->consume(static_cast<size_t>(skip_debt_[i]) * p.cfg.hop_frames);
      skip_debt_[i] = 0;
    }
    for (;;) {
      const uint32_t claims = (p.has_active && !p.active.started ? 1u : 0u) + (p.has_pending ? 1u : 0u) + skip_debt_[i];
      const size_t need = p.cfg.window_frames + static_cast<size_t>(claims) * p.cfg.hop_frames;
      const size_t have = p.cfg.source->available();
      if (have < need) {
        p.window_checked_at = now;  // the window was not complete yet
        p.window_checked_steps = steps_run_;
        break;
      }
      // When the window completed: its last frame came after the previous scheduling
      // point at which it was incomplete, and — frames arriving at the source's rate — at
      // least (have - need) frame times before now. If no step ran since that check the
      // core was idle and would have woken at the data's interrupt: now. Either way the job
      // became visible at most one non-preemptive step after this instant, which the
      // analysis charges as the step in progress at a release.
      const uint32_t rate = p.cfg.source->info().rate_hz;
      const os::TimeNs extra = (static_cast<os::TimeNs>(have - need) * 1000000000ULL + rate - 1) / rate;
      os::TimeNs at = extra < now ? now - extra : 0;
      if (p.window_checked_steps == steps_run_) at = now;
      else if (at < p.window_checked_at) at = p.window_checked_at;
      if (p.released_once && at < p.last_release) at = p.last_release;
      // Windows closer than the sporadic spacing (several in one block) wait their turn.
      const os::TimeNs due = earliest_release(p, at);
      if (due > now) break;
      if (due != at) ++p.metrics.deferred_releases;
      release(p, due);
    }
  }
}

uint32_t Scheduler::system_ceiling() const {
  uint32_t ceiling = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    const Pipe& p = pipes_[i];
    if (p.has_active && p.active.started && level_ceiling_[p.cfg.level] + 1u > ceiling) ceiling = level_ceiling_[p.cfg.level] + 1u;
  }
  return ceiling;  // 0: nothing held; otherwise 1 + the highest ceiling held
}

bool Scheduler::more_urgent(uint32_t a, uint32_t b) const {
  const Job& ja = pipes_[a].active;
  const Job& jb = pipes_[b].active;
  if (policy_ == Policy::kEdf) {
    if (ja.deadline != jb.deadline) return ja.deadline < jb.deadline;
    if (ja.release != jb.release) return ja.release < jb.release;
    return a < b;
  }
  return pipes_[a].preemption_level > pipes_[b].preemption_level;  // distinct ranks
}

bool Scheduler::next_is_npu_submit(const Pipe& p) const {
  const Job& j = p.active;
  const uint32_t s = j.next_step;
  return !j.waiting_npu && !j.fallback && s >= p.feature_steps && s < p.feature_steps + p.model_steps &&
         p.npu_ns[s - p.feature_steps] != 0;
}

os::TimeNs Scheduler::npu_deadline(const Pipe& p, const Job& j) const {
  // The timeout runs from when the NPU actually started the operator.
  // (A backend that queues reports the start later; until then the timeout runs from the
  // submission, so an operator that never starts is abandoned too.)
  os::TimeNs started = j.npu_started;
  if (npu_ != nullptr && npu_owner_ == static_cast<int>(&p - pipes_)) {
    os::TimeNs at = 0;
    if (npu_->started_at(&at) && at > started) started = at;
  }
  return started + p.npu_ns[j.next_step - p.feature_steps] * npu_timeout_factor_ + npu_timeout_slack_;
}

bool Scheduler::ready(const Pipe& p, os::TimeNs now) const {
  const Job& j = p.active;
  if (j.waiting_npu) {
    if (p.cfg.model->npu_draining()) return false;  // abandoned, still stopping: the fallback waits
    return p.cfg.model->npu_finished() || now >= npu_deadline(p, j);
  }
  if (next_is_npu_submit(p)) return npu_ == nullptr || !npu_->busy();
  return true;
}

int Scheduler::pick(os::TimeNs now) const {
  if (policy_ == Policy::kRunToCompletion) {
    int oldest = -1;
    for (uint32_t i = 0; i < count_; ++i) {
      const Pipe& p = pipes_[i];
      if (!p.has_active) continue;
      if (p.active.started) return ready(p, now) ? static_cast<int>(i) : -1;
      if (oldest < 0 || p.active.release < pipes_[oldest].active.release) oldest = static_cast<int>(i);
    }
    return oldest >= 0 && ready(pipes_[oldest], now) ? oldest : -1;
  }
  // Baker's SRP start rule: a job may start only if it is the most urgent of all active
  // jobs (started ones included, even while suspended on the NPU) and its preemption level
  // is above the system ceiling. Letting a less urgent job start during another's
  // suspension would let it take a partition and then wait behind that job: a blocking
  // chain the analysis does not have.
  int first = -1;
  for (uint32_t i = 0; i < count_; ++i)
    if (pipes_[i].has_active && (first < 0 || more_urgent(i, static_cast<uint32_t>(first)))) first = static_cast<int>(i);
  const bool first_may_start =
      first >= 0 && !pipes_[first].active.started && pipes_[first].preemption_level + 1u > system_ceiling();
  // NPU guard: while a job is held up by the NPU (suspended on its own operator, or
  // waiting for the NPU to take its next one), a less urgent job may run a step only if
  // the step ends by the time the NPU's operator is due to end. So no step begun during a
  // suspension delays the job when it resumes: the analysis needs no resumption blocking.
  // Jobs that may run a step now: started ones, and the one job Baker's rule lets start.
  auto may_run = [&](uint32_t i) {
    const Pipe& p = pipes_[i];
    return p.has_active && (p.active.started || (static_cast<int>(i) == first && first_may_start));
  };
  int held = -1;
  for (uint32_t i = 0; i < count_; ++i) {
    if (!may_run(i)) continue;
    const Pipe& p = pipes_[i];
    const Job& j = p.active;
    const bool suspended = j.waiting_npu && !p.cfg.model->npu_finished() && now < npu_deadline(p, j);
    const bool waiting = next_is_npu_submit(p) && npu_ != nullptr && npu_->busy();
    if ((suspended || waiting) && (held < 0 || more_urgent(i, static_cast<uint32_t>(held)))) held = static_cast<int>(i);
  }
  int best = -1;
  for (uint32_t i = 0; i < count_; ++i) {
    if (!may_run(i)) continue;
    const Pipe& p = pipes_[i];
    if (!ready(p, now)) continue;
    // (Once the operator has outrun its budget the analysis's premise is gone; the guard
    // then stops holding the CPU idle, so a slow NPU cannot starve everything else.)
    if (held >= 0 && now < npu_expected_end_ && more_urgent(static_cast<uint32_t>(held), i) &&
        now + next_budget(p) > npu_expected_end_)
      continue;
    if (best < 0 || more_urgent(i, static_cast<uint32_t>(best))) best = static_cast<int>(i);
  }
  return best;
}

os::TimeNs Scheduler::next_budget(const Pipe& p) const {
  const Job& j = p.active;
  if (j.waiting_npu) return p.cfg.model->npu_finished() ? overhead_ns() : p.step_budget_ns[j.next_step];
  if (next_is_npu_submit(p)) return cost_.npu_submit_ns() + overhead_ns();
  return p.step_budget_ns[j.next_step];
}

os::TimeNs Scheduler::charge(os::TimeNs budget_ns) {
  if (virtual_clock_ == nullptr) return 0;
  os::TimeNs cost = budget_ns;
  if (jitter_min_permille_ < 1000) {
    uint32_t x = jitter_state_;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    jitter_state_ = x;
    const uint32_t permille = jitter_min_permille_ + x % (1001 - jitter_min_permille_);
    cost = budget_ns / 1000 * permille + budget_ns % 1000 * permille / 1000;
  }
  virtual_clock_->advance_by(cost);
  return cost;
}

void Scheduler::finish_job(uint32_t index, os::TimeNs end) {
  Pipe& p = pipes_[index];
  const Job& j = p.active;
  const bool missed = end > j.deadline;
  ++p.metrics.completions;
  if (missed) ++p.metrics.deadline_misses;
  p.metrics.response.add(end - j.release);
  if (trace_) trace_->job_done(index, j.release, end, missed);
  if (p.has_pending) {
    p.active = p.pending;
    p.has_pending = false;
  } else {
    p.has_active = false;
  }
}

void Scheduler::service_npu() {
  // The completion interrupt's work, done at every scheduling point whoever runs: the NPU
  // is free for the next submission as soon as its job has ended.
  if (npu_ == nullptr || npu_owner_ < 0) return;
  os::TimeNs done = 0;
  const bool known = npu_->completes_at(&done);
  const runtime::NpuState state = npu_->poll();
  if (state == runtime::NpuState::kBusy) return;
  // The owner takes the result back later; its NPU time ends here.
  pipes_[npu_owner_].active.npu_done = known ? done : clock_.now();
  npu_owner_ = -1;
}

Status Scheduler::run_step(uint32_t index) {
  Pipe& p = pipes_[index];
  Job& j = p.active;
  j.started = true;
  ++steps_run_;
  const uint32_t s = j.next_step;
  const os::TimeNs start = clock_.now();
  os::TimeNs budget = p.step_budget_ns[s];
  int32_t op = -1;
  const char* name = "features";
  bool advance = true;  // the job moves on to its next step (not a slice or a submission)
  if (s < p.feature_steps) {
    Status st = p.cfg.features->run(s, p.cfg.source, p.cfg.model);
    if (!st.is_ok()) return st.prefix("pipeline '%s' features: ", p.cfg.name);
    if (p.cfg.release == ReleaseRule::kWindowReady) p.cfg.source->consume(p.cfg.hop_frames);
  } else if (s < p.feature_steps + p.model_steps) {
    op = static_cast<int32_t>(s - p.feature_steps);
    name = runtime::op_code_name(p.cfg.model->model().op(static_cast<size_t>(op)).code);
    runtime::Interpreter& interp = *p.cfg.model;
    const uint32_t fallbacks = interp.npu_fallbacks();
    const bool was_waiting = j.waiting_npu;
    const bool submitting = next_is_npu_submit(p);
    if (was_waiting && !interp.npu_finished() && !interp.npu_draining()) {
      // Picked only because its timeout (from the NPU's start) passed: a hung NPU.
      interp.abort_npu();
      // An NPU that takes time to stop stays owned, so service_npu() keeps polling it.
      if (npu_owner_ == static_cast<int>(index) && (npu_ == nullptr || !npu_->busy())) npu_owner_ = -1;
      ++p.metrics.npu_timeouts;
    }
    Result<runtime::StepResult> r = interp.step();
    if (!r.is_ok()) {
      Status st = r.status();
      return st.prefix("pipeline '%s': ", p.cfg.name);
    }
    if (*r == runtime::StepResult::kWaitingOnNpu && was_waiting) {
      // Abandoned after its timeout, but the NPU is still stopping: the CPU fallback waits
      // until it writes nothing more (the backend's completes_at() says when).
      budget = overhead_ns();
      advance = false;
    } else if (*r == runtime::StepResult::kWaitingOnNpu) {
      j.waiting_npu = true;
      npu_owner_ = static_cast<int>(index);
      os::TimeNs at = start;
      j.npu_started = npu_ != nullptr && npu_->started_at(&at) ? at : start;
      npu_expected_end_ = j.npu_started + p.npu_ns[static_cast<uint32_t>(op)];
      budget = cost_.npu_submit_ns() + overhead_ns();
      advance = false;
    } else {
      if (was_waiting) {
        j.waiting_npu = false;
        if (interp.npu_fallbacks() != fallbacks) {
          ++p.metrics.npu_fallbacks;  // the NPU faulted or hung; the CPU recomputes the op
          j.fallback = true;
        } else {
          budget = overhead_ns();  // taking the result back; the CPU was free meanwhile
          ++p.metrics.npu_steps;
          const os::TimeNs npu_end = j.npu_done > j.npu_started ? j.npu_done : start;
          p.metrics.npu_busy_ns += npu_end - j.npu_started;
          npu_busy_ns_ += npu_end - j.npu_started;
          if (trace_) trace_->step(index, op, name, j.npu_started, npu_end, true);
        }
      } else if (submitting) {
        // The backend refused the operator: the interpreter ran it on the CPU (in slices).
        ++p.metrics.npu_fallbacks;
        j.fallback = true;
      }
      if (*r == runtime::StepResult::kRanSlice) advance = false;  // the operator continues
      else j.fallback = false;
    }
  } else {
    op = -2;
    name = "post-process";
    Status st = p.cfg.post->run(p.cfg.model, j.release, start);
    if (!st.is_ok()) return st.prefix("pipeline '%s' post-process: ", p.cfg.name);
  }
  // One accounting for every kind of step: charged in virtual time, measured on a target.
  const os::TimeNs cost = charge(budget);
  const os::TimeNs end = clock_.now();
  const os::TimeNs took = virtual_clock_ ? cost : end - start;
  p.metrics.cpu_busy_ns += took;
  cpu_busy_ns_ += took;
  if (took > p.metrics.longest_step_ns) p.metrics.longest_step_ns = took;
  if (budget > 0 && static_cast<double>(took) > static_cast<double>(budget) * overrun_margin_) ++p.metrics.step_overruns;
  if (trace_ && took > 0) trace_->step(index, op, name, start, end, false);
  // Releases that fell due during the step happened while this job was still active.
  release_due(end);
  if (advance && ++j.next_step == p.total_steps) finish_job(index, end);
  return Status::ok();
}

os::TimeNs Scheduler::next_event(os::TimeNs now, os::TimeNs end) const {
  os::TimeNs next = end;
  for (uint32_t i = 0; i < count_; ++i) {
    const Pipe& p = pipes_[i];
    if (p.cfg.release == ReleaseRule::kPeriodic) {
      if (p.next_release < next) next = p.next_release;
    } else if (p.cfg.release == ReleaseRule::kWindowReady) {
      const uint32_t claims = (p.has_active && !p.active.started ? 1u : 0u) + (p.has_pending ? 1u : 0u) + skip_debt_[i];
      const size_t need = p.cfg.window_frames + static_cast<size_t>(claims) * p.cfg.hop_frames;
      const size_t have = p.cfg.source->available();
      const uint64_t missing = need > have ? need - have : 1;
      const uint32_t rate = p.cfg.source->info().rate_hz;
      os::TimeNs t = now + (missing * 1000000000ULL + rate - 1) / rate;
      if (have >= need) t = earliest_release(p, now);  // a window waits for its spacing
      if (t < next) next = t;
    }
    // (A job whose operator was abandoned waits for the NPU to stop: completes_at below.)
    if (p.has_active && p.active.waiting_npu && !p.cfg.model->npu_draining()) {
      const os::TimeNs t = npu_deadline(p, p.active);
      if (t < next) next = t;
    }
    const uint32_t tail = p.isr.tail.load(std::memory_order_relaxed);
    if (p.isr.head.load(std::memory_order_acquire) != tail) {
      const os::TimeNs t = earliest_release(p, p.isr.at[tail % kIsrQueue]);
      if (t < next) next = t;
    }
  }
  os::TimeNs done = 0;
  if (npu_ != nullptr && npu_->busy() && npu_->completes_at(&done) && done < next) next = done;
  if (interrupt_hook_ != nullptr) {
    const os::TimeNs t = interrupt_hook_(interrupt_user_, now);
    if (t < next) next = t;
  }
  return next > now ? next : now + 1;
}

Status Scheduler::run_until(os::TimeNs end) {
  run_end_ = end;
  for (;;) {
    const os::TimeNs now = clock_.now();
    if (now >= end) return Status::ok();
    if (time_hook_) time_hook_(time_user_, now);
    service_npu();
    release_due(now);
    const int next = pick(now);
    if (next >= 0) {
      CHORUS_RETURN_IF_ERROR(run_step(static_cast<uint32_t>(next)));
      continue;
    }
    if (virtual_clock_ != nullptr) {
      virtual_clock_->advance_to(next_event(now, end));
    } else if (idle_hook_ != nullptr) {
      idle_hook_(idle_user_, next_event(now, end));
    }
  }
}

}  // namespace chorus::sched
