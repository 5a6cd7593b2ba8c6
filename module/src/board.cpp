#include "chorus/module/board.hpp"

#include <cstring>
#include "chorus/module/strings.hpp"

namespace chorus::board {

// The spellings below are the XML's (dts/boards/SCHEMA.md); the host loader parses them
// back with these same functions, so there is one table per enum.

const char* core_name(Core core) {
  switch (core) {
    case Core::kCortexM0Plus:
      return "cortex-m0plus";
    case Core::kCortexM3:
      return "cortex-m3";
    case Core::kCortexM4:
      return "cortex-m4";
    case Core::kCortexM7:
      return "cortex-m7";
    case Core::kCortexM33:
      return "cortex-m33";
    case Core::kCortexM55:
      return "cortex-m55";
    case Core::kCortexM85:
      return "cortex-m85";
  }
  return "?";
}

const char* memory_kind_name(MemoryKind kind) {
  switch (kind) {
    case MemoryKind::kFlash:
      return "flash";
    case MemoryKind::kSram:
      return "sram";
    case MemoryKind::kItcm:
      return "itcm";
    case MemoryKind::kDtcm:
      return "dtcm";
    case MemoryKind::kPsram:
      return "psram";
  }
  return "?";
}

const char* npu_type_name(NpuType type) {
  switch (type) {
    case NpuType::kEthosU55:
      return "ethos-u55";
    case NpuType::kEthosU65:
      return "ethos-u65";
    case NpuType::kEthosU85:
      return "ethos-u85";
  }
  return "?";
}

const char* sensor_type_name(SensorType type) {
  switch (type) {
    case SensorType::kMicrophone:
      return "microphone";
    case SensorType::kRadar:
      return "radar";
    case SensorType::kAccelerometer:
      return "accelerometer";
  }
  return "?";
}

const char* bus_name(Bus bus) {
  switch (bus) {
    case Bus::kI2c:
      return "i2c";
    case Bus::kSpi:
      return "spi";
    case Bus::kI2s:
      return "i2s";
    case Bus::kPdm:
      return "pdm";
    case Bus::kUart:
      return "uart";
    case Bus::kAdc:
      return "adc";
  }
  return "?";
}

const char* area_kind_name(AreaKind kind) {
  switch (kind) {
    case AreaKind::kPartition:
      return "partition";
    case AreaKind::kPersistent:
      return "persistent";
    case AreaKind::kScratch:
      return "scratch";
  }
  return "?";
}

const char* op_kind_name(OpKind kind) {
  switch (kind) {
    case OpKind::kConv:
      return "conv";
    case OpKind::kDepthwise:
      return "depthwise";
    case OpKind::kFullyConnected:
      return "fully-connected";
    case OpKind::kSvdf:
      return "svdf";
    case OpKind::kPool:
      return "pool";
    case OpKind::kElementwise:
      return "elementwise";
    case OpKind::kOther:
      return "other";
  }
  return "?";
}

const char* op_feature_name(OpFeature feature) {
  switch (feature) {
    case OpFeature::kBase:
      return "op";
    case OpFeature::kMac:
      return "mac";
    case OpFeature::kVector:
      return "vector";
    case OpFeature::kRow:
      return "row";
    case OpFeature::kOutput:
      return "output";
    case OpFeature::kChannel:
      return "channel";
    case OpFeature::kByte:
      return "byte";
    case OpFeature::kGather:
      return "gather";
    case OpFeature::kTap:
      return "tap";
  }
  return "?";
}

uint8_t find_region(const Board& board, const char* name) {
  for (size_t i = 0; i < board.num_regions && i < kMaxRegions; ++i) {
    if (equal_strings(board.regions[i].name, name)) return static_cast<uint8_t>(i);
  }
  return kNoRegion;
}

}  // namespace chorus::board
