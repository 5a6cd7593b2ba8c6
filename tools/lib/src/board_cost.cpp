#include "chorus/tools/board_cost.hpp"

namespace chorus::tools {

sched::CostModel cost_from_board(const board::host::BoardDescription& b, uint32_t clock_hz, bool npu_on) {
  return sched::cost_model_from(b.view(), clock_hz, npu_on);
}

}  // namespace chorus::tools
