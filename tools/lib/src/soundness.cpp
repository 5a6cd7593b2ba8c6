#include "chorus/tools/soundness.hpp"

#include <unistd.h>

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <memory>
#include <numeric>

#include "chorus/scheduler/analysis.hpp"
#include "chorus/scheduler/sim_npu.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/model_set.hpp"
#include "synthetic_tasks.hpp"

namespace chorus::tools {
namespace {

using os::TimeNs;
using synthetic::fc_chain;
using synthetic::kMs;
using synthetic::Post;
using synthetic::Random;
using synthetic::StepStage;

struct IsrSource {
  uint32_t pipeline = 0;
  TimeNs nominal = 0;  // the source's own schedule: at least `period` apart
  TimeNs next = 0;     // when its next interrupt fires
  TimeNs period = 0;
  TimeNs jitter = 0;
  Random rng{1};
  // Fires up to `jitter` before its nominal instant; now and then far too early (a
  // misbehaving source: the scheduler defers that release to keep the spacing).
  void schedule() {
    const uint32_t r = rng.below(100);
    if (r < 10) next = nominal > period / 2 ? nominal - period / 2 : 0;
    else next = nominal - (jitter > 0 && nominal >= jitter ? rng.below(static_cast<uint32_t>(jitter + 1)) : 0);
  }
};

// A sensor stream whose DMA delivers `block` frames at a time at `rate` frames a second
// from `start` (what a window-ready pipeline reads).
class BlockSource : public SampleSource {
 public:
  BlockSource(uint32_t rate, uint32_t block, TimeNs start) : rate_(rate), block_(block), start_(start) {}
  StreamInfo info() const override { return StreamInfo{SampleFormat::kInt16, 1, rate_}; }
  size_t available() const override { return static_cast<size_t>(produced_ - consumed_); }
  size_t peek(size_t offset, void* dst, size_t count) const override {
    const size_t n = offset >= available() ? 0 : std::min(count, available() - offset);
    std::memset(dst, 0, n * 2);
    return n;
  }
  void consume(size_t count) override { consumed_ += std::min<uint64_t>(count, produced_ - consumed_); }
  uint32_t overrun_frames() const override { return 0; }
  void advance_to(TimeNs now) {
    if (now < start_) return;
    const uint64_t frames = (now - start_) * rate_ / 1000000000ULL;
    produced_ = frames / block_ * block_;
  }
  // When the next block arrives.
  TimeNs next_block() const { return start_ + ((produced_ + block_) * 1000000000ULL + rate_ - 1) / rate_; }

 private:
  uint32_t rate_, block_;
  TimeNs start_;
  uint64_t produced_ = 0, consumed_ = 0;
};

struct Interrupts {
  sched::Scheduler* scheduler = nullptr;
  std::vector<IsrSource> sources;
  std::vector<BlockSource*> streams;
  static void fire(void* user, TimeNs now) {
    auto& self = *static_cast<Interrupts*>(user);
    for (BlockSource* b : self.streams) b->advance_to(now);
    for (IsrSource& s : self.sources)
      while (s.next <= now) {
        self.scheduler->release_from_isr(s.pipeline, s.next);
        // Sporadic: the nominal instants are at least a period apart, sometimes more.
        s.nominal += s.period + (s.rng.chance(50) ? 0 : s.rng.below(static_cast<uint32_t>(s.period / 2)));
        s.schedule();
      }
  }
  static TimeNs next_at(void* user, TimeNs) {
    auto& self = *static_cast<Interrupts*>(user);
    TimeNs next = UINT64_MAX;
    for (const IsrSource& s : self.sources) next = s.next < next ? s.next : next;
    for (const BlockSource* b : self.streams) next = b->next_block() < next ? b->next_block() : next;
    return next;
  }
};

class TextTrace : public sched::TraceSink {
 public:
  explicit TextTrace(FILE* f) : f_(f) {}
  void release(uint32_t p, TimeNs at) override { std::fprintf(f_, "%12.3f release p%u\n", us(at), p); }
  void skip(uint32_t p, TimeNs at) override { std::fprintf(f_, "%12.3f skip p%u\n", us(at), p); }
  void step(uint32_t p, int32_t op, const char* name, TimeNs start, TimeNs end, bool npu) override {
    std::fprintf(f_, "%12.3f-%12.3f p%u %s op %d %s\n", us(start), us(end), p, npu ? "NPU" : "cpu", op, name);
  }
  void job_done(uint32_t p, TimeNs release, TimeNs end, bool missed) override {
    std::fprintf(f_, "%12.3f done p%u released %.3f response %.3f%s\n", us(end), p, us(release), us(end - release),
                 missed ? " MISSED" : "");
  }

