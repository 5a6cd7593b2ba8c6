#include "chorus/scheduler/step_plan.hpp"

namespace chorus::sched {

ModelView ModelView::of(const runtime::Interpreter* interpreter) {
  ModelView v;
  if (interpreter == nullptr || !interpreter->initialised()) return v;
  v.model = &interpreter->model();
  v.resolver = interpreter->resolver();
  v.npu = interpreter->npu();
  return v;
}

Status plan_steps(const PipelineConfig& config, const ModelView& view, runtime::NpuBackend* npu, const CostModel& cost,
                  StepPlan* out) {
  const char* name = config.name ? config.name : "";
  StepPlan& p = *out;
  p = StepPlan{};
  p.feature_steps = config.features ? config.features->steps() : 0;
  p.model_steps = view.model ? static_cast<uint32_t>(view.model->num_ops()) : 0;
  if (p.model_steps > kMaxOps)
    return Status::error(StatusCode::kOutOfRange, "pipeline '%s': model has %u operators, at most %u", name,
                         static_cast<unsigned>(p.model_steps), static_cast<unsigned>(kMaxOps));
  if (p.feature_steps > 1 && config.release == ReleaseRule::kWindowReady)
    return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': window-ready pipelines take one feature step", name);
  p.total_steps = p.feature_steps + p.model_steps + (config.post ? 1u : 0u);
  if (p.total_steps == 0) return Status::error(StatusCode::kInvalidArgument, "pipeline '%s' has nothing to run", name);
  // Feature budgets live in the step table too: keep the table bounded.
  if (p.feature_steps + p.model_steps + 1 > kMaxOps + 2)
    return Status::error(StatusCode::kOutOfRange, "pipeline '%s': too many steps", name);
  // Every step also pays the scheduler's own work between steps (pick, release, account).
  const os::TimeNs overhead = step_overhead_ns(cost);
  const runtime::OpResolver& resolver = view.resolver ? *view.resolver : runtime::builtin_op_resolver();
  auto slices_for = [&](uint32_t op, os::TimeNs whole, os::TimeNs limit) {
    const uint32_t most = runtime::Interpreter::max_slices(*view.model, resolver, op);
    uint32_t n = 1;
    if (limit > 0 && whole > limit && most > 1) {
      const os::TimeNs wanted = (whole + limit - 1) / limit;
      n = static_cast<uint32_t>(wanted > 255 ? 255 : wanted);
    }
    return n > most ? most : n;
  };
  uint32_t s = 0;
  os::TimeNs longest_cpu = 0;
  for (uint32_t i = 0; i < p.feature_steps; ++i, ++s)
    p.step_budget_ns[s] = cost.cycles_to_ns(config.features->cost_cycles(i), cost.cpu.clock_hz) + overhead;
  const bool offloads = npu != nullptr && view.npu == npu;
  for (uint32_t op = 0; op < p.model_steps; ++op, ++s) {
    const runtime::Model& model = *view.model;
    const OpFeatures features = op_features(model, op, resolver, cost.cpu.lanes);
    const os::TimeNs whole = cost.cpu_op_ns(features);
    if (offloads && npu->supports(model, op)) {
      const uint32_t compiled = config.npu_cycles != nullptr && op < config.npu_cycles_count ? config.npu_cycles[op] : 0;
      p.npu_ns[op] = compiled != 0 ? cost.cycles_to_ns(compiled, cost.npu.clock_hz)
                                   : cost.npu_op_ns(features[OpFeature::kMac], features[OpFeature::kByte]);
      continue;  // its CPU fallback's slicing is set below, once the job's longest step is known
    }
    const uint32_t n = slices_for(op, whole, config.max_step);
    p.slices[op] = static_cast<uint8_t>(n);
    // Each slice pays the per-operator overhead again.
    p.step_budget_ns[s] = (n == 1 ? whole : cost.cpu_op_ns(features.slice(n))) + overhead;
    if (p.step_budget_ns[s] > longest_cpu) longest_cpu = p.step_budget_ns[s];
  }
  if (config.post) {
    p.step_budget_ns[s] = cost.cycles_to_ns(config.post->cost_cycles(), cost.cpu.clock_hz) + overhead;
    if (p.step_budget_ns[s] > longest_cpu) longest_cpu = p.step_budget_ns[s];
  }
  // A CPU fallback after an NPU fault or timeout runs in slices no longer than the job's
  // own longest step (or max_step) where the kernel can slice that finely.
  for (uint32_t i = 0; i < p.feature_steps; ++i)
    if (p.step_budget_ns[i] > longest_cpu) longest_cpu = p.step_budget_ns[i];
  if (cost.npu_submit_ns() + overhead > longest_cpu) longest_cpu = cost.npu_submit_ns() + overhead;
  const os::TimeNs fallback_limit = config.max_step > 0 ? config.max_step : longest_cpu;
  for (uint32_t op = 0; op < p.model_steps; ++op) {
    if (p.npu_ns[op] == 0) continue;
    const runtime::Model& model = *view.model;
    const OpFeatures features = op_features(model, op, resolver, cost.cpu.lanes);
    const uint32_t n = slices_for(op, cost.cpu_op_ns(features), fallback_limit);
    p.slices[op] = static_cast<uint8_t>(n);
    p.step_budget_ns[p.feature_steps + op] = cost.cpu_op_ns(features.slice(n)) + overhead;
  }
  return Status::ok();
}

TaskTiming task_timing(const PipelineConfig& config, const StepPlan& p, const CostModel& cost) {
  TaskTiming t;
  t.period = config.period;
  t.deadline = config.relative_deadline != 0 ? config.relative_deadline : config.period;
  t.jitter = config.release_jitter;
  // Every CPU step's budget is the cost model's prediction; the analysis lengthens each by
  // the board's margin (the fit's largest underestimate of a measured model). NPU time is
  // the NPU's own figure.
  const uint32_t margin = cost.cpu.margin_permille;
  auto bounded = [margin](os::TimeNs ns) { return ns + (ns * margin + 999) / 1000; };
  const os::TimeNs overhead = bounded(step_overhead_ns(cost));
  const os::TimeNs submit = bounded(cost.npu_submit_ns() + step_overhead_ns(cost));
  for (uint32_t s = 0; s < p.total_steps; ++s) {
    const bool model_step = s >= p.feature_steps && s < p.feature_steps + p.model_steps;
    const os::TimeNs npu = model_step ? p.npu_ns[s - p.feature_steps] : 0;
    const uint32_t slices = model_step && p.slices[s - p.feature_steps] > 1 ? p.slices[s - p.feature_steps] : 1;
    os::TimeNs step = bounded(p.step_budget_ns[s]);
    if (npu) {
      // An offloaded op: one CPU step submits it, the job suspends for the NPU's time
      // (counted as its own execution: suspension-oblivious), then a step of no cost takes
      // the result back. Its CPU fallback slices only run after an NPU fault.
      if (step > t.max_fallback_step) t.max_fallback_step = step;
      step = submit;
      t.wcet += submit + npu + overhead;
      t.steps += 2;
      ++t.npu_ops;
      if (npu > t.max_npu_op) t.max_npu_op = npu;
      t.last_step = overhead;
    } else {
      t.wcet += step * slices;
      t.steps += slices;
      t.last_step = step;
    }
    if (step > t.max_step) t.max_step = step;
  }
  return t;
}

}  // namespace chorus::sched
