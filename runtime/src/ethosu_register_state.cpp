#include "chorus/runtime/ethosu/register_state.hpp"

#include "chorus/runtime/ethosu/opcodes.hpp"

namespace chorus::runtime::ethosu {
namespace {

uint16_t op0(Cmd0 c) { return static_cast<uint16_t>(c); }
uint16_t op1(Cmd1 c) { return static_cast<uint16_t>(c); }
int32_t signed16(uint16_t v) { return static_cast<int16_t>(v); }

}  // namespace

uint64_t RegisterState::address(uint16_t opcode) const {
  // A 40-bit address: the payload holds bits 31..0, the command word's parameter bits 39..32.
  return uint64_t{cmd1_[opcode]} | (uint64_t{cmd1_param_[opcode] & 0xFFu} << 32);
}

bool RegisterState::apply(const Command& c, NpuOperation* op) {
  if (c.cmd1) {
    if (c.opcode < 0x94) {
      cmd1_[c.opcode] = c.payload;
      cmd1_param_[c.opcode] = c.param;
    }
    return false;
  }
  switch (static_cast<Cmd0>(c.opcode)) {
    case Cmd0::kOpConv:
    case Cmd0::kOpDepthwise:
    case Cmd0::kOpPool:
    case Cmd0::kOpElementwise:
      *op = snapshot(c);
      return true;
    default:
      if (c.opcode < 0x190) cmd0_[c.opcode] = c.param;
      return false;
  }
}

NpuOperation RegisterState::snapshot(const Command& c) const {
  NpuOperation op;
  op.kind = static_cast<Cmd0>(c.opcode);
  op.mode = c.param;
  op.offset = c.offset;
  auto fm = [&](FeatureMap* f, Cmd0 region, Cmd0 h0, Cmd0 h1, Cmd0 w0, Cmd1 base0, Cmd1 sx, Cmd1 sy, Cmd1 sc, Cmd0 zp, Cmd0 precision,
                bool ofm) {
    f->region = cmd0_[op0(region)] & 0x7;
    f->tile_height0 = cmd0_[op0(h0)] + 1u;
    f->tile_height1 = cmd0_[op0(h1)] + 1u;
    f->tile_width0 = cmd0_[op0(w0)] + 1u;
    for (int i = 0; i < 4; ++i) f->base[i] = address(static_cast<uint16_t>(op1(base0) + i));
    f->stride_x = address(op1(sx));
    f->stride_y = address(op1(sy));
    f->stride_c = address(op1(sc));
    f->zero_point = signed16(cmd0_[op0(zp)]);
    const uint16_t p = cmd0_[op0(precision)];
    // xFM_PRECISION: bit 0 signed, bit 6 NHCWB16; the activation precision in bits 3..2
    // (IFM) or 2..1 (OFM): 0 8-bit, 1 16-bit, 2 32-bit.
    f->is_signed = (p & 1u) != 0;
    f->layout = (p & (1u << 6)) ? Layout::kNhcwb16 : Layout::kNhwc;
    const uint32_t size = ofm ? (p >> 1) & 3u : (p >> 2) & 3u;
    f->bits = size == 0 ? 8 : size == 1 ? 16 : 32;
  };
  fm(&op.ifm, Cmd0::kSetIfmRegion, Cmd0::kSetIfmHeight0M1, Cmd0::kSetIfmHeight1M1, Cmd0::kSetIfmWidth0M1, Cmd1::kSetIfmBase0,
     Cmd1::kSetIfmStrideX, Cmd1::kSetIfmStrideY, Cmd1::kSetIfmStrideC, Cmd0::kSetIfmZeroPoint, Cmd0::kSetIfmPrecision, false);
  op.ifm.depth = cmd0_[op0(Cmd0::kSetIfmDepthM1)] + 1u;
  fm(&op.ofm, Cmd0::kSetOfmRegion, Cmd0::kSetOfmHeight0M1, Cmd0::kSetOfmHeight1M1, Cmd0::kSetOfmWidth0M1, Cmd1::kSetOfmBase0,
     Cmd1::kSetOfmStrideX, Cmd1::kSetOfmStrideY, Cmd1::kSetOfmStrideC, Cmd0::kSetOfmZeroPoint, Cmd0::kSetOfmPrecision, true);
  op.ofm.height = cmd0_[op0(Cmd0::kSetOfmHeightM1)] + 1u;
  op.ofm.width = cmd0_[op0(Cmd0::kSetOfmWidthM1)] + 1u;
  op.ofm.depth = cmd0_[op0(Cmd0::kSetOfmDepthM1)] + 1u;
  if (op.kind == Cmd0::kOpElementwise) {
    fm(&op.ifm2, Cmd0::kSetIfm2Region, Cmd0::kSetIfm2Height0M1, Cmd0::kSetIfm2Height1M1, Cmd0::kSetIfm2Width0M1, Cmd1::kSetIfm2Base0,
       Cmd1::kSetIfm2StrideX, Cmd1::kSetIfm2StrideY, Cmd1::kSetIfm2StrideC, Cmd0::kSetIfm2ZeroPoint, Cmd0::kSetIfm2Precision, false);
  }
  // KERNEL_STRIDE: stride - 1 in bit 0 (x) and 1 (y) with extension bits from 6 (x) and 9 (y),
  // dilation - 1 in bits 3 (x) and 4 (y), part-kernel-first traversal in bit 2; the
  // KERNEL_*_M1 registers hold the dilated extent, dilation x (size - 1).
  const uint32_t s = cmd0_[op0(Cmd0::kSetKernelStride)];
  op.stride_x = 1 + ((s & 1u) | (((s >> 6) & 7u) << 1));
  op.stride_y = 1 + (((s >> 1) & 1u) | (((s >> 9) & 7u) << 1));
  op.dilation_x = 1 + ((s >> 3) & 1u);
  op.dilation_y = 1 + ((s >> 4) & 1u);
  op.part_kernel_first = ((s >> 2) & 1u) != 0;
  op.kernel_width = cmd0_[op0(Cmd0::kSetKernelWidthM1)] / op.dilation_x + 1u;
  op.kernel_height = cmd0_[op0(Cmd0::kSetKernelHeightM1)] / op.dilation_y + 1u;
  op.pad_top = cmd0_[op0(Cmd0::kSetIfmPadTop)];
  op.pad_left = cmd0_[op0(Cmd0::kSetIfmPadLeft)];
  op.pad_bottom = cmd0_[op0(Cmd0::kSetIfmPadBottom)];
  op.pad_right = cmd0_[op0(Cmd0::kSetIfmPadRight)];
  op.weight_region = cmd0_[op0(Cmd0::kSetWeightRegion)] & 0x7;
  op.scale_region = cmd0_[op0(Cmd0::kSetScaleRegion)] & 0x7;
  op.weight_base = address(op1(Cmd1::kSetWeightBase));
  op.weight_length = cmd1_[op1(Cmd1::kSetWeightLength)];
  op.scale_base = address(op1(Cmd1::kSetScaleBase));
  op.scale_length = cmd1_[op1(Cmd1::kSetScaleLength)];
  op.activation = cmd0_[op0(Cmd0::kSetActivation)];
  op.activation_min = signed16(cmd0_[op0(Cmd0::kSetActivationMin)]);
  op.activation_max = signed16(cmd0_[op0(Cmd0::kSetActivationMax)]);
  op.ofm_block_depth = cmd0_[op0(Cmd0::kSetOfmBlkDepthM1)] + 1u;
  op.weight1_base = address(op1(Cmd1::kSetWeight1Base));
  op.weight1_length = cmd1_[op1(Cmd1::kSetWeight1Length)];
  op.scale1_base = address(op1(Cmd1::kSetScale1Base));
  op.scale1_length = cmd1_[op1(Cmd1::kSetScale1Length)];
  // xFM_SCALE: the 32-bit scale in the payload, the shift in the command's parameter.
  op.ofm_scale = cmd1_[op1(Cmd1::kSetOfmScale)];
  op.ofm_shift = cmd1_param_[op1(Cmd1::kSetOfmScale)] & 0x3Fu;
  op.opa_scale = cmd1_[op1(Cmd1::kSetOpaScale)];
  op.opa_shift = cmd1_param_[op1(Cmd1::kSetOpaScale)] & 0x3Fu;
  op.opb_scale = cmd1_[op1(Cmd1::kSetOpbScale)];
  const uint16_t ofm_precision = cmd0_[op0(Cmd0::kSetOfmPrecision)];
  op.rounding = (ofm_precision >> 14) & 3u;
  op.global_scale = ((ofm_precision >> 8) & 1u) != 0;
  op.op_to_scale = (cmd0_[op0(Cmd0::kSetIfmPrecision)] >> 8) & 3u;
  op.ifm_upscale = cmd0_[op0(Cmd0::kSetIfmUpscale)] & 3u;
  op.ifm2_broadcast = cmd0_[op0(Cmd0::kSetIfm2Broadcast)];
  op.ifm2_scalar = signed16(cmd0_[op0(Cmd0::kSetIfm2Scalar)]);
  op.acc_format = cmd0_[op0(Cmd0::kSetAccFormat)];
  return op;
}

DmaTransfer RegisterState::dma(const Command& c) const {
  DmaTransfer d;
  d.offset = c.offset;
  d.mode = c.param;
  // DMA0_SRC/DST_REGION: region in bits 7..0, internal (SHRAM) in bit 8, stride mode in 10..9.
  const uint16_t src = cmd0_[op0(Cmd0::kSetDma0SrcRegion)], dst = cmd0_[op0(Cmd0::kSetDma0DstRegion)];
  d.src_region = src & 0xFFu;
  d.src_internal = ((src >> 8) & 1u) != 0;
  d.src_stride_mode = (src >> 9) & 3u;
  d.dst_region = dst & 0xFFu;
  d.dst_internal = ((dst >> 8) & 1u) != 0;
  d.dst_stride_mode = (dst >> 9) & 3u;
  d.src = address(op1(Cmd1::kSetDma0Src));
  d.dst = address(op1(Cmd1::kSetDma0Dst));
  d.length = address(op1(Cmd1::kSetDma0Len));
  return d;
}

Result<size_t> for_each_operation(const DriverPayload& payload, void (*fn)(void* user, const NpuOperation& op), void* user) {
  RegisterState state;
  CommandReader reader(payload);
  Command c;
  NpuOperation op;
  size_t count = 0;
  for (;;) {
    Result<bool> more = reader.next(&c);
    if (!more.is_ok()) return more.status();
    if (!*more) return count;
    if (state.apply(c, &op)) {
      ++count;
      fn(user, op);
    }
  }
}

}  // namespace chorus::runtime::ethosu
