// ICS-43434 I2S microphone path: the I2S receiver gets the microphone's frame format, DMA
// halves become 16-bit PCM after a cache invalidate, and every lost sample (start-up
// discard aside) shows up in the stream's overrun count -- also with a real "interrupt"
// thread against a consumer thread (run under ThreadSanitizer by scripts/tsan.sh).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "bus_mocks.hpp"
#include "chorus/drivers/ics43434.hpp"
#include "counting_port.hpp"

namespace chorus::drivers {
namespace {

using test::FakeAudioBus;

// A 24-bit sample as it sits in its 32-bit I2S slot.
uint32_t slot(int32_t sample24) { return static_cast<uint32_t>(sample24) << 8; }

struct Rig {
  explicit Rig(MicChannel channel = MicChannel::kLeft, uint32_t discard = 0, size_t ring_frames = 64)
      : ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), ring_frames * frame_bytes(channel)), frame_bytes(channel)) {
    config.channel = channel;
    config.startup_discard_frames = discard;
    config.dma_buffer = Span<uint8_t>(reinterpret_cast<uint8_t*>(dma), sizeof(dma));
  }
  static size_t frame_bytes(MicChannel channel) { return channel == MicChannel::kStereo ? 4 : 2; }
  uint32_t dma[2 * 4 * 2] = {};  // two halves of 4 stereo frames
  int16_t storage[256] = {};
  RingBuffer ring;
  Ics43434Config config;
};

std::vector<int16_t> drain(SampleSource& source, size_t channels) {
  std::vector<int16_t> out(source.available() * channels);
  source.peek(0, out.data(), source.available());
  source.consume(source.available());
  return out;
}

TEST(Ics43434, ConfiguresTheI2sReceiverForSixtyFourClocksPerFrame) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  EXPECT_EQ(bus.configured.protocol, AudioProtocol::kI2s);
  EXPECT_EQ(bus.configured.sample_rate_hz, 16000u);
  EXPECT_EQ(bus.configured.slot_bits, 32);
  EXPECT_EQ(bus.configured.slots, 2);
  EXPECT_TRUE(bus.configured.controller);
  EXPECT_EQ(mic.source().info().rate_hz, 16000u);
  EXPECT_EQ(mic.source().info().channels, 1);
}

TEST(Ics43434, KeepsTheTopSixteenBitsOfTheLeftSlot) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, {slot(0x123456), 0xDEADBEEF, slot(-1), 0, slot(-0x800000), 0, slot(0x7FFFFF), 0});
  EXPECT_EQ(drain(mic.source(), 1), (std::vector<int16_t>{0x1234, -1, -32768, 32767}));
}

TEST(Ics43434, GainShiftScalesAndSaturates) {
  FakeAudioBus bus;
  Rig rig;
  rig.config.gain_shift = 4;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, {slot(0x012345), 0, slot(-0x012345), 0, slot(0x100000), 0, slot(-0x100000), 0});
  EXPECT_EQ(drain(mic.source(), 1), (std::vector<int16_t>{0x1234, -0x1235, 32767, -32768}));
}

TEST(Ics43434, RightAndStereoSelectTheirSlots) {
  FakeAudioBus bus;
  Rig right(MicChannel::kRight);
  Ics43434 mic(bus, right.ring, right.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, {slot(0x010000), slot(0x020000), slot(0x030000), slot(0x040000), 0, slot(0x050000), 0, 0});
  EXPECT_EQ(drain(mic.source(), 1), (std::vector<int16_t>{0x200, 0x400, 0x500, 0}));

  FakeAudioBus bus2;
  Rig stereo(MicChannel::kStereo);
  Ics43434 pair(bus2, stereo.ring, stereo.config);
  ASSERT_TRUE(pair.init().is_ok());
  ASSERT_TRUE(pair.start().is_ok());
  EXPECT_EQ(pair.source().info().channels, 2);
  bus2.deliver(DmaHalf::kFirst, {slot(0x010000), slot(0x020000), slot(0x030000), slot(0x040000), 0, 0, 0, 0});
  EXPECT_EQ(drain(pair.source(), 2), (std::vector<int16_t>{0x100, 0x200, 0x300, 0x400, 0, 0, 0, 0}));
}

