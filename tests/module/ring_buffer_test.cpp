// The SPSC ring buffer: order, wrap-around, overrun counting, windows with hop, and a
// real producer thread against a consumer thread.
#include <gtest/gtest.h>

#include <cstdint>
#include <thread>
#include <vector>

#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/sample_source.hpp"

namespace chorus {
namespace {

TEST(RingBuffer, CapacityIsAPowerOfTwoThatFits) {
  uint8_t storage[100];
  RingBuffer ring(Span<uint8_t>(storage, sizeof(storage)), 2);
  EXPECT_EQ(ring.capacity(), 32u);  // 50 frames fit; 32 is the largest power of two
}

// Storage of exactly a power of two of frames is used whole; consuming more than is there
// takes what is there, and the buffer goes on working.
TEST(RingBuffer, APowerOfTwoOfFramesIsUsedWholeAndOverConsumingIsClamped) {
  int16_t storage[8];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  EXPECT_EQ(ring.capacity(), 8u);
  const int16_t three[3] = {1, 2, 3};
  ASSERT_EQ(ring.write(three, 3), 3u);
  ring.consume(10);
  EXPECT_EQ(ring.available(), 0u);
  const int16_t more[8] = {4, 5, 6, 7, 8, 9, 10, 11};
  EXPECT_EQ(ring.write(more, 8), 8u);
  EXPECT_EQ(ring.available(), 8u);
  int16_t out[8] = {};
  ASSERT_EQ(ring.peek(0, out, 8), 8u);
  EXPECT_EQ(out[0], 4);
  EXPECT_EQ(out[7], 11);
  // Asking past the end from an offset gives what is there from it: 2 of 8.
  EXPECT_EQ(ring.peek(6, out, 5), 2u);
  EXPECT_EQ(out[0], 10);
  EXPECT_EQ(ring.overrun_frames(), 0u);
}

TEST(RingBuffer, KeepsOrderAcrossWrapAround) {
  int16_t storage[8];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  int16_t next = 0, expect = 0;
  for (int round = 0; round < 100; ++round) {
    int16_t chunk[5];
    for (int16_t& v : chunk) v = next++;
    ASSERT_EQ(ring.write(chunk, 5), 5u);
    int16_t out[5] = {};
    ASSERT_EQ(ring.peek(0, out, 5), 5u);
    ring.consume(5);
    for (int16_t v : out) EXPECT_EQ(v, expect++);
  }
  EXPECT_EQ(ring.overrun_frames(), 0u);
}

TEST(RingBuffer, CountsExactlyWhatDoesNotFit) {
  int16_t storage[16];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  int16_t data[40] = {};
  EXPECT_EQ(ring.write(data, 10), 10u);
  EXPECT_EQ(ring.write(data, 10), 6u);
  EXPECT_EQ(ring.overrun_frames(), 4u);
  EXPECT_EQ(ring.write(data, 40), 0u);
  EXPECT_EQ(ring.overrun_frames(), 44u);
  ring.consume(3);
  EXPECT_EQ(ring.write(data, 5), 3u);
  EXPECT_EQ(ring.overrun_frames(), 46u);
}

// A single frame that does not fit is one overrun, counted at once.
TEST(RingBuffer, ASingleFrameThatDoesNotFitIsCounted) {
  int16_t storage[4];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  const int16_t data[4] = {1, 2, 3, 4};
  ASSERT_EQ(ring.write(data, 4), 4u);
  const int16_t one = 5;
  EXPECT_EQ(ring.write(&one, 1), 0u);
  EXPECT_EQ(ring.overrun_frames(), 1u);
  EXPECT_EQ(ring.write(&one, 1), 0u);
  EXPECT_EQ(ring.overrun_frames(), 2u);
}

// The zero-copy area never runs past the end of the storage: at the wrap it is the part up
// to the end, and the rest comes after a commit.
TEST(RingBuffer, WriteAreaStopsAtTheEndOfStorage) {
  int16_t storage[8 + 4];  // 8 frames of ring, 4 guard frames behind them
  for (int16_t& g : storage) g = 0x5A5A;
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), 8 * sizeof(int16_t)), sizeof(int16_t));
  ASSERT_EQ(ring.capacity(), 8u);
  const int16_t six[6] = {0, 1, 2, 3, 4, 5};
  ASSERT_EQ(ring.write(six, 6), 6u);
  ring.consume(6);  // head at frame 6, 8 frames free: 2 before the end, 6 after the wrap
  Span<uint8_t> area = ring.write_area();
  EXPECT_EQ(area.size(), 2 * sizeof(int16_t));
  EXPECT_EQ(area.data(), reinterpret_cast<uint8_t*>(storage + 6));
  for (size_t i = 0; i < area.size(); ++i) area[i] = 0x11;
  ring.commit(2);
  area = ring.write_area();
  EXPECT_EQ(area.data(), reinterpret_cast<uint8_t*>(storage));  // wrapped to the start
  EXPECT_EQ(area.size(), 6 * sizeof(int16_t));
  for (int g = 8; g < 12; ++g) EXPECT_EQ(storage[g], 0x5A5A) << "guard frame " << g;
  EXPECT_EQ(ring.available(), 2u);
}

