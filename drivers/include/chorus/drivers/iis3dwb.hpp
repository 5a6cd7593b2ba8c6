// ST IIS3DWB wideband vibration sensor on SPI (datasheet DS13052): 3 axes at 26.667 kHz,
// flat to about 6 kHz, 16-bit, a 3 kbyte FIFO of 512 tagged 7-byte words. The driver runs
// the FIFO in continuous mode with a watermark interrupt on INT1 and streams x, y, z as
// 16-bit counts of the configured full scale (0.061, 0.122, 0.244 or 0.488 mg a count at
// +-2, 4, 8 or 16 g) into a RingBuffer, reading the FIFO in bursts from FIFO_DATA_OUT_TAG
// (each word: a tag byte, then X, Y, Z little-endian) and keeping only accelerometer words.
// init() waits out the turn-on time (the board XML's boot-ms, 10 ms by default) and polls
// WHO_AM_I, then a software reset.
//
// Each sample costs 56 SPI clocks (7 bytes), plus 24 a service for FIFO_STATUS1..2 and 8 a
// burst for the address: 26,667 samples a second need about 1.5 MHz of SPI clock; the board
// check refuses a slower bus-clock. Lost samples reach the stream's device loss: with a
// clock, a FIFO overrun counts every sample produced beyond the 512 the FIFO kept; without
// one, one sample (the lower bound the FIFO's flag shows).
#pragma once

#include <atomic>
#include <cstdint>

#include "chorus/drivers/bus.hpp"
#include "chorus/drivers/device_stream.hpp"
#include "chorus/drivers/sensor.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::drivers {

struct Iis3dwbConfig {
  uint8_t full_scale_g = 16;       // 2, 4, 8 or 16
  uint16_t fifo_watermark = 256;   // 1..511 words stored when the watermark interrupt rises
  uint8_t boot_ms = 10;            // turn-on time (the board XML's boot-ms)
  // Receives one burst: 1 + 7 x fifo_watermark bytes at least (more lets a service catch up
  // in fewer bursts), in DMA-reachable memory.
  Span<uint8_t> spi_buffer;
  // Optional sleep for the turn-on time; without it the driver polls WHO_AM_I.
  void (*delay_ms)(uint32_t ms) = nullptr;
  uint32_t poll_limit = 10000;  // WHO_AM_I / SW_RESET polls before init gives up
  // The time FIFO services are measured by; nullptr: only lower bounds of lost samples.
  const os::Clock* clock = nullptr;
};

struct Iis3dwbStats {
  uint32_t bus_errors = 0;
  uint32_t fifo_overruns = 0;   // FIFO_OVR_IA seen: unread words were overwritten
  uint32_t other_tags = 0;      // FIFO words that were not accelerometer samples (skipped)
  uint32_t samples = 0;         // samples read from the FIFO
  uint32_t lost_samples = 0;    // samples produced that were never read
};

class Iis3dwb {
 public:
  // `ring` frames must be 6 bytes (x, y, z int16 counts).
  Iis3dwb(SpiBus& bus, RingBuffer& ring, const Iis3dwbConfig& config = Iis3dwbConfig());

  // Waits the turn-on time, checks WHO_AM_I, resets (CTRL3_C.SW_RESET, polled until it
  // clears), then BDU and address auto-increment, and the accelerometer on at 26.667 kHz
  // with the full scale. The FIFO stays in bypass until start_stream().
  Status init();
  // FIFO flushed through bypass, watermark, every sample batched, continuous mode; INT1 on
  // watermark and overrun.
  Status start_stream();
  Status stop_stream();
  // Drains the FIFO into the ring. Call from thread context after the INT1 interrupt.
  Status service_fifo();

  SampleSource& source() { return stream_; }
  DeviceStream& stream() { return stream_; }
  Iis3dwbStats stats() const;
  const Iis3dwbConfig& config() const { return config_; }
  // Milli-g a count at the configured full scale, times 1000 (61, 122, 244 or 488).
  uint32_t micro_g_per_count() const;
  SensorDevice device() { return SensorDevice{"iis3dwb", &kApi, this}; }
  const int16_t* last_counts() const { return last_; }

  static const SensorDriverApi kApi;

 private:
  Status validate() const;
  Status write_reg(uint8_t reg, uint8_t value);
  Status read_regs(uint8_t reg, uint8_t* out, size_t count);
  Status bus_status(BusError error, const char* what, uint8_t reg);
  uint64_t produced_since_last_read();
  void count_lost(uint64_t samples);

  SpiBus& bus_;
  DeviceStream stream_;
  Iis3dwbConfig config_;
  bool streaming_ = false;
  os::TimeNs last_read_time_ = 0;
  uint32_t unread_ = 0;  // words the last service left in the FIFO
  int16_t last_[3] = {0, 0, 0};
  std::atomic<uint32_t> bus_errors_{0}, fifo_overruns_{0}, other_tags_{0}, samples_{0}, lost_{0};
};

}  // namespace chorus::drivers
