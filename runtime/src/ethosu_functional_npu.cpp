#include "chorus/runtime/ethosu/functional_npu.hpp"

#include <cstdint>

#include "chorus/runtime/ethosu/arithmetic.hpp"
#include "chorus/runtime/ethosu/opcodes.hpp"
#include "chorus/runtime/ethosu/weights.hpp"

namespace chorus::runtime::ethosu {
namespace {

const char* op_name(const NpuOperation& op) {
  const char* n = command_name(static_cast<uint16_t>(op.kind), false);
  return n != nullptr ? n : "NPU_OP_?";
}

Status op_error(const NpuOperation& op, const char* what) {
  return Status::error(StatusCode::kUnsupported, "ethos-u: %s at command byte %zu: %s", op_name(op), op.offset, what);
}

uint32_t element_bytes(const FeatureMap& f) { return f.bits / 8; }

int64_t type_min(const FeatureMap& f) {
  if (!f.is_signed) return 0;
  return f.bits == 8 ? -128 : f.bits == 16 ? -32768 : -2147483648LL;
}
int64_t type_max(const FeatureMap& f) { return f.is_signed ? (f.bits == 8 ? 127 : f.bits == 16 ? 32767 : 2147483647LL) : (f.bits == 8 ? 255 : f.bits == 16 ? 65535 : 4294967295LL); }

int64_t clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

// One feature map in its region: tiles, layout and element type (register_command_stream_util.py
// get_address: tile 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right; NHCWB16 stores
// 16-channel bricks, x advancing by a brick and C by STRIDE_C).
class FeatureMapAccess {
 public:
  FeatureMapAccess(const FeatureMap& f, const NpuRegion& r) : f_(f), r_(r), elem_(element_bytes(f)) {}

  bool offset(uint32_t y, uint32_t x, uint32_t c, uint64_t* at) const {
    uint32_t tile = 0;
    if (x >= f_.tile_width0) {
      x -= f_.tile_width0;
      tile = 1;
      if (y >= f_.tile_height1) {
        y -= f_.tile_height1;
        tile = 3;
      }
    } else if (y >= f_.tile_height0) {
      y -= f_.tile_height0;
      tile = 2;
    }
    uint64_t a = f_.base[tile] + uint64_t{y} * f_.stride_y;
    if (f_.layout == Layout::kNhcwb16)
      a += uint64_t{x} * 16 * elem_ + uint64_t{c / 16} * f_.stride_c + uint64_t{c % 16} * elem_;
    else
      a += uint64_t{x} * f_.stride_x + uint64_t{c} * elem_;
    if (r_.data == nullptr || a + elem_ > r_.size || a + elem_ < a) return false;
    *at = a;
    return true;
  }

  int64_t read(uint64_t at) const {
    const uint8_t* p = r_.data + at;
    switch (f_.bits) {
      case 8:
        return f_.is_signed ? static_cast<int64_t>(static_cast<int8_t>(p[0])) : int64_t{p[0]};
      case 16: {
        const uint16_t v = static_cast<uint16_t>(p[0] | (p[1] << 8));
        return f_.is_signed ? static_cast<int64_t>(static_cast<int16_t>(v)) : int64_t{v};
      }
      default: {
        const uint32_t v = uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24);
        return f_.is_signed ? static_cast<int64_t>(static_cast<int32_t>(v)) : int64_t{v};
      }
    }
  }

  void write(uint64_t at, int64_t v) const {
    uint8_t* p = r_.data + at;
    const uint32_t u = static_cast<uint32_t>(v);
    p[0] = static_cast<uint8_t>(u);
    if (f_.bits >= 16) p[1] = static_cast<uint8_t>(u >> 8);
    if (f_.bits == 32) {
      p[2] = static_cast<uint8_t>(u >> 16);
      p[3] = static_cast<uint8_t>(u >> 24);
    }
  }

