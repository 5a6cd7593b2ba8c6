// ST LIS3DH 3-axis accelerometer on I2C (datasheet DocID17530 Rev 2; application note
// AN3308). High-resolution (12-bit) mode, block data update, FIFO in stream mode with a
// watermark interrupt on INT1. Streams x, y, z in milli-g (int16) into a RingBuffer -- the
// FIFO keeps 10 bits of each axis, so streamed samples come in steps of 4 mg at +-2 g;
// polled reads have the full 12 bits -- and answers Zephyr-style polled reads in m/s^2.
// init() waits out the part's 5 ms boot (with `delay_ms`, else by polling WHO_AM_I).
// Reading one six-byte sample costs 84 bit times of I2C: at 100 kHz at most ~1190 samples a
// second, so 1344 Hz needs a 400 kHz bus.
//
// Bus errors are counted by kind; after kMaxConsecutiveErrors failed services the driver
// re-initialises the device and restarts the FIFO (counted as a recovery). Lost samples
// reach the stream's device loss: with a clock (the scheduler's), a FIFO overrun counts
// every sample produced beyond the 32 the FIFO kept, and a recovery every sample produced
// since the last good read (the restart flushes the FIFO); without one, an overrun counts
// one sample and a recovery none (the lower bounds the device itself can show).
#pragma once

#include <atomic>
#include <cstdint>

#include "chorus/drivers/bus.hpp"
#include "chorus/drivers/device_stream.hpp"
#include "chorus/drivers/sensor.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/status.hpp"

namespace chorus::drivers {

struct Lis3dhConfig {
  uint8_t i2c_address = 0x18;  // SA0 low; 0x19 with SA0 high
  uint16_t odr_hz = 400;       // 1, 10, 25, 50, 100, 200, 400 or 1344 (high-resolution mode)
  uint8_t full_scale_g = 2;    // 2, 4, 8 or 16
  uint8_t fifo_watermark = 16; // 1..32 samples stored when the watermark interrupt rises
  uint8_t boot_ms = 5;         // power-up to first access (ST AN3308; the board XML's boot-ms)
  // Optional sleep for the boot time and the self-test settling time; without it the driver
  // polls (WHO_AM_I until acknowledged, STATUS_REG).
  void (*delay_ms)(uint32_t ms) = nullptr;
  uint32_t poll_limit = 100000;  // STATUS_REG polls before a data-ready wait times out
  // The time FIFO services are measured by; nullptr: only lower bounds of lost samples.
  const os::Clock* clock = nullptr;
};

struct Lis3dhStats {
  uint32_t nacks = 0;
  uint32_t timeouts = 0;
  uint32_t other_bus_errors = 0;
  uint32_t fifo_overruns = 0;  // OVRN_FIFO seen: the FIFO overwrote unread samples
  uint32_t recoveries = 0;     // re-initialisations after repeated bus errors
  uint32_t samples = 0;        // samples read from the FIFO
  uint32_t lost_samples = 0;   // samples the device produced that were never read (overruns, recoveries)
};

struct Lis3dhSelfTest {
  int32_t delta_lsb[3] = {0, 0, 0};  // |ST - no ST| per axis, 10-bit LSb at +-2 g
  bool passed = false;
};

class Lis3dh {
 public:
  static constexpr uint32_t kMaxConsecutiveErrors = 3;

  // `ring` frames must be 6 bytes (x, y, z int16 milli-g).
  Lis3dh(I2cBus& bus, RingBuffer& ring, const Lis3dhConfig& config = Lis3dhConfig());

  // Checks WHO_AM_I and writes the control registers (AN3308 start-up order: CTRL_REG1..6,
  // then FIFO_CTRL_REG). The FIFO stays in bypass until start_stream().
  Status init();
  // FIFO on, reset through bypass (§5.1.1), then stream mode with the watermark; INT1 on
  // watermark and overrun.
  Status start_stream();
  Status stop_stream();
  // Drains the FIFO into the ring. Call from thread context after the INT1 interrupt.
  Status service_fifo();
  // The datasheet self-test (§3.2.2, Table 4). Stream must be stopped; restores the config.
  Status self_test(Lis3dhSelfTest* result);

  // Polled read of OUT_X..OUT_Z (stream stopped); with the stream running, the last sample
  // the FIFO service read.
  Status fetch();
  const int16_t* last_milli_g() const { return last_mg_; }

  Status set_odr(uint16_t odr_hz);
  Status set_full_scale(uint8_t full_scale_g);
  Status set_fifo_watermark(uint8_t samples);

  SampleSource& source() { return stream_; }
  DeviceStream& stream() { return stream_; }
  Lis3dhStats stats() const;
  const Lis3dhConfig& config() const { return config_; }
  bool streaming() const { return streaming_; }
  SensorDevice device() { return SensorDevice{"lis3dh", &kApi, this}; }

  static const SensorDriverApi kApi;

 private:
  Status write_reg(uint8_t reg, uint8_t value);
  Status read_regs(uint8_t reg, uint8_t* out, size_t count);
  Status bus_status(BusError error, const char* what, uint8_t reg);
  Status write_control_registers();
  Status wait_data_ready();
  Status average_10bit(int32_t out[3]);
  uint8_t ctrl_reg1() const;
  uint8_t ctrl_reg4() const;
  int32_t milli_g_per_digit() const;
  void note_service_result(bool ok);
  // Samples the device produced since the last good FIFO_SRC read (0 without a clock);
  // moves that reference to now.
  uint64_t produced_since_last_read();
  void count_lost(uint64_t samples);

  I2cBus& bus_;
  DeviceStream stream_;
  Lis3dhConfig config_;
  bool streaming_ = false;
  uint32_t consecutive_errors_ = 0;
  int16_t last_mg_[3] = {0, 0, 0};
  os::TimeNs last_read_time_ = 0;  // the last good FIFO_SRC read (or the stream's start)
  uint32_t unread_ = 0;            // samples FIFO_SRC counted that the last service left in the FIFO
  std::atomic<uint32_t> nacks_{0}, timeouts_{0}, other_errors_{0}, fifo_overruns_{0}, recoveries_{0}, samples_{0}, lost_{0};
};

}  // namespace chorus::drivers
