// Arena partitions by preemption level (DESIGN.md): models whose jobs never interleave
// (one level) share one activation partition sized for the largest of them; levels stack;
// one scratch area sized for the largest step of any model serves every level (a step is
// never interrupted); each model keeps its own persistent data (tensor table, per-op data,
// recurrent state).
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/interpreter.hpp"
#include "chorus/scheduler/limits.hpp"

namespace chorus::sched {

struct ModelFootprint {
  size_t activation_bytes = 0;
  size_t persistent_bytes = 0;
  size_t scratch_bytes = 0;
  uint8_t level = 0;
};

struct ArenaLayout {
  static constexpr uint32_t kMaxLevels = 8;
  static constexpr uint32_t kMaxModels = CHORUS_MAX_PIPELINES;
  static constexpr size_t kAlignment = 16;

  uint32_t num_levels = 0;
  uint32_t num_models = 0;
  size_t level_offset[kMaxLevels] = {};
  size_t level_bytes[kMaxLevels] = {};
  size_t scratch_offset = 0;
  size_t scratch_bytes = 0;
  size_t persistent_offset[kMaxModels] = {};
  size_t persistent_bytes[kMaxModels] = {};
  uint8_t model_level[kMaxModels] = {};
  size_t total_bytes = 0;

  // Sum over levels of the largest activation area on each (the shared part).
  size_t partition_bytes() const;
  // The areas model `m` gets inside `arena` (which must be total_bytes long, 16-aligned).
  runtime::ArenaRegions regions(uint32_t m, Span<uint8_t> arena) const;
};

// Lays out [level 0 | level 1 | ... | scratch | persistent of each model].
Result<ArenaLayout> layout_arena(Span<const ModelFootprint> models);

// What the same models need with one arena each (their own activations, scratch and
// persistent data): the baseline a shared arena is compared against.
size_t separate_arenas_bytes(Span<const ModelFootprint> models);

}  // namespace chorus::sched