 private:
  const FeatureMap& f_;
  const NpuRegion& r_;
  uint32_t elem_;
};

Status outside(const NpuOperation& op, const char* fm, uint32_t y, uint32_t x, uint32_t c, const FeatureMap& f, const NpuRegion& r) {
  return Status::error(StatusCode::kOutOfRange,
                       "ethos-u: %s at command byte %zu: %s element (y %u, x %u, c %u) falls outside region %u (%zu bytes)", op_name(op),
                       op.offset, fm, static_cast<unsigned>(y), static_cast<unsigned>(x), static_cast<unsigned>(c), static_cast<unsigned>(f.region), r.size);
}

uint32_t cores_of(const DriverPayload& p) { return p.u65 && p.macs_per_cycle == 512 ? 2 : 1; }

// The IFM extent an operation reads: what its OFM, kernel, stride and padding imply (the
// registers hold no IFM height or width; padding past the last row is IFM_PAD_BOTTOM).
bool ifm_extent(const NpuOperation& op, int64_t* h, int64_t* w) {
  *h = (int64_t{op.ofm.height} - 1) * op.stride_y + (int64_t{op.kernel_height} - 1) * op.dilation_y + 1 - op.pad_top - op.pad_bottom;
  *w = (int64_t{op.ofm.width} - 1) * op.stride_x + (int64_t{op.kernel_width} - 1) * op.dilation_x + 1 - op.pad_left - op.pad_right;
  return *h > 0 && *w > 0;
}

struct Context {
  const DriverPayload& payload;
  const NpuMemory& memory;
  const FunctionalNpuBuffers& buffers;
  const uint8_t* lut;
  FunctionalNpuStats* stats;
};

const NpuRegion& region(const Context& ctx, uint32_t r) { return ctx.memory.region[r % kNpuRegions]; }

// sigmoid(i / 24) in 0.16 fixed point, i = 0..255: the constants of TFLite's
// sigmoid_table_uint16 (tensorflow/lite/kernels/internal/common.h), transcribed. The NPU's
// built-in int16 SIGMOID and TANH give TFLite's int16 Logistic and Tanh (Vela states its output
// is bit-exact with the TFLite reference and programs the OFM scale TFLite's kernels use).
constexpr uint16_t kSigmoidTable[256] = {
    32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
    40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
    47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
    53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
    57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
    60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
    62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
    63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
    64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
    64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
    65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
    65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
    65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
    65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
    65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
    65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
    65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
    65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
    65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
    65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
    65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
    65534, 65534, 65534, 65535,
};

// The built-in activation on the scaled value v (units of 1 / (3 x 4096): the OFM scale Vela
// programs for it, register_command_stream_generator.py), as TFLite's
// reference_integer_ops::Logistic and Tanh (integer_ops/logistic.h, tanh.h) compute it from
// their input_data: linear interpolation in kSigmoidTable on |v|, then the odd/even symmetry
// and the rounding back to 16 bits, in that order.
int64_t builtin_sigmoid(int64_t v) {
  const uint64_t a = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const uint64_t index = a >> 9;  // 2^7 for the input's Q3.12 and 4 for the 3/4 above
  uint32_t r;
  if (index >= 255) {
    r = 0x7FFFu << 10;
  } else {
    const uint32_t lo = kSigmoidTable[index], hi = kSigmoidTable[index + 1];
    r = (lo << 9) + static_cast<uint32_t>(a & 0x1FF) * (hi - lo);
  }
  r = v >= 0 ? r + (1u << 9) : (1u << 25) - r + (1u << 9) - 1;
  return static_cast<int16_t>(r >> 10);
}

int64_t builtin_tanh(int64_t v) {
  // tanh(x) = 2 sigmoid(2x) - 1: the same table at twice the step.
  const uint64_t a = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  const uint64_t index = a >> 8;
  int32_t r;
  if (index >= 255) {
    r = static_cast<int32_t>(0xFFFFu << 8);
  } else {
    const uint32_t lo = kSigmoidTable[index], hi = kSigmoidTable[index + 1];
    r = static_cast<int32_t>((lo << 8) + static_cast<uint32_t>(a & 0xFF) * (hi - lo));
  }
  r = v >= 0 ? r - (1 << 23) + (1 << 7) : -r + (1 << 23) + (1 << 7) - 1;
  return static_cast<int16_t>(r >> 8);
}

// The OFM stage every operation shares: scale (already applied by the caller), zero point,
// activation clamp, lookup table, saturation to the OFM type.
//
// A 32-bit OFM takes the scaled value as it is: no zero point and no clamp (Vela writes the
// zero point of the tensor it came from there, and 16-bit clamp registers, neither of which
// TFLite's int32 arithmetic has), unless a lookup table follows, whose clip range makes the
// value an 8-bit index first (Vela's softmax: SUB into a 32-bit OFM with zero point 127 and
// an exp table, activation clip range FORCE_INT8).
Status finish_value(const Context& ctx, const NpuOperation& op, int64_t scaled, int64_t* out) {
  const uint32_t function = op.activation & 0xFFFu;
  const uint32_t clip = (op.activation >> 12) & 0xFu;
  if (function == 0) {
    int64_t v = scaled;
    if (op.ofm.bits <= 16) v = clamp(v + op.ofm.zero_point, op.activation_min, op.activation_max);
    *out = clamp(v, type_min(op.ofm), type_max(op.ofm));
    return Status::ok();
  }
  if (function >= 16 && function <= 23) {
    // In slot (function - 16) of the SHRAM's lookup-table area (Vela lut.py). 8- and 32-bit
    // OFMs: 256 entries, indexed by the value as a byte (a signed value from -128 at index 0);
    // 8-bit entries for an 8-bit OFM, 32-bit entries for a 32-bit one.
    const bool signed8 = clip == 3 || (clip == 0 && op.ofm.is_signed);
    const uint32_t slot = (function - 16) * 256;
    if (op.ofm.bits == 16) {
      // A 16-bit OFM: 512 entries of 32 bits filling the whole table area (Vela places them at
      // its start), each slope x 2^16 + base (Vela lut.py create_lut_int16_op, and its ARG_MAX
      // conversion). The entry is the value's top 9 bits; its low 7 bits interpolate from the
      // base along the slope, rounded as TFLite's int16 LUTLookup (kernels/internal/common.h)
      // does, whose tables Vela builds these from. Vela forms the word as a sum, so a negative
      // base borrows from the slope's bits: the slope is (word - base) / 2^16, which is the top
      // 16 bits when the base is not negative (ARG_MAX, judged by TFLM) and the only reading
      // under which Vela's tables with negative bases give TFLite's values (no TFLM kernel
      // exercises those: int16 EXP, LOG, SQRT, GELU).
      if (function != 16) return op_error(op, "a 16-bit lookup table outside the start of the table area is not modelled");
      int64_t v = clamp(scaled + op.ofm.zero_point, op.activation_min, op.activation_max);
      v = clamp(v, -32768, 32767);
      const uint32_t index = static_cast<uint32_t>(v + 32768) >> 7;
      const uint32_t at = slot + index * 4;
      if (at + 4 > 2048) return op_error(op, "a 16-bit lookup table past the end of the table area");
      const uint8_t* e = ctx.lut + at;
      const uint32_t word = uint32_t{e[0]} | (uint32_t{e[1]} << 8) | (uint32_t{e[2]} << 16) | (uint32_t{e[3]} << 24);
      const int32_t base = static_cast<int16_t>(static_cast<uint16_t>(word & 0xFFFFu));
      const int32_t slope = static_cast<int32_t>((static_cast<int64_t>(static_cast<int32_t>(word)) - base) / 65536);
      const int32_t fraction = static_cast<int32_t>(v & 0x7F);
      v = base + ((slope * fraction + 64) >> 7);
      *out = clamp(v, type_min(op.ofm), type_max(op.ofm));
      return Status::ok();
    }
    int64_t v = clamp(scaled + op.ofm.zero_point, op.activation_min, op.activation_max);
    v = clamp(v, signed8 ? -128 : 0, signed8 ? 127 : 255);
    const uint32_t index = static_cast<uint32_t>(v + (signed8 ? 128 : 0));
    if (op.ofm.bits == 32) {
      if (slot + index * 4 + 4 > 2048) return op_error(op, "a 32-bit lookup table past the end of the table area");
      const uint8_t* e = ctx.lut + slot + index * 4;
      const uint32_t u = uint32_t{e[0]} | (uint32_t{e[1]} << 8) | (uint32_t{e[2]} << 16) | (uint32_t{e[3]} << 24);
      v = op.ofm.is_signed ? static_cast<int64_t>(static_cast<int32_t>(u)) : int64_t{u};
    } else {
      const uint8_t e = ctx.lut[slot + index];
      v = signed8 ? static_cast<int64_t>(static_cast<int8_t>(e)) : int64_t{e};
    }
    *out = clamp(v, type_min(op.ofm), type_max(op.ofm));
    return Status::ok();
  }
  if (function == 3 || function == 4) {
    // Vela programs these for int16 TANH and LOGISTIC only (8-bit ones become lookup tables).
    if (op.ofm.bits != 16) return op_error(op, "the built-in tanh/sigmoid on an OFM other than 16-bit is not modelled");
    const int64_t v = function == 3 ? builtin_tanh(scaled) : builtin_sigmoid(scaled);
    *out = clamp(clamp(v + op.ofm.zero_point, op.activation_min, op.activation_max), type_min(op.ofm), type_max(op.ofm));
    return Status::ok();
  }
  return op_error(op, "unknown activation function");
}

// IFM_UPSCALE: the operation sees the IFM twice as high and wide (resampling_mode NEAREST:
// every element repeated; TRANSPOSE: every element followed by zeros, the zero-insertion of a
// transpose convolution). Where element (y, x) of the upscaled IFM comes from in memory; false
// for an inserted zero (the zero point: it contributes nothing).
enum class Upscale : uint32_t { kNone = 0, kNearest = 1, kTranspose = 2 };
bool upscaled_source(const NpuOperation& op, uint32_t y, uint32_t x, uint32_t* sy, uint32_t* sx) {
  const Upscale mode = static_cast<Upscale>(op.ifm_upscale);
  if (mode == Upscale::kNone) {
    *sy = y;
    *sx = x;
    return true;
  }
  if (mode == Upscale::kTranspose && ((y | x) & 1u) != 0) return false;
  *sy = y >> 1;
  *sx = x >> 1;
  return true;
}

Status check_upscale(const NpuOperation& op) {
  return op.ifm_upscale <= 2 ? Status::ok() : op_error(op, "unknown IFM upscale mode");
}

// Gathers the IFM an operation reads into a dense [h][w][c] array, zero point removed
// (upscaled when the operation says so).
Status gather_ifm(const Context& ctx, const NpuOperation& op, int64_t h, int64_t w, uint32_t depth) {
  const uint64_t need = static_cast<uint64_t>(h) * static_cast<uint64_t>(w) * depth;
  if (need > ctx.buffers.ifm_capacity) return op_error(op, "IFM larger than the IFM buffer (FunctionalNpu::measure)");
  const NpuRegion& r = region(ctx, op.ifm.region);
  FeatureMapAccess in(op.ifm, r);
  int32_t* dst = ctx.buffers.ifm;
  for (uint32_t y = 0; y < h; ++y)
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t sy = 0, sx = 0;
      if (!upscaled_source(op, y, x, &sy, &sx)) {
        for (uint32_t c = 0; c < depth; ++c) *dst++ = 0;
        continue;
      }
      for (uint32_t c = 0; c < depth; ++c) {
        uint64_t at;
        if (!in.offset(sy, sx, c, &at)) return outside(op, "IFM", sy, sx, c, op.ifm, r);
        *dst++ = static_cast<int32_t>(in.read(at) - op.ifm.zero_point);
      }
    }
  return Status::ok();
}

