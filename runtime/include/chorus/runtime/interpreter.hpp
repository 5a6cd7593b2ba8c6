// Runs one model operator by operator in a caller-provided arena. `step()` runs exactly
// one operator: it is the cooperative scheduler's yield point. All memory (tensor table,
// per-op data, variable state, activations, scratch) lives in the arena; an arena that is
// too small fails at init with bytes needed vs available, never mid-inference.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/kernel.hpp"
#include "chorus/runtime/memory_plan.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/runtime/npu_backend.hpp"

namespace chorus::runtime {

// What a model needs besides its weights, in bytes.
struct ArenaNeeds {
  size_t activation_bytes = 0;  // the plan's activation area
  size_t persistent_bytes = 0;  // tensor table, per-op data, variable tensors
  size_t scratch_bytes = 0;     // the largest transient per-op scratch
  size_t total() const { return activation_bytes + persistent_bytes + scratch_bytes; }
};

// The three areas an interpreter uses. A single-arena init splits one span into these;
// the scheduler gives each model its level's partition and one shared scratch area.
struct ArenaRegions {
  Span<uint8_t> activations;
  Span<uint8_t> persistent;
  Span<uint8_t> scratch;
};

enum class StepResult : uint8_t {
  kRanOp,         // one operator ran; more remain
  kRanSlice,      // one band of a sliced operator ran; the operator is not finished
  kWaitingOnNpu,  // the current operator is on the NPU; call step() again later
  kDone,          // the last operator ran: outputs are ready, the next step() starts over
};

// Per-op profiling record, given to the hook after each operator.
struct OpProfile {
  size_t op_index;
  int32_t op_code;
  uint64_t start_ticks;
  uint64_t end_ticks;
  uint64_t macs;  // from the table given to set_profiler (0 without one)
  bool on_npu;
};

class Interpreter {
 public:
  static constexpr size_t kArenaAlignment = 16;

  // Runs every kernel's prepare in counting mode. `op_macs`, when given, receives each
  // operator's multiply-accumulate count.
  static Result<ArenaNeeds> measure(const Model& model, const MemoryPlan& plan,
                                    const OpResolver& resolver = builtin_op_resolver(),
                                    Span<uint64_t> op_macs = {},
                                    KernelVariant variant = build_kernel_variant());
  // Multiply-accumulates of one operator (its kernel's prepare in counting mode); 0 when
  // the operator has no kernel or does not prepare.
  static uint64_t op_macs(const Model& model, size_t op_index, const OpResolver& resolver = builtin_op_resolver());

  Status init(const Model& model, const MemoryPlan& plan, Span<uint8_t> arena,
              const OpResolver& resolver = builtin_op_resolver(), NpuBackend* npu = nullptr);
  Status init(const Model& model, const MemoryPlan& plan, const ArenaRegions& regions,
              const OpResolver& resolver = builtin_op_resolver(), NpuBackend* npu = nullptr);

  // Runs (or advances) the next operator.
  Result<StepResult> step();
  // Runs a whole inference (waiting on the NPU by polling).
  Status invoke();
  // Restores variable tensors (recurrent state) and kernels' own state to their initial value.
  void reset_state();
  // Runs operator i as `slices[i]` steps (bands of its output) where its kernel allows
  // (0 or 1: whole). The table is the caller's and must outlive the interpreter's use.
  void set_slicing(Span<const uint8_t> slices) { slices_ = slices; }
  // How many slices operator `op` runs as on the CPU, and whether its kernel can slice at
  // all. An operator the NPU takes uses its slicing only when the CPU recomputes it after
  // a fault or timeout (the fallback then runs as preemptible bands too).
  uint32_t slices_of(size_t op) const;
  bool sliceable(size_t op) const;
  // Whether the NPU backend takes operator `op`.
  bool on_npu(size_t op) const { return npu_ != nullptr && npu_->supports(*model_, op); }
  // The most slices operator `op` can run as (its output's extent along the slice axis).
  uint32_t max_slices(size_t op) const;
  // The same for any loaded model, without an arena: 1 when the operator's kernel cannot
  // slice (or `resolver` has none for it).
  static uint32_t max_slices(const Model& model, const OpResolver& resolver, size_t op);
  const OpResolver* resolver() const { return resolver_; }

