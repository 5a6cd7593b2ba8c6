// Synthetic task material shared by the analysis's adversaries (soundness.cpp,
// pessimism.cpp): a seeded random source, int8 FULLY_CONNECTED chains built in memory,
// CPU stages of given cycles per step, a post-process of given cycles. Host only.
#pragma once

#include <cstdint>
#include <vector>

#include "chorus/scheduler/pipeline.hpp"

namespace chorus::tools::synthetic {

using os::TimeNs;
constexpr TimeNs kMs = 1000000;

class Random {
 public:
  explicit Random(uint32_t seed) : s_(seed * 2654435761u + 0x9E3779B9u) {
    for (int i = 0; i < 4; ++i) next();
  }
  uint32_t next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 17;
    s_ ^= s_ << 5;
    return s_;
  }
  uint32_t below(uint32_t n) { return n == 0 ? 0 : next() % n; }
  bool chance(uint32_t percent) { return below(100) < percent; }

 private:
  uint32_t s_;
};

// CPU work of given cycles per step (a stand-in front end, or the input fill of a model).
class StepStage : public sched::FeatureStage {
 public:
  explicit StepStage(std::vector<uint64_t> cycles) : cycles_(std::move(cycles)) {}
  uint32_t steps() const override { return static_cast<uint32_t>(cycles_.size()); }
  Status run(uint32_t, SampleSource*, runtime::Interpreter*) override { return Status::ok(); }
  uint64_t cost_cycles(uint32_t index) const override { return cycles_[index]; }

 private:
  std::vector<uint64_t> cycles_;
};

class Post : public sched::PostProcess {
 public:
  explicit Post(uint64_t cycles) : cycles_(cycles) {}
  Status run(const runtime::Interpreter*, TimeNs, TimeNs) override { return Status::ok(); }
  uint64_t cost_cycles() const override { return cycles_; }

 private:
  uint64_t cycles_;
};

// A chain of int8 FULLY_CONNECTED layers (widths[0] inputs, then one layer per width),
// random weights, as a .tflite flatbuffer.
std::vector<uint8_t> fc_chain(const std::vector<int32_t>& widths, Random& rng);

}  // namespace chorus::tools::synthetic