// How core `core`'s weight stream of a convolution is laid out: its output channels are
// k, k + cores, ... and it takes its share of the OFM block depth (weight_compressor.py).
WeightLayout core_layout(const DriverPayload& payload, const NpuOperation& op, bool depthwise, uint32_t core) {
  const uint32_t cores = cores_of(payload);
  WeightLayout l;
  l.ofm_depth = (op.ofm.depth - core + cores - 1) / cores;
  l.kernel_height = op.kernel_height;
  l.kernel_width = op.kernel_width;
  l.ifm_depth = depthwise ? 1 : op.ifm.depth;
  l.ofm_block_depth = (op.ofm_block_depth + cores - 1 - core) / cores;
  l.ifm_ublock_depth = kIfmUblockDepth;
  l.ofm_ublock_depth = ofm_ublock_depth(payload.macs_per_cycle / cores);
  l.dilation_x = op.dilation_x;
  l.dilation_y = op.dilation_y;
  l.ifm_bits = op.ifm.bits;
  l.depthwise = depthwise;
  l.part_kernel_first = op.part_kernel_first;
  return l;
}

// Decodes the weight and scale streams of a convolution: core k holds output channels
// k, k + cores, ... (weight_compressor.py core_deinterleave) with its share of the OFM block depth.
Status load_weights(const Context& ctx, const NpuOperation& op, bool depthwise, const uint8_t** scales_out, uint32_t* cores_out) {
  const uint32_t cores = cores_of(ctx.payload);
  const uint64_t per_out = uint64_t{op.kernel_height} * op.kernel_width * (depthwise ? 1 : op.ifm.depth);
  size_t used = 0;
  for (uint32_t core = 0; core < cores && core < op.ofm.depth; ++core) {
    const WeightLayout l = core_layout(ctx.payload, op, depthwise, core);
    const uint64_t base = core == 0 ? op.weight_base : op.weight1_base;
    const uint64_t length = core == 0 ? op.weight_length : op.weight1_length;
    const NpuRegion& wr = region(ctx, op.weight_region);
    if (wr.data == nullptr || base + length > wr.size)
      return Status::error(StatusCode::kOutOfRange, "ethos-u: %s at command byte %zu: core %u's weights (%llu bytes at %llu) fall outside region %u (%zu bytes)",
                           op_name(op), op.offset, static_cast<unsigned>(core), static_cast<unsigned long long>(length),
                           static_cast<unsigned long long>(base), static_cast<unsigned>(op.weight_region), wr.size);
    const uint64_t n64 = uint64_t{l.ofm_depth} * per_out;
    if (n64 > ctx.buffers.weights_capacity || used + n64 > ctx.buffers.weights_capacity) return op_error(op, "weights larger than the weight buffer (FunctionalNpu::measure)");
    const size_t n = static_cast<size_t>(n64);
    const Status s = decode_weights(Span<const uint8_t>(wr.data + base, static_cast<size_t>(length)), l, ctx.buffers.stream,
                                    ctx.buffers.stream_capacity, ctx.buffers.weights + used, n);
    if (!s.is_ok())
      return Status::error(s.code(), "ethos-u: %s at command byte %zu: core %u: %s", op_name(op), op.offset, static_cast<unsigned>(core), s.message());
    used += n;
    const uint64_t sbase = core == 0 ? op.scale_base : op.scale1_base;
    const uint64_t slength = core == 0 ? op.scale_length : op.scale1_length;
    const NpuRegion& sr = region(ctx, op.scale_region);
    if (slength < uint64_t{l.ofm_depth} * kScaleRecordBytes || sr.data == nullptr || sbase + slength > sr.size)
      return Status::error(StatusCode::kOutOfRange,
                           "ethos-u: %s at command byte %zu: core %u's scales (%llu bytes at %llu; %u channels need %zu) do not fit region %u (%zu bytes)",
                           op_name(op), op.offset, static_cast<unsigned>(core), static_cast<unsigned long long>(slength),
                           static_cast<unsigned long long>(sbase), static_cast<unsigned>(l.ofm_depth), size_t{l.ofm_depth} * kScaleRecordBytes,
                           static_cast<unsigned>(op.scale_region), sr.size);
    scales_out[core] = sr.data + sbase;
  }
  *cores_out = cores;
  return Status::ok();
}

