// Host-side convenience: load a .tflite file, plan it, measure it and run it. Used by the
// CLI, the benchmarks and the tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chorus/runtime/interpreter.hpp"
#include "chorus/runtime/memory_plan.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"

namespace chorus::tools {

// Every byte of RAM one model needs on top of its weights (the README's arena_bytes).
struct RamReport {
  size_t activation_bytes = 0;  // planned activation area
  size_t scratch_bytes = 0;     // transient per-op scratch
  size_t persistent_bytes = 0;  // tensor table, per-op data, variable tensors
  size_t object_bytes = 0;      // the Model and Interpreter objects themselves
  size_t lower_bound_bytes = 0;
  size_t arena_bytes() const { return activation_bytes + scratch_bytes + persistent_bytes + object_bytes; }
};

class ModelSession {
 public:
  // Loads and verifies. With `check_kernels` false, models with unsupported ops still
  // load (for `chorus info`) but cannot be planned or run.
  bool load(const std::string& path, std::string* error, bool check_kernels = true);
  bool load_bytes(AlignedBytes bytes, std::string* error, bool check_kernels = true);
  // Plans activations and measures persistent/scratch needs (scratch as `variant`'s kernels
  // request it: this build's, or a target's when planning for one).
  bool plan(const runtime::PlanOptions& options, std::string* error,
            runtime::KernelVariant variant = runtime::build_kernel_variant());
  // Allocates the arena and initialises the interpreter.
  bool init(std::string* error, runtime::NpuBackend* npu = nullptr);

  const runtime::Model& model() const { return *model_; }
  const runtime::MemoryPlan& memory_plan() const { return plan_; }
  const runtime::ArenaNeeds& needs() const { return needs_; }
  const std::vector<runtime::LifetimeInterval>& lifetimes() const { return lifetimes_; }
  const std::vector<uint64_t>& op_macs() const { return op_macs_; }
  runtime::Interpreter& interpreter() { return interpreter_; }
  RamReport ram() const;
  uint64_t total_macs() const;
  size_t weight_bytes() const;
  // The whole .tflite as loaded: what `chorus embed` puts in flash (weights, graph, metadata).
  size_t file_bytes() const { return file_.size(); }

  size_t input_bytes() const;
  size_t output_bytes() const;
  // Copies concatenated input bytes in; false (with error) on a size mismatch.
  bool set_inputs(const std::vector<uint8_t>& bytes, std::string* error);
  std::vector<uint8_t> outputs() const;

 private:
  AlignedBytes file_;
  std::unique_ptr<runtime::Model> model_;
  std::vector<uint32_t> offsets_;
  std::vector<runtime::LifetimeInterval> lifetimes_;
  std::vector<uint64_t> op_macs_;
  runtime::MemoryPlan plan_;
  runtime::ArenaNeeds needs_;
  AlignedBytes arena_;
  runtime::Interpreter interpreter_;
};

}  // namespace chorus::tools
