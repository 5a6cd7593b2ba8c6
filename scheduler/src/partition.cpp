#include "chorus/scheduler/partition.hpp"

namespace chorus::sched {
namespace {
size_t align_up(size_t v) { return (v + ArenaLayout::kAlignment - 1) / ArenaLayout::kAlignment * ArenaLayout::kAlignment; }
}  // namespace

size_t ArenaLayout::partition_bytes() const {
  size_t n = 0;
  for (uint32_t l = 0; l < num_levels; ++l) n += level_bytes[l];
  return n;
}

runtime::ArenaRegions ArenaLayout::regions(uint32_t m, Span<uint8_t> arena) const {
  runtime::ArenaRegions r;
  const uint8_t l = model_level[m];
  r.activations = Span<uint8_t>(arena.data() + level_offset[l], level_bytes[l]);
  r.scratch = Span<uint8_t>(arena.data() + scratch_offset, scratch_bytes);
  r.persistent = Span<uint8_t>(arena.data() + persistent_offset[m], persistent_bytes[m]);
  return r;
}

Result<ArenaLayout> layout_arena(Span<const ModelFootprint> models) {
  ArenaLayout layout;
  if (models.size() > ArenaLayout::kMaxModels)
    return Status::error(StatusCode::kOutOfRange, "arena layout: %zu models, at most %u", models.size(),
                         static_cast<unsigned>(ArenaLayout::kMaxModels));
  for (size_t m = 0; m < models.size(); ++m) {
    const ModelFootprint& f = models[m];
    if (f.level >= ArenaLayout::kMaxLevels)
      return Status::error(StatusCode::kOutOfRange, "arena layout: model %zu on level %u, at most %u levels", m,
                           static_cast<unsigned>(f.level), static_cast<unsigned>(ArenaLayout::kMaxLevels));
    if (f.level + 1u > layout.num_levels) layout.num_levels = f.level + 1u;
    const size_t act = align_up(f.activation_bytes);
    if (act > layout.level_bytes[f.level]) layout.level_bytes[f.level] = act;
    const size_t scratch = align_up(f.scratch_bytes);
    if (scratch > layout.scratch_bytes) layout.scratch_bytes = scratch;
    layout.model_level[m] = f.level;
    layout.persistent_bytes[m] = align_up(f.persistent_bytes);
  }
  layout.num_models = static_cast<uint32_t>(models.size());
  size_t at = 0;
  for (uint32_t l = 0; l < layout.num_levels; ++l) {
    layout.level_offset[l] = at;
    at += layout.level_bytes[l];
  }
  layout.scratch_offset = at;
  at += layout.scratch_bytes;
  for (uint32_t m = 0; m < layout.num_models; ++m) {
    layout.persistent_offset[m] = at;
    at += layout.persistent_bytes[m];
  }
  layout.total_bytes = at;
  return layout;
}

size_t separate_arenas_bytes(Span<const ModelFootprint> models) {
  size_t n = 0;
  for (const ModelFootprint& f : models) n += align_up(f.activation_bytes) + align_up(f.scratch_bytes) + align_up(f.persistent_bytes);
  return n;
}

}  // namespace chorus::sched
