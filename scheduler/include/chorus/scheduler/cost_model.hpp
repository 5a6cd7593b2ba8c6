// Step costs for the simulation and the analysis: cycles per MAC by op kind, per byte
// moved, per operator and per scheduler step, for the CPU and (optionally) an
// Ethos-U-style NPU. The figures come from the board description, where they are measured
// on the core's firmware under QEMU (dts/boards/SCHEMA.md), so the simulated timeline
// follows the code that runs.
#pragma once

#include <cstdint>

#include "chorus/module/board.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::sched {

enum class OpKind : uint8_t { kConv, kDepthwise, kFullyConnected, kElementwise, kCount };

// The kind an op's MACs are charged as.
OpKind op_kind(int32_t op_code);

struct CpuCost {
  uint32_t clock_hz = 100000000;
  // Cycles per multiply-accumulate, x1000 (fixed point: 1500 = 1.5 cycles).
  uint32_t millicycles_per_mac[static_cast<int>(OpKind::kCount)] = {1000, 1000, 1000, 1000};
  uint32_t millicycles_per_byte = 250;  // bytes read + written by the op
  uint32_t cycles_per_op = 200;         // dispatch, prologue, requantisation set-up
  // The scheduler's own work between two steps (release, pick, accounting), charged to
  // every step; measured by bench/ on the host and by the firmware bench under QEMU.
  uint32_t cycles_per_step = 0;
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
  // CPU time of one operator with `macs` MACs moving `bytes` bytes.
  os::TimeNs cpu_op_ns(int32_t op_code, uint64_t macs, uint64_t bytes) const;
  // NPU time of the same operator (bandwidth- or compute-bound, whichever is longer).
  os::TimeNs npu_op_ns(uint64_t macs, uint64_t bytes) const;
  os::TimeNs npu_submit_ns() const { return cycles_to_ns(npu.cpu_cycles_per_submit, cpu.clock_hz); }
  // Bytes an op reads and writes (inputs, weights, outputs).
  static uint64_t op_bytes(const runtime::Model& model, size_t op_index);
};

// The cost model of a board: its CPU's measured cycles per MAC by op kind, per byte, per
// operator and per scheduler step at `clock_hz` (0: the board's clock; the clock search
// tries lower ones), and its NPU's clock and MACs per cycle when `npu_on` and it has one.
CostModel cost_model_from(const board::Board& board, uint32_t clock_hz, bool npu_on);

}  // namespace chorus::sched
