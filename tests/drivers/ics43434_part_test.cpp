// The ICS-43434 driver against the part's datasheet (TDK InvenSense DS-000069) and a port
// whose DMA moves half-words, not against the driver's own assumptions:
//  - I2S, 64 SCK a frame, 24-bit two's complement MSB first in a 32-bit slot;
//  - a half-word DMA port (an I2S peripheral with a 16-bit data register, the common case
//    on STM32) stores each slot as two 16-bit transfers, the high half first (the wire is
//    MSB first), so in memory the halves are swapped against a 32-bit little-endian word;
//  - the modes: high performance 23-51.6 kHz, low power 6.25-18.75 kHz.
// The driver read every slot as a host word (noise on such a port: the low half of the
// sample became the top 16 bits) and took any rate from 1 to 96 kHz.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "bus_mocks.hpp"
#include "chorus/drivers/ics43434.hpp"

namespace chorus::drivers {
namespace {

using test::FakeAudioBus;

// What a half-word DMA port stores for stereo frames of 24-bit samples: per slot, the
// high 16 bits, then the low 16 (the sample in bits 31..8).
std::vector<uint16_t> half_word_dma(const std::vector<int32_t>& samples24) {
  std::vector<uint16_t> out;
  for (int32_t s : samples24) {
    const uint32_t slot = static_cast<uint32_t>(s) << 8;
    out.push_back(static_cast<uint16_t>(slot >> 16));
    out.push_back(static_cast<uint16_t>(slot & 0xFFFF));
  }
  return out;
}

void deliver_halves(FakeAudioBus& bus, DmaHalf half, const std::vector<uint16_t>& halves) {
  const size_t half_bytes = bus.dma.size() / 2;
  ASSERT_EQ(halves.size() * 2, half_bytes);
  std::memcpy(bus.dma.data() + static_cast<size_t>(half) * half_bytes, halves.data(), half_bytes);
  bus.listener->on_rx_half(half);
}

struct Rig {
  Rig() : ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 2) {
    config.startup_discard_frames = 0;
    config.dma_buffer = Span<uint8_t>(reinterpret_cast<uint8_t*>(dma), sizeof(dma));
  }
  uint32_t dma[2 * 4 * 2] = {};  // two halves of 4 stereo frames
  int16_t storage[64] = {};
  RingBuffer ring;
  Ics43434Config config;
};

TEST(Ics43434Part, HalfWordDmaPortsGiveTheSamplesWhenTheBoardSaysHighFirst) {
  FakeAudioBus bus;
  Rig rig;
  rig.config.slot_order = board::I2sHalfOrder::kHighFirst;  // the board XML's i2s-order
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  // Left samples with distinct high and low halves; right slots unused (L/R low).
  const std::vector<int32_t> left = {0x123456, -0x123456, 0x7FFFFF, -0x800000};
  std::vector<int32_t> frames;
  for (int32_t s : left) {
    frames.push_back(s);
    frames.push_back(0x0F0F0F);
  }
  deliver_halves(bus, DmaHalf::kFirst, half_word_dma(frames));
  std::vector<int16_t> got(mic.source().available());
  ASSERT_EQ(got.size(), 4u);
  mic.source().peek(0, got.data(), got.size());
  // The top 16 bits of each 24-bit sample.
  EXPECT_EQ(got, (std::vector<int16_t>{0x1234, static_cast<int16_t>(-0x123456 >> 8), 0x7FFF, -0x8000}));
}

TEST(Ics43434Part, RatesOutsideTheDatasheetModesAreRefused) {
  FakeAudioBus bus;
  for (uint32_t fs : {6250u, 16000u, 18750u, 23000u, 48000u, 51600u}) {
    Rig rig;
    rig.config.sample_rate_hz = fs;
    Ics43434 mic(bus, rig.ring, rig.config);
    EXPECT_TRUE(mic.init().is_ok()) << fs;
  }
  for (uint32_t fs : {6000u, 20000u, 22050u, 52000u, 96000u}) {
    Rig rig;
    rig.config.sample_rate_hz = fs;
    Ics43434 mic(bus, rig.ring, rig.config);
    const Status s = mic.init();
    EXPECT_FALSE(s.is_ok()) << fs;
    EXPECT_NE(std::string(s.message()).find("neither of the datasheet's modes"), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace chorus::drivers