Status run_convolution(const Context& ctx, const NpuOperation& op, bool depthwise) {
  CHORUS_RETURN_IF_ERROR(check_upscale(op));
  int64_t ih, iw;
  if (!ifm_extent(op, &ih, &iw)) return op_error(op, "padding larger than the IFM the OFM implies");
  const uint32_t id = op.ifm.depth;
  if (depthwise && id < op.ofm.depth) return op_error(op, "depthwise IFM shallower than its OFM");
  const uint8_t* scales[2] = {nullptr, nullptr};
  uint32_t cores = 1;
  CHORUS_RETURN_IF_ERROR(load_weights(ctx, op, depthwise, scales, &cores));
  CHORUS_RETURN_IF_ERROR(gather_ifm(ctx, op, ih, iw, id));
  const uint32_t kh = op.kernel_height, kw = op.kernel_width;
  const size_t per_out = size_t{kh} * kw * (depthwise ? 1 : id);
  const size_t core1_at = size_t{(op.ofm.depth + cores - 1) / cores} * per_out;
  const NpuRegion& orr = region(ctx, op.ofm.region);
  FeatureMapAccess out(op.ofm, orr);
  const Rounding rounding = static_cast<Rounding>(op.rounding);
  for (uint32_t oc = 0; oc < op.ofm.depth; ++oc) {
    const uint32_t core = oc % cores, j = oc / cores;
    const int16_t* w = ctx.buffers.weights + (core == 0 ? 0 : core1_at) + j * per_out;
    const ChannelScale cs = read_channel_scale(scales[core] + size_t{j} * kScaleRecordBytes);
    const uint32_t scale = op.global_scale ? op.ofm_scale : cs.scale;
    const uint32_t shift = op.global_scale ? op.ofm_shift : cs.shift;
    for (uint32_t oy = 0; oy < op.ofm.height; ++oy) {
      for (uint32_t ox = 0; ox < op.ofm.width; ++ox) {
        int64_t acc = cs.bias;
        for (uint32_t ky = 0; ky < kh; ++ky) {
          const int64_t iy = int64_t{oy} * op.stride_y - op.pad_top + int64_t{ky} * op.dilation_y;
          if (iy < 0 || iy >= ih) continue;  // padding: the zero point, which contributes nothing
          for (uint32_t kx = 0; kx < kw; ++kx) {
            const int64_t ix = int64_t{ox} * op.stride_x - op.pad_left + int64_t{kx} * op.dilation_x;
            if (ix < 0 || ix >= iw) continue;
            const int32_t* px = ctx.buffers.ifm + (static_cast<size_t>(iy) * static_cast<size_t>(iw) + static_cast<size_t>(ix)) * id;
            if (depthwise) {
              acc += int64_t{px[oc]} * w[ky * kw + kx];
            } else {
              const int16_t* wk = w + (size_t{ky} * kw + kx) * id;
              int64_t sum = 0;
              for (uint32_t ic = 0; ic < id; ++ic) sum += int64_t{px[ic]} * wk[ic];
              acc += sum;
            }
          }
        }
        int64_t v;
        CHORUS_RETURN_IF_ERROR(finish_value(ctx, op, apply_scale(acc, scale, shift, rounding), &v));
        uint64_t at;
        if (!out.offset(oy, ox, oc, &at)) return outside(op, "OFM", oy, ox, oc, op.ofm, orr);
        out.write(at, v);
      }
    }
  }
  if (ctx.stats != nullptr) ctx.stats->macs += uint64_t{op.ofm.height} * op.ofm.width * op.ofm.depth * per_out;
  return Status::ok();
}

