// A functional model of the Ethos-U55/U65: runs a Vela command stream on the CPU and
// writes what the NPU would write, byte for byte, into the memory regions it addresses.
//
// Regions are the NPU's base pointers as Arm's Ethos-U driver sets them for a TFLM `ethos-u`
// operator (tensorflow/lite/micro/kernels/ethos_u/ethosu.cc): 0 the model's constant area
// (weights, scales, LUTs), 1 the arena (scratch, and the operator's inputs and outputs at the
// offsets of the model's OfflineMemoryAllocation plan), 2 the fast scratch, then one per
// input and output tensor.
//
// What it executes: NPU_OP_CONV, NPU_OP_DEPTHWISE, NPU_OP_POOL (max, average, reduce-sum),
// NPU_OP_ELEMENTWISE (mul, add, sub, min, max, lrelu, abs, clz, shr, shl), NPU_OP_DMA_START
// (one-dimensional transfers between regions and into the activation lookup table), on
// 8/16/32-bit NHWC and NHCWB16 feature maps with their four tiles; weights decoded from
// their compressed streams (one per core on the dual-core Ethos-U65-512); per-channel or
// global scales with the three rounding modes (arithmetic.hpp); activation clamps, lookup
// tables (8- and 32-bit entries; 16-bit OFMs' 512 interpolated entries) and the built-in int16
// TANH and SIGMOID (TFLite's int16 Tanh and Logistic), IFMs upscaled by 2 (nearest, or zero
// insertion for a transpose convolution). Waits, IRQs and performance-counter commands have
// no effect on data.
// Anything else (a 2-D or 3-D DMA, an unknown activation) is
// refused with an error naming the command and its byte offset; so is any element that
// falls outside its region.
//
// No heap: the caller provides working buffers (measure() says how large).
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/status.hpp"
#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/register_state.hpp"

namespace chorus::runtime::ethosu {

constexpr size_t kNpuRegions = 8;

struct NpuRegion {
  uint8_t* data = nullptr;  // the NPU only reads region 0 (constants) unless a stream DMAs into it
  size_t size = 0;
};

struct NpuMemory {
  NpuRegion region[kNpuRegions];
};

// Working memory for one operation at a time.
struct FunctionalNpuBuffers {
  int16_t* stream = nullptr;  // a weight stream in brick order
  size_t stream_capacity = 0;
  int16_t* weights = nullptr;  // an operation's weights, OHWI, both cores
  size_t weights_capacity = 0;
  int32_t* ifm = nullptr;  // an operation's IFM, dense, zero point removed
  size_t ifm_capacity = 0;
};

// Element counts each buffer needs for a stream.
struct FunctionalNpuNeeds {
  size_t stream = 0, weights = 0, ifm = 0;
  uint64_t macs = 0;  // multiply-accumulates of the stream's convolutions (profiling, cost models)
  // Bytes of one working area holding all three buffers, each 16-byte aligned (split_buffers()).
  size_t bytes() const;
};

// Splits one working area of needs.bytes() into the three buffers.
FunctionalNpuBuffers split_buffers(const FunctionalNpuNeeds& needs, uint8_t* area);

struct FunctionalNpuStats {
  size_t commands = 0, conv = 0, depthwise = 0, pool = 0, elementwise = 0, dma = 0;
  uint64_t macs = 0;  // multiply-accumulates of convolutions
};

class FunctionalNpu {
 public:
  explicit FunctionalNpu(const FunctionalNpuBuffers& buffers) : buffers_(buffers) {}

  // Runs the whole stream. Stops at the first error: what the stream wrote before it stays written.
  Status run(const DriverPayload& payload, const NpuMemory& memory, FunctionalNpuStats* stats = nullptr);

  // Refuses any operation whose work (OFM elements x kernel elements x input channels summed)
  // exceeds `limit` before starting it; 0: no limit. For untrusted streams (the fuzzer).
  void set_work_limit(uint64_t limit) { work_limit_ = limit; }

  // What run() needs of each buffer for `payload` (errors: a stream that does not read).
  static Result<FunctionalNpuNeeds> measure(const DriverPayload& payload);

 private:
  FunctionalNpuBuffers buffers_;
  uint64_t work_limit_ = 0;
  uint8_t lut_[2048] = {};  // the SHRAM's lookup-table area: eight 256-byte slots
};

}  // namespace chorus::runtime::ethosu
