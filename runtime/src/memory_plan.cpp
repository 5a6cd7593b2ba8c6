#include "chorus/runtime/memory_plan.hpp"

#include <cstring>

namespace chorus::runtime {
namespace {

bool is_view(int32_t code) {
  return code == static_cast<int32_t>(OpCode::kReshape) || code == static_cast<int32_t>(OpCode::kSqueeze);
}

struct Buffer {
  uint32_t size;
  uint32_t offset;
  int32_t first;
  int32_t last;
  uint32_t align;
  uint8_t placed;
  uint8_t fixed;
};

size_t align_up(size_t v, size_t a) { return (v + a - 1) / a * a; }

// Workspace layout: Buffer[n], int32 root[n], uint32 order[n], uint32 best[n] (offsets
// of the best strategy so far), uint32 perm[n] (a shuffled order), uint32 ops[num_ops]
// (operators by live bytes).
struct Workspace {
  Buffer* buffers;
  int32_t* root;
  uint32_t* order;
  uint32_t* best;
  uint32_t* perm;
  uint32_t* ops;
};

size_t workspace_for(size_t n, size_t num_ops) {
  return align_up(n * sizeof(Buffer), 8) + align_up(n * sizeof(int32_t), 8) + 3 * align_up(n * sizeof(uint32_t), 8) +
         num_ops * sizeof(uint32_t) + 8;
}

Workspace carve(Span<uint8_t> ws, size_t n) {
  uint8_t* p = reinterpret_cast<uint8_t*>(align_up(reinterpret_cast<uintptr_t>(ws.data()), 8));
  Workspace w;
  w.buffers = reinterpret_cast<Buffer*>(p);
  p += align_up(n * sizeof(Buffer), 8);
  w.root = reinterpret_cast<int32_t*>(p);
  p += align_up(n * sizeof(int32_t), 8);
  w.order = reinterpret_cast<uint32_t*>(p);
  p += align_up(n * sizeof(uint32_t), 8);
  w.best = reinterpret_cast<uint32_t*>(p);
  p += align_up(n * sizeof(uint32_t), 8);
  w.perm = reinterpret_cast<uint32_t*>(p);
  p += align_up(n * sizeof(uint32_t), 8);
  w.ops = reinterpret_cast<uint32_t*>(p);
  return w;
}

int32_t find_root(int32_t* root, int32_t t) {
  while (root[t] != t) t = root[t];
  return t;
}

// Phase 1: lifetimes per buffer root (views share their input's buffer). Tensors outside
// the activation area get root -1.
void compute_lifetimes(const Model& model, Workspace& w) {
  const size_t n = model.num_tensors();
  for (size_t t = 0; t < n; ++t) {
    const TensorInfo info = model.tensor(t);
    const bool activation = info.constant_data == nullptr && !info.is_variable;
    w.root[t] = activation ? static_cast<int32_t>(t) : -1;
    w.buffers[t] = Buffer{static_cast<uint32_t>(info.bytes), 0, -1, -1,
                          static_cast<uint32_t>(dtype_size(info.type) == 0 ? 1 : dtype_size(info.type)), 0, 0};
  }
  auto touch = [&](int32_t t, int32_t op) {
    if (t < 0 || w.root[t] < 0) return;
    Buffer& b = w.buffers[find_root(w.root, t)];
    if (b.first < 0 || op < b.first) b.first = op;
    if (op > b.last) b.last = op;
  };
  const int32_t num_ops = static_cast<int32_t>(model.num_ops());
  for (int32_t in : model.inputs()) touch(in, 0);
  for (int32_t op = 0; op < num_ops; ++op) {
    const OpInfo info = model.op(static_cast<size_t>(op));
    // A view's output shares its input's buffer when both are activations of equal size.
    if (is_view(info.code) && !info.inputs.empty() && info.outputs.size() == 1) {
      const int32_t in = info.inputs[0], out = info.outputs[0];
      if (in >= 0 && w.root[in] >= 0 && w.root[out] >= 0 && in != out &&
          w.buffers[in].size == w.buffers[out].size && find_root(w.root, in) != find_root(w.root, out)) {
        const int32_t r = find_root(w.root, in);
        Buffer& rb = w.buffers[r];
        const Buffer& ob = w.buffers[out];
        if (ob.first >= 0 && (rb.first < 0 || ob.first < rb.first)) rb.first = ob.first;
        if (ob.last > rb.last) rb.last = ob.last;
        if (ob.align > rb.align) rb.align = ob.align;
        w.root[out] = r;
      }
    }
    for (int32_t in : info.inputs) touch(in, op);
    for (int32_t out : info.outputs) touch(out, op);
  }
  for (int32_t out : model.outputs()) touch(out, num_ops > 0 ? num_ops - 1 : 0);
}

bool overlaps_in_time(const Buffer& a, const Buffer& b) { return a.first <= b.last && b.first <= a.last; }

// Places `b` at the offset that fits best: candidates are 0 and the end of every placed,
// time-overlapping buffer; the smallest gap that holds it wins, else the lowest offset.
void place(Workspace& w, size_t count, Buffer& b) {
  if (b.placed) return;
  size_t best = SIZE_MAX, best_gap = SIZE_MAX;
  for (size_t c = 0; c <= count; ++c) {
    size_t cand;
    if (c == count) {
      cand = 0;
    } else {
      const Buffer& p = w.buffers[w.order[c]];
      if (!p.placed || !overlaps_in_time(p, b)) continue;
      cand = p.offset + p.size;
    }
    cand = align_up(cand, b.align);
    size_t next_start = SIZE_MAX;
    bool fits = true;
    for (size_t k = 0; k < count && fits; ++k) {
      const Buffer& p = w.buffers[w.order[k]];
      if (!p.placed || !overlaps_in_time(p, b)) continue;
      if (p.offset < cand + b.size && cand < p.offset + p.size) fits = false;
      else if (p.offset >= cand + b.size && p.offset < next_start) next_start = p.offset;
    }
    if (!fits) continue;
    const size_t gap = next_start == SIZE_MAX ? SIZE_MAX - 1 : next_start - cand;
    if (gap < best_gap || (gap == best_gap && cand < best)) {
      best_gap = gap;
      best = cand;
    }
  }
  b.offset = static_cast<uint32_t>(best);
  b.placed = 1;
}

// --- The phases of plan_memory (as TFLM's greedy planner: buffers with lifetimes, an
// order, a placement per order, the best kept). ---

// Phase 2: the buffers to place (lifetime roots used by some operator), their alignment at
// least `min_align`, listed in w.order; returns how many.
size_t collect_buffers(const Model& model, Workspace& w, size_t min_align) {
  size_t count = 0;
  for (size_t t = 0; t < model.num_tensors(); ++t) {
    if (w.root[t] != static_cast<int32_t>(t)) continue;
    Buffer& b = w.buffers[t];
    if (b.first < 0) {  // never used by an op and not an input/output: nothing to place
      w.root[t] = -1;
      continue;
    }
    if (b.align < min_align) b.align = static_cast<uint32_t>(min_align);
    w.order[count++] = static_cast<uint32_t>(t);
  }
  return count;
}

// The bytes live at operator `op`.
size_t live_bytes_at(const Workspace& w, size_t count, int32_t op) {
  size_t live = 0;
  for (size_t i = 0; i < count; ++i) {
    const Buffer& b = w.buffers[w.order[i]];
    if (b.first <= op && op <= b.last) live += b.size;
  }
  return live;
}

// Phase 3: the lower bound no plan can beat, the largest sum of live bytes at one operator.
size_t lower_bound_bytes(const Workspace& w, size_t count, int32_t num_ops) {
  size_t bound = 0;
  for (int32_t op = 0; op < (num_ops > 0 ? num_ops : 1); ++op) {
    const size_t live = live_bytes_at(w, count, op);
    if (live > bound) bound = live;
  }
  return bound;
}

// Phase 4: an offline plan ("OfflineMemoryAllocation") fixes the offsets it names.
bool apply_offline_plan(Workspace& w, size_t count, Span<const int32_t> offline) {
  if (offline.empty()) return false;
  for (size_t i = 0; i < count; ++i) {
    Buffer& b = w.buffers[w.order[i]];
    const int32_t off = offline[w.order[i]];
    if (off >= 0) {
      b.offset = static_cast<uint32_t>(off);
      b.placed = b.fixed = 1;
    }
  }
  return true;
}

// Phase 5: w.order by size, largest first (ties: earlier first use, then index, so plans
// are deterministic).
void sort_by_size(Workspace& w, size_t count) {
  auto before = [&](uint32_t a, uint32_t b) {
    const Buffer &x = w.buffers[a], &y = w.buffers[b];
    if (x.size != y.size) return x.size > y.size;
    if (x.first != y.first) return x.first < y.first;
    return a < b;
  };
  for (size_t i = 1; i < count; ++i) {
    const uint32_t key = w.order[i];
    size_t j = i;
    while (j > 0 && before(key, w.order[j - 1])) {
      w.order[j] = w.order[j - 1];
      --j;
    }
    w.order[j] = key;
  }
}

// Phase 6: w.ops, the operators by the bytes live at them, largest first (for greedy by
// breadth); returns how many.
size_t sort_ops_by_live_bytes(Workspace& w, size_t count, int32_t num_ops) {
  size_t n = 0;
  for (int32_t op = 0; op < num_ops; ++op) w.ops[n++] = static_cast<uint32_t>(op);
  for (size_t i = 1; i < n; ++i) {
    const uint32_t key = w.ops[i];
    const size_t key_live = live_bytes_at(w, count, static_cast<int32_t>(key));
    size_t j = i;
    while (j > 0 && live_bytes_at(w, count, static_cast<int32_t>(w.ops[j - 1])) < key_live) {
      w.ops[j] = w.ops[j - 1];
      --j;
    }
    w.ops[j] = key;
  }
  return n;
}

// Phase 7, one strategy each: every buffer not fixed by an offline plan placed again.
void unplace(Workspace& w, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    Buffer& b = w.buffers[w.order[i]];
    if (!b.fixed) b.placed = 0;
  }
}

// Greedy by size (Pisarchyk and Lee, "Efficient Memory Management for Deep Neural Net
// Inference", 2020): largest first.
void place_by_size(Workspace& w, size_t count) {
  for (size_t i = 0; i < count; ++i) place(w, count, w.buffers[w.order[i]]);
}

// Greedy by breadth (the same paper): operators by live bytes, each operator's unplaced
// buffers by size, then any left.
void place_by_breadth(Workspace& w, size_t count, size_t num_ops_live) {
  for (size_t k = 0; k < num_ops_live; ++k) {
    const int32_t op = static_cast<int32_t>(w.ops[k]);
    for (size_t i = 0; i < count; ++i) {  // w.order is by size: largest first
      Buffer& b = w.buffers[w.order[i]];
      if (!b.placed && b.first <= op && op <= b.last) place(w, count, b);
    }
  }
  for (size_t i = 0; i < count; ++i) place(w, count, w.buffers[w.order[i]]);
}

// A perturbed size order (each buffer may swap with one of the next three; xorshift32):
// greedy placement is sensitive to order, and a handful of tries usually reaches the lower
// bound. Works on w.perm so the size order stays.
void place_shuffled(Workspace& w, size_t count, uint32_t* rng) {
  for (size_t i = 0; i < count; ++i) w.perm[i] = w.order[i];
  for (size_t i = 0; i + 1 < count; ++i) {
    *rng ^= *rng << 13;
    *rng ^= *rng >> 17;
    *rng ^= *rng << 5;
    const size_t j = i + *rng % (count - i < 4 ? count - i : 4);
    const uint32_t tmp = w.perm[i];
    w.perm[i] = w.perm[j];
    w.perm[j] = tmp;
  }
  for (size_t i = 0; i < count; ++i) place(w, count, w.buffers[w.perm[i]]);
}

size_t end_of_placement(const Workspace& w, size_t count) {
  size_t end_bytes = 0;
  for (size_t i = 0; i < count; ++i) {
    const Buffer& b = w.buffers[w.order[i]];
    if (static_cast<size_t>(b.offset) + b.size > end_bytes) end_bytes = static_cast<size_t>(b.offset) + b.size;
  }
  return end_bytes;
}

// Phase 7: by size, by breadth, then `shuffles` perturbed orders, stopping at the lower
// bound; the smallest placement's offsets end up in the buffers.
void search_placements(Workspace& w, size_t count, size_t num_ops_live, size_t bound, uint32_t shuffles) {
  size_t best_end = SIZE_MAX;
  uint32_t rng = 0x2545F491u;
  const uint32_t tries = 2 + shuffles;
  for (uint32_t strategy = 0; strategy < tries; ++strategy) {
    if (best_end == bound) break;  // cannot do better
    unplace(w, count);
    if (strategy == 0)
      place_by_size(w, count);
    else if (strategy == 1)
      place_by_breadth(w, count, num_ops_live);
    else
      place_shuffled(w, count, &rng);
    const size_t end_bytes = end_of_placement(w, count);
    if (end_bytes < best_end) {  // `best` keeps the winning offsets in size order
      best_end = end_bytes;
      for (size_t i = 0; i < count; ++i) w.best[i] = w.buffers[w.order[i]].offset;
    }
  }
  for (size_t i = 0; i < count; ++i) w.buffers[w.order[i]].offset = w.best[i];
}

// Phase 8: every tensor's offset (its buffer's; kNotPlanned outside the activations), its
// lifetime, the aliases and the activation bytes.
void write_offsets(const Model& model, Workspace& w, Span<uint32_t> offsets, Span<LifetimeInterval> lifetimes,
                   MemoryPlan* plan) {
  const size_t n = model.num_tensors();
  for (size_t t = 0; t < n; ++t) {
    const int32_t r = w.root[t] < 0 ? -1 : find_root(w.root, static_cast<int32_t>(t));
    if (r < 0 || w.buffers[r].first < 0) {
      offsets[t] = kNotPlanned;
      if (t < lifetimes.size()) lifetimes[t] = LifetimeInterval{};
      continue;
    }
    if (t < lifetimes.size()) lifetimes[t] = LifetimeInterval{w.buffers[r].first, w.buffers[r].last};
    if (r != static_cast<int32_t>(t)) ++plan->alias_count;
    offsets[t] = w.buffers[r].offset;
    const size_t end = static_cast<size_t>(w.buffers[r].offset) + w.buffers[r].size;
    if (end > plan->activation_bytes) plan->activation_bytes = end;
  }
  plan->offsets = Span<const uint32_t>(offsets.data(), n);
}

}  // namespace

