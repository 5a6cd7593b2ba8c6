// BGT60TR13C against a register-level SPI mock: 32-bit register words (ADDR[6:0] | RW |
// DATA[23:0]), the chip-ID check and reset handshake, the configurator list with the frame
// geometry patched in, 12-bit FIFO unpacking from a burst read, and the FIFO-overflow,
// burst-error and bus-error paths.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "bus_mocks.hpp"
#include "chorus/drivers/bgt60tr13c.hpp"
#include "counting_port.hpp"

namespace chorus::drivers {
namespace {

using test::be32;
using test::Bytes;
using test::MockSpiBus;
using ::testing::HasSubstr;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

uint32_t wr(uint8_t address, uint32_t data) { return (static_cast<uint32_t>(address) << 25) | (1u << 24) | data; }

void expect_write(MockSpiBus& bus, uint8_t address, uint32_t data) {
  EXPECT_CALL(bus, xfer(be32(wr(address, data)), 0u)).WillOnce(Return(test::ok_reply({})));
}
void expect_read(MockSpiBus& bus, uint8_t address, uint32_t data, uint8_t gsr0 = 0) {
  Bytes reply = be32(data);
  reply[0] = gsr0;
  EXPECT_CALL(bus, xfer(be32(static_cast<uint32_t>(address) << 25), 4u)).WillOnce(Return(test::ok_reply(reply)));
}

// A configurator-style list (address << 25 | 1 << 24 | data); MAIN has FRAME_START set,
// which the driver must not write.
const uint32_t kList[] = {
    wr(0x00, 0x1C0E21), wr(0x01, 0x088210), wr(0x06, 0x1083FF), wr(0x10, 0x103C51),
    wr(0x11, 0x1FF41F), wr(0x2E, 0x03F000), wr(0x33, 0x000080), wr(0x37, 0x261B10),
};

void no_wait(uint32_t) {}

struct Rig {
  Rig() : ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 48 * 2) {
    config.format.samples_per_chirp = 8;
    config.format.chirps_per_frame = 2;
    config.format.rx_antennas = 3;
    config.format.frame_period_ns = 50000000;
    config.rx_mask = 0x7;
    config.adc_rate_hz = 2000000;
    config.registers = Span<const uint32_t>(kList, sizeof(kList) / sizeof(kList[0]));
    config.spi_buffer = Span<uint8_t>(spi, sizeof(spi));
    config.delay_ms = &no_wait;
  }
  int16_t storage[48 * 4];
  uint8_t spi[4 + 3 * 24];
  RingBuffer ring;
  Bgt60Config config;
};

void expect_init(MockSpiBus& bus) {
  expect_write(bus, 0x06, 0x102000);
  expect_read(bus, 0x02, 0x000303);
  expect_read(bus, 0x00, 0x000000);  // software reset handshake
  expect_write(bus, 0x00, 0x000002);
  expect_read(bus, 0x00, 0x000002);
  expect_read(bus, 0x00, 0x000000);
  expect_write(bus, 0x06, 0x102000);
  expect_write(bus, 0x00, 0x1C0E20);  // FRAME_START cleared
  expect_write(bus, 0x01, 0x0A0210);  // ADC_DIV = 80 MHz / 2 MHz = 40
  expect_write(bus, 0x06, 0x108017);  // FIFO_CREF = 24 words - 1
  expect_write(bus, 0x10, 0x13FC51);  // RX1..RX3 LO buffers and mixers on
  expect_write(bus, 0x11, 0x7FF41F);  // BBCH_SEL = 0111b
  expect_write(bus, 0x2E, 0x001000);  // FRAME_LEN = 2 chirps - 1, MAX_FRAME_CNT = 0
  expect_write(bus, 0x33, 0x000008);  // APU = 8 samples per chirp
  expect_write(bus, 0x37, 0x261B10);  // REPS = 0
}

Bytes burst_command() { return Bytes{0xFF, 0xC0, 0x00, 0x00}; }

// FIFO words: two 12-bit samples per 24 bits, the first in the high bits.
Bytes pack(const std::vector<int16_t>& samples, uint8_t gsr0 = 0) {
  Bytes out{gsr0, 0, 0, 0};
  for (size_t i = 0; i + 1 < samples.size(); i += 2) {
    const int a = samples[i], b = samples[i + 1];
    out.push_back(static_cast<uint8_t>(a >> 4));
    out.push_back(static_cast<uint8_t>(((a & 0xF) << 4) | (b >> 8)));
    out.push_back(static_cast<uint8_t>(b & 0xFF));
  }
  return out;
}

std::vector<int16_t> ramp(int seed) {
  std::vector<int16_t> v(48);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int16_t>((seed + 97 * i) & 0xFFF);
  return v;
}

TEST(Bgt60tr13c, RegisterWordsFollowTheSpiProtocol) {
  EXPECT_EQ(Bgt60tr13c::write_word(0x33, 0x000200), 0x67000200u);  // as the configurator exports PLL1_3
  EXPECT_EQ(Bgt60tr13c::read_word(0x02), 0x04000000u);
  EXPECT_EQ(Bgt60tr13c::write_word(0x06, 0x1FFFFFF), 0x0DFFFFFFu);  // data is 24 bits
}

TEST(Bgt60tr13c, InitChecksTheChipResetsAndWritesThePatchedList) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_init(bus);
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  const Status s = radar.init();
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(radar.fifo_words_per_frame(), 24u);
  EXPECT_EQ(radar.shadow(0x2E), 0x001000u);
  EXPECT_EQ(radar.source().info().channels, 48);
  EXPECT_EQ(radar.source().info().rate_hz, 20u);
}