enum class PoolMode : uint16_t { kMax = 0, kAverage = 1, kReduceSum = 2 };

Status run_pool(const Context& ctx, const NpuOperation& op) {
  CHORUS_RETURN_IF_ERROR(check_upscale(op));
  const PoolMode mode = static_cast<PoolMode>(op.mode);
  if (op.mode > 2) return op_error(op, "unknown pooling mode");
  int64_t ih, iw;
  if (!ifm_extent(op, &ih, &iw)) return op_error(op, "padding larger than the IFM the OFM implies");
  if (mode == PoolMode::kReduceSum && !op.global_scale) return op_error(op, "sum pooling without a global scale is not modelled");
  const NpuRegion& ir = region(ctx, op.ifm.region);
  const NpuRegion& orr = region(ctx, op.ofm.region);
  FeatureMapAccess in(op.ifm, ir), out(op.ofm, orr);
  const Rounding rounding = static_cast<Rounding>(op.rounding);
  const uint32_t depth = op.ofm.depth;
  for (uint32_t oy = 0; oy < op.ofm.height; ++oy)
    for (uint32_t ox = 0; ox < op.ofm.width; ++ox)
      for (uint32_t c = 0; c < depth; ++c) {
        // REDUCE_SUM sums over the IFM's channels into one OFM channel.
        const uint32_t c_from = mode == PoolMode::kReduceSum ? 0 : c;
        const uint32_t c_to = mode == PoolMode::kReduceSum ? op.ifm.depth : c + 1;
        int64_t acc = 0;
        bool any = false;
        for (uint32_t ky = 0; ky < op.kernel_height; ++ky) {
          const int64_t iy = int64_t{oy} * op.stride_y - op.pad_top + ky;
          if (iy < 0 || iy >= ih) continue;
          for (uint32_t kx = 0; kx < op.kernel_width; ++kx) {
            const int64_t ix = int64_t{ox} * op.stride_x - op.pad_left + kx;
            if (ix < 0 || ix >= iw) continue;
            uint32_t sy = 0, sx = 0;
            const bool real = upscaled_source(op, static_cast<uint32_t>(iy), static_cast<uint32_t>(ix), &sy, &sx);
            for (uint32_t ic = c_from; ic < c_to; ++ic) {
              int64_t v = 0;  // an inserted zero is the zero point
              if (real) {
                uint64_t at;
                if (!in.offset(sy, sx, ic, &at)) return outside(op, "IFM", sy, sx, ic, op.ifm, ir);
                v = in.read(at) - op.ifm.zero_point;
              }
              if (mode == PoolMode::kMax)
                acc = any ? (v > acc ? v : acc) : v;
              else
                acc += v;
              any = true;
            }
          }
        }
        int64_t scaled = acc;
        if (op.global_scale) {
          scaled = apply_scale(acc, op.ofm_scale, op.ofm_shift, rounding);
        } else if (mode == PoolMode::kAverage) {
          // Padded average pooling has no scale register: the NPU divides by the number of
          // IFM elements the window covered (TFLite's count, padding excluded), rounding half
          // away from zero.
          uint32_t count = 0;
          for (uint32_t ky = 0; ky < op.kernel_height; ++ky) {
            const int64_t iy = int64_t{oy} * op.stride_y - op.pad_top + ky;
            for (uint32_t kx = 0; kx < op.kernel_width; ++kx) {
              const int64_t ix = int64_t{ox} * op.stride_x - op.pad_left + kx;
              if (iy >= 0 && iy < ih && ix >= 0 && ix < iw) ++count;
            }
          }
          if (count != 0) scaled = acc >= 0 ? (acc + count / 2) / count : -((-acc + count / 2) / count);
        }
        int64_t v;
        CHORUS_RETURN_IF_ERROR(finish_value(ctx, op, scaled, &v));
        uint64_t at;
        if (!out.offset(oy, ox, c, &at)) return outside(op, "OFM", oy, ox, c, op.ofm, orr);
        out.write(at, v);
      }
  return Status::ok();
}

