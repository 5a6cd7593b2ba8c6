// A serial-audio receiver (I2S, left-justified or PDM with the MCU's decimator) that fills
// a circular DMA buffer in two halves: the half-transfer interrupt reports the first half
// full while DMA writes the second, the transfer-complete interrupt the reverse. The
// listener runs in interrupt context and must be done with a half before DMA wraps to it.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/drivers/bus.hpp"
#include "chorus/module/span.hpp"

namespace chorus::drivers {

enum class AudioProtocol : uint8_t {
  kI2s,            // Philips I2S: MSB one SCK after the WS edge, WS low = left
  kLeftJustified,  // MSB on the WS edge
  kPdm,            // the peripheral decimates; slots hold PCM words
};

struct SerialAudioConfig {
  AudioProtocol protocol = AudioProtocol::kI2s;
  uint32_t sample_rate_hz = 16000;  // WS (frame) rate
  uint8_t slot_bits = 32;           // SCK cycles per slot; DMA words are this wide
  uint8_t slots = 2;                // slots per WS frame
  bool controller = true;           // this side drives SCK and WS
};

enum class DmaHalf : uint8_t { kFirst = 0, kSecond = 1 };

class DmaRxListener {
 public:
  virtual void on_rx_half(DmaHalf half) = 0;
  virtual void on_rx_error(BusError error) = 0;

 protected:
  ~DmaRxListener() = default;
};

class SerialAudioBus {
 public:
  virtual ~SerialAudioBus() = default;
  virtual BusError configure(const SerialAudioConfig& config) = 0;
  // Starts circular DMA reception into `buffer` (both halves, equal size).
  virtual BusError start_rx(Span<uint8_t> buffer, DmaRxListener& listener) = 0;
  virtual void stop_rx() = 0;
  // Where the DMA engine writes next, as a byte offset into the buffer start_rx was given
  // (from its remaining-transfer counter: STM32 DMA_SxNDTR, nRF52 I2S RXD.PTR, ...); may be
  // called from the listener. False when the platform cannot tell: the driver then cannot
  // see an interrupt served so late that the DMA is already overwriting its half.
  virtual bool rx_position(size_t* offset) const {
    (void)offset;
    return false;
  }
};

}  // namespace chorus::drivers
