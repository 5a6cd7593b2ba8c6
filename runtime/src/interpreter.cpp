#include "chorus/runtime/interpreter.hpp"

#include <cstring>

namespace chorus::runtime {
namespace {

constexpr size_t kPtrAlign = alignof(void*);

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Fills a variable tensor with its zero point (TFLM resets variable tensors so).
void reset_variable(const TensorInfo& info, uint8_t* data) {
  const int32_t zp = info.quant.count > 0 ? info.quant.zero_point : 0;
  switch (info.type) {
    case DType::kInt8:
      std::memset(data, static_cast<int8_t>(zp), info.bytes);
      break;
    case DType::kInt16: {
      int16_t* p = reinterpret_cast<int16_t*>(data);
      for (size_t i = 0; i < info.bytes / 2; ++i) p[i] = static_cast<int16_t>(zp);
      break;
    }
    default:
      std::memset(data, 0, info.bytes);
      break;
  }
}

// Persistent bytes of the interpreter's own tables plus every variable tensor.
size_t table_bytes(const Model& model, PersistentAllocator& alloc) {
  alloc.allocate(sizeof(uint8_t*) * model.num_tensors(), kPtrAlign);
  alloc.allocate(sizeof(void*) * model.num_ops(), kPtrAlign);
  alloc.allocate(model.num_ops(), 1);
  for (size_t t = 0; t < model.num_tensors(); ++t) {
    const TensorInfo info = model.tensor(t);
    if (info.is_variable) alloc.allocate(info.bytes, 16);
  }
  return alloc.used();
}

Status prepare_all(const Model& model, const OpResolver& resolver, PersistentAllocator& alloc, size_t* scratch,
                   const void** op_data, uint8_t* op_kernel, Span<uint64_t> op_macs,
                   KernelVariant variant = build_kernel_variant()) {
  *scratch = 0;
  for (size_t i = 0; i < model.num_ops(); ++i) {
    const OpInfo op = model.op(i);
    const Kernel* kernel = resolver.find(op);
    if (kernel == nullptr)
      return Status::error(StatusCode::kUnsupported, "op %zu (%s): operator is not supported by this build", i, op.name());
    PrepareContext ctx(model, i, op, alloc, variant);
    Status s = kernel->prepare(ctx);
    if (!s.is_ok()) return s;
    if (!alloc.measuring() && alloc.overflowed())
      return Status::error(StatusCode::kOutOfMemory, "op %zu (%s): persistent area too small (%zu bytes, needs %zu)", i,
                           op.name(), alloc.capacity(), alloc.used());
    if (ctx.scratch_bytes() > *scratch) *scratch = ctx.scratch_bytes();
    if (op_data != nullptr) op_data[i] = ctx.op_data();
    if (op_kernel != nullptr) op_kernel[i] = static_cast<uint8_t>(kernel - resolver.kernels().data());
    if (i < op_macs.size()) op_macs[i] = ctx.macs();
  }
  return Status::ok();
}

}  // namespace

Result<ArenaNeeds> Interpreter::measure(const Model& model, const MemoryPlan& plan, const OpResolver& resolver,
                                        Span<uint64_t> op_macs, KernelVariant variant) {
  if (resolver.kernels().size() > 255)
    return Status::error(StatusCode::kInvalidArgument, "op resolver holds %zu kernels; at most 255", resolver.kernels().size());
  PersistentAllocator counter;
  table_bytes(model, counter);
  size_t scratch = 0;
  CHORUS_RETURN_IF_ERROR(prepare_all(model, resolver, counter, &scratch, nullptr, nullptr, op_macs, variant));
  ArenaNeeds needs;
  needs.activation_bytes = plan.activation_bytes;
  needs.persistent_bytes = align_up(counter.used(), kArenaAlignment);
  needs.scratch_bytes = align_up(scratch, kArenaAlignment);
  return needs;
}

uint64_t Interpreter::op_macs(const Model& model, size_t op_index, const OpResolver& resolver) {
  const OpInfo op = model.op(op_index);
  const Kernel* kernel = resolver.find(op);
  if (kernel == nullptr) return 0;
  PersistentAllocator counter;
  PrepareContext ctx(model, op_index, op, counter);
  return kernel->prepare(ctx).is_ok() ? ctx.macs() : 0;
}

Status Interpreter::init(const Model& model, const MemoryPlan& plan, Span<uint8_t> arena, const OpResolver& resolver,
                         NpuBackend* npu) {
  Result<ArenaNeeds> needs = measure(model, plan, resolver);
  if (!needs.is_ok()) return needs.status();
  // Layout: [activations | scratch | persistent], each start 16-byte aligned.
  uint8_t* base = reinterpret_cast<uint8_t*>(align_up(reinterpret_cast<uintptr_t>(arena.data()), kArenaAlignment));
  const size_t lost = static_cast<size_t>(base - arena.data());
  const size_t act = align_up(needs->activation_bytes, kArenaAlignment);
  const size_t total = act + needs->scratch_bytes + needs->persistent_bytes;
  if (arena.data() == nullptr || arena.size() < lost || arena.size() - lost < total)
    return Status::error(StatusCode::kOutOfMemory,
                         "arena too small: needs %zu bytes (activations %zu, scratch %zu, persistent %zu), has %zu", total + lost,
                         needs->activation_bytes, needs->scratch_bytes, needs->persistent_bytes, arena.size());
  ArenaRegions regions;
  regions.activations = Span<uint8_t>(base, act);
  regions.scratch = Span<uint8_t>(base + act, needs->scratch_bytes);
  regions.persistent = Span<uint8_t>(base + act + needs->scratch_bytes, needs->persistent_bytes);
  return init(model, plan, regions, resolver, npu);
}

Status Interpreter::init(const Model& model, const MemoryPlan& plan, const ArenaRegions& regions, const OpResolver& resolver,
                         NpuBackend* npu) {
  model_ = nullptr;
  Result<ArenaNeeds> needs = measure(model, plan, resolver);
  if (!needs.is_ok()) return needs.status();
  if (plan.offsets.size() != model.num_tensors())
    return Status::error(StatusCode::kInvalidArgument, "memory plan has %zu offsets, model has %zu tensors", plan.offsets.size(),
                         model.num_tensors());
  if (regions.activations.size() < needs->activation_bytes)
    return Status::error(StatusCode::kOutOfMemory, "activation area too small: needs %zu bytes, has %zu", needs->activation_bytes,
                         regions.activations.size());
  if (regions.persistent.size() < needs->persistent_bytes)
    return Status::error(StatusCode::kOutOfMemory, "persistent area too small: needs %zu bytes, has %zu", needs->persistent_bytes,
                         regions.persistent.size());
  if (regions.scratch.size() < needs->scratch_bytes)
    return Status::error(StatusCode::kOutOfMemory, "scratch area too small: needs %zu bytes, has %zu", needs->scratch_bytes,
                         regions.scratch.size());
  if (reinterpret_cast<uintptr_t>(regions.activations.data()) % kArenaAlignment != 0 ||
      reinterpret_cast<uintptr_t>(regions.persistent.data()) % kArenaAlignment != 0)
    return Status::error(StatusCode::kInvalidArgument, "arena areas must start %zu-byte aligned", kArenaAlignment);

  PersistentAllocator alloc(regions.persistent.data(), regions.persistent.size());
  tensor_data_ = static_cast<uint8_t**>(alloc.allocate(sizeof(uint8_t*) * model.num_tensors(), kPtrAlign));
  op_data_ = static_cast<const void**>(alloc.allocate(sizeof(void*) * model.num_ops(), kPtrAlign));
  op_kernel_ = static_cast<uint8_t*>(alloc.allocate(model.num_ops(), 1));
  for (size_t t = 0; t < model.num_tensors(); ++t) {
    const TensorInfo info = model.tensor(t);
    if (info.constant_data != nullptr) {
      // Weights are read in place; kernels never write a constant input.
      tensor_data_[t] = const_cast<uint8_t*>(info.constant_data);
    } else if (info.is_variable) {
      tensor_data_[t] = static_cast<uint8_t*>(alloc.allocate(info.bytes, 16));
      reset_variable(info, tensor_data_[t]);
    } else if (plan.offsets[t] != kNotPlanned) {
      if (static_cast<size_t>(plan.offsets[t]) + info.bytes > regions.activations.size())
        return Status::error(StatusCode::kOutOfRange, "tensor %zu '%s': planned at %u + %zu bytes, past the %zu-byte activation area",
                             t, info.name, static_cast<unsigned>(plan.offsets[t]), info.bytes, regions.activations.size());
      tensor_data_[t] = regions.activations.data() + plan.offsets[t];
    } else {
      tensor_data_[t] = nullptr;
    }
  }
  size_t scratch = 0;
  CHORUS_RETURN_IF_ERROR(prepare_all(model, resolver, alloc, &scratch, op_data_, op_kernel_, {}));

  model_ = &model;
  resolver_ = &resolver;
  npu_ = npu;
  scratch_ = regions.scratch;
  needs_ = *needs;
  next_op_ = 0;
  slice_ = 0;
  npu_pending_ = false;
  npu_cancelled_ = false;
  npu_fallbacks_ = 0;
  return Status::ok();
}

void Interpreter::reset_state() {
  for (size_t t = 0; t < model_->num_tensors(); ++t) {
    const TensorInfo info = model_->tensor(t);
    if (info.is_variable) reset_variable(info, tensor_data_[t]);
  }
  for (size_t i = 0; i < model_->num_ops(); ++i) {
    const Kernel& kernel = resolver_->kernels()[op_kernel_[i]];
    if (kernel.reset != nullptr && op_data_[i] != nullptr) kernel.reset(op_data_[i]);
  }
}

EvalContext Interpreter::context_for(size_t op_index) const {
  const OpInfo op = model_->op(op_index);
  EvalContext ctx;
  ctx.op_data = op_data_[op_index];
  ctx.tensor_data = tensor_data_;
  ctx.inputs = op.inputs.data();
  ctx.outputs = op.outputs.data();
  ctx.num_inputs = static_cast<uint32_t>(op.inputs.size());
  ctx.num_outputs = static_cast<uint32_t>(op.outputs.size());
  ctx.scratch = scratch_.data();
  ctx.scratch_bytes = scratch_.size();
  return ctx;
}

int32_t Interpreter::slice_extent(const Kernel& kernel, const OpInfo& op) const {
  const Shape shape = model_->tensor(static_cast<size_t>(op.outputs[0])).shape;
  const int axis = kernel.slice_axis == kSliceLastAxis ? shape.rank - 1 : kernel.slice_axis;
  return axis >= 0 && axis < shape.rank ? shape.dims[axis] : 1;
}

bool Interpreter::sliceable(size_t op) const {
  const Kernel& kernel = resolver_->kernels()[op_kernel_[op]];
  return kernel.slice_axis != 0;
}

uint32_t Interpreter::max_slices(size_t op) const {
  return max_slices(*model_, *resolver_, op);
}

uint32_t Interpreter::max_slices(const Model& model, const OpResolver& resolver, size_t op) {
  const OpInfo info = model.op(op);
  const Kernel* kernel = resolver.find(info);
  if (kernel == nullptr || kernel->slice_axis == 0 || info.outputs.empty() || info.outputs[0] < 0) return 1;
  const Shape shape = model.tensor(static_cast<size_t>(info.outputs[0])).shape;
  const int axis = kernel->slice_axis == kSliceLastAxis ? shape.rank - 1 : kernel->slice_axis;
  const int32_t extent = axis >= 0 && axis < shape.rank ? shape.dims[axis] : 1;
  return extent < 1 ? 1u : static_cast<uint32_t>(extent);
}

uint32_t Interpreter::slices_of(size_t op) const {
  if (op >= slices_.size() || slices_[op] <= 1 || !sliceable(op)) return 1;
  const OpInfo info = model_->op(op);
  const Kernel& kernel = resolver_->kernels()[op_kernel_[op]];
  const int32_t extent = slice_extent(kernel, info);
  return extent < static_cast<int32_t>(slices_[op]) ? static_cast<uint32_t>(extent < 1 ? 1 : extent) : slices_[op];
}

Status Interpreter::run_on_cpu(size_t op_index) {
  const Kernel& kernel = resolver_->kernels()[op_kernel_[op_index]];
  EvalContext ctx = context_for(op_index);
  const uint32_t slices = slices_of(op_index);
  if (slices > 1) {
    const int32_t extent = slice_extent(kernel, model_->op(op_index));
    ctx.slice_begin = static_cast<int32_t>(static_cast<int64_t>(extent) * slice_ / slices);
    ctx.slice_end = static_cast<int32_t>(static_cast<int64_t>(extent) * (slice_ + 1) / slices);
  }
  Status s = kernel.eval(ctx);
  if (!s.is_ok()) {
    const OpInfo op = model_->op(op_index);
    s.prefix("op %zu (%s): ", op_index, op.name());
  }
  return s;
}

void Interpreter::abort_npu() {
  if (!npu_pending_) return;
  npu_->cancel();
  npu_state_ = NpuState::kFault;
  npu_cancelled_ = true;
}

void Interpreter::on_npu_done(void* user, NpuState state) { static_cast<Interpreter*>(user)->npu_state_ = state; }

Result<StepResult> Interpreter::step() {
  if (model_ == nullptr) return Status::error(StatusCode::kFailedPrecondition, "interpreter is not initialised");
  const size_t num_ops = model_->num_ops();
  if (num_ops == 0) return StepResult::kDone;
  const size_t i = next_op_;
  bool ran_on_npu = false;
  bool cpu = true;
  if (npu_pending_) {
    if (npu_cancelled_ && npu_->busy()) {
      // Abandoned, but the NPU has not stopped writing yet: recomputing now could be
      // overwritten. Let the backend move on and wait.
      (void)npu_->poll();
      if (npu_->busy()) return StepResult::kWaitingOnNpu;
    }
    NpuState state = npu_state_;
    if (state == NpuState::kBusy) {
      state = npu_->poll();
      if (state == NpuState::kBusy || state == NpuState::kIdle) state = npu_state_;
    }
    if (state == NpuState::kBusy || state == NpuState::kIdle) return StepResult::kWaitingOnNpu;
    npu_pending_ = false;
    npu_cancelled_ = false;
    npu_state_ = NpuState::kIdle;
    if (state == NpuState::kFault) {
      // The NPU may have written garbage (the backend stopped it before reporting the
      // fault or being cancelled): recompute on the CPU from the intact inputs, in the
      // operator's slices so the fallback stays preemptible.
      ++npu_fallbacks_;
      slice_ = 0;
    } else {
      ran_on_npu = true;
      cpu = false;
    }
  } else if (slice_ == 0) {
    if (profile_hook_ != nullptr && now_ != nullptr) op_start_ = now_();
    if (on_npu(i)) {
      NpuJob job;
      job.model = model_;
      job.op_index = i;
      job.kernel = &resolver_->kernels()[op_kernel_[i]];
      job.context = context_for(i);
      if (job.kernel->before_npu != nullptr) job.kernel->before_npu(job.context);
      npu_state_ = NpuState::kBusy;
      Status s = npu_->submit(job, NpuCompletion{&Interpreter::on_npu_done, this});
      if (s.is_ok()) {
        npu_pending_ = true;
        return StepResult::kWaitingOnNpu;
      }
      npu_state_ = NpuState::kIdle;  // submission refused: run it here
    }
  }
  if (cpu) {
    Status s = run_on_cpu(i);
    if (!s.is_ok()) return s;
    if (slice_ + 1 < slices_of(i)) {
      ++slice_;
      return StepResult::kRanSlice;
    }
    slice_ = 0;
  }
  if (profile_hook_ != nullptr && now_ != nullptr) {
    const OpInfo op = model_->op(i);
    const uint64_t macs = i < profile_macs_.size() ? profile_macs_[i] : 0;
    profile_hook_(profile_user_, OpProfile{i, op.code, op_start_, now_(), macs, ran_on_npu});
  }
  next_op_ = i + 1;
  if (next_op_ == num_ops) {
    next_op_ = 0;
    return StepResult::kDone;
  }
  return StepResult::kRanOp;
}

Status Interpreter::invoke() {
  for (;;) {
    Result<StepResult> r = step();
    if (!r.is_ok()) {
      next_op_ = 0;
      slice_ = 0;
      npu_pending_ = false;
      npu_cancelled_ = false;
      return r.status();
    }
    if (*r == StepResult::kDone) return Status::ok();
  }
}

}  // namespace chorus::runtime
