// The Zephyr device API of a Chorus sensor stream: a device that writes frames of int16
// values into an application's RingBuffer in blocks (a DMA half, a FIFO watermark, a radar
// frame) and calls the application after each block, from interrupt context. Replay
// devices (compatible "chorus,replay-sensor", zephyr/drivers/replay_sensor.cpp) and real
// sensors' Chorus devices implement it, so an application moves from a recording to the
// hardware by its devicetree. Firmware-clean: no heap, no exceptions.
#pragma once

#include <zephyr/device.h>

#include <cstdint>

#include "chorus/module/ring_buffer.hpp"

namespace chorus::zephyr {

struct StreamInfo {
  const char* sensor_type;    // "microphone", "radar", "accelerometer"
  uint32_t rate_hz;           // frames per second
  uint32_t values_per_frame;  // int16 values in one frame
  uint32_t block_frames;      // frames per block (per callback)
};

// After block `block` (0, 1, ...) is in the ring: `due_ns` is the nominal instant its last
// frame was due, from the stream's start. Interrupt context: release a job, give a
// semaphore; no waiting.
using BlockCallback = void (*)(void* user, uint64_t block, uint64_t due_ns);

struct SensorStreamApi {
  const StreamInfo* (*info)(const struct device* dev);
  // Starts at Zephyr tick `start_tick` (absolute): block k is complete at start +
  // (k + 1) x block_frames / rate. `ring` frames must be values_per_frame x 2 bytes.
  int (*start)(const struct device* dev, RingBuffer* ring, int64_t start_tick, BlockCallback callback, void* user);
  int (*stop)(const struct device* dev);
  // Replay devices: frames due after the recording ended (not written, unless looping);
  // real sensors: 0.
  uint64_t (*frames_past_end)(const struct device* dev);
};

inline const StreamInfo* stream_info(const struct device* dev) {
  return static_cast<const SensorStreamApi*>(dev->api)->info(dev);
}
inline int stream_start(const struct device* dev, RingBuffer* ring, int64_t start_tick, BlockCallback callback, void* user) {
  return static_cast<const SensorStreamApi*>(dev->api)->start(dev, ring, start_tick, callback, user);
}
inline int stream_stop(const struct device* dev) {
  return static_cast<const SensorStreamApi*>(dev->api)->stop(dev);
}
inline uint64_t stream_frames_past_end(const struct device* dev) {
  return static_cast<const SensorStreamApi*>(dev->api)->frames_past_end(dev);
}

}  // namespace chorus::zephyr
