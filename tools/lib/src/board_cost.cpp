#include "chorus/tools/board_cost.hpp"

namespace chorus::tools {

sched::CostModel cost_from_board(const board::host::BoardDescription& b, uint32_t clock_hz, bool npu_on) {
  sched::CostModel c;
  c.cpu.clock_hz = clock_hz;
  for (int k = 0; k < 4; ++k) c.cpu.millicycles_per_mac[k] = b.cpu.cost.millicycles_per_mac[k];
  c.cpu.millicycles_per_byte = b.cpu.cost.millicycles_per_byte;
  c.cpu.cycles_per_op = b.cpu.cost.cycles_per_op;
  c.cpu.cycles_per_step = b.cpu.cost.cycles_per_step;
  if (npu_on && b.has_npu) {
    c.npu.present = true;
    c.npu.clock_hz = b.npu.clock_hz;
    c.npu.macs_per_cycle = b.npu.macs_per_cycle;
    // Ethos-U55 reaches memory over one 64-bit AXI port (Arm Ethos-U55 TRM): 8 bytes a cycle.
    c.npu.bytes_per_cycle = 8;
  }
  return c;
}

}  // namespace chorus::tools
