// The register state an Ethos-U command stream builds, and what each operation command
// (NPU_OP_CONV, _DEPTHWISE, _POOL, _ELEMENTWISE) starts with it: the first step of running
// Vela output without the NPU. Field meanings follow the register interface as Arm Vela 3.10.0
// writes it (register_command_stream_generator.py: generate_ofm, generate_kernel,
// generate_padding, generate_ifm_precision, generate_ofm_precision, generate_activation).
// No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/status.hpp"
#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/opcodes.hpp"

namespace chorus::runtime::ethosu {

enum class Layout : uint8_t { kNhwc, kNhcwb16 };

struct FeatureMap {
  uint32_t height = 0, width = 0, depth = 0;      // OFM: its shape (xFM_HEIGHT/WIDTH/DEPTH_M1 + 1); IFM: depth only
  uint32_t tile_height0 = 0, tile_height1 = 0, tile_width0 = 0;  // xFM_HEIGHT0/HEIGHT1/WIDTH0_M1 + 1
  uint32_t region = 0;
  uint64_t base[4] = {0, 0, 0, 0};  // xFM_BASE0..3 (the command word's parameter holds address bits 39..32)
  uint64_t stride_x = 0, stride_y = 0, stride_c = 0;
  int32_t zero_point = 0;  // signed 16-bit
  Layout layout = Layout::kNhwc;
  bool is_signed = false;
  uint32_t bits = 8;  // 8, 16 or 32
};

struct NpuOperation {
  Cmd0 kind = Cmd0::kOpStop;  // kOpConv, kOpDepthwise, kOpPool or kOpElementwise
  uint16_t mode = 0;          // the operation command's parameter (pool / elementwise mode)
  size_t offset = 0;          // byte offset of the operation command in the stream
  FeatureMap ifm, ifm2, ofm;
  uint32_t kernel_width = 0, kernel_height = 0;  // undilated
  uint32_t stride_x = 1, stride_y = 1, dilation_x = 1, dilation_y = 1;
  bool part_kernel_first = false;
  uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  uint32_t weight_region = 0, scale_region = 0;
  uint64_t weight_base = 0, weight_length = 0, scale_base = 0, scale_length = 0;
  uint32_t activation = 0;                     // NPU_SET_ACTIVATION: function in bits 11..0, clip range in 15..12
  int32_t activation_min = 0, activation_max = 0;
  uint32_t ofm_block_depth = 0;                // OFM_BLK_DEPTH_M1 + 1 (the weight streams' block depth)
  uint64_t weight1_base = 0, weight1_length = 0, scale1_base = 0, scale1_length = 0;  // the second core's streams
  uint32_t ofm_scale = 0, ofm_shift = 0;       // NPU_SET_OFM_SCALE (global scale)
  uint32_t opa_scale = 0, opa_shift = 0, opb_scale = 0;
  uint32_t rounding = 0;                       // OFM_PRECISION bits 15..14: 0 TFL, 1 TRUNCATE, 2 NATURAL
  bool global_scale = false;                   // OFM_PRECISION bit 8: OFM_SCALE instead of per-channel scales
  uint32_t op_to_scale = 0;                    // IFM_PRECISION bits 9..8: 0 both 16-bit, 1 OPA 32-bit, 2 OPB 32-bit
  uint32_t ifm_upscale = 0;                    // IFM_UPSCALE mode: 0 none, 1 nearest, 2 transpose
  uint32_t ifm2_broadcast = 0;                 // H 0, W 1, C 2, reversed operands 6, scalar 7
  int32_t ifm2_scalar = 0;
  uint32_t acc_format = 0;                     // NPU_SET_ACC_FORMAT
};

// An NPU_OP_DMA_START and the DMA0 registers it starts with.
struct DmaTransfer {
  size_t offset = 0;
  uint16_t mode = 0;  // the command's parameter: channel * 16 + mode
  uint32_t src_region = 0, dst_region = 0;  // region number, or SHRAM when *_internal
  bool src_internal = false, dst_internal = false;
  uint32_t src_stride_mode = 0, dst_stride_mode = 0;
  uint64_t src = 0, dst = 0, length = 0;
};

// Follows the register writes of a stream and snapshots the state at each operation.
class RegisterState {
 public:
  // Applies one command. Returns true with `op` filled when the command starts an operation.
  bool apply(const Command& command, NpuOperation* op);
  // The DMA an NPU_OP_DMA_START command starts, from the registers set before it.
  DmaTransfer dma(const Command& command) const;

 private:
  uint16_t cmd0_[0x190] = {};
  uint32_t cmd1_[0x94] = {};
  uint16_t cmd1_param_[0x94] = {};
  NpuOperation snapshot(const Command& c) const;
  uint64_t address(uint16_t opcode) const;
};

// Calls `fn(user, op)` for every operation of the stream, in order; the number of
// operations, or the reader's error.
Result<size_t> for_each_operation(const DriverPayload& payload, void (*fn)(void* user, const NpuOperation& op), void* user);

}  // namespace chorus::runtime::ethosu
