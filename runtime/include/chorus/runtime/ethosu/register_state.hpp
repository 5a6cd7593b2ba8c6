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
  uint32_t activation = 0;                     // NPU_SET_ACTIVATION
  int32_t activation_min = 0, activation_max = 0;
};

// Follows the register writes of a stream and snapshots the state at each operation.
class RegisterState {
 public:
  // Applies one command. Returns true with `op` filled when the command starts an operation.
  bool apply(const Command& command, NpuOperation* op);

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
