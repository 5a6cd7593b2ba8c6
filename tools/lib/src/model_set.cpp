#include "chorus/tools/model_set.hpp"

namespace chorus::tools {

int ModelSet::add(const std::string& path, uint8_t level, std::string* error) {
  auto entry = std::make_unique<Entry>();
  entry->path = path;
  entry->level = level;
  if (!entry->session.load(path, error)) return -1;  // the message names the file
  if (!entry->session.plan(runtime::PlanOptions(), error)) {
    *error = path + ": " + *error;
    return -1;
  }
  entries_.push_back(std::move(entry));
  return static_cast<int>(entries_.size() - 1);
}

std::vector<sched::ModelFootprint> ModelSet::footprints() const {
  std::vector<sched::ModelFootprint> out;
  for (const auto& e : entries_) {
    const runtime::ArenaNeeds& n = e->session.needs();
    out.push_back(sched::ModelFootprint{n.activation_bytes, n.persistent_bytes, n.scratch_bytes, e->level});
  }
  return out;
}

bool ModelSet::init(std::string* error, runtime::NpuBackend* npu, const std::vector<bool>& npu_models) {
  const std::vector<sched::ModelFootprint> prints = footprints();
  Result<sched::ArenaLayout> layout = sched::layout_arena(Span<const sched::ModelFootprint>(prints.data(), prints.size()));
  if (!layout.is_ok()) {
    *error = layout.status().message();
    return false;
  }
  layout_ = *layout;
  arena_ = AlignedBytes(layout_.total_bytes);
  for (size_t i = 0; i < entries_.size(); ++i) {
    Entry& e = *entries_[i];
    runtime::NpuBackend* backend = i < npu_models.size() && npu_models[i] ? npu : nullptr;
    Status s = e.interpreter.init(e.session.model(), e.session.memory_plan(),
                                  layout_.regions(static_cast<uint32_t>(i), arena_.mutable_span()),
                                  runtime::builtin_op_resolver(), backend);
    if (!s.is_ok()) {
      *error = e.path + ": " + s.message();
      return false;
    }
  }
  return true;
}

}  // namespace chorus::tools
