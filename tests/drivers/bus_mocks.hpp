// GoogleMock fakes of the buses at register level: every transfer is visible as bytes, so
// tests state the exact datasheet register writes and reads a driver must perform.
#pragma once

#include <gmock/gmock.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "chorus/drivers/audio_bus.hpp"
#include "chorus/drivers/bus.hpp"

namespace chorus::test {

using Bytes = std::vector<uint8_t>;

// What a read returns: the bus result and the bytes clocked in.
struct Reply {
  drivers::BusError error = drivers::BusError::kOk;
  Bytes data;
};

inline Reply ok_reply(Bytes data) { return Reply{drivers::BusError::kOk, std::move(data)}; }
inline Reply error_reply(drivers::BusError error) { return Reply{error, {}}; }

class MockI2cBus : public drivers::I2cBus {
 public:
  MOCK_METHOD(drivers::BusError, write_bytes, (uint8_t address, Bytes bytes));
  MOCK_METHOD(Reply, read_bytes, (uint8_t address, Bytes out, size_t count));

  drivers::BusError write(uint8_t address, Span<const uint8_t> bytes) override {
    return write_bytes(address, Bytes(bytes.begin(), bytes.end()));
  }
  drivers::BusError write_read(uint8_t address, Span<const uint8_t> out, Span<uint8_t> in) override {
    Reply r = read_bytes(address, Bytes(out.begin(), out.end()), in.size());
    if (r.error == drivers::BusError::kOk) {
      EXPECT_EQ(r.data.size(), in.size()) << "fake reply size";
      std::memcpy(in.data(), r.data.data(), r.data.size() < in.size() ? r.data.size() : in.size());
    }
    return r.error;
  }
};

class MockSpiBus : public drivers::SpiBus {
 public:
  MOCK_METHOD(Reply, xfer, (Bytes tx, size_t rx_count));

  using drivers::SpiBus::transfer;
  // The filler byte of each transaction, in order.
  std::vector<uint8_t> fills;
  drivers::BusError transfer(Span<const uint8_t> tx, Span<uint8_t> rx, uint8_t fill) override {
    fills.push_back(fill);
    Reply r = xfer(Bytes(tx.begin(), tx.end()), rx.size());
    if (r.error == drivers::BusError::kOk && rx.size() > 0) {
      EXPECT_EQ(r.data.size(), rx.size()) << "fake reply size";
      std::memcpy(rx.data(), r.data.data(), r.data.size() < rx.size() ? r.data.size() : rx.size());
    }
    return r.error;
  }
};

inline Bytes be32(uint32_t word) {
  return Bytes{static_cast<uint8_t>(word >> 24), static_cast<uint8_t>(word >> 16), static_cast<uint8_t>(word >> 8),
               static_cast<uint8_t>(word)};
}

// An I2S receiver fake: tests fill the DMA halves and fire the interrupts by hand.
class FakeAudioBus : public drivers::SerialAudioBus {
 public:
  drivers::BusError configure(const drivers::SerialAudioConfig& config) override {
    configured = config;
    ++configure_calls;
    return configure_result;
  }
  drivers::BusError start_rx(Span<uint8_t> buffer, drivers::DmaRxListener& l) override {
    dma = buffer;
    listener = &l;
    return start_result;
  }
  void stop_rx() override { listener = nullptr; }
  // The DMA write offset the driver reads: from `position` when set, else unknown.
  bool rx_position(size_t* offset) const override {
    if (!position) return false;
    *offset = position();
    return true;
  }

  // Writes stereo frames (left, right 32-bit slots) into half `half` and fires its interrupt.
  void deliver(drivers::DmaHalf half, const std::vector<uint32_t>& slots) {
    const size_t half_bytes = dma.size() / 2;
    uint8_t* base = dma.data() + static_cast<size_t>(half) * half_bytes;
    EXPECT_EQ(slots.size() * 4, half_bytes);
    std::memcpy(base, slots.data(), slots.size() * 4);
    listener->on_rx_half(half);
  }

  drivers::SerialAudioConfig configured;
  int configure_calls = 0;
  drivers::BusError configure_result = drivers::BusError::kOk;
  drivers::BusError start_result = drivers::BusError::kOk;
  Span<uint8_t> dma;
  drivers::DmaRxListener* listener = nullptr;
  std::function<size_t()> position;
};

inline std::string shared_data(const char* name) { return std::string(CHORUS_SHARED_DIR) + "/data/" + name; }

}  // namespace chorus::test
