// Instruction-count image for the scheduler's own work between steps (what
// CpuCost::cycles_per_step charges every step): eight pipelines at the scheduler's capacity,
// four steps each, in virtual time, some sharing levels, so that the pick, the SRP test, the
// release bookkeeping and the NPU guard all run as in a full system. Region 0 is the run;
// the image prints how many steps it took, and scripts/firmware-test.sh --bench divides.
// The steps' own work is a virtual call that returns at once (a few instructions).
#include <new>

#include "chorus/scheduler/scheduler.hpp"
#include "console.hpp"
#include "firmware_support.h"

namespace {

using namespace chorus;
using namespace chorus::sched;

class EmptyStage : public FeatureStage {
 public:
  uint32_t steps() const override { return 4; }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override {
    ++runs;
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t index) const override { return 20000 + 7000 * index; }
  unsigned long runs = 0;
};

int run(Policy policy) {
  static os::VirtualClock clock;
  clock = os::VirtualClock();
  static CostModel cost;
  cost.cpu.clock_hz = 100000000;
  static Scheduler* scheduler = nullptr;
  alignas(Scheduler) static uint8_t storage[sizeof(Scheduler)];
  scheduler = new (storage) Scheduler(clock, &clock, cost, policy);
  static EmptyStage stage;
  stage.runs = 0;
  static char names[Scheduler::kMaxPipelines][4];
  for (uint32_t i = 0; i < Scheduler::kMaxPipelines; ++i) {
    names[i][0] = 'p';
    names[i][1] = static_cast<char>('0' + i);
    PipelineConfig c;
    c.name = names[i];
    c.features = &stage;
    c.period = (5 + 3 * i) * 1000000ULL;
    c.relative_deadline = c.period;
    c.phase = i * 700000ULL;
    c.level = static_cast<uint8_t>(i / 2);
    c.priority = static_cast<uint8_t>(Scheduler::kMaxPipelines - i);
    if (!scheduler->add_pipeline(c).is_ok()) return 2;
  }
  chorus_bench_begin();
  const Status s = scheduler->run_until(200000000ULL);  // 200 ms of virtual time
  chorus_bench_end();
  if (!s.is_ok()) return 2;
  unsigned long misses = 0;
  for (uint32_t i = 0; i < Scheduler::kMaxPipelines; ++i) misses += scheduler->metrics(i).deadline_misses;
  fw::print("bench-sched %s steps=%lu misses=%lu\n", policy_name(policy), stage.runs, misses);
  scheduler->~Scheduler();
  return 0;
}

}  // namespace

int main() {
  if (run(Policy::kEdf) != 0) return 2;
  return run(Policy::kFixedPriority);
}
