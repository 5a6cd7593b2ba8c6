// A feature stage and post-process for scheduler tests: copies golden input bytes into the
// model's inputs before each job (in order, input by input) and compares the output with the
// golden output after it, counting jobs checked and mismatches.
#pragma once

#include <cstring>
#include <utility>
#include <vector>

#include "chorus/scheduler/pipeline.hpp"

namespace chorus::test {

class GoldenCheck : public sched::FeatureStage, public sched::PostProcess {
 public:
  GoldenCheck(std::vector<uint8_t> in, std::vector<uint8_t> out) : in_(std::move(in)), out_(std::move(out)) {}
  Status run(uint32_t, SampleSource*, runtime::Interpreter* m) override {
    size_t at = 0;
    for (size_t i = 0; i < m->model().inputs().size(); ++i) {
      const size_t bytes = m->model().tensor(static_cast<size_t>(m->model().inputs()[i])).bytes;
      if (at + bytes > in_.size()) return Status::error(StatusCode::kInvalidArgument, "golden input too short");
      std::memcpy(m->input(i), in_.data() + at, bytes);
      at += bytes;
    }
    return Status::ok();
  }
  uint64_t cost_cycles(uint32_t) const override { return 1000; }
  Status run(const runtime::Interpreter* m, os::TimeNs, os::TimeNs) override {
    ++checked;
    if (std::memcmp(m->output(0), out_.data(), out_.size()) != 0) ++mismatches;
    return Status::ok();
  }
  uint64_t cost_cycles() const override { return 1000; }
  int checked = 0, mismatches = 0;

 private:
  std::vector<uint8_t> in_, out_;
};

}  // namespace chorus::test