// peek's offset counts from the oldest frame, across the wrap too.
TEST(RingBuffer, PeekAtAnOffsetAcrossTheWrap) {
  int16_t storage[8];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  const int16_t first[5] = {0, 1, 2, 3, 4};
  ASSERT_EQ(ring.write(first, 5), 5u);
  ring.consume(5);
  const int16_t data[7] = {10, 11, 12, 13, 14, 15, 16};  // frames 5..7 then 0..3 of storage
  ASSERT_EQ(ring.write(data, 7), 7u);
  int16_t out[4] = {};
  ASSERT_EQ(ring.peek(2, out, 4), 4u);  // 12 13 at the end, 14 15 after the wrap
  EXPECT_EQ(out[0], 12);
  EXPECT_EQ(out[1], 13);
  EXPECT_EQ(out[2], 14);
  EXPECT_EQ(out[3], 15);
  EXPECT_EQ(ring.peek(5, out, 4), 2u);  // only 2 frames after offset 5
  EXPECT_EQ(out[0], 15);
  EXPECT_EQ(out[1], 16);
  EXPECT_EQ(ring.peek(7, out, 1), 0u);
}

TEST(RingBuffer, WindowsWithHopReadOverlappingSamples) {
  int16_t storage[64];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(int16_t));
  RingBufferSource source(ring, StreamInfo{SampleFormat::kInt16, 1, 16000});
  std::vector<int16_t> samples(30);
  for (int i = 0; i < 30; ++i) samples[i] = static_cast<int16_t>(i);
  ring.write(samples.data(), samples.size());
  // Window of 12 every 8: windows start at 0, 8, 16 (the next needs 24..35, not there).
  std::vector<int> starts;
  while (source.available() >= 12) {
    int16_t window[12];
    ASSERT_EQ(source.peek(0, window, 12), 12u);
    for (int i = 0; i < 12; ++i) EXPECT_EQ(window[i], window[0] + i);
    starts.push_back(window[0]);
    source.consume(8);
  }
  EXPECT_EQ(starts, (std::vector<int>{0, 8, 16}));
  EXPECT_EQ(source.available(), 6u);
}

TEST(RingBuffer, ProducerThreadLosesNothingWhenTheConsumerKeepsUp) {
  uint32_t storage[256];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(uint32_t));
  constexpr uint32_t kTotal = 200000;
  std::thread producer([&] {
    uint32_t next = 0;
    while (next < kTotal) {
      uint32_t chunk[7];
      uint32_t n = 0;
      for (; n < 7 && next + n < kTotal; ++n) chunk[n] = next + n;
      // Only write what fits, so nothing is dropped: the test is about ordering and races.
      while (ring.capacity() - ring.available() < n) std::this_thread::yield();
      ASSERT_EQ(ring.write(chunk, n), n);
      next += n;
    }
  });
  uint32_t expect = 0;
  while (expect < kTotal) {
    uint32_t out[32];
    const size_t n = ring.peek(0, out, 32);
    for (size_t i = 0; i < n; ++i) ASSERT_EQ(out[i], expect + i);
    ring.consume(n);
    expect += static_cast<uint32_t>(n);
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  EXPECT_EQ(ring.overrun_frames(), 0u);
}

TEST(RingBuffer, ProducerThreadCountsEveryDroppedFrame) {
  uint32_t storage[64];
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), sizeof(uint32_t));
  constexpr uint32_t kTotal = 100000;
  std::thread producer([&] {
    for (uint32_t i = 0; i < kTotal; ++i) ring.write(&i, 1);
  });
  uint64_t received = 0;
  uint32_t last = 0;
  bool first = true;
  for (;;) {
    uint32_t out[16];
    const size_t n = ring.peek(0, out, 16);
    for (size_t i = 0; i < n; ++i) {
      if (!first) EXPECT_GT(out[i], last);  // strictly increasing: drops skip, never reorder
      last = out[i];
      first = false;
    }
    ring.consume(n);
    received += n;
    if (n == 0 && last + 1 == kTotal) break;
    if (n == 0) std::this_thread::yield();
    if (received + ring.overrun_frames() == kTotal && ring.available() == 0) break;
  }
  producer.join();
  received += ring.available();
  EXPECT_EQ(received + ring.overrun_frames(), kTotal);
}

}  // namespace
}  // namespace chorus