enum class ElementwiseMode : uint16_t { kMul = 0, kAdd, kSub, kMin, kMax, kLrelu, kAbs, kClz, kShr, kShl };

int64_t count_leading_zeros32(int64_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  if (u == 0) return 32;
  int64_t n = 0;
  while ((u & 0x80000000u) == 0) {
    u <<= 1;
    ++n;
  }
  return n;
}

Status run_elementwise(const Context& ctx, const NpuOperation& op) {
  if (op.mode > 9) return op_error(op, "unknown elementwise mode");
  const ElementwiseMode mode = static_cast<ElementwiseMode>(op.mode);
  const bool unary = mode == ElementwiseMode::kLrelu || mode == ElementwiseMode::kAbs || mode == ElementwiseMode::kClz;
  const bool scalar = (op.ifm2_broadcast >> 7) & 1u;
  const bool reversed = (op.ifm2_broadcast >> 6) & 1u;
  const bool bh = op.ifm2_broadcast & 1u, bw = (op.ifm2_broadcast >> 1) & 1u, bc = (op.ifm2_broadcast >> 2) & 1u;
  const NpuRegion& ir = region(ctx, op.ifm.region);
  const NpuRegion& i2r = region(ctx, op.ifm2.region);
  const NpuRegion& orr = region(ctx, op.ofm.region);
  FeatureMapAccess in(op.ifm, ir), in2(op.ifm2, i2r), out(op.ofm, orr);
  const Rounding rounding = static_cast<Rounding>(op.rounding);
  // ADD/SUB operand scaling (IFM_PRECISION scale mode): both operands by a 16-bit OPA/OPB
  // scale, or one by the 32-bit OPA scale with its shift. TFLite's int8/int16 ADD shifts both
  // inputs left by 20/15 and scales each with a doubling high multiply and a rounding shift;
  // Vela's "advanced" scales (scaling.py advanced_elementwise_add_sub_scale) are that
  // multiplier with the shift measured from the shifted input, so the operand not scaled is
  // the input shifted left by 19 (8-bit) or 14 (16-bit) -- TFLite's multiplier of one half.
  const uint32_t input_shift = op.ifm.bits == 8 ? 20 : 15;
  for (uint32_t y = 0; y < op.ofm.height; ++y)
    for (uint32_t x = 0; x < op.ofm.width; ++x)
      for (uint32_t c = 0; c < op.ofm.depth; ++c) {
        uint64_t at;
        if (!in.offset(y, x, c, &at)) return outside(op, "IFM", y, x, c, op.ifm, ir);
        int64_t a = in.read(at) - op.ifm.zero_point, b = 0;
        if (!unary) {
          if (scalar) {
            b = int64_t{op.ifm2_scalar} - op.ifm2.zero_point;
          } else {
            const uint32_t y2 = bh ? 0 : y, x2 = bw ? 0 : x, c2 = bc ? 0 : c;
            if (!in2.offset(y2, x2, c2, &at)) return outside(op, "IFM2", y2, x2, c2, op.ifm2, i2r);
            b = in2.read(at) - op.ifm2.zero_point;
          }
          if (reversed) {
            const int64_t t = a;
            a = b;
            b = t;
          }
        }
        int64_t r = 0;
        bool scaled_here = false;
        switch (mode) {
          case ElementwiseMode::kAdd:
          case ElementwiseMode::kSub: {
            if (op.op_to_scale == 0) {
              a *= static_cast<int64_t>(op.opa_scale & 0xFFFFu);
              b *= static_cast<int64_t>(op.opb_scale & 0xFFFFu);
            } else {
              int64_t& s = op.op_to_scale == 1 ? a : b;
              int64_t& u = op.op_to_scale == 1 ? b : a;
              s = apply_scale(s * (int64_t{1} << input_shift), op.opa_scale, op.opa_shift + input_shift, rounding);
              u = u * (int64_t{1} << (input_shift - 1));
            }
            r = mode == ElementwiseMode::kAdd ? a + b : a - b;
            break;
          }
          case ElementwiseMode::kMul:
            r = a * b;
            if (op.ifm.bits == 32 && op.global_scale) {
              // 32-bit operands: the second operand takes the place of the 32-bit scale and only
              // the OFM shift applies (the register's multiplier would need a 96-bit product):
              // the result is TFLite's MultiplyByQuantizedMultiplier(a, b, 31 - shift) in TFL
              // rounding. Vela relies on it: its softmax's fixed-point multiplies (gemmlowp's
              // SaturatingRoundingDoublingHighMul) carry shift 31 and multiplier 2^30, its
              // plain "x 4" shift 0 and multiplier 1, and its MEAN multiplies the int32 sum by
              // TFLite's folded 1/n multiplier with the reference shift
              // (tflite_graph_optimiser.py convert_mean_to_depthwise_conv: "Reference using TFL
              // rounding for the multiply").
              const uint32_t k = op.ofm_shift;
              if (rounding == Rounding::kTfl && k >= 31) {
                r = rounding_divide_by_pot((r + (int64_t{1} << 30)) >> 31, k - 31);
              } else if (rounding == Rounding::kTruncate) {
                r = k == 0 ? r : (r < 0 ? -((-r) >> k) : r >> k);
              } else {
                r = k == 0 ? r : (r + (int64_t{1} << (k - 1))) >> k;
              }
              scaled_here = true;
            }
            break;
          case ElementwiseMode::kMin:
            r = a < b ? a : b;
            break;
          case ElementwiseMode::kMax:
            r = a > b ? a : b;
            break;
          case ElementwiseMode::kAbs:
            r = a < 0 ? -a : a;
            break;
          case ElementwiseMode::kClz:
            r = count_leading_zeros32(a);
            scaled_here = true;
            break;
          case ElementwiseMode::kShl:
            r = static_cast<int64_t>(static_cast<uint64_t>(a) << (b & 31));
            r = static_cast<int32_t>(r);
            scaled_here = true;
            break;
          case ElementwiseMode::kShr: {
            const uint32_t n = static_cast<uint32_t>(b & 31);
            if (rounding == Rounding::kTfl)
              r = rounding_divide_by_pot(a, n);
            else if (rounding == Rounding::kNatural)
              r = n == 0 ? a : (a + (int64_t{1} << (n - 1))) >> n;
            else
              r = a < 0 ? -((-a) >> n) : a >> n;
            scaled_here = true;
            break;
          }
          case ElementwiseMode::kLrelu:
            // Leaky ReLU (Vela emits it for int16 with equal IFM and OFM quantisation and alpha
            // > 0; its OFM_SCALE is alpha, register_command_stream_generator.py): negative
            // values times alpha, the rest unchanged -- TFLite's int16 LEAKY_RELU with an
            // identity multiplier of one. Confirmed on TFLM's int16 goldens and TFLM-judged
            // vectors (alpha below and above one).
            r = a < 0 ? apply_scale(a, op.ofm_scale, op.ofm_shift, rounding) : a;
            scaled_here = true;
            break;
          default:
            return op_error(op, "unknown elementwise mode");
        }
        const bool global = op.global_scale && !scaled_here;
        const int64_t s = global ? apply_scale(r, op.ofm_scale, op.ofm_shift, rounding) : r;
        int64_t v;
        CHORUS_RETURN_IF_ERROR(finish_value(ctx, op, s, &v));
        if (!out.offset(y, x, c, &at)) return outside(op, "OFM", y, x, c, op.ofm, orr);
        out.write(at, v);
      }
  return Status::ok();
}

