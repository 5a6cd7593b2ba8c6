#include "chorus/tools/pessimism.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <memory>

#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/model_set.hpp"
#include "synthetic_tasks.hpp"

namespace chorus::tools {
namespace {

using os::TimeNs;
using synthetic::kMs;
using synthetic::Random;

TimeNs gcd(TimeNs a, TimeNs b) { return b == 0 ? a : gcd(b, a % b); }

TimeNs hyperperiod(const SyntheticSet& set) {
  TimeNs h = 1;
  for (const SyntheticTask& t : set.tasks) h = h / gcd(h, t.period) * t.period;
  return h;
}

struct StepLog : public sched::TraceSink {
  struct Step {
    uint32_t pipeline;
    TimeNs start, end;
  };
  std::vector<Step> steps;
  void release(uint32_t, TimeNs) override {}
  void skip(uint32_t, TimeNs) override {}
  void step(uint32_t p, int32_t, const char*, TimeNs start, TimeNs end, bool npu) override {
    if (!npu) steps.push_back({p, start, end});
  }
  void job_done(uint32_t, TimeNs, TimeNs, bool) override {}
};

// The set's models as files (ModelSet loads by path), written once per measurement.
class ModelFiles {
 public:
  explicit ModelFiles(const SyntheticSet& set, std::string* error) {
    char dir[] = "/tmp/chorus-pessimism-XXXXXX";
    if (mkdtemp(dir) == nullptr) {
      *error = "cannot make a temporary folder";
      return;
    }
    dir_ = dir;
    Random rng(set.seed * 7u + 3u);
    for (size_t i = 0; i < set.tasks.size(); ++i) {
      if (set.tasks[i].widths.empty()) {
        paths_.emplace_back();
        continue;
      }
      const std::vector<uint8_t> bytes = synthetic::fc_chain(set.tasks[i].widths, rng);
      paths_.push_back(dir_ + "/m" + std::to_string(i) + ".tflite");
      if (!write_file(paths_.back(), bytes.data(), bytes.size(), error)) return;
    }
  }
  ~ModelFiles() {
    for (const std::string& p : paths_)
      if (!p.empty()) std::remove(p.c_str());
    if (!dir_.empty()) rmdir(dir_.c_str());
  }
  const std::string& path(size_t i) const { return paths_[i]; }

