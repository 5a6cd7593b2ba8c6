// Register buses as small interfaces the OS port or board implements (Zephyr's i2c/spi
// drivers, a bare-metal HAL, or a test fake). Transfers answer a one-byte BusError rather
// than a Status: they run often, sometimes from interrupt context, and the driver that
// called them knows which register failed and writes the message.
#pragma once

#include <cstdint>

#include "chorus/module/span.hpp"

namespace chorus::drivers {

enum class BusError : uint8_t {
  kOk = 0,
  kNack,       // I2C: address or data not acknowledged
  kTimeout,    // the transfer did not finish in the port's time limit
  kArbitration,
  kOverrun,    // DMA/peripheral data overrun
  kBusy,
  kInvalid,    // the port refused the arguments
};

const char* bus_error_name(BusError error);

class I2cBus {
 public:
  virtual ~I2cBus() = default;
  // START, address+W, `bytes`, STOP. `address` is the 7-bit address.
  virtual BusError write(uint8_t address, Span<const uint8_t> bytes) = 0;
  // START, address+W, `out`, repeated START, address+R, `in`, STOP (a register read).
  virtual BusError write_read(uint8_t address, Span<const uint8_t> out, Span<uint8_t> in) = 0;
};

class SpiBus {
 public:
  virtual ~SpiBus() = default;
  // One full-duplex transaction with chip select held: clocks max(tx, rx) bytes, sending
  // `fill` once `tx` is exhausted, and stores the first rx.size() bytes received. (Parts
  // specify the filler: Infineon's BGT60TRxx expects MOSI high, 0xFF, during a burst read.)
  virtual BusError transfer(Span<const uint8_t> tx, Span<uint8_t> rx, uint8_t fill) = 0;
  BusError transfer(Span<const uint8_t> tx, Span<uint8_t> rx) { return transfer(tx, rx, 0x00); }
};

}  // namespace chorus::drivers