TEST(Ics43434, DiscardsTheStartupFramesOnly) {
  FakeAudioBus bus;
  Rig rig(MicChannel::kLeft, 6);
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, {slot(1 << 8), 0, slot(2 << 8), 0, slot(3 << 8), 0, slot(4 << 8), 0});
  bus.deliver(DmaHalf::kSecond, {slot(5 << 8), 0, slot(6 << 8), 0, slot(7 << 8), 0, slot(8 << 8), 0});
  EXPECT_EQ(drain(mic.source(), 1), (std::vector<int16_t>{7, 8}));
  EXPECT_EQ(mic.stats().discarded_frames, 6u);
  EXPECT_EQ(mic.source().overrun_frames(), 0u);
  EXPECT_EQ(Ics43434Config::kDefaultStartupDiscard, 326u);  // 4462 SCK / 64 rounded up + 256 WS
}

TEST(Ics43434, InvalidatesTheCacheOverEachHalfBeforeReading) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  test::cache_port_log().reset();
  bus.deliver(DmaHalf::kSecond, std::vector<uint32_t>(8, 0));
  EXPECT_EQ(test::cache_port_log().invalidates.load(), 1u);
  EXPECT_EQ(test::cache_port_log().last_invalidate.load(), reinterpret_cast<uint8_t*>(rig.dma) + 32);
  EXPECT_EQ(test::cache_port_log().last_invalidate_bytes.load(), 32u);
}

TEST(Ics43434, AMissedHalfAndADmaErrorAreCountedAsLostFrames) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 0));
  bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 0));  // the second half's interrupt was lost
  EXPECT_EQ(mic.stats().missed_halves, 1u);
  EXPECT_EQ(mic.source().overrun_frames(), 4u);
  mic.on_rx_error(BusError::kOverrun);
  EXPECT_EQ(mic.stats().dma_errors, 1u);
  EXPECT_EQ(mic.source().overrun_frames(), 8u);
  EXPECT_EQ(mic.source().available(), 8u);
}

// With the scheduler's clock, every half whose interrupt never came is counted: 1, 2, 3 and
// many in a row (an even number was invisible by the halves' order alone), with interrupt
// latency up to just under half a period either way.
TEST(Ics43434, EveryMissedHalfIsCountedWithAClock) {
  constexpr os::TimeNs kHalf = 4 * 1000000000ull / 16000;  // 4 frames at 16 kHz: 250 us
  for (uint32_t missed : {0u, 1u, 2u, 3u, 10u, 11u}) {
    for (int64_t jitter : {int64_t{0}, int64_t{kHalf * 4 / 10}, -int64_t{kHalf * 4 / 10}}) {
      FakeAudioBus bus;
      Rig rig(MicChannel::kLeft, 0, 128);
      os::VirtualClock clock;
      rig.config.clock = &clock;
      Ics43434 mic(bus, rig.ring, rig.config);
      ASSERT_TRUE(mic.init().is_ok());
      ASSERT_TRUE(mic.start().is_ok());
      // Half 0 on time, then `missed` interrupts lost, then the next one served with jitter.
      clock.advance_to(kHalf);
      bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 0));
      const uint64_t next = 1 + missed;  // global index of the half served next
      clock.advance_to(static_cast<os::TimeNs>(static_cast<int64_t>((next + 1) * kHalf) + jitter));
      bus.deliver(next % 2 == 0 ? DmaHalf::kFirst : DmaHalf::kSecond, std::vector<uint32_t>(8, 0));
      EXPECT_EQ(mic.stats().missed_halves, missed) << missed << " jitter " << jitter;
      EXPECT_EQ(mic.source().overrun_frames(), 4u * missed) << missed << " jitter " << jitter;
      EXPECT_EQ(mic.source().available(), 8u);
    }
  }
}

TEST(Ics43434, WithoutAClockAnEvenNumberOfMissedHalvesIsNotSeen) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 0));
  bus.deliver(DmaHalf::kSecond, std::vector<uint32_t>(8, 0));  // two halves may have passed unseen
  EXPECT_EQ(mic.stats().missed_halves, 0u);  // the documented limit without a clock
}

// An interrupt served so late that the DMA is back in its half: the half holds a mix of old
// and new samples, and none of it is published.
TEST(Ics43434, AHalfTheDmaIsOverwritingIsDroppedAndCounted) {
  FakeAudioBus bus;
  Rig rig;
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.position = [] { return size_t{40}; };  // second half (bytes 32..63)
  bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 1 << 8));
  EXPECT_EQ(mic.stats().late_halves, 0u);
  EXPECT_EQ(mic.source().available(), 4u);
  bus.deliver(DmaHalf::kSecond, std::vector<uint32_t>(8, 2 << 8));
  EXPECT_EQ(mic.stats().late_halves, 1u);
  EXPECT_EQ(mic.source().available(), 4u);
  EXPECT_EQ(mic.source().overrun_frames(), 4u);
}