 private:
  std::string dir_;
  std::vector<std::string> paths_;
};

// One run of the set with the given phases; folds its worst responses into `out`.
bool simulate(const SyntheticSet& set, const ModelFiles& files, const std::vector<TimeNs>& phases, PhasingResult* out,
              StepLog* log, std::string* error) {
  const size_t n = set.tasks.size();
  os::VirtualClock clock;
  std::unique_ptr<sched::SimulatedNpu> npu;
  if (set.cost.npu.present) npu = std::make_unique<sched::SimulatedNpu>(clock, set.cost);
  ModelSet models;
  std::vector<int> model_of(n, -1);
  std::vector<bool> npu_models;
  for (size_t i = 0; i < n; ++i) {
    if (set.tasks[i].widths.empty()) continue;
    model_of[i] = models.add(files.path(i), set.tasks[i].level, error);
    if (model_of[i] < 0) return false;
    npu_models.push_back(set.tasks[i].npu && npu != nullptr);
  }
  if (models.size() > 0 && !models.init(error, npu.get(), npu_models)) return false;
  std::vector<std::unique_ptr<synthetic::StepStage>> stages;
  std::vector<std::unique_ptr<synthetic::Post>> posts;
  std::vector<std::string> names;
  for (size_t i = 0; i < n; ++i) names.push_back("p" + std::to_string(i));
  sched::Scheduler s(clock, &clock, set.cost, set.policy);
  s.set_npu(npu.get());
  for (size_t i = 0; i < n; ++i) {
    const SyntheticTask& t = set.tasks[i];
    sched::PipelineConfig c;
    c.name = names[i].c_str();
    c.period = t.period;
    c.relative_deadline = t.deadline;
    c.phase = phases[i];
    c.priority = t.priority;
    c.level = t.level;
    stages.push_back(std::make_unique<synthetic::StepStage>(t.cycles));
    c.features = stages.back().get();
    if (t.post_cycles) {
      posts.push_back(std::make_unique<synthetic::Post>(t.post_cycles));
      c.post = posts.back().get();
    }
    if (model_of[i] >= 0) c.model = &models.interpreter(static_cast<size_t>(model_of[i]));
    Result<uint32_t> added = s.add_pipeline(c);
    if (!added.is_ok()) {
      *error = added.status().message();
      return false;
    }
  }
  if (out->runs == 0) {
    std::vector<sched::AnalysisTask> tasks;
    for (uint32_t i = 0; i < n; ++i) tasks.push_back(sched::analysis_task(s, i));
    out->analysis = sched::analyse(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), set.policy);
    out->worst.assign(n, 0);
    out->misses.assign(n, 0);
  }
  if (log != nullptr) s.set_trace(log);
  TimeNs max_phase = 0, max_d = 0;
  for (size_t i = 0; i < n; ++i) {
    max_phase = std::max(max_phase, phases[i]);
    max_d = std::max(max_d, set.tasks[i].deadline);
  }
  const TimeNs end = max_phase + 2 * hyperperiod(set) + max_d;
  Status st = s.run_until(end);
  if (!st.is_ok()) {
    *error = st.message();
    return false;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const sched::PipelineMetrics& m = s.metrics(i);
    out->worst[i] = std::max(out->worst[i], m.response.max());
    out->misses[i] += m.deadline_misses + m.skips + s.overdue(i, end);
  }
  ++out->runs;
  return true;
}

bool more_urgent(const SyntheticSet& set, size_t a, size_t b) {
  if (set.policy == sched::Policy::kEdf) return set.tasks[a].deadline < set.tasks[b].deadline;
  return set.tasks[a].priority != set.tasks[b].priority ? set.tasks[a].priority > set.tasks[b].priority : a < b;
}

}  // namespace

std::string SyntheticSet::describe() const {
  std::string d = "seed " + std::to_string(seed) + " " + sched::policy_name(policy);
  for (size_t i = 0; i < tasks.size(); ++i) {
    const SyntheticTask& t = tasks[i];
    d += "\n  p" + std::to_string(i) + ": T=" + std::to_string(t.period / kMs) + "ms D=" + std::to_string(t.deadline / 1000) +
         "us prio=" + std::to_string(t.priority) + " level=" + std::to_string(t.level) + " steps";
    for (uint64_t c : t.cycles) d += " " + std::to_string(c);
    if (!t.widths.empty()) {
      d += " model";
      for (int32_t w : t.widths) d += " " + std::to_string(w);
      d += t.npu ? " npu" : " cpu";
    }
    if (t.post_cycles) d += " post " + std::to_string(t.post_cycles);
  }
  return d;
}