size_t plan_workspace_bytes(const Model& model) { return workspace_for(model.num_tensors(), model.num_ops()); }

Result<MemoryPlan> plan_memory(const Model& model, Span<uint32_t> offsets, Span<uint8_t> workspace,
                               const PlanOptions& options, Span<LifetimeInterval> lifetimes) {
  const size_t n = model.num_tensors();
  if (offsets.size() < n)
    return Status::error(StatusCode::kInvalidArgument, "memory plan: %zu offset slots for %zu tensors", offsets.size(), n);
  const size_t need = workspace_for(n, model.num_ops());
  if (workspace.size() < need)
    return Status::error(StatusCode::kOutOfMemory, "memory plan: workspace needs %zu bytes, has %zu", need, workspace.size());
  Workspace w = carve(workspace, n);
  const int32_t num_ops = static_cast<int32_t>(model.num_ops());

  MemoryPlan plan;
  compute_lifetimes(model, w);                                                                     // 1
  const size_t count = collect_buffers(model, w, options.min_alignment == 0 ? 1 : options.min_alignment);  // 2
  plan.num_buffers = count;
  plan.lower_bound_bytes = lower_bound_bytes(w, count, num_ops);                                   // 3
  plan.offline = apply_offline_plan(w, count, options.use_offline_plan ? model.offline_offsets() : Span<const int32_t>());  // 4
  sort_by_size(w, count);                                                                          // 5
  const size_t num_ops_live = sort_ops_by_live_bytes(w, count, num_ops);                           // 6
  search_placements(w, count, num_ops_live, plan.lower_bound_bytes, options.shuffle_tries);        // 7
  write_offsets(model, w, offsets, lifetimes, &plan);                                              // 8
  return plan;
}

}  // namespace chorus::runtime
