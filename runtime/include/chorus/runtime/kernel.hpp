// The kernel interface. As in TFLM, a kernel splits *prepare* (check shapes and types,
// derive quantisation multipliers, size scratch, once) from *eval* (the loop, every
// inference). Eval never allocates and never fails on shapes prepare accepted; it may
// fail on data (an int32 division by zero).
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::runtime {

// Which implementations of the kernels a build compiles: their scratch needs differ (an
// im2col panel, requantisation records). The plain reference loops
// (CHORUS_REFERENCE_KERNELS), the portable fast loops (the host, Cortex-M0+/M3), Arm's DSP
// kernels (Cortex-M4/M7/M33) or its Helium kernels (Cortex-M55/M85). A host tool planning
// for a target measures with the target's variant.
enum class KernelVariant : uint8_t { kReference, kPortable, kArmDsp, kArmMve };
KernelVariant build_kernel_variant();
const char* kernel_variant_name(KernelVariant variant);

// Bump allocator for an op's persistent data. In measuring mode it only counts and
// returns nullptr, so prepare must check the pointer before writing.
class PersistentAllocator {
 public:
  PersistentAllocator() = default;  // measuring
  PersistentAllocator(uint8_t* base, size_t capacity) : base_(base), capacity_(capacity) {}

  void* allocate(size_t bytes, size_t align);
  bool measuring() const { return base_ == nullptr; }
  size_t used() const { return used_; }
  size_t capacity() const { return capacity_; }
  bool overflowed() const { return overflowed_; }

 private:
  uint8_t* base_ = nullptr;
  size_t capacity_ = 0;
  size_t used_ = 0;
  bool overflowed_ = false;
};

class PrepareContext {
 public:
  PrepareContext(const Model& model, size_t op_index, const OpInfo& op, PersistentAllocator& alloc,
                 KernelVariant variant = build_kernel_variant())
      : model_(model), op_index_(op_index), op_(op), alloc_(alloc), variant_(variant) {}

  const Model& model() const { return model_; }
  const OpInfo& op() const { return op_; }
  size_t op_index() const { return op_index_; }
  size_t num_inputs() const { return op_.inputs.size(); }
  size_t num_outputs() const { return op_.outputs.size(); }
  bool has_input(size_t i) const { return i < op_.inputs.size() && op_.inputs[i] >= 0; }
  TensorInfo input(size_t i) const { return model_.tensor(static_cast<size_t>(op_.inputs[i])); }
  TensorInfo output(size_t i) const { return model_.tensor(static_cast<size_t>(op_.outputs[i])); }
  // Typed view of the builtin options table (nullptr when the model has none).
  template <class Options>
  const Options* options() const { return static_cast<const Options*>(op_.options); }

  // Persistent per-op data; nullptr while measuring (check before writing).
  template <class T>
  T* allocate(size_t count = 1) {
    return static_cast<T*>(alloc_.allocate(sizeof(T) * count, alignof(T)));
  }
  // Raw persistent bytes (for structs with a trailing per-channel array).
  void* allocate_bytes(size_t bytes, size_t align) { return alloc_.allocate(bytes, align); }
  bool measuring() const { return alloc_.measuring(); }
  // The kernel variant whose scratch is requested (this build's, unless measuring for a target).
  KernelVariant variant() const { return variant_; }
  // Stores the op's data pointer for eval.
  void set_op_data(const void* data) { op_data_ = data; }
  const void* op_data() const { return op_data_; }
  // Transient scratch for eval; one area sized for the largest request serves every op.
  void request_scratch(size_t bytes) { scratch_bytes_ = bytes > scratch_bytes_ ? bytes : scratch_bytes_; }
  size_t scratch_bytes() const { return scratch_bytes_; }
  // Multiply-accumulates per inference, for profiling and the cost model.
  void set_macs(uint64_t macs) { macs_ = macs; }
  uint64_t macs() const { return macs_; }
  // True when the output may share the input's memory (RESHAPE-like views).
  void set_output_aliases_input() { aliases_ = true; }
  bool output_aliases_input() const { return aliases_; }

  // An error naming this op: "op 7 (CONV_2D): <message>".
  Status error(const char* fmt, ...) const __attribute__((format(printf, 2, 3)));

 private:
  const Model& model_;
  size_t op_index_;
  const OpInfo& op_;
  PersistentAllocator& alloc_;
  KernelVariant variant_;
  const void* op_data_ = nullptr;
  size_t scratch_bytes_ = 0;
  uint64_t macs_ = 0;
  bool aliases_ = false;
};

// What eval sees: resolved data pointers and the op's prepared data.
struct EvalContext {
  const void* op_data = nullptr;
  uint8_t* const* tensor_data = nullptr;  // per model tensor
  const int32_t* inputs = nullptr;
  const int32_t* outputs = nullptr;
  uint32_t num_inputs = 0;
  uint32_t num_outputs = 0;
  uint8_t* scratch = nullptr;
  size_t scratch_bytes = 0;
  // A band of the output along the kernel's slice axis, [slice_begin, slice_end), when the
  // interpreter splits a long operator into several steps; slice_end < 0: the whole output.
  int32_t slice_begin = 0;
  int32_t slice_end = -1;

  template <class T>
  const T* input(size_t i) const {
    return i < num_inputs && inputs[i] >= 0 ? reinterpret_cast<const T*>(tensor_data[inputs[i]]) : nullptr;
  }
  template <class T>
  T* output(size_t i) const {
    return reinterpret_cast<T*>(tensor_data[outputs[i]]);
  }
  // Writable view of an input (variable state tensors are updated in place).
  template <class T>
  T* mutable_input(size_t i) const {
    return reinterpret_cast<T*>(tensor_data[inputs[i]]);
  }
  template <class T>
  const T* data() const {
    return static_cast<const T*>(op_data);
  }
};

struct Kernel {
  int32_t code;                // OpCode value
  const char* custom_name;     // CUSTOM ops only
  Status (*prepare)(PrepareContext& ctx);
  Status (*eval)(const EvalContext& ctx);
  // The output dimension eval can compute in bands (EvalContext::slice_begin/end), so a
  // long operator can run as several scheduler steps; 0: the op always runs whole;
  // kSliceLastAxis: the output's last dimension, whatever its rank.
  uint8_t slice_axis = 0;
  // Restores state the kernel keeps in its persistent op data (a noise estimate, say) to
  // its initial value; nullptr for kernels without such state. Interpreter::reset_state
  // calls it, as TFLM's Reset calls each registration's reset.
  void (*reset)(const void* op_data) = nullptr;
  // Called by the interpreter just before it submits the operator to an NPU backend. A
  // kernel whose operator's NPU job may overwrite its own inputs (Vela's ethos-u operator:
  // its inputs live inside the NPU's scratch) keeps a copy here, so that eval -- the CPU
  // fallback after a faulted or abandoned job -- can start from the inputs as they were.
  void (*before_npu)(const EvalContext& ctx) = nullptr;
};

constexpr uint8_t kSliceLastAxis = 255;

// The set of kernels a model may use.
class OpResolver {
 public:
  constexpr OpResolver(const Kernel* kernels, size_t count) : kernels_(kernels), count_(count) {}
  const Kernel* find(const OpInfo& op) const;
  Span<const Kernel> kernels() const { return Span<const Kernel>(kernels_, count_); }

 private:
  const Kernel* kernels_;
  size_t count_;
};

// Every kernel Chorus has.
const OpResolver& builtin_op_resolver();

}  // namespace chorus::runtime
