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
  if (config.release == ReleaseRule::kWindowReady &&
      (config.source == nullptr || config.features == nullptr || config.window_frames == 0 || config.hop_frames == 0 ||
       config.source->info().rate_hz == 0))
    return Status::error(StatusCode::kInvalidArgument,
                         "pipeline '%s': a window-ready pipeline needs a source with a rate, a feature stage, a window and a hop",
                         name);
  if (config.model != nullptr && !config.model->initialised())
    return Status::error(StatusCode::kFailedPrecondition, "pipeline '%s': its interpreter is not initialised", name);
  Pipe& p = pipes_[count_];
  p.cfg = config;
  if (p.cfg.relative_deadline == 0) p.cfg.relative_deadline = config.period;
  p.feature_steps = config.features ? config.features->steps() : 0;
  p.model_steps = config.model ? static_cast<uint32_t>(config.model->model().num_ops()) : 0;
  if (p.model_steps > kMaxOps)
    return Status::error(StatusCode::kOutOfRange, "pipeline '%s': model has %u operators, at most %u", name,
                         static_cast<unsigned>(p.model_steps), static_cast<unsigned>(kMaxOps));
  if (p.feature_steps > 1 && config.release == ReleaseRule::kWindowReady)
    return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': window-ready pipelines take one feature step", name);
  p.total_steps = p.feature_steps + p.model_steps + (config.post ? 1u : 0u);
  if (p.total_steps == 0) return Status::error(StatusCode::kInvalidArgument, "pipeline '%s' has nothing to run", name);
  if (p.feature_steps > 1) {
    // Feature budgets live in the step table too: keep the table bounded.
    if (p.feature_steps + p.model_steps + 1 > kMaxOps + 2)
      return Status::error(StatusCode::kOutOfRange, "pipeline '%s': too many steps", name);
  }
  auto to_u32 = [](os::TimeNs ns) { return static_cast<uint32_t>(ns > UINT32_MAX ? UINT32_MAX : ns); };
  uint32_t s = 0;
  for (uint32_t i = 0; i < p.feature_steps; ++i, ++s)
    p.step_budget_ns[s] = to_u32(cost_.cycles_to_ns(config.features->cost_cycles(i), cost_.cpu.clock_hz));
  for (uint32_t op = 0; op < p.model_steps; ++op, ++s) {
    runtime::Interpreter& interp = *config.model;
    const runtime::Model& model = interp.model();
    const uint64_t macs = runtime::Interpreter::op_macs(model, op);
    const uint64_t bytes = CostModel::op_bytes(model, op);
    const int32_t code = model.op(op).code;
    runtime::NpuBackend* npu = interp.npu();
    if (npu != nullptr && npu == npu_ && npu->supports(model, op)) {
      p.npu_ns[op] = to_u32(cost_.npu_op_ns(macs, bytes));
      p.step_budget_ns[s] = to_u32(cost_.cpu_op_ns(code, macs, bytes));  // the CPU fallback's cost
      continue;
    }
    const os::TimeNs whole = cost_.cpu_op_ns(code, macs, bytes);
    uint32_t n = 1;
    if (config.max_step > 0 && whole > config.max_step && interp.sliceable(op)) {
      const os::TimeNs wanted = (whole + config.max_step - 1) / config.max_step;
      n = static_cast<uint32_t>(wanted > 255 ? 255 : wanted);
    }
    const uint32_t most = interp.max_slices(op);
    if (n > most) n = most;
    p.slices[op] = static_cast<uint8_t>(n);
    // Each slice pays the per-operator overhead again.
    p.step_budget_ns[s] = to_u32(n == 1 ? whole : cost_.cpu_op_ns(code, (macs + n - 1) / n, (bytes + n - 1) / n));
  }
  if (config.model != nullptr) config.model->set_slicing(Span<const uint8_t>(p.slices, p.model_steps));
  if (config.post) p.step_budget_ns[s] = to_u32(cost_.cycles_to_ns(config.post->cost_cycles(), cost_.cpu.clock_hz));
  p.next_release = config.phase;
  ++count_;
  assign_preemption_levels();
  return count_ - 1;
}

