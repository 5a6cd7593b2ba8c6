// The LIS3DH driver against a model of the part written from the datasheet
// (lis3dh_part.hpp), not from the driver: boot time, watermark count, FIFO depth and FSS,
// 10-bit FIFO data, and I2C transfer time at the bus rate. Each test failed on the driver
// before these facts were encoded (it read during the boot, set the watermark one sample
// late, left a sample in the FIFO at every service, and cannot keep 1344 Hz on 100 kHz).
#include <gtest/gtest.h>

#include <vector>

#include "chorus/drivers/lis3dh.hpp"
#include "lis3dh_part.hpp"

namespace chorus::drivers {
namespace {

using test::Lis3dhPart;

struct Rig {
  explicit Rig(uint32_t bus_hz = 0, uint16_t odr = 400, uint8_t watermark = 16) : part(0x18, bus_hz) {
    config.odr_hz = odr;
    config.fifo_watermark = watermark;
    config.delay_ms = nullptr;
  }
  Lis3dhPart part;
  Lis3dhConfig config;
  std::vector<int16_t> storage = std::vector<int16_t>(3 * 8192);
  RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), 6};
};

Lis3dhPart* g_part = nullptr;
void part_delay(uint32_t ms) { g_part->advance_by(uint64_t{ms} * 1000000); }

// Power-up at t = 0, then init at once: the part answers only after its 5 ms boot.
TEST(Lis3dhPart, InitWaitsForTheBootWithADelayFunction) {
  Rig r;
  g_part = &r.part;
  r.config.delay_ms = &part_delay;
  Lis3dh lis(r.part, r.ring, r.config);
  const Status s = lis.init();
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(r.part.early_transfers(), 0u);
  EXPECT_GE(r.part.now(), Lis3dhPart::kBootNs);
  EXPECT_EQ(r.part.reg(0x20), 0x77);  // the configuration reached the part
}

TEST(Lis3dhPart, InitPollsThroughTheBootWithoutOne) {
  Rig r(100000);  // each refused attempt takes its bus time
  Lis3dh lis(r.part, r.ring, r.config);
  const Status s = lis.init();
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_GT(r.part.early_transfers(), 0u);
  EXPECT_EQ(r.part.reg(0x20), 0x77);
  EXPECT_EQ(r.part.reg(0x23), 0x88);
}

// Runs the stream for `seconds`: the part samples, INT1 (watermark or overrun) calls the
// service, which itself takes bus time. Returns the samples the driver delivered.
std::vector<int16_t> stream(Rig& r, Lis3dh& lis, double seconds, uint32_t* services) {
  r.part.advance_to(Lis3dhPart::kBootNs);
  EXPECT_TRUE(lis.init().is_ok());
  EXPECT_TRUE(lis.start_stream().is_ok());
  const uint64_t end = r.part.now() + static_cast<uint64_t>(seconds * 1e9);
  *services = 0;
  while (r.part.now() < end) {
    r.part.advance_by(100000);  // the CPU looks at INT1 every 100 us
    if (!r.part.int1()) continue;
    EXPECT_TRUE(lis.service_fifo().is_ok());
    ++*services;
  }
  std::vector<int16_t> out(lis.source().available() * 3);
  lis.source().peek(0, out.data(), lis.source().available());
  return out;
}

// Sample k of the part, as the driver must deliver it from the FIFO: 10 bits, 4 mg a digit.
void expect_in_order(const Rig& r, const std::vector<int16_t>& got, uint64_t first) {
  for (size_t i = 0; i * 3 < got.size(); ++i) {
    int16_t hr[3];
    r.part.sample(first + i, hr);
    for (int a = 0; a < 3; ++a) {
      ASSERT_EQ(got[i * 3 + a], Lis3dhPart::fifo_value(hr[a])) << "sample " << i << " axis " << a;
    }
  }
}