TEST(Bgt60tr13c, RefusesAnotherChip) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_write(bus, 0x06, 0x102000);
    expect_read(bus, 0x02, 0x000602);
  }
  const Status s = Bgt60tr13c(bus, rig.ring, rig.config).init();
  EXPECT_THAT(s.message(), HasSubstr("CHIP_ID reads 0x602"));
}

TEST(Bgt60tr13c, ResetThatNeverCompletesTimesOut) {
  MockSpiBus bus;
  Rig rig;
  rig.config.reset_poll_limit = 3;
  EXPECT_CALL(bus, xfer(be32(wr(0x06, 0x102000)), 0u)).WillOnce(Return(test::ok_reply({})));
  EXPECT_CALL(bus, xfer(be32(0x04000000), 4u)).WillOnce(Return(test::ok_reply(be32(0x000303))));
  EXPECT_CALL(bus, xfer(be32(0x00000000), 4u)).Times(4).WillRepeatedly(Return(test::ok_reply(be32(0x000002))));
  EXPECT_CALL(bus, xfer(be32(wr(0x00, 0x000002)), 0u)).WillOnce(Return(test::ok_reply({})));
  const Status s = Bgt60tr13c(bus, rig.ring, rig.config).init();
  EXPECT_THAT(s.message(), HasSubstr("software reset did not complete"));
}

TEST(Bgt60tr13c, StartSetsFrameStartAndAFrameIsUnpackedFromTheBurst) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  const std::vector<int16_t> samples = ramp(5);
  {
    InSequence order;
    expect_init(bus);
    expect_read(bus, 0x00, 0x1C0E20);
    expect_write(bus, 0x00, 0x1C0E21);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(samples))));
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  ASSERT_TRUE(radar.init().is_ok());
  ASSERT_TRUE(radar.start().is_ok());
  test::cache_port_log().reset();
  ASSERT_TRUE(radar.service_fifo().is_ok());
  EXPECT_EQ(test::cache_port_log().last_invalidate.load(), rig.spi);
  EXPECT_EQ(test::cache_port_log().last_invalidate_bytes.load(), 76u);
  ASSERT_EQ(radar.source().available(), 1u);
  std::vector<int16_t> frame(48);
  radar.source().peek(0, frame.data(), 1);
  EXPECT_EQ(frame, samples);
  EXPECT_EQ(radar.stats().frames, 1u);
}

void expect_overflow_recovery(MockSpiBus& bus) {
  expect_read(bus, 0x00, 0x1C0E21);  // FIFO_RESET | FSM_RESET
  expect_write(bus, 0x00, 0x1C0E2D);
  expect_read(bus, 0x00, 0x1C0E21);
  expect_read(bus, 0x00, 0x1C0E20);  // frames restart
  expect_write(bus, 0x00, 0x1C0E21);
}

TEST(Bgt60tr13c, FifoOverflowResetsFifoAndFsmRestartsAndCounts) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_init(bus);
    expect_read(bus, 0x00, 0x1C0E20);
    expect_write(bus, 0x00, 0x1C0E21);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(1), 0x01))));
    expect_read(bus, 0x5F, 0x802000);  // FSTAT: FOF_ERR
    expect_overflow_recovery(bus);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(2)))));
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  ASSERT_TRUE(radar.init().is_ok());
  ASSERT_TRUE(radar.start().is_ok());
  const Status s = radar.service_fifo();
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(s.message(), HasSubstr("FIFO overflow"));
  EXPECT_EQ(radar.stats().fifo_overflows, 1u);
  EXPECT_EQ(radar.stats().recoveries, 1u);
  EXPECT_EQ(radar.source().overrun_frames(), 1u);
  EXPECT_EQ(radar.source().available(), 0u);
  ASSERT_TRUE(radar.service_fifo().is_ok());
  EXPECT_EQ(radar.source().available(), 1u);
}


