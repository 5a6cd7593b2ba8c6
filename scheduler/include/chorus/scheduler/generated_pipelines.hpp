// The pipeline specs of a firmware image built from a generated header (`chorus board
// --scenario`: board::PipelineEntry kPipelines[]) and the models the build linked in (a
// table cmake/chorus_scenario_models.cmake generates). Every shell that runs a scenario on
// a target - the bare-metal real-time firmware, the Zephyr samples - builds its specs here:
//  - a pipeline with a model gets the model's bytes and seeded pseudo-random inputs
//    (sched::SeededInputs, what `chorus sim` feeds it);
//  - a pipeline without one gets stand-in feature work of its stated cycles, burnt by the
//    shell's `spin` function, after taking its hop of samples from the shell's source
//    (a microphone ring buffer) when there is one.
// Releases are the shell's (kInterrupt: timer interrupts call Scheduler::release_from_isr).
// Firmware-clean: no heap, storage for kMaxPipelines inside.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/board.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/sample_source.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/scheduler/stages/stages.hpp"
#include "chorus/scheduler/system.hpp"

namespace chorus {

// One model linked into the image: its identifier (the file name without extension, as
// `chorus board` names it) and its bytes (16-byte aligned).
struct LinkedModel {
  const char* id;
  const uint8_t* begin;
  const uint8_t* end;
};

// A spec with entry `e`'s timing, overload policy, level, priority and NPU use, and its
// model's bytes (the linked model of that identifier; an error when the image lacks it).
// Release rule, source and stages are left to the caller.
Status spec_from_entry(const board::PipelineEntry& e, Span<const LinkedModel> models, PipelineSpec* out);

class GeneratedPipelines {
 public:
  // Stand-in feature work: burns `cycles` CPU cycles.
  using Spin = void (*)(uint64_t cycles);

  // `hop_samples`: what a features-only pipeline takes from `source` per step (0: nothing).
  Status build(Span<const board::PipelineEntry> entries, Span<const LinkedModel> models, Spin spin, SampleSource* source,
               size_t hop_samples);
  Span<const PipelineSpec> specs() const { return Span<const PipelineSpec>(specs_, count_); }

 private:
  // A front end's stand-in: its hop of samples from the source, then its stated cycles.
  class StandIn final : public sched::StandInWork {
   public:
    StandIn(uint32_t steps, uint64_t cycles, Spin spin, size_t hop) : StandInWork(steps, cycles, spin), hop_(hop) {}
    Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;

   private:
    size_t hop_;
  };

  static constexpr uint32_t kMax = System::kMaxPipelines;
  PipelineSpec specs_[kMax];
  alignas(sched::SeededInputs) unsigned char inputs_[kMax][sizeof(sched::SeededInputs)];
  alignas(StandIn) unsigned char standins_[kMax][sizeof(StandIn)];
  uint32_t count_ = 0;
};

// A microphone for targets that have none (QEMU): each call writes one DMA half, 160
// samples (10 ms at 16 kHz) of a deterministic ramp, into the ring, as a DMA-complete
// interrupt would; what does not fit is counted as overrun by the ring. Call it from the
// shell's 10 ms timer interrupt (it is the ring's only producer).
class SimulatedMicrophone {
 public:
  static constexpr uint32_t kHalf = 160;
  void attach(RingBuffer* ring) { ring_ = ring; }
  RingBuffer* ring() const { return ring_; }
  void dma_half() {
    if (ring_ == nullptr) return;
    int16_t half[kHalf];
    for (uint32_t i = 0; i < kHalf; ++i) half[i] = static_cast<int16_t>(static_cast<int32_t>((phase_++ * 2731u) & 0x7FFF) - 16384);
    (void)ring_->write(half, kHalf);
  }

 private:
  RingBuffer* ring_ = nullptr;
  uint32_t phase_ = 0;
};

#if defined(__arm__)
// Burns `cycles` instructions, two per iteration (subs, bne): under QEMU -icount the
// instruction is the time unit, so a stand-in's work takes what the scenario charges it.
inline void spin_instructions(uint64_t cycles) {
  uint32_t n = static_cast<uint32_t>(cycles / 2);
  if (n == 0) return;
  __asm volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n)::"cc");
}
#endif

}  // namespace chorus

// The table cmake/chorus_scenario_models.cmake generates for an image.
extern const chorus::LinkedModel kLinkedModels[];
extern const size_t kLinkedModelCount;