TEST(Lis3dhPart, TheWatermarkInterruptComesWithTheConfiguredSamples) {
  Rig r;
  Lis3dh lis(r.part, r.ring, r.config);
  r.part.advance_to(Lis3dhPart::kBootNs);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  size_t at = 0;
  for (int k = 0; k < 40 && at == 0; ++k) {
    r.part.advance_by(2500000);  // one sample at 400 Hz
    if (r.part.int1()) at = r.part.stored();
  }
  EXPECT_EQ(at, 16u);  // fifo_watermark = 16
}

TEST(Lis3dhPart, EveryServiceEmptiesTheFifoAndDeliversEachSampleOnceInOrder) {
  Rig r;
  Lis3dh lis(r.part, r.ring, r.config);
  uint32_t services = 0;
  const std::vector<int16_t> got = stream(r, lis, 1.0, &services);
  const uint64_t produced = r.part.produced();
  // 400 Hz for 1 s, serviced at each watermark of 16: everything but what came after the
  // last service is delivered, and the FIFO holds less than a watermark.
  EXPECT_GE(produced, 400u);
  EXPECT_EQ(got.size() / 3 + r.part.stored(), produced);
  EXPECT_LT(r.part.stored(), 16u);
  EXPECT_EQ(r.part.overwritten(), 0u);
  EXPECT_EQ(lis.stats().lost_samples, 0u);
  EXPECT_EQ(services, produced / 16);
  expect_in_order(r, got, 0);
  std::printf("compared %zu samples of %llu produced in %u services\n", got.size() / 3,
              static_cast<unsigned long long>(produced), services);
}

TEST(Lis3dhPart, AFullFifoIsEmptiedCompletely) {
  Rig r;
  Lis3dh lis(r.part, r.ring, r.config);
  r.part.advance_to(Lis3dhPart::kBootNs);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  r.part.advance_by(32 * 2500000 + 1000);  // exactly 32 samples, nothing overwritten
  ASSERT_EQ(r.part.stored(), 32u);
  ASSERT_TRUE(lis.service_fifo().is_ok());
  EXPECT_EQ(r.part.stored(), 0u);
  EXPECT_EQ(lis.source().available(), 32u);
  std::vector<int16_t> got(32 * 3);
  lis.source().peek(0, got.data(), 32);
  expect_in_order(r, got, 0);
}

// 1344 Hz: one six-byte sample read is 84 bit times of I2C, so 100 kHz carries at most
// ~1190 samples a second and the FIFO overflows; 400 kHz keeps up.
TEST(Lis3dhPart, At1344HzA100kHzBusFallsBehindAnd400kHzKeepsUp) {
  {
    Rig r(400000, 1344, 16);
    Lis3dh lis(r.part, r.ring, r.config);
    uint32_t services = 0;
    const std::vector<int16_t> got = stream(r, lis, 2.0, &services);
    EXPECT_EQ(r.part.overwritten(), 0u);
    EXPECT_EQ(got.size() / 3 + r.part.stored(), r.part.produced());
    expect_in_order(r, got, 0);
    std::printf("400 kHz: %zu of %llu samples delivered, %llu overwritten\n", got.size() / 3,
                static_cast<unsigned long long>(r.part.produced()), static_cast<unsigned long long>(r.part.overwritten()));
  }
  {
    Rig r(100000, 1344, 16);
    Lis3dh lis(r.part, r.ring, r.config);
    uint32_t services = 0;
    const std::vector<int16_t> got = stream(r, lis, 2.0, &services);
    EXPECT_GT(r.part.overwritten(), 0u);
    EXPECT_LT(got.size() / 3, r.part.produced() * 90 / 100);
    std::printf("100 kHz: %zu of %llu samples delivered, %llu overwritten\n", got.size() / 3,
                static_cast<unsigned long long>(r.part.produced()), static_cast<unsigned long long>(r.part.overwritten()));
  }
}

}  // namespace
}  // namespace chorus::drivers
