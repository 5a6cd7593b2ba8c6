// Infineon BGT60TR13C 60 GHz FMCW radar front end on SPI (1 TX, 3 RX, 12-bit MADC, 8192-word
// FIFO). The application provides the register list exported by Infineon's configurator
// (PLL ramp, gains, timing); the driver writes it with the frame geometry it streams
// patched in -- ADC rate (ADC0.ADC_DIV), samples per chirp (PLL1_3.APU), chirps per frame
// (CCR2.FRAME_LEN with PLL1_7.REPS = 0), receivers (CS1_U_0 RX enables, CS1_U_1.BBCH_SEL)
// and the FIFO interrupt level (SFCTL.FIFO_CREF = one frame) -- then reads one whole frame
// per FIFO interrupt with a burst read and streams it as a RadarFrameFormat frame.
//
// Errors: the GSR0 byte of every reply is checked. FIFO overflow (GSR0.FOU_ERR with
// FSTAT.FOF_ERR) resets the FIFO and frame state machine and restarts frames; every frame
// produced since the last one read is counted lost (with a clock; at least one without),
// also when reading FSTAT itself fails. SPI burst/clock errors and bus errors are counted
// and the frame dropped.
#pragma once

#include <atomic>
#include <cstdint>

#include "chorus/drivers/bus.hpp"
#include "chorus/drivers/device_stream.hpp"
#include "chorus/drivers/radar_frame.hpp"
#include "chorus/drivers/sensor.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::drivers {

struct Bgt60Config {
  RadarFrameFormat format;           // rx_antennas must equal the bits set in rx_mask
  uint8_t rx_mask = 0x7;             // RX1..RX3 in bits 0..2
  uint32_t adc_rate_hz = 2000000;    // 80 MHz / ADC_DIV, ADC_DIV in 20..1023
  // Configurator export: words of (address << 25) | (1 << 24) | data. Must contain ADC0,
  // CS1_U_0, CS1_U_1, CCR2, PLL1_3 and PLL1_7, which the driver patches.
  Span<const uint32_t> registers;
  // Receives one burst: 4 + 3 * (samples per frame / 2) bytes, in DMA-reachable memory.
  Span<uint8_t> spi_buffer;
  uint32_t reset_poll_limit = 1000;  // MAIN reads while waiting for a reset bit to clear
  // Sleeps `ms` milliseconds. Required: after a reset bit clears the part needs 10 ms before
  // it takes writes again (Infineon's xensiv_bgt60trxx_soft_reset waits 10 ms), and the
  // RSTN pulse is timed with it. Without it, the driver spins on `clock`; with neither,
  // init() refuses.
  void (*delay_ms)(uint32_t ms) = nullptr;
  // Drives the part's RSTN pin (the board XML's reset-pin), or nullptr when the board has
  // no line to it. init() then starts with a hardware reset: RSTN high, low, high, 1 ms
  // each (the datasheet's minimum is 1 us low, with CS high around it).
  void (*set_reset_pin)(bool high) = nullptr;
  // The time services are measured by (the scheduler's clock); nullptr: an overflow counts
  // one lost frame, the lower bound.
  const os::Clock* clock = nullptr;
};

struct Bgt60Stats {
  uint32_t frames = 0;
  uint32_t bus_errors = 0;
  uint32_t fifo_overflows = 0;
  uint32_t fifo_underflows = 0;
  uint32_t burst_errors = 0;  // GSR0 SPI_BURST_ERR / CLK_NUM_ERR
  uint32_t recoveries = 0;    // FIFO + FSM resets followed by a frame restart
  uint32_t lost_frames = 0;   // frames produced that never reached the ring
};

class Bgt60tr13c {
 public:
  Bgt60tr13c(SpiBus& bus, RingBuffer& ring, const Bgt60Config& config);

  // RSTN pulse (when wired), SFCTL, CHIP_ID check, software reset and its 10 ms, SFCTL
  // again, the patched register list.
  Status init();
  Status start();  // MAIN.FRAME_START
  Status stop();   // FSM reset stops chirp generation
  // Reads one frame from the FIFO. Call from thread context after the FIFO interrupt.
  Status service_fifo();

  SampleSource& source() { return stream_; }
  DeviceStream& stream() { return stream_; }
  Bgt60Stats stats() const;
  const Bgt60Config& config() const { return config_; }
  uint32_t fifo_words_per_frame() const { return static_cast<uint32_t>(config_.format.samples() / 2); }
  // The value init() wrote to a register (after patching), for diagnostics and tests.
  uint32_t shadow(uint8_t address) const { return address < kShadowSize ? shadow_[address] : 0; }
  SensorDevice device() { return SensorDevice{"bgt60tr13c", &kApi, this}; }

  static uint32_t write_word(uint8_t address, uint32_t data);
  static uint32_t read_word(uint8_t address);

  static const SensorDriverApi kApi;

 private:
  static constexpr uint8_t kShadowSize = 0x60;

  Status validate() const;
  Status write_reg(uint8_t address, uint32_t data);
  Status read_reg(uint8_t address, uint32_t* data, uint8_t* gsr0 = nullptr);
  Status bus_status(BusError error, const char* what, uint8_t address);
  Status reset(uint32_t bits, const char* what);
  Status delay(uint32_t ms);
  Status patch_registers();
  Status recover_overflow();
  // Frames lost to a FIFO reset: those produced since the frames started, less those read
  // (>= 1; 1 without a clock).
  uint32_t frames_unread() const;
  void count_lost(uint32_t frames);

  SpiBus& bus_;
  DeviceStream stream_;
  Bgt60Config config_;
  uint32_t shadow_[kShadowSize] = {};
  bool present_[kShadowSize] = {};
  bool running_ = false;
  os::TimeNs started_at_ = 0;  // MAIN.FRAME_START (by the clock)
  uint64_t frames_read_ = 0;   // since then
  std::atomic<uint32_t> frames_{0}, bus_errors_{0}, overflows_{0}, underflows_{0}, burst_errors_{0}, recoveries_{0}, lost_{0};
};

}  // namespace chorus::drivers
