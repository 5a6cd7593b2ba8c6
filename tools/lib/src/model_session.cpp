#include "chorus/tools/model_session.hpp"

#include <cstring>

namespace chorus::tools {

using namespace chorus::runtime;

bool ModelSession::load(const std::string& path, std::string* error, bool check_kernels) {
  AlignedBytes bytes;
  if (!read_file(path, &bytes, error)) return false;
  if (!load_bytes(std::move(bytes), error, check_kernels)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

bool ModelSession::load_bytes(AlignedBytes bytes, std::string* error, bool check_kernels) {
  file_ = std::move(bytes);
  LoadOptions options{check_kernels ? &builtin_op_resolver() : nullptr};
  Result<Model> loaded = Model::load(file_.span(), options);
  if (!loaded.is_ok()) {
    *error = loaded.status().message();
    return false;
  }
  model_ = std::make_unique<Model>(*loaded);
  return true;
}

bool ModelSession::plan(const PlanOptions& options, std::string* error, KernelVariant variant) {
  offsets_.assign(model_->num_tensors(), 0);
  lifetimes_.assign(model_->num_tensors(), LifetimeInterval{});
  std::vector<uint8_t> workspace(plan_workspace_bytes(*model_));
  Result<MemoryPlan> plan = plan_memory(*model_, Span<uint32_t>(offsets_.data(), offsets_.size()),
                                        Span<uint8_t>(workspace.data(), workspace.size()), options,
                                        Span<LifetimeInterval>(lifetimes_.data(), lifetimes_.size()));
  if (!plan.is_ok()) {
    *error = plan.status().message();
    return false;
  }
  plan_ = *plan;
  op_macs_.assign(model_->num_ops(), 0);
  Result<ArenaNeeds> needs = Interpreter::measure(*model_, plan_, builtin_op_resolver(),
                                                  Span<uint64_t>(op_macs_.data(), op_macs_.size()), variant);
  if (!needs.is_ok()) {
    *error = needs.status().message();
    return false;
  }
  needs_ = *needs;
  return true;
}

bool ModelSession::init(std::string* error, NpuBackend* npu) {
  arena_ = AlignedBytes(needs_.total() + Interpreter::kArenaAlignment);
  Status s = interpreter_.init(*model_, plan_, arena_.mutable_span(), builtin_op_resolver(), npu);
  if (!s.is_ok()) {
    *error = s.message();
    return false;
  }
  return true;
}

RamReport ModelSession::ram() const {
  RamReport r;
  r.activation_bytes = (needs_.activation_bytes + Interpreter::kArenaAlignment - 1) / Interpreter::kArenaAlignment *
                       Interpreter::kArenaAlignment;
  r.scratch_bytes = needs_.scratch_bytes;
  r.persistent_bytes = needs_.persistent_bytes;
  r.object_bytes = sizeof(Model) + sizeof(Interpreter);
  r.lower_bound_bytes = plan_.lower_bound_bytes;
  return r;
}

uint64_t ModelSession::total_macs() const {
  uint64_t n = 0;
  for (uint64_t m : op_macs_) n += m;
  return n;
}

size_t ModelSession::weight_bytes() const {
  size_t n = 0;
  for (size_t t = 0; t < model_->num_tensors(); ++t) {
    const TensorInfo info = model_->tensor(t);
    if (info.constant_data != nullptr) n += info.bytes;
  }
  return n;
}

size_t ModelSession::input_bytes() const {
  size_t n = 0;
  for (int32_t t : model_->inputs()) n += model_->tensor(static_cast<size_t>(t)).bytes;
  return n;
}

size_t ModelSession::output_bytes() const {
  size_t n = 0;
  for (int32_t t : model_->outputs()) n += model_->tensor(static_cast<size_t>(t)).bytes;
  return n;
}

bool ModelSession::set_inputs(const std::vector<uint8_t>& bytes, std::string* error) {
  if (bytes.size() != input_bytes()) {
    *error = "input is " + std::to_string(bytes.size()) + " bytes; the model's inputs take " + std::to_string(input_bytes()) +
             " bytes";
    return false;
  }
  size_t at = 0;
  for (size_t i = 0; i < interpreter_.num_inputs(); ++i) {
    const size_t n = interpreter_.input_info(i).bytes;
    std::memcpy(interpreter_.input(i), bytes.data() + at, n);
    at += n;
  }
  return true;
}

std::vector<uint8_t> ModelSession::outputs() const {
  std::vector<uint8_t> out;
  for (size_t i = 0; i < interpreter_.num_outputs(); ++i) {
    const uint8_t* p = interpreter_.output(i);
    out.insert(out.end(), p, p + interpreter_.output_info(i).bytes);
  }
  return out;
}

}  // namespace chorus::tools