// With the scheduler's clock, an overflow counts every frame produced since the last one
// read (the FIFO reset throws away whatever it held): 1, 2, 3 and many.
TEST(Bgt60tr13c, AnOverflowCountsEveryFrameSinceTheLastReadWithAClock) {
  for (uint32_t lost : {1u, 2u, 3u, 50u}) {
    StrictMock<MockSpiBus> bus;
    Rig rig;
    os::VirtualClock clock;
    rig.config.clock = &clock;
    const os::TimeNs period = rig.config.format.frame_period_ns;
    {
      InSequence order;
      expect_init(bus);
      expect_read(bus, 0x00, 0x1C0E20);
      expect_write(bus, 0x00, 0x1C0E21);
      EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(1)))));
      EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(2), 0x01))));
      expect_read(bus, 0x5F, 0x802000);  // FSTAT: FOF_ERR
      expect_overflow_recovery(bus);
    }
    Bgt60tr13c radar(bus, rig.ring, rig.config);
    ASSERT_TRUE(radar.init().is_ok());
    ASSERT_TRUE(radar.start().is_ok());
    clock.advance_to(period + period / 10);  // the first frame, read on time
    ASSERT_TRUE(radar.service_fifo().is_ok());
    // `lost` more frames complete unread; the interrupt is served with some latency.
    clock.advance_to((1 + lost) * period + 3 * period / 10);
    const Status s = radar.service_fifo();
    EXPECT_THAT(s.message(), HasSubstr(std::to_string(lost) + " frames lost")) << s.message();
    EXPECT_EQ(radar.stats().lost_frames, lost);
    EXPECT_EQ(radar.source().overrun_frames(), lost);
    EXPECT_EQ(radar.source().available(), 1u);
  }
}

// Reading FSTAT after an overflow fails: the frame is still counted and the FIFO still reset.
TEST(Bgt60tr13c, AnOverflowWhoseStatusCannotBeReadIsStillCountedAndRecovered) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_init(bus);
    expect_read(bus, 0x00, 0x1C0E20);
    expect_write(bus, 0x00, 0x1C0E21);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(1), 0x01))));
    EXPECT_CALL(bus, xfer(be32(0x5Fu << 25), 4u)).WillOnce(Return(test::error_reply(BusError::kTimeout)));
    expect_overflow_recovery(bus);
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  ASSERT_TRUE(radar.init().is_ok());
  ASSERT_TRUE(radar.start().is_ok());
  const Status s = radar.service_fifo();
  EXPECT_FALSE(s.is_ok());
  EXPECT_THAT(s.message(), HasSubstr("timeout"));
  EXPECT_EQ(radar.stats().lost_frames, 1u);
  EXPECT_EQ(radar.source().overrun_frames(), 1u);
  EXPECT_EQ(radar.stats().recoveries, 1u);
}

TEST(Bgt60tr13c, BurstAndBusErrorsDropTheFrameAndCount) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_init(bus);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::ok_reply(pack(ramp(1), 0x08))));
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).WillOnce(Return(test::error_reply(BusError::kTimeout)));
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  ASSERT_TRUE(radar.init().is_ok());
  EXPECT_THAT(radar.service_fifo().message(), HasSubstr("GSR0 0x8"));
  EXPECT_THAT(radar.service_fifo().message(), HasSubstr("timeout"));
  EXPECT_EQ(radar.stats().burst_errors, 1u);
  EXPECT_EQ(radar.stats().bus_errors, 1u);
  EXPECT_EQ(radar.source().overrun_frames(), 2u);
}

TEST(Bgt60tr13c, AFullRingCountsTheFrame) {
  StrictMock<MockSpiBus> bus;
  Rig rig;
  {
    InSequence order;
    expect_init(bus);
    EXPECT_CALL(bus, xfer(burst_command(), 76u)).Times(5).WillRepeatedly(Return(test::ok_reply(pack(ramp(3)))));
  }
  Bgt60tr13c radar(bus, rig.ring, rig.config);
  ASSERT_TRUE(radar.init().is_ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(radar.service_fifo().is_ok());
  EXPECT_EQ(radar.source().available(), 4u);
  EXPECT_EQ(radar.source().overrun_frames(), 1u);
}

TEST(Bgt60tr13c, RefusesGeometryAndListsItCannotProgram) {
  StrictMock<MockSpiBus> bus;
  {
    Rig rig;
    rig.config.format.samples_per_chirp = 3;
    rig.config.format.chirps_per_frame = 1;
    rig.config.format.rx_antennas = 1;
    rig.config.rx_mask = 0x1;
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("3 samples per frame is odd"));
  }
  {
    Rig rig;
    rig.config.rx_mask = 0x3;
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("rx_mask 0x3"));
  }
  {
    Rig rig;
    rig.config.registers = Span<const uint32_t>(kList, 7);  // without PLL1_7
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("lacks register 0x37"));
  }
  {
    Rig rig;
    const uint32_t bad[] = {0x66000008};  // PLL1_3 without the write bit
    rig.config.registers = Span<const uint32_t>(bad, 1);
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("word 0 (0x66000008)"));
  }
  {
    Rig rig;
    rig.config.spi_buffer = Span<uint8_t>(rig.spi, 40);
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("needs 76"));
  }
  {
    Rig rig;
    rig.config.adc_rate_hz = 10000000;
    EXPECT_THAT(Bgt60tr13c(bus, rig.ring, rig.config).init().message(), HasSubstr("ADC_DIV 8"));
  }
  {
    Rig rig;
    RingBuffer small(Span<uint8_t>(reinterpret_cast<uint8_t*>(rig.storage), sizeof(rig.storage)), 48);
    EXPECT_THAT(Bgt60tr13c(bus, small, rig.config).init().message(), HasSubstr("ring frames are 48 bytes, a radar frame is 96"));
  }
}

}  // namespace
}  // namespace chorus::drivers