Status run_dma(Context& ctx, const DmaTransfer& d, uint8_t* lut, uint32_t shram_bytes) {
  if (d.src_stride_mode != 0 || d.dst_stride_mode != 0 || (d.mode & 0xF) != 0)
    return Status::error(StatusCode::kUnsupported, "ethos-u: NPU_OP_DMA_START at command byte %zu: mode %u / stride modes %u,%u (2-D and 3-D transfers) are not modelled",
                         d.offset, static_cast<unsigned>(d.mode), static_cast<unsigned>(d.src_stride_mode), static_cast<unsigned>(d.dst_stride_mode));
  if (d.src_internal) return Status::error(StatusCode::kUnsupported, "ethos-u: NPU_OP_DMA_START at command byte %zu: a DMA out of SHRAM is not modelled", d.offset);
  const NpuRegion& src = region(ctx, d.src_region);
  if (src.data == nullptr || d.src + d.length > src.size)
    return Status::error(StatusCode::kOutOfRange, "ethos-u: NPU_OP_DMA_START at command byte %zu: %llu bytes from %llu fall outside region %u (%zu bytes)",
                         d.offset, static_cast<unsigned long long>(d.length), static_cast<unsigned long long>(d.src), static_cast<unsigned>(d.src_region), src.size);
  uint8_t* to;
  if (d.dst_internal) {
    // The lookup tables: the last 2 KB of SHRAM (architecture_features.py shram_lut_address).
    const uint64_t lut_at = shram_bytes - 2048;
    if (d.dst < lut_at || d.dst + d.length > shram_bytes)
      return Status::error(StatusCode::kUnsupported, "ethos-u: NPU_OP_DMA_START at command byte %zu: %llu bytes to SHRAM %llu, outside its lookup-table area [%llu, %u)",
                           d.offset, static_cast<unsigned long long>(d.length), static_cast<unsigned long long>(d.dst),
                           static_cast<unsigned long long>(lut_at), static_cast<unsigned>(shram_bytes));
    to = lut + (d.dst - lut_at);
  } else {
    const NpuRegion& dst = region(ctx, d.dst_region);
    if (dst.data == nullptr || d.dst + d.length > dst.size)
      return Status::error(StatusCode::kOutOfRange, "ethos-u: NPU_OP_DMA_START at command byte %zu: %llu bytes to %llu fall outside region %u (%zu bytes)",
                           d.offset, static_cast<unsigned long long>(d.length), static_cast<unsigned long long>(d.dst), static_cast<unsigned>(d.dst_region), dst.size);
    to = dst.data + d.dst;
  }
  const uint8_t* from = src.data + d.src;
  // Regions may alias (a copy inside the arena): move, front to back.
  if (to < from || to >= from + d.length) {
    for (uint64_t i = 0; i < d.length; ++i) to[i] = from[i];
  } else {
    for (uint64_t i = d.length; i > 0; --i) to[i - 1] = from[i - 1];
  }
  if (ctx.stats != nullptr) ++ctx.stats->dma;
  return Status::ok();
}

}  // namespace

