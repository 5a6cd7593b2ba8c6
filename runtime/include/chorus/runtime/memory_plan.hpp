// Memory planning for one model's activations: lifetimes over the operator order, views
// (RESHAPE, SQUEEZE) aliased to their input, greedy-by-size and greedy-by-breadth
// placement (Pisarchyk & Lee, "Efficient Memory Management for Deep Neural Net
// Inference", 2020) plus a few shuffled orders, keeping the smallest, and an offline plan
// ("OfflineMemoryAllocation" metadata) honoured where the model carries one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::runtime {

// Offset of a tensor that lives outside the activation area (constant, variable, unused).
constexpr uint32_t kNotPlanned = UINT32_MAX;

struct PlanOptions {
  // Minimum offset alignment; each buffer is also aligned to its element size.
  size_t min_alignment = 1;
  // Follow the model's offline plan when it has one.
  bool use_offline_plan = true;
  // Besides greedy by size and greedy by breadth, this many shuffled size orders are
  // tried; the plan with the smallest footprint wins (stops early at the lower bound).
  uint32_t shuffle_tries = 64;
};

struct MemoryPlan {
  Span<const uint32_t> offsets;  // per tensor, kNotPlanned outside the activation area
  size_t activation_bytes = 0;   // end of the highest placed buffer
  size_t lower_bound_bytes = 0;  // the largest sum of activation bytes live at one operator
  size_t num_buffers = 0;        // after aliasing
  size_t alias_count = 0;        // views that share their input's memory
  bool offline = false;          // an offline plan was used
  size_t waste_bytes() const { return activation_bytes - lower_bound_bytes; }
};

// Bytes of workspace `plan_memory` needs for this model (host: a vector; firmware: a
// static buffer or a not-yet-used part of the arena).
size_t plan_workspace_bytes(const Model& model);

// Per-tensor lifetime [first, last] in operator indices, as the planner sees it (a view
// reports its buffer's lifetime; -1, -1 outside the activation area).
struct LifetimeInterval {
  int32_t first = -1;
  int32_t last = -1;
};

// Plans the activations. `offsets` needs one entry per tensor and is what the returned
// plan points to; `workspace` is scratch for the planner only. When `lifetimes` is not
// empty it receives one interval per tensor. In phases (runtime/src/memory_plan.cpp):
// 1 lifetimes, 2 the buffers to place, 3 the lower bound, 4 the offline plan's fixed
// offsets, 5 the size order, 6 the operators by live bytes, 7 the placements searched
// (by size, by breadth, shuffled; the smallest kept), 8 every tensor's offset.
Result<MemoryPlan> plan_memory(const Model& model, Span<uint32_t> offsets, Span<uint8_t> workspace,
                               const PlanOptions& options = PlanOptions(), Span<LifetimeInterval> lifetimes = {});

}  // namespace chorus::runtime