  size_t num_inputs() const { return model_->inputs().size(); }
  size_t num_outputs() const { return model_->outputs().size(); }
  TensorInfo input_info(size_t i) const { return model_->tensor(static_cast<size_t>(model_->inputs()[i])); }
  TensorInfo output_info(size_t i) const { return model_->tensor(static_cast<size_t>(model_->outputs()[i])); }
  uint8_t* input(size_t i) { return tensor_data_[model_->inputs()[i]]; }
  const uint8_t* input(size_t i) const { return tensor_data_[model_->inputs()[i]]; }
  const uint8_t* output(size_t i) const { return tensor_data_[model_->outputs()[i]]; }
  // Any tensor's current bytes (nullptr for absent ones); valid while its buffer is live.
  const uint8_t* tensor_data(size_t tensor) const { return tensor_data_[tensor]; }

  size_t next_op() const { return next_op_; }
  bool in_progress() const { return next_op_ != 0 || npu_pending_ || slice_ != 0; }
  const Model& model() const { return *model_; }
  bool initialised() const { return model_ != nullptr; }
  NpuBackend* npu() const { return npu_; }
  const ArenaNeeds& needs() const { return needs_; }
  // Operators the NPU faulted on (or timed out on) and the CPU ran instead.
  uint32_t npu_fallbacks() const { return npu_fallbacks_; }
  // Gives up on the operator in flight on the NPU (a timeout): the backend is cancelled
  // and the next step() recomputes the operator on the CPU.
  void abort_npu();
  bool waiting_on_npu() const { return npu_pending_; }
  // Whether the operator in flight on the NPU has ended (completed or faulted): the next
  // step() then takes its result (or starts the CPU fallback) without waiting.
  bool npu_finished() const {
    return npu_pending_ && (npu_state_ == NpuState::kComplete || npu_state_ == NpuState::kFault) && !npu_draining();
  }
  // After abort_npu(): the backend is still stopping (it may still write the operator's
  // buffers), so the CPU fallback must wait; step() returns kWaitingOnNpu until it has.
  bool npu_draining() const { return npu_pending_ && npu_cancelled_ && npu_ != nullptr && npu_->busy(); }

  using ProfileHook = void (*)(void* user, const OpProfile& profile);
  using TickSource = uint64_t (*)();
  // Calls `hook` after every operator with start/end ticks from `now`. `op_macs` (from
  // measure(), caller-owned so the arena carries no profiling tables) adds MAC counts.
  void set_profiler(ProfileHook hook, void* user, TickSource now, Span<const uint64_t> op_macs = {}) {
    profile_hook_ = hook;
    profile_user_ = user;
    now_ = now;
    profile_macs_ = op_macs;
  }

 private:
  EvalContext context_for(size_t op_index) const;
  int32_t slice_extent(const Kernel& kernel, const OpInfo& op) const;
  Status run_on_cpu(size_t op_index);
  static void on_npu_done(void* user, NpuState state);

  const Model* model_ = nullptr;
  const OpResolver* resolver_ = nullptr;
  NpuBackend* npu_ = nullptr;
  uint8_t** tensor_data_ = nullptr;     // per tensor (persistent area)
  const void** op_data_ = nullptr;      // per op (persistent area)
  uint8_t* op_kernel_ = nullptr;        // per op: index into the resolver (persistent area)
  Span<uint8_t> scratch_;
  ArenaNeeds needs_;
  size_t next_op_ = 0;
  volatile NpuState npu_state_ = NpuState::kIdle;
  bool npu_pending_ = false;
  bool npu_cancelled_ = false;  // the operator in flight was abandoned (abort_npu)
  uint32_t npu_fallbacks_ = 0;
  ProfileHook profile_hook_ = nullptr;
  void* profile_user_ = nullptr;
  TickSource now_ = nullptr;
  Span<const uint64_t> profile_macs_;
  uint64_t op_start_ = 0;
  Span<const uint8_t> slices_;
  uint32_t slice_ = 0;  // the next band of the current operator
};

}  // namespace chorus::runtime
