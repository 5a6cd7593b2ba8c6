// What an Ethos-U reads from its weight and scale streams, without the NPU.
//
// Weight streams: Vela compresses each core's weights for an operation into one bit stream
// (Arm Vela 3.10.0, ethosu/mlw_codec: slices of up to 32,768 9-bit values, each with a slice
// header, an optional palette, Golomb-Rice coded values and, in "alternating" mode,
// Golomb-Rice coded runs of zeros). decode_weight_stream() reads that format into signed
// values in stream order; the stream order is the NPU's brick order (mlw_encode.c reorder():
// OFM blocks, IFM blocks, 8x8 sub-kernels, micro-blocks), which WeightLayout describes and
// for_each_weight_position() walks, so a stream can be scattered back to OHWI.
//
// Scale streams: one 10-byte record per output channel (weight_compressor.py encode_bias):
// a signed 40-bit bias, an unsigned 32-bit scale and a 6-bit shift, little-endian.
//
// No heap: callers provide the buffers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::runtime::ethosu {

// Decodes a whole weight stream into `out` (stream order). Returns the number of values.
// Errors (each names the byte offset): a slice without a palette where one is needed, an
// unknown Golomb-Rice divisor, a value past the 9-bit range, a stream that ends mid-slice,
// more values than `out` holds.
Result<size_t> decode_weight_stream(Span<const uint8_t> stream, int16_t* out, size_t capacity);

// How one core's weights of one operation are ordered in its stream.
struct WeightLayout {
  uint32_t ofm_depth = 0;        // output channels in this stream (this core's share)
  uint32_t kernel_height = 0, kernel_width = 0;  // undilated
  uint32_t ifm_depth = 0;        // input channels (1 for depthwise)
  uint32_t ofm_block_depth = 0;  // this core's OFM block depth
  uint32_t ifm_ublock_depth = 8, ofm_ublock_depth = 8;  // of the configuration
  uint32_t dilation_x = 1, dilation_y = 1;
  uint32_t ifm_bits = 8;
  bool depthwise = false;
  bool part_kernel_first = false;
};

// The micro-block depths of a configuration (architecture_features.py accelerator_configs):
// Ethos-U55-32 has 4-deep OFM micro-blocks, every other configuration 8; IFM micro-blocks are 8.
uint32_t ofm_ublock_depth(uint32_t macs_per_cycle_per_core);
constexpr uint32_t kIfmUblockDepth = 8;

// The number of values the stream of `layout` holds (brick-order padding included), computed
// without walking it; 0 for a layout with a zero dimension.
uint64_t weight_stream_values(const WeightLayout& layout);

// Calls fn(user, index) for every value of the stream in order: `index` is the value's
// position in OHWI (((o * kernel_height + y) * kernel_width + x) * ifm_depth + i), or -1 for
// padding the brick order inserts. Returns the number of values the stream holds.
size_t for_each_weight_position(const WeightLayout& layout, void (*fn)(void* user, int64_t index), void* user);

// Decodes `stream` and writes its values into `ohwi` (ofm_depth x kh x kw x ifm_depth,
// padding positions dropped); `scratch` holds the stream order meanwhile. Errors: decoding
// errors, or a stream whose length differs from what the layout needs.
Status decode_weights(Span<const uint8_t> stream, const WeightLayout& layout, int16_t* scratch, size_t scratch_capacity,
                      int16_t* ohwi, size_t ohwi_capacity);

// One output channel's bias and requantisation scale.
struct ChannelScale {
  int64_t bias = 0;    // signed 40-bit
  uint32_t scale = 0;
  uint32_t shift = 0;  // 0..63
};
constexpr size_t kScaleRecordBytes = 10;
ChannelScale read_channel_scale(const uint8_t* record);

}  // namespace chorus::runtime::ethosu