 private:
  static double us(TimeNs t) { return static_cast<double>(t) / 1e3; }
  FILE* f_;
};

TimeNs gcd(TimeNs a, TimeNs b) { return b == 0 ? a : gcd(b, a % b); }

}  // namespace

SoundnessCase check_random_set(uint32_t seed, uint64_t min_jobs, FILE* trace_out) {
  SoundnessCase out;
  out.seed = seed;
  Random rng(seed);
  const sched::Policy policy = rng.chance(50) ? sched::Policy::kEdf : sched::Policy::kFixedPriority;
  out.policy = sched::policy_name(policy);
  const uint32_t n = 2 + rng.below(4);
  out.pipelines = n;

  sched::CostModel cost;
  cost.cpu.clock_hz = 100000000;
  const int32_t per_mac = static_cast<int32_t>(1000 * (1 + rng.below(40)));
  const int32_t per_op = static_cast<int32_t>(1000 * (200 + rng.below(2000)));
  for (auto& kind : cost.cpu.millicycles) {
    kind[static_cast<size_t>(sched::OpFeature::kMac)] = per_mac;
    kind[static_cast<size_t>(sched::OpFeature::kBase)] = per_op;
  }
  cost.cpu.cycles_per_step = rng.chance(50) ? rng.below(3000) : 0;
  cost.npu.present = rng.chance(70);
  cost.npu.clock_hz = 100000000;
  cost.npu.macs_per_cycle = 1 + rng.below(16);
  cost.npu.cycles_per_op = 1000 + rng.below(100000);
  cost.npu.cpu_cycles_per_submit = 400 + rng.below(5000);

  static const TimeNs kPeriods[] = {5 * kMs, 10 * kMs, 20 * kMs, 25 * kMs, 40 * kMs, 50 * kMs, 100 * kMs};
  os::VirtualClock clock;
  std::unique_ptr<sched::SimulatedNpu> npu;
  if (cost.npu.present) npu = std::make_unique<sched::SimulatedNpu>(clock, cost);
  ModelSet models;
  std::vector<std::unique_ptr<StepStage>> stages;
  std::vector<std::unique_ptr<Post>> posts;
  std::vector<sched::PipelineConfig> configs(n);
  std::vector<int> model_of(n, -1);
  std::vector<bool> npu_models;
  std::vector<std::string> names(n);
  uint8_t max_level = 0;
  char dir[] = "/tmp/chorus-soundness-XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    out.error = "cannot make a temporary folder";
    return out;
  }
  std::vector<std::string> files;
  std::vector<std::string> desc;
  Interrupts interrupts;
  std::vector<std::unique_ptr<BlockSource>> streams;
  for (uint32_t i = 0; i < n; ++i) {
    sched::PipelineConfig& c = configs[i];
    names[i] = "p" + std::to_string(i);
    c.name = names[i].c_str();
    c.period = kPeriods[rng.below(7)];
    c.relative_deadline = rng.chance(50) ? c.period : (c.period / 2 + rng.below(static_cast<uint32_t>(c.period / kMs / 2 + 1)) * kMs);
    c.phase = rng.chance(40) ? 0 : rng.below(static_cast<uint32_t>(c.period / kMs)) * kMs + (rng.chance(30) ? rng.below(1000000) : 0);
    c.priority = static_cast<uint8_t>(rng.below(4));
    // Levels as a restricted growth string: level i is at most one above the highest so far.
    c.level = static_cast<uint8_t>(i == 0 ? 0 : rng.below(max_level + 2u));
    if (c.level > max_level) max_level = c.level;
    c.overload = rng.chance(50) ? sched::OverloadPolicy::kSkip : sched::OverloadPolicy::kDropOldest;
    if (rng.chance(25)) {
      c.release = sched::ReleaseRule::kInterrupt;
      c.release_jitter = rng.chance(50) ? rng.below(static_cast<uint32_t>(c.period / 4)) : 0;
      IsrSource src;
      src.pipeline = i;
      src.nominal = c.phase + c.release_jitter;
      src.period = c.period;
      src.jitter = c.release_jitter;
      src.rng = Random(seed * 31u + i);
      src.schedule();
      interrupts.sources.push_back(src);
    }
    bool windowed = false;
    if (c.release == sched::ReleaseRule::kPeriodic && rng.chance(25)) {
      // Window-ready: 2 frames a millisecond, a window of one or two hops, DMA blocks from
      // one frame to two hops.
      windowed = true;
      c.release = sched::ReleaseRule::kWindowReady;
      c.hop_frames = static_cast<uint32_t>(c.period / kMs) * 2;
      c.window_frames = c.hop_frames * (1 + rng.below(2));
      static const uint32_t kBlocks[] = {1, 8, 32};
      const uint32_t block = rng.chance(25) ? c.hop_frames * 2 : kBlocks[rng.below(3)];
      streams.push_back(std::make_unique<BlockSource>(2000, block, c.phase));
      c.source = streams.back().get();
      interrupts.streams.push_back(streams.back().get());
    }
    std::string d = names[i] + (windowed ? " (window-ready)" : "") + ": T=" + std::to_string(c.period / 1000) + "us D=" + std::to_string(c.relative_deadline / 1000) +
                    "us phase=" + std::to_string(c.phase / 1000) + "us prio=" + std::to_string(c.priority) +
                    " level=" + std::to_string(c.level) + (c.release == sched::ReleaseRule::kInterrupt ? " isr J=" + std::to_string(c.release_jitter / 1000) + "us" : "");
    if (rng.chance(50)) {
      // A model: a chain of FULLY_CONNECTED layers, with or without the NPU, maybe sliced.
      std::vector<int32_t> widths{8 + static_cast<int32_t>(rng.below(120))};
      const uint32_t layers = 1 + rng.below(5);
      for (uint32_t l = 0; l < layers; ++l) widths.push_back(4 + static_cast<int32_t>(rng.below(124)));
      const std::vector<uint8_t> bytes = fc_chain(widths, rng);
      const std::string path = std::string(dir) + "/" + names[i] + ".tflite";
      if (!write_file(path, bytes.data(), bytes.size(), &out.error)) return out;
      files.push_back(path);
      const int m = models.add(path, c.level, &out.error);
      if (m < 0) return out;
      model_of[i] = m;
      const bool on_npu = npu != nullptr && rng.chance(75);
      npu_models.push_back(on_npu);
      if (on_npu) ++out.npu_pipelines;
      c.max_step = rng.chance(30) ? (200 + rng.below(2000)) * 1000ULL : 0;
      stages.push_back(std::make_unique<StepStage>(std::vector<uint64_t>{1000 + rng.below(50000)}));
      d += " model widths";
      for (int32_t w : widths) d += " " + std::to_string(w);
      d += on_npu ? " npu" : " cpu";
      if (c.max_step) d += " max_step=" + std::to_string(c.max_step / 1000) + "us";
    } else {
      std::vector<uint64_t> cycles;
      const uint32_t steps = windowed ? 1 : 1 + rng.below(6);
      for (uint32_t s = 0; s < steps; ++s) cycles.push_back(5000 + rng.below(rng.chance(20) ? 400000 : 100000));
      d += " cpu steps";
      for (uint64_t cy : cycles) d += " " + std::to_string(cy);
      stages.push_back(std::make_unique<StepStage>(cycles));
    }
    c.features = stages.back().get();
    if (rng.chance(50)) {
      posts.push_back(std::make_unique<Post>(1000 + rng.below(30000)));
      c.post = posts.back().get();
      d += " post";
    }
    desc.push_back(d);
  }
  auto cleanup = [&] {
    for (const std::string& f : files) std::remove(f.c_str());
    rmdir(dir);
  };
  if (models.size() > 0 && !models.init(&out.error, npu.get(), npu_models)) {
    cleanup();
    return out;
  }
  sched::Scheduler s(clock, &clock, cost, policy);
  s.set_npu(npu.get());
  for (uint32_t i = 0; i < n; ++i) {
    if (model_of[i] >= 0) configs[i].model = &models.interpreter(static_cast<size_t>(model_of[i]));
    Result<uint32_t> added = s.add_pipeline(configs[i]);
    if (!added.is_ok()) {
      out.error = added.status().message();
      cleanup();
      return out;
    }
  }
  cleanup();
  std::vector<sched::AnalysisTask> tasks;
  for (uint32_t i = 0; i < n; ++i) tasks.push_back(sched::analysis_task(s, i));
  const sched::AnalysisResult a = sched::analyse(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), policy);
  out.description = "seed " + std::to_string(seed) + " policy " + out.policy + " cpu: mac x" +
                    std::to_string(cost.cpu.millicycles[0][static_cast<size_t>(sched::OpFeature::kMac)]) + " step overhead " + std::to_string(cost.cpu.cycles_per_step) +
                    (cost.npu.present ? " npu: " + std::to_string(cost.npu.macs_per_cycle) + " MAC/cycle" : " no npu");
  for (uint32_t i = 0; i < n; ++i) {
    const sched::TaskTiming& t = tasks[i].timing;
    out.description += "\n  " + desc[i] + " | C=" + std::to_string(t.wcet / 1000) + "us step=" + std::to_string(t.max_step / 1000) +
                       "us npu_ops=" + std::to_string(t.npu_ops) + " bound=" +
                       (a.response[i] == sched::AnalysisResult::kUnbounded ? std::string("unbounded") : std::to_string(a.response[i] / 1000) + "us");
  }
  out.accepted = a.schedulable;
  if (!a.schedulable) return out;

  if (rng.chance(50)) s.set_cost_jitter(seed, 0.3 + 0.7 * static_cast<double>(rng.below(1000)) / 1000.0);
  TextTrace text(trace_out);
  if (trace_out != nullptr) s.set_trace(&text);
  interrupts.scheduler = &s;
  if (!interrupts.sources.empty() || !interrupts.streams.empty()) {
    s.set_time_hook(&Interrupts::fire, &interrupts);
    s.set_interrupt_hook(&Interrupts::next_at, &interrupts);
  }
  // Cover the hyperperiod after the last phase, three times over (or more, for min_jobs).
  TimeNs hyper = 1, max_phase = 0;
  for (const sched::PipelineConfig& c : configs) {
    hyper = hyper / gcd(hyper, c.period) * c.period;
    max_phase = c.phase > max_phase ? c.phase : max_phase;
  }
  TimeNs end = max_phase + 3 * hyper;
  for (;;) {
    Status st = s.run_until(end);
    if (!st.is_ok()) {
      out.error = st.message();
      return out;
    }
    uint64_t jobs = 0;
    for (uint32_t i = 0; i < n; ++i) jobs += s.metrics(i).completions;
    out.jobs = jobs;
    if (jobs >= min_jobs) break;
    end += hyper;
  }
  for (uint32_t i = 0; i < n; ++i) {
    const sched::PipelineMetrics& m = s.metrics(i);
    const uint32_t overdue = s.overdue(i, end);
    std::string why;
    if (m.deadline_misses) why += " " + std::to_string(m.deadline_misses) + " misses";
    if (m.skips) why += " " + std::to_string(m.skips) + " skips";
    if (overdue) why += " " + std::to_string(overdue) + " unfinished past deadline";
    if (m.completions > 0 && m.response.max() > a.response[i])
      why += " response " + std::to_string(m.response.max() / 1000) + "us above bound " + std::to_string(a.response[i] / 1000) + "us";
    if (m.completions == 0 && m.releases > 0) why += " no completion";
    if (!why.empty()) {
      out.violated = true;
      out.violation += names[i] + ":" + why + "; ";
    }
    if (m.completions > 0 && m.response.max() > 0) {
      const double ratio = static_cast<double>(m.response.max()) / static_cast<double>(a.response[i]);
      if (ratio > out.worst_ratio) out.worst_ratio = ratio;
      out.ratios.push_back(static_cast<double>(a.response[i]) / static_cast<double>(m.response.max()));
    }
  }
  return out;
}

}  // namespace chorus::tools