// The DMA comes back into the half while it is being converted (the ring wraps, so the
// half is written in two parts): the part converted before is kept, the rest counted.
TEST(Ics43434, AHalfOverwrittenWhileReadKeepsOnlyWhatWasReadBefore) {
  FakeAudioBus bus;
  Rig rig(MicChannel::kLeft, 0, 8);
  const int16_t six[6] = {};
  ASSERT_EQ(rig.ring.write(six, 6), 6u);
  rig.ring.consume(6);  // the next half wraps: 2 frames at the end, then 2 at the start
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  int calls = 0;
  bus.position = [&calls] { return ++calls <= 2 ? size_t{32} : size_t{8}; };  // enters after the first part
  bus.deliver(DmaHalf::kFirst, {slot(1 << 8), 0, slot(2 << 8), 0, slot(3 << 8), 0, slot(4 << 8), 0});
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(mic.stats().late_halves, 1u);
  std::vector<int16_t> got = drain(mic.source(), 1);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], 1);
  EXPECT_EQ(got[1], 2);
  EXPECT_EQ(mic.source().overrun_frames(), 2u);
}

TEST(Ics43434, AFullRingCountsExactlyTheDroppedFrames) {
  FakeAudioBus bus;
  Rig rig(MicChannel::kLeft, 0, 2);  // room for 2 frames
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  bus.deliver(DmaHalf::kFirst, std::vector<uint32_t>(8, 0));
  EXPECT_EQ(mic.source().available(), 2u);
  EXPECT_EQ(mic.source().overrun_frames(), 2u);
}

TEST(Ics43434, RefusesBadConfigurations) {
  FakeAudioBus bus;
  Rig rig;
  rig.config.dma_buffer = Span<uint8_t>(reinterpret_cast<uint8_t*>(rig.dma), 24);
  EXPECT_THAT(Ics43434(bus, rig.ring, rig.config).init().message(), ::testing::HasSubstr("24 bytes"));
  Rig gain;
  gain.config.gain_shift = 9;
  EXPECT_THAT(Ics43434(bus, gain.ring, gain.config).init().message(), ::testing::HasSubstr("gain shift 9"));
  Rig stereo_ring(MicChannel::kStereo);
  stereo_ring.config.channel = MicChannel::kLeft;
  EXPECT_THAT(Ics43434(bus, stereo_ring.ring, stereo_ring.config).init().message(), ::testing::HasSubstr("need 2"));
  Rig fails;
  bus.configure_result = BusError::kBusy;
  const Status s = Ics43434(bus, fails.ring, fails.config).init();
  EXPECT_THAT(s.message(), ::testing::HasSubstr("busy"));
}

TEST(Ics43434, InterruptThreadAgainstConsumerThreadLosesNothing) {
  FakeAudioBus bus;
  Rig rig(MicChannel::kLeft, 0, 128);
  Ics43434 mic(bus, rig.ring, rig.config);
  ASSERT_TRUE(mic.init().is_ok());
  ASSERT_TRUE(mic.start().is_ok());
  constexpr int kHalves = 4000;
  std::thread isr([&] {
    int32_t next = 0;
    for (int h = 0; h < kHalves; ++h) {
      // Like a real DMA engine, do not overrun the consumer in this test: wait for room.
      while (rig.ring.capacity() - rig.ring.available() < 4) std::this_thread::yield();
      std::vector<uint32_t> slots;
      for (int i = 0; i < 4; ++i) {
        slots.push_back(slot((next++ & 0x7FFF) << 8));
        slots.push_back(0);
      }
      bus.deliver(h % 2 == 0 ? DmaHalf::kFirst : DmaHalf::kSecond, slots);
    }
  });
  int32_t expect = 0;
  SampleSource& source = mic.source();
  while (expect < kHalves * 4) {
    int16_t out[32];
    const size_t n = source.peek(0, out, 32);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], static_cast<int16_t>(expect++ & 0x7FFF));
    source.consume(n);
    if (n == 0) std::this_thread::yield();
  }
  isr.join();
  EXPECT_EQ(source.overrun_frames(), 0u);
  EXPECT_EQ(mic.stats().halves, static_cast<uint32_t>(kHalves));
}

}  // namespace
}  // namespace chorus::drivers