SyntheticSet random_synthetic_set(uint32_t seed, uint32_t n, sched::Policy policy, bool npu, bool shared_levels) {
  SyntheticSet set;
  set.seed = seed;
  set.policy = policy;
  Random rng(seed);
  // 1 GHz: a cycle is a nanosecond, so every budget is exact.
  set.cost.cpu.clock_hz = 1000000000;
  for (auto& kind : set.cost.cpu.millicycles) {
    kind[static_cast<size_t>(sched::OpFeature::kBase)] = 20000 * 1000;
    kind[static_cast<size_t>(sched::OpFeature::kMac)] = 50000;
  }
  set.cost.npu.present = npu;
  set.cost.npu.clock_hz = 1000000000;
  set.cost.npu.macs_per_cycle = 1;
  set.cost.npu.cycles_per_op = 100000;
  set.cost.npu.cpu_cycles_per_submit = 20000;
  static const TimeNs kPeriods[] = {4, 5, 6, 8, 10, 12, 15, 20, 24, 30};
  const double u_total = 0.35 + 0.6 * rng.below(1000) / 1000.0;
  uint8_t max_level = 0;
  for (uint32_t i = 0; i < n; ++i) {
    SyntheticTask t;
    t.period = kPeriods[rng.below(10)] * kMs;
    t.deadline = rng.chance(50) ? t.period : t.period / 2 + rng.below(static_cast<uint32_t>(t.period / 2 / 1000)) * 1000;
    t.priority = static_cast<uint8_t>(rng.below(4));
    t.level = shared_levels ? static_cast<uint8_t>(i == 0 ? 0 : rng.below(max_level + 2u)) : static_cast<uint8_t>(i);
    max_level = std::max(max_level, t.level);
    const double share = u_total / n * (0.5 + rng.below(1000) / 1000.0);
    const uint64_t work = static_cast<uint64_t>(share * static_cast<double>(t.period));
    const uint32_t steps = 1 + rng.below(4);
    uint64_t left = work;
    for (uint32_t k = 0; k < steps; ++k) {
      const uint64_t c = k + 1 == steps ? left : left / (steps - k) / 2 + rng.below(static_cast<uint32_t>(left / (steps - k) + 1));
      t.cycles.push_back(std::max<uint64_t>(c > left ? left : c, 10000));
      left -= std::min(left, t.cycles.back());
    }
    if (npu && rng.chance(60)) {
      t.widths = {16 + static_cast<int32_t>(rng.below(48))};
      const uint32_t layers = 1 + rng.below(3);
      for (uint32_t l = 0; l < layers; ++l) t.widths.push_back(8 + static_cast<int32_t>(rng.below(56)));
      t.npu = true;
    }
    set.tasks.push_back(t);
  }
  return set;
}

PhasingResult exact_worst(const SyntheticSet& set) {
  PhasingResult r;
  ModelFiles files(set, &r.error);
  if (!r.error.empty()) return r;
  const size_t n = set.tasks.size();
  std::vector<TimeNs> phases(n, 0);
  // Odometer over the grid: pipeline 0 stays at 0 (only relative phasing matters).
  for (;;) {
    if (!simulate(set, files, phases, &r, nullptr, &r.error)) return r;
    size_t i = 1;
    for (; i < n; ++i) {
      phases[i] += kMs;
      if (phases[i] < set.tasks[i].period) break;
      phases[i] = 0;
    }
    if (i >= n) break;
  }
  return r;
}

PhasingResult sampled_worst(const SyntheticSet& set, uint32_t random_phasings) {
  PhasingResult r;
  ModelFiles files(set, &r.error);
  if (!r.error.empty()) return r;
  const size_t n = set.tasks.size();
  std::vector<TimeNs> zero(n, 0);
  StepLog log;
  if (!simulate(set, files, zero, &r, &log, &r.error)) return r;
  // Adversarial: for each pipeline i, find the longest step of a less urgent pipeline in
  // the synchronous run and release i and everything more urgent 1 ns after it starts.
  for (size_t i = 0; i < n; ++i) {
    const StepLog::Step* longest = nullptr;
    for (const StepLog::Step& s : log.steps)
      if (more_urgent(set, i, s.pipeline) && (longest == nullptr || s.end - s.start > longest->end - longest->start)) longest = &s;
    if (longest == nullptr) continue;
    std::vector<TimeNs> phases(n, 0);
    for (size_t j = 0; j < n; ++j) {
      // The less urgent pipeline keeps its synchronous timeline; the others start later.
      if (j == i || more_urgent(set, j, i)) phases[j] = longest->start + 1;
    }
    if (!simulate(set, files, phases, &r, nullptr, &r.error)) return r;
  }
  Random rng(set.seed * 13u + 5u);
  for (uint32_t k = 0; k < random_phasings; ++k) {
    std::vector<TimeNs> phases(n);
    for (size_t j = 0; j < n; ++j) phases[j] = rng.below(static_cast<uint32_t>(set.tasks[j].period / 1000)) * 1000ULL;
    if (!simulate(set, files, phases, &r, nullptr, &r.error)) return r;
  }
  return r;
}

}  // namespace chorus::tools