void Scheduler::assign_preemption_levels() {
  // SRP preemption levels: EDF orders by relative deadline (shorter = higher), fixed
  // priority uses the priority. Each partition's ceiling is the highest level on it.
  for (uint32_t i = 0; i < count_; ++i) {
    Pipe& p = pipes_[i];
    if (policy_ == Policy::kFixedPriority) {
      p.preemption_level = p.cfg.priority;
    } else {
      uint8_t rank = 1;
      for (uint32_t j = 0; j < count_; ++j)
        if (pipes_[j].cfg.relative_deadline > p.cfg.relative_deadline) ++rank;
      p.preemption_level = rank;
    }
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

TaskTiming Scheduler::timing(uint32_t index) const {
  const Pipe& p = pipes_[index];
  TaskTiming t;
  t.period = p.cfg.period;
  t.deadline = p.cfg.relative_deadline;
  for (uint32_t s = 0; s < p.total_steps; ++s) {
    const bool model_step = s >= p.feature_steps && s < p.feature_steps + p.model_steps;
    const uint32_t npu = model_step ? p.npu_ns[s - p.feature_steps] : 0;
    const uint32_t slices = model_step && p.slices[s - p.feature_steps] > 1 ? p.slices[s - p.feature_steps] : 1;
    // An offloaded op costs the CPU its submission and the job the NPU's time
    // (suspension-oblivious: safe, if pessimistic).
    const os::TimeNs cpu = npu ? cost_.npu_submit_ns() : p.step_budget_ns[s];
    t.wcet += cpu * slices + npu;
    t.steps += slices;
    if (cpu > t.max_step) t.max_step = cpu;
    if (npu) {
      ++t.npu_ops;
      if (npu > t.max_npu_op) t.max_npu_op = npu;
    }
  }
  return t;
}

void Scheduler::release_from_isr(uint32_t pipeline) {
  if (pipeline < count_) pipes_[pipeline].isr_releases.fetch_add(1, std::memory_order_relaxed);
}

void Scheduler::release(Pipe& p, os::TimeNs at) {
  const uint32_t index = static_cast<uint32_t>(&p - pipes_);
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
    for (uint32_t n = p.isr_releases.exchange(0, std::memory_order_relaxed); n > 0; --n) release(p, now);
    if (p.cfg.release == ReleaseRule::kPeriodic) {
      while (p.next_release <= now) {
        release(p, p.next_release);
        p.next_release += p.cfg.period;
      }
      continue;
    }
    // Window-ready: each released job owns one window at the front of the stream until its
    // feature step consumes its hop; skipped windows are consumed as soon as they are oldest.
    if (skip_debt_[i] > 0 && !(p.has_active && !p.active.started) && !p.has_pending) {
      p.cfg.source->consume(static_cast<size_t>(skip_debt_[i]) * p.cfg.hop_frames);
      skip_debt_[i] = 0;
    }
    for (;;) {
      const uint32_t claims = (p.has_active && !p.active.started ? 1u : 0u) + (p.has_pending ? 1u : 0u) + skip_debt_[i];
      if (p.cfg.source->available() < p.cfg.window_frames + static_cast<size_t>(claims) * p.cfg.hop_frames) break;
      release(p, now);
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

bool Scheduler::may_start(const Pipe& p) const { return p.preemption_level + 1u > system_ceiling(); }

int Scheduler::pick(os::TimeNs now) const {
  // A job whose operator is on the NPU can continue once the NPU's time has come.
  // (or once its timeout has passed: run_step then abandons it for the CPU).
  auto npu_pending = [&](const Pipe& p, const Job& j) {
    return j.waiting_npu && npu_ && npu_->busy() && npu_->done_at() > now && now < npu_deadline(p, j);
  };
  if (policy_ == Policy::kRunToCompletion) {
    int oldest = -1;
    for (uint32_t i = 0; i < count_; ++i) {
      const Pipe& p = pipes_[i];
      if (!p.has_active) continue;
      if (p.active.started) return npu_pending(p, p.active) ? -1 : static_cast<int>(i);
      if (oldest < 0 || p.active.release < pipes_[oldest].active.release) oldest = static_cast<int>(i);
    }
    return oldest;
  }
  int best = -1;
  for (uint32_t i = 0; i < count_; ++i) {
    const Pipe& p = pipes_[i];
    if (!p.has_active) continue;
    const Job& j = p.active;
    if (j.started) {
      if (npu_pending(p, j)) continue;  // its operator is still on the NPU
    } else if (!may_start(p)) {
      continue;
    }
    // The next step goes to the NPU: only if the NPU is free.
    const uint32_t s = j.next_step;
    if (!j.waiting_npu && s >= p.feature_steps && s < p.feature_steps + p.model_steps && p.npu_ns[s - p.feature_steps] &&
        npu_ && npu_->busy())
      continue;
    if (best < 0) {
      best = static_cast<int>(i);
      continue;
    }
    const Pipe& b = pipes_[best];
    bool better;
    if (policy_ == Policy::kEdf)
      better = j.deadline < b.active.deadline || (j.deadline == b.active.deadline && j.release < b.active.release);
    else
      better = p.cfg.priority > b.cfg.priority || (p.cfg.priority == b.cfg.priority && j.release < b.active.release);
    if (better) best = static_cast<int>(i);
  }
  return best;
}

os::TimeNs Scheduler::charge(uint32_t budget_ns) {
  if (virtual_clock_ == nullptr) return 0;
  os::TimeNs cost = budget_ns;
  if (jitter_min_permille_ < 1000) {
    uint32_t x = jitter_state_;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    jitter_state_ = x;
    const uint32_t permille = jitter_min_permille_ + x % (1001 - jitter_min_permille_);
    cost = static_cast<os::TimeNs>(budget_ns) * permille / 1000;
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

Status Scheduler::run_step(uint32_t index) {
  Pipe& p = pipes_[index];
  Job& j = p.active;
  j.started = true;
  const uint32_t s = j.next_step;
  const os::TimeNs start = clock_.now();
  uint32_t budget = p.step_budget_ns[s];
  int32_t op = -1;
  const char* name = "features";
  bool npu_done = false;
  if (s < p.feature_steps) {
    Status st = p.cfg.features->run(s, p.cfg.source, p.cfg.model);
    if (!st.is_ok()) return st.prefix("pipeline '%s' features: ", p.cfg.name);
    if (p.cfg.release == ReleaseRule::kWindowReady) p.cfg.source->consume(p.cfg.hop_frames);
  } else if (s < p.feature_steps + p.model_steps) {
    op = static_cast<int32_t>(s - p.feature_steps);
    name = runtime::op_code_name(p.cfg.model->model().op(static_cast<size_t>(op)).code);
    const uint32_t fallbacks = p.cfg.model->npu_fallbacks();
    if (j.waiting_npu && npu_ && npu_->busy() && start >= npu_deadline(p, j)) {
      p.cfg.model->abort_npu();  // hung: the next step recomputes it on the CPU
      ++p.metrics.npu_timeouts;
    }
    Result<runtime::StepResult> r = p.cfg.model->step();
    if (!r.is_ok()) {
      Status st = r.status();
      return st.prefix("pipeline '%s': ", p.cfg.name);
    }
    if (*r == runtime::StepResult::kRanSlice) {
      const os::TimeNs c = charge(budget);
      const os::TimeNs slice_end = clock_.now();
      p.metrics.cpu_busy_ns += c;
      cpu_busy_ns_ += c;
      if (c > p.metrics.longest_step_ns) p.metrics.longest_step_ns = c;
      if (trace_) trace_->step(index, op, name, start, slice_end, false);
      release_due(slice_end);
      return Status::ok();  // the operator continues with its next band
    }
    if (*r == runtime::StepResult::kWaitingOnNpu) {
      if (j.waiting_npu) return Status::ok();  // not complete yet: nothing ran
      j.waiting_npu = true;
      j.npu_started = start;
      const os::TimeNs c = charge(static_cast<uint32_t>(cost_.npu_submit_ns()));
      p.metrics.cpu_busy_ns += c;
      cpu_busy_ns_ += c;
      return Status::ok();
    }
    if (j.waiting_npu) {
      j.waiting_npu = false;
      npu_done = true;
      if (p.cfg.model->npu_fallbacks() != fallbacks) {
        ++p.metrics.npu_fallbacks;  // the NPU faulted; the CPU recomputed the op
      } else {
        budget = 0;  // completion bookkeeping only; the CPU was free meanwhile
        ++p.metrics.npu_steps;
        const os::TimeNs npu_end = npu_ ? npu_->done_at() : start;
        p.metrics.npu_busy_ns += npu_end - j.npu_started;
        if (trace_) trace_->step(index, op, name, j.npu_started, npu_end, true);
      }
    }
  } else {
    op = -2;
    name = "post-process";
    Status st = p.cfg.post->run(p.cfg.model, j.release, start);
    if (!st.is_ok()) return st.prefix("pipeline '%s' post-process: ", p.cfg.name);
  }
  const os::TimeNs cost = charge(budget);
  const os::TimeNs end = clock_.now();
  const os::TimeNs took = virtual_clock_ ? cost : end - start;
  p.metrics.cpu_busy_ns += took;
  cpu_busy_ns_ += took;
  if (took > p.metrics.longest_step_ns) p.metrics.longest_step_ns = took;
  if (budget > 0 && static_cast<double>(took) > static_cast<double>(budget) * overrun_margin_) ++p.metrics.step_overruns;
  if (trace_ && budget > 0) trace_->step(index, op, name, start, end, false);
  (void)npu_done;
  // Releases that fell due during the step happened while this job was still active.
  release_due(end);
  if (++j.next_step == p.total_steps) finish_job(index, end);
  return Status::ok();
}

os::TimeNs Scheduler::next_event(os::TimeNs now, os::TimeNs end) const {
  os::TimeNs next = end;
  for (uint32_t i = 0; i < count_; ++i) {
    const Pipe& p = pipes_[i];
    if (p.cfg.release == ReleaseRule::kPeriodic) {
      if (p.next_release < next) next = p.next_release;
    } else {
      const uint32_t claims = (p.has_active && !p.active.started ? 1u : 0u) + (p.has_pending ? 1u : 0u) + skip_debt_[i];
      const size_t need = p.cfg.window_frames + static_cast<size_t>(claims) * p.cfg.hop_frames;
      const size_t have = p.cfg.source->available();
      const uint64_t missing = need > have ? need - have : 1;
      const uint32_t rate = p.cfg.source->info().rate_hz;
      const os::TimeNs t = now + (missing * 1000000000ULL + rate - 1) / rate;
      if (t < next) next = t;
    }
  }
  if (npu_ && npu_->busy()) {
    if (npu_->done_at() < next) next = npu_->done_at();
    for (uint32_t i = 0; i < count_; ++i) {
      const Pipe& p = pipes_[i];
      if (p.has_active && p.active.waiting_npu && npu_deadline(p, p.active) < next) next = npu_deadline(p, p.active);
    }
  }
  return next > now ? next : now + 1;
}

Status Scheduler::run_until(os::TimeNs end) {
  run_end_ = end;
  for (;;) {
    const os::TimeNs now = clock_.now();
    if (now >= end) return Status::ok();
    if (time_hook_) time_hook_(time_user_, now);
    release_due(now);
    const int next = pick(now);
    if (next >= 0) {
      CHORUS_RETURN_IF_ERROR(run_step(static_cast<uint32_t>(next)));
      continue;
    }
    if (virtual_clock_ != nullptr) {
      virtual_clock_->advance_to(next_event(now, end));
    } else if (idle_hook_ != nullptr) {
      idle_hook_(idle_user_);
    }
  }
}

}  // namespace chorus::sched
