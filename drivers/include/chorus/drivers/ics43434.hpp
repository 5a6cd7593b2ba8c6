// TDK InvenSense ICS-43434 I2S MEMS microphone. The microphone has no registers: the driver
// configures the MCU's I2S receiver for the microphone's frame format and turns the DMA
// halves into 16-bit PCM in a RingBuffer.
//
// Frame format (ICS-43434 datasheet DS-000069, "I2S Data Interface"; the same as the
// ICS-43432's): I2S (Philips), 64 SCK cycles per WS frame, two 32-bit slots, 24-bit two's
// complement data MSB-first in the top 24 bits of the slot; the L/R pin selects the slot
// the microphone drives (low: left, WS low). The DMA words hold the slot as received
// (sample in bits 31..8).
//
// Start-up: the ICS-43432 datasheet ("Startup and Normal Operation", "Soft Unmute") gives
// 4462 SCK cycles of zero output after power-up, then a 256-WS-cycle volume ramp; the
// driver discards that many frames by default (70 + 256 = 326 frames, 20 ms at 16 kHz).
#pragma once

#include <atomic>
#include <cstdint>

#include "chorus/drivers/audio_bus.hpp"
#include "chorus/drivers/device_stream.hpp"
#include "chorus/drivers/sensor.hpp"
#include "chorus/module/board.hpp"
#include "chorus/module/os/clock.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::drivers {

enum class MicChannel : uint8_t { kLeft, kRight, kStereo };

struct Ics43434Config {
  static constexpr uint32_t kDefaultStartupDiscard = (4462 + 63) / 64 + 256;

  // The datasheet's modes (DS-000069 features table): high performance 23-51.6 kHz,
  // low power 6.25-18.75 kHz; rates between or outside are refused.
  uint32_t sample_rate_hz = 16000;
  // How the port's DMA stores each 32-bit slot: the board XML's i2s-order (the generated
  // header's kSensors[i].i2s_order). kUnstated: as one 32-bit word; kHighFirst / kLowFirst:
  // as two 16-bit transfers in that order (the wire sends the MSB first, so a half-word DMA
  // stores the high half at the lower address).
  board::I2sHalfOrder slot_order = board::I2sHalfOrder::kUnstated;
  MicChannel channel = MicChannel::kLeft;  // as strapped by the L/R pin; kStereo for a pair
  uint8_t gain_shift = 0;                  // 0..8 bits of gain before keeping the top 16 bits
  uint32_t startup_discard_frames = kDefaultStartupDiscard;
  // Circular DMA buffer: two equal halves of whole 8-byte stereo frames, 4-byte aligned,
  // in memory the DMA engine reaches (cache-line aligned on cores with a data cache).
  Span<uint8_t> dma_buffer;
  // The time the interrupts are measured by (the scheduler's clock). With it, every DMA
  // half whose interrupt never came is counted, however many in a row; without it (nullptr)
  // only an odd number of them shows, as a half reported twice in a row.
  const os::Clock* clock = nullptr;
};

// Every frame the microphone produced is either delivered to the ring, dropped by a full
// ring (the ring's overrun count), discarded at start-up, or counted here and in the
// stream's device loss.
struct Ics43434Stats {
  uint32_t halves = 0;           // DMA halves converted
  uint32_t missed_halves = 0;    // halves whose interrupt never came (overwritten unread)
  uint32_t late_halves = 0;      // halves (or their tails) dropped: the DMA was already overwriting them
  uint32_t dma_errors = 0;       // overruns and other errors reported by the bus
  uint32_t discarded_frames = 0; // start-up frames dropped
};

class Ics43434 final : public DmaRxListener {
 public:
  // `ring` frames must be 2 bytes (mono) or 4 bytes (kStereo).
  Ics43434(SerialAudioBus& bus, RingBuffer& ring, const Ics43434Config& config);

  Status init();   // validates and configures the I2S receiver
  Status start();  // starts circular DMA
  void stop();

  // Interrupt context (DMA half-transfer / transfer-complete, DMA error).
  void on_rx_half(DmaHalf half) override;
  void on_rx_error(BusError error) override;

  SampleSource& source() { return stream_; }
  DeviceStream& stream() { return stream_; }
  Ics43434Stats stats() const;
  const Ics43434Config& config() const { return config_; }
  SensorDevice device() { return SensorDevice{"ics43434", &kApi, this}; }
  Status set_gain_shift(uint8_t shift);

  // One DMA half in stereo frames.
  size_t half_frames() const { return config_.dma_buffer.size() / 2 / 8; }

  static const SensorDriverApi kApi;

 private:
  size_t output_channels() const { return config_.channel == MicChannel::kStereo ? 2 : 1; }
  int16_t convert(uint32_t slot) const;
  // Halves the DMA completed since the last one served, this one included (>= 1).
  uint32_t halves_since_last(int index);
  // True when the DMA is writing inside half `index` (the interrupt came a half too late).
  bool dma_inside(int index) const;

  SerialAudioBus& bus_;
  DeviceStream stream_;
  Ics43434Config config_;
  bool running_ = false;
  int last_half_ = 1;  // start() acts as if the second half had just completed
  os::TimeNs last_time_ = 0;
  uint32_t discard_left_ = 0;
  std::atomic<uint32_t> halves_{0}, missed_{0}, late_{0}, dma_errors_{0}, discarded_{0};
};

}  // namespace chorus::drivers