Status FunctionalNpu::run(const DriverPayload& payload, const NpuMemory& memory, FunctionalNpuStats* stats) {
  Context ctx{payload, memory, buffers_, lut_, stats};
  RegisterState state;
  CommandReader reader(payload);
  Command c;
  NpuOperation op;
  for (;;) {
    Result<bool> more = reader.next(&c);
    if (!more.is_ok()) return more.status();
    if (!*more) return Status::ok();
    if (stats != nullptr) ++stats->commands;
    if (!c.cmd1 && c.opcode == static_cast<uint16_t>(Cmd0::kOpStop)) return Status::ok();
    if (!c.cmd1 && c.opcode == static_cast<uint16_t>(Cmd0::kOpDmaStart)) {
      // SHRAM_SIZE counts both cores of an Ethos-U65-512; each core has its own (and its own LUT).
      CHORUS_RETURN_IF_ERROR(run_dma(ctx, state.dma(c), lut_, payload.shram_kb * 1024u / cores_of(payload)));
      continue;
    }
    if (!state.apply(c, &op)) continue;
    if (work_limit_ != 0) {
      const uint64_t ofm = uint64_t{op.ofm.height} * op.ofm.width * op.ofm.depth;
      const uint64_t kernel = op.kind == Cmd0::kOpElementwise ? 1 : uint64_t{op.kernel_height} * op.kernel_width;
      const uint64_t per = op.kind == Cmd0::kOpConv || (op.kind == Cmd0::kOpPool && op.mode == 2) ? uint64_t{op.ifm.depth} : 1;
      const uint64_t work = ofm * kernel * per;
      if (work > work_limit_ || (kernel != 0 && ofm > work_limit_ / kernel))
        return Status::error(StatusCode::kOutOfRange, "ethos-u: %s at command byte %zu: %llu units of work, past the limit of %llu", op_name(op),
                             op.offset, static_cast<unsigned long long>(work), static_cast<unsigned long long>(work_limit_));
    }
    switch (op.kind) {
      case Cmd0::kOpConv:
        if (stats != nullptr) ++stats->conv;
        CHORUS_RETURN_IF_ERROR(run_convolution(ctx, op, false));
        break;
      case Cmd0::kOpDepthwise:
        if (stats != nullptr) ++stats->depthwise;
        CHORUS_RETURN_IF_ERROR(run_convolution(ctx, op, true));
        break;
      case Cmd0::kOpPool:
        if (stats != nullptr) ++stats->pool;
        CHORUS_RETURN_IF_ERROR(run_pool(ctx, op));
        break;
      case Cmd0::kOpElementwise:
      default:
        if (stats != nullptr) ++stats->elementwise;
        CHORUS_RETURN_IF_ERROR(run_elementwise(ctx, op));
        break;
    }
  }
}

Result<FunctionalNpuNeeds> FunctionalNpu::measure(const DriverPayload& payload) {
  struct Sizing {
    const DriverPayload* payload;
    FunctionalNpuNeeds needs;
  } s{&payload, {}};
  Result<size_t> r = for_each_operation(
      payload,
      [](void* user, const NpuOperation& op) {
        Sizing* z = static_cast<Sizing*>(user);
        if (op.kind != Cmd0::kOpConv && op.kind != Cmd0::kOpDepthwise) return;
        const bool dw = op.kind == Cmd0::kOpDepthwise;
        const uint32_t cores = cores_of(*z->payload);
        int64_t ih = 0, iw = 0;
        if (ifm_extent(op, &ih, &iw)) {
          const uint64_t n = static_cast<uint64_t>(ih) * static_cast<uint64_t>(iw) * op.ifm.depth;
          const size_t capped = n > SIZE_MAX / 16 ? SIZE_MAX / 16 : static_cast<size_t>(n);
          if (capped > z->needs.ifm) z->needs.ifm = capped;
        }
        const uint64_t per_out = uint64_t{op.kernel_height} * op.kernel_width * (dw ? 1 : op.ifm.depth);
        z->needs.macs += uint64_t{op.ofm.height} * op.ofm.width * op.ofm.depth * per_out;
        const uint64_t w64 = uint64_t{(op.ofm.depth + cores - 1) / cores} * cores * per_out;
        const size_t w = w64 > SIZE_MAX / 16 ? SIZE_MAX / 16 : static_cast<size_t>(w64);
        if (w > z->needs.weights) z->needs.weights = w;
        for (uint32_t core = 0; core < cores; ++core) {
          const WeightLayout l = core_layout(*z->payload, op, dw, core);
          if (l.ofm_block_depth == 0 || l.ofm_depth == 0) continue;
          const uint64_t n = weight_stream_values(l);
          const size_t capped = n > SIZE_MAX / 16 ? SIZE_MAX / 16 : static_cast<size_t>(n);
          if (capped > z->needs.stream) z->needs.stream = capped;
        }
      },
      &s);
  if (!r.is_ok()) return r.status();
  return s.needs;
}

namespace {
size_t align16(size_t n) { return (n + 15) & ~size_t{15}; }
}  // namespace

size_t FunctionalNpuNeeds::bytes() const { return align16(stream * 2) + align16(weights * 2) + align16(ifm * 4) + 16; }

FunctionalNpuBuffers split_buffers(const FunctionalNpuNeeds& needs, uint8_t* area) {
  uint8_t* p = reinterpret_cast<uint8_t*>(align16(reinterpret_cast<uintptr_t>(area)));
  FunctionalNpuBuffers b;
  b.stream = reinterpret_cast<int16_t*>(p);
  b.stream_capacity = needs.stream;
  p += align16(needs.stream * 2);
  b.weights = reinterpret_cast<int16_t*>(p);
  b.weights_capacity = needs.weights;
  p += align16(needs.weights * 2);
  b.ifm = reinterpret_cast<int32_t*>(p);
  b.ifm_capacity = needs.ifm;
  return b;
}

}  // namespace chorus::runtime::ethosu
