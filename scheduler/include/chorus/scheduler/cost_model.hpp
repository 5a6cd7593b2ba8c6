// Step costs for the simulation and the analysis: an operator's cycles are linear in a few
// features of its shapes (board::OpFeature: MACs, vector steps, rows, outputs, channel
// set-up, bytes), with coefficients per op kind; plus the scheduler's own work per step,
// and (optionally) an Ethos-U-style NPU. The coefficients come from the board description,
// where they are fitted to per-operator instruction counts measured on the core's firmware
// under QEMU (dts/boards/SCHEMA.md, tools/calibrate_costs.cpp), so the simulated timeline
// follows the code that runs.
#pragma once

#include <cstdint>

#include "chorus/module/board.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::runtime {
class OpResolver;
}

namespace chorus::sched {

using board::OpFeature;
using board::OpKind;
constexpr size_t kOpKinds = board::kOpKinds;
constexpr size_t kOpFeatures = board::kOpFeatures;

// The kind an op is charged as: its family, or elementwise / other by whether it has MACs.
OpKind op_kind(int32_t op_code, uint64_t macs);

// One operator's (or slice's) features, in board::OpFeature order.
struct OpFeatures {
  OpKind kind = OpKind::kOther;
  uint64_t value[kOpFeatures] = {};

  uint64_t& operator[](OpFeature f) { return value[static_cast<size_t>(f)]; }
  uint64_t operator[](OpFeature f) const { return value[static_cast<size_t>(f)]; }
  // One of `n` equal slices: every feature but the per-operator one divided (rounded up).
  OpFeatures slice(uint32_t n) const;
};

// The features of `op_index` in `model` with `macs` MACs (Interpreter::op_macs) for kernels
// whose vector step takes `lanes` int8 lanes.
OpFeatures op_features(const runtime::Model& model, size_t op_index, uint64_t macs, uint32_t lanes);
// As above, the MACs from the resolver's kernel.
OpFeatures op_features(const runtime::Model& model, size_t op_index, const runtime::OpResolver& resolver, uint32_t lanes);

struct CpuCost {
  uint32_t clock_hz = 100000000;
  uint8_t lanes = 4;
  // Millicycles per unit of each feature, by kind (board::CostModel). The default charges
  // 200 cycles an operator, a cycle a MAC and a quarter cycle a byte.
  int32_t millicycles[kOpKinds][kOpFeatures] = {
      {200000, 1000, 0, 0, 0, 0, 250, 0, 0}, {200000, 1000, 0, 0, 0, 0, 250, 0, 0}, {200000, 1000, 0, 0, 0, 0, 250, 0, 0},
      {200000, 1000, 0, 0, 0, 0, 250, 0, 0}, {200000, 1000, 0, 0, 0, 0, 250, 0, 0}, {200000, 1000, 0, 0, 0, 0, 250, 0, 0},
      {200000, 1000, 0, 0, 0, 0, 250, 0, 0}};
  // The scheduler's own work between two steps (release, pick, accounting), charged to
  // every step; measured by bench/ on the host and by the firmware bench under QEMU.
  uint32_t cycles_per_step = 0;
  // What the analysis adds to every CPU step's budget, in thousandths (board::CostModel::
  // margin_permille): the budgets the scheduler charges are the fit's predictions; the
  // analysis bounds response times with budgets this much longer.
  uint32_t margin_permille = 0;

  int32_t& at(OpKind k, OpFeature f) { return millicycles[static_cast<size_t>(k)][static_cast<size_t>(f)]; }
  // Cycles of an operator with these features (never negative).
  uint64_t cycles(const OpFeatures& features) const;
};

struct NpuCost {
  bool present = false;
  uint32_t clock_hz = 0;
  uint32_t macs_per_cycle = 0;
  uint32_t bytes_per_cycle = 8;
  uint32_t cycles_per_op = 1000;       // command set-up on the NPU
  uint32_t cpu_cycles_per_submit = 400;  // what submitting and completing costs the CPU
};

struct CostModel {
  CpuCost cpu;
  NpuCost npu;

  os::TimeNs cycles_to_ns(uint64_t cycles, uint32_t clock_hz) const {
    return clock_hz == 0 ? 0 : static_cast<os::TimeNs>((cycles * 1000000000ULL + clock_hz - 1) / clock_hz);
  }
  // CPU time of one operator (or slice) with these features.
  os::TimeNs cpu_op_ns(const OpFeatures& features) const { return cycles_to_ns(cpu.cycles(features), cpu.clock_hz); }
  // NPU time of an operator with `macs` MACs moving `bytes` bytes (bandwidth- or
  // compute-bound, whichever is longer).
  os::TimeNs npu_op_ns(uint64_t macs, uint64_t bytes) const;
  os::TimeNs npu_submit_ns() const { return cycles_to_ns(npu.cpu_cycles_per_submit, cpu.clock_hz); }
  // Bytes an op reads and writes (inputs, weights, outputs).
  static uint64_t op_bytes(const runtime::Model& model, size_t op_index);
};

// The cost model of a board: its CPU's measured coefficients at `clock_hz` (0: the board's
// clock; the clock search tries lower ones), and its NPU's clock and MACs per cycle when
// `npu_on` and it has one.
CostModel cost_model_from(const board::Board& board, uint32_t clock_hz, bool npu_on);

}  // namespace chorus::sched
