// LIS3DH against a register-level I2C mock: the init, stream and FIFO sequences must be the
// datasheet's (DocID17530 Rev 2 §5.1, §8; AN3308 start-up order), conversions use Table 4's
// sensitivities, and bus errors / FIFO overruns are counted and recovered from.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "bus_mocks.hpp"
#include "chorus/drivers/lis3dh.hpp"

namespace chorus::drivers {
namespace {

using test::Bytes;
using test::MockI2cBus;
using test::Reply;
using ::testing::_;
using ::testing::InSequence;
using ::testing::Return;
using ::testing::StrictMock;

constexpr uint8_t kAddr = 0x18;

void expect_write(MockI2cBus& bus, uint8_t reg, uint8_t value) {
  EXPECT_CALL(bus, write_bytes(kAddr, Bytes{reg, value})).WillOnce(Return(BusError::kOk));
}
void expect_read(MockI2cBus& bus, uint8_t sub, Bytes data) {
  const size_t n = data.size();
  EXPECT_CALL(bus, read_bytes(kAddr, Bytes{sub}, n)).WillOnce(Return(test::ok_reply(std::move(data))));
}

void expect_init(MockI2cBus& bus, uint8_t ctrl1, uint8_t ctrl4) {
  expect_read(bus, 0x0F, {0x33});
  expect_write(bus, 0x20, ctrl1);
  expect_write(bus, 0x21, 0x00);
  expect_write(bus, 0x22, 0x00);
  expect_write(bus, 0x23, ctrl4);
  expect_write(bus, 0x24, 0x00);
  expect_write(bus, 0x25, 0x00);
  expect_write(bus, 0x2E, 0x00);
}

void expect_start(MockI2cBus& bus, uint8_t watermark) {
  expect_write(bus, 0x24, 0x40);
  expect_write(bus, 0x2E, 0x00);
  // FTH = watermark - 1: the watermark rises with FTH + 1 samples stored (§5.1.3).
  expect_write(bus, 0x2E, static_cast<uint8_t>(0x80 | (watermark - 1)));
  expect_write(bus, 0x22, 0x06);
}

// OUT_X_L..OUT_Z_H of a FIFO level: the FIFO keeps the 10 most significant bits of the
// 12-bit digits (left-justified, little-endian), so x, y, z must be multiples of 4.
Bytes fifo_sample(int x, int y, int z) {
  Bytes b;
  for (int v : {x, y, z}) {
    EXPECT_EQ(v % 4, 0) << "a FIFO sample has 10 bits";
    const uint16_t raw = static_cast<uint16_t>(static_cast<int16_t>(v / 4 * 64));
    b.push_back(static_cast<uint8_t>(raw));
    b.push_back(static_cast<uint8_t>(raw >> 8));
  }
  return b;
}

// OUT_X_L..OUT_Z_H for a 12-bit high-resolution sample (left-justified, little-endian).
Bytes hr_sample(int x, int y, int z) {
  Bytes b;
  for (int v : {x, y, z}) {
    const uint16_t raw = static_cast<uint16_t>(static_cast<int16_t>(v * 16));
    b.push_back(static_cast<uint8_t>(raw));
    b.push_back(static_cast<uint8_t>(raw >> 8));
  }
  return b;
}

struct Fixture {
  int16_t storage[3 * 64];
  RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 6};
};

TEST(Lis3dh, InitWritesTheDatasheetStartupSequence) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    // 400 Hz: ODR = 0111b, XYZ on; BDU, +-2 g, high resolution.
    expect_init(bus, 0x77, 0x88);
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
}

TEST(Lis3dh, ConfigSelectsOdrAndFullScaleCodes) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    // 1344 Hz is ODR code 1001b; +-16 g is FS = 11b.
    expect_init(bus, 0x97, 0xB8);
  }
  Lis3dhConfig config;
  config.odr_hz = 1344;
  config.full_scale_g = 16;
  Lis3dh lis(bus, f.ring, config);
  ASSERT_TRUE(lis.init().is_ok());
}

TEST(Lis3dh, RefusesAWrongWhoAmI) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  expect_read(bus, 0x0F, {0x44});
  Lis3dh lis(bus, f.ring);
  const Status s = lis.init();
  ASSERT_FALSE(s.is_ok());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("WHO_AM_I"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("0x44"));
}

TEST(Lis3dh, RefusesUnsupportedConfigurationsWithTheValue) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  Lis3dhConfig config;
  config.odr_hz = 300;
  Lis3dh a(bus, f.ring, config);
  EXPECT_THAT(a.init().message(), ::testing::HasSubstr("300 Hz"));
  config = Lis3dhConfig();
  config.fifo_watermark = 33;
  Lis3dh b(bus, f.ring, config);
  EXPECT_THAT(b.init().message(), ::testing::HasSubstr("watermark 33"));
  int16_t storage[16];
  RingBuffer wrong(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 2);
  Lis3dh c(bus, wrong);
  EXPECT_THAT(c.init().message(), ::testing::HasSubstr("need 6"));
}

TEST(Lis3dh, StreamStartEnablesFifoThroughBypassThenStreamMode) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    // stop: INT1 off, bypass, FIFO off
    expect_write(bus, 0x22, 0x00);
    expect_write(bus, 0x2E, 0x00);
    expect_write(bus, 0x24, 0x00);
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  EXPECT_TRUE(lis.streaming());
  ASSERT_TRUE(lis.stop_stream().is_ok());
}

TEST(Lis3dh, ServiceReadsFssSamplesAndConvertsToMilliG) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0x82});  // WTM, FSS 2
    // Multi-byte reads set SUB(7): 0x28 | 0x80.
    expect_read(bus, 0xA8, fifo_sample(1000, -248, 0));
    expect_read(bus, 0xA8, fifo_sample(-2048, 2044, 4));
    expect_read(bus, 0x2F, {0x20});  // then empty
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  ASSERT_TRUE(lis.service_fifo().is_ok());
  SampleSource& source = lis.source();
  ASSERT_EQ(source.available(), 2u);
  int16_t out[6];
  ASSERT_EQ(source.peek(0, out, 2), 2u);
  // +-2 g, 10-bit FIFO data: 4 mg/digit (normal mode, Table 4).
  EXPECT_EQ(std::vector<int16_t>(out, out + 6), (std::vector<int16_t>{1000, -248, 0, -2048, 2044, 4}));
  EXPECT_EQ(lis.stats().samples, 2u);
  EXPECT_EQ(source.overrun_frames(), 0u);
}

TEST(Lis3dh, SixteenGUsesFortyEightMilliGPerTenBitDigit) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0xB8);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0x01});
    expect_read(bus, 0xA8, fifo_sample(100, -4, 2044));
    expect_read(bus, 0x2F, {0x20});
  }
  Lis3dhConfig config;
  config.full_scale_g = 16;
  Lis3dh lis(bus, f.ring, config);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  ASSERT_TRUE(lis.service_fifo().is_ok());
  int16_t out[3];
  ASSERT_EQ(lis.source().peek(0, out, 1), 1u);
  // +-16 g, 10-bit: 48 mg/digit (Table 4, normal mode).
  EXPECT_EQ(std::vector<int16_t>(out, out + 3), (std::vector<int16_t>{1200, -48, 24528}));
}

TEST(Lis3dh, FifoOverrunIsCountedAsLostFrames) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0xC1});  // WTM | OVRN_FIFO, FSS 1
    expect_read(bus, 0xA8, fifo_sample(4, 8, 12));
    expect_read(bus, 0x2F, {0x20});
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  ASSERT_TRUE(lis.service_fifo().is_ok());
  EXPECT_EQ(lis.stats().fifo_overruns, 1u);
  EXPECT_EQ(lis.source().overrun_frames(), 1u);
  EXPECT_EQ(lis.source().available(), 1u);  // the samples still there are kept
}

TEST(Lis3dh, EmptyFifoReadsNothing) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0x20});  // EMPTY
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  ASSERT_TRUE(lis.service_fifo().is_ok());
  EXPECT_EQ(lis.source().available(), 0u);
}

TEST(Lis3dh, NackIsCountedAndTheNextServiceWorks) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    EXPECT_CALL(bus, read_bytes(kAddr, Bytes{0x2F}, 1u)).WillOnce(Return(test::error_reply(BusError::kNack)));
    expect_read(bus, 0x2F, {0x01});
    expect_read(bus, 0xA8, fifo_sample(4, 8, 12));
    expect_read(bus, 0x2F, {0x20});
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  const Status failed = lis.service_fifo();
  ASSERT_FALSE(failed.is_ok());
  EXPECT_THAT(failed.message(), ::testing::HasSubstr("register 0x2f"));
  EXPECT_THAT(failed.message(), ::testing::HasSubstr("NACK"));
  EXPECT_EQ(lis.stats().nacks, 1u);
  ASSERT_TRUE(lis.service_fifo().is_ok());
  EXPECT_EQ(lis.source().available(), 1u);
  EXPECT_EQ(lis.stats().recoveries, 0u);
}

TEST(Lis3dh, SamplesReadBeforeAMidFifoTimeoutAreKept) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0x03});
    expect_read(bus, 0xA8, fifo_sample(4, 4, 4));
    EXPECT_CALL(bus, read_bytes(kAddr, Bytes{0xA8}, 6u)).WillOnce(Return(test::error_reply(BusError::kTimeout)));
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  EXPECT_FALSE(lis.service_fifo().is_ok());
  EXPECT_EQ(lis.stats().timeouts, 1u);
  EXPECT_EQ(lis.source().available(), 1u);
}

TEST(Lis3dh, RepeatedBusErrorsReinitialiseTheDevice) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    EXPECT_CALL(bus, read_bytes(kAddr, Bytes{0x2F}, 1u)).Times(3).WillRepeatedly(Return(test::error_reply(BusError::kTimeout)));
    // The third failure in a row restarts the device from scratch.
    expect_init(bus, 0x77, 0x88);
    expect_start(bus, 16);
    expect_read(bus, 0x2F, {0x20});
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  ASSERT_TRUE(lis.start_stream().is_ok());
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(lis.service_fifo().is_ok());
  EXPECT_EQ(lis.stats().timeouts, 3u);
  EXPECT_EQ(lis.stats().recoveries, 1u);
  EXPECT_TRUE(lis.streaming());
  EXPECT_TRUE(lis.service_fifo().is_ok());
}

// The LIS3DH FIFO in stream mode (§5.1, §8.20), with FSS read as the number of samples
// stored (saturating at 31; lis3dh_part.hpp reads it as one less, per §5.1.3 -- the driver
// must work either way): one sample per 1/ODR into 32 levels, the newest replacing the
// oldest when full; FIFO_SRC_REG reports FSS, OVRN_FIFO when all 32 levels hold unread
// samples, EMPTY;
// each OUT_X_L..OUT_Z_H burst pops the oldest. Bypass mode empties it. Samples carry their
// sequence number in x, and the model counts every sample that was never read.
class FifoModel {
 public:
  explicit FifoModel(const os::VirtualClock& clock, uint32_t odr_hz = 400) : clock_(clock), odr_(odr_hz) {}
  BusError write(uint8_t, Bytes bytes) {
    if (bytes[0] == 0x2E) {
      catch_up();
      stream_ = (bytes[1] & 0xC0) == 0x80;
      lost += fifo_.size();  // bypass (and any mode change) empties the FIFO
      fifo_.clear();
    }
    return fail_writes > 0 ? (--fail_writes, BusError::kTimeout) : BusError::kOk;
  }
  Reply read(uint8_t, Bytes out, size_t count) {
    if (fail_reads > 0) {
      --fail_reads;
      return test::error_reply(BusError::kTimeout);
    }
    const uint8_t reg = out[0] & 0x7F;
    if (reg == 0x0F) return test::ok_reply({0x33});
    catch_up();
    if (reg == 0x2F) {
      const size_t n = fifo_.size();
      return test::ok_reply({static_cast<uint8_t>((n == 32 ? 0x40 : 0) | (n == 0 ? 0x20 : 0) | (n > 31 ? 31 : n))});
    }
    if (reg == 0x28) {
      EXPECT_FALSE(fifo_.empty());
      const int seq = fifo_.empty() ? -1 : fifo_.front();
      if (!fifo_.empty()) fifo_.erase(fifo_.begin());
      Bytes b(count, 0);
      // 10-bit FIFO data: the sequence number as x = seq mod 500, y = seq / 500.
      const uint16_t x = static_cast<uint16_t>(static_cast<int16_t>(seq % 500 * 64));
      const uint16_t y = static_cast<uint16_t>(static_cast<int16_t>(seq / 500 * 64));
      b[0] = static_cast<uint8_t>(x);
      b[1] = static_cast<uint8_t>(x >> 8);
      b[2] = static_cast<uint8_t>(y);
      b[3] = static_cast<uint8_t>(y >> 8);
      return test::ok_reply(b);
    }
    return test::ok_reply(Bytes(count, 0));
  }
  uint64_t lost = 0;      // samples produced and never readable
  int fail_reads = 0;     // the next reads time out
  int fail_writes = 0;

 private:
  void catch_up() {
    const uint64_t due = clock_.now() / 1000 * odr_ / 1000000;  // samples complete by now
    for (; produced_ < due; ++produced_) {
      if (!stream_) {
        ++lost;  // the FIFO is not collecting (bypass): the sample is not kept
        continue;
      }
      fifo_.push_back(static_cast<int>(produced_ % 2000));
      if (fifo_.size() > 32) {
        fifo_.erase(fifo_.begin());
        ++lost;
      }
    }
  }
  const os::VirtualClock& clock_;
  uint32_t odr_;
  uint64_t produced_ = 0;
  bool stream_ = false;
  std::vector<int> fifo_;
};

void attach(MockI2cBus& bus, FifoModel& model) {
  EXPECT_CALL(bus, write_bytes(_, _)).WillRepeatedly([&model](uint8_t a, Bytes b) { return model.write(a, b); });
  EXPECT_CALL(bus, read_bytes(_, _, _)).WillRepeatedly([&model](uint8_t a, Bytes o, size_t n) { return model.read(a, o, n); });
}

// Services every 20 samples, then one gap of `late` extra samples (1, 2, 3 and many beyond
// the FIFO's 32), then regular again: the driver's lost count equals the samples the FIFO
// model overwrote, and what was delivered is in order without duplicates.
TEST(Lis3dh, EverySampleAnOverrunLosesIsCountedWithAClock) {
  constexpr os::TimeNs kPeriod = 2500000;  // 400 Hz
  for (uint32_t beyond : {0u, 1u, 2u, 3u, 40u, 1000u}) {
    ::testing::NiceMock<MockI2cBus> bus;
    os::VirtualClock clock;
    FifoModel model(clock);
    attach(bus, model);
    int16_t storage[3 * 2048];
    RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 6};
    Lis3dhConfig config;
    config.clock = &clock;
    Lis3dh lis(bus, ring, config);
    ASSERT_TRUE(lis.init().is_ok());
    clock.advance_to(kPeriod / 2);  // services at mid-sample: no rounding ambiguity
    ASSERT_TRUE(lis.start_stream().is_ok());
    os::TimeNs t = kPeriod / 2;
    for (int k = 0; k < 3; ++k) {
      t += 20 * kPeriod;
      clock.advance_to(t);
      ASSERT_TRUE(lis.service_fifo().is_ok());
    }
    t += (32 + beyond) * kPeriod;
    clock.advance_to(t);
    ASSERT_TRUE(lis.service_fifo().is_ok());
    for (int k = 0; k < 3; ++k) {
      t += 20 * kPeriod;
      clock.advance_to(t);
      ASSERT_TRUE(lis.service_fifo().is_ok());
    }
    EXPECT_EQ(model.lost, beyond);
    EXPECT_EQ(lis.stats().lost_samples, beyond) << beyond;
    EXPECT_EQ(lis.source().overrun_frames(), beyond) << beyond;
    // 32 + beyond samples waited: the FIFO was full (OVRN_FIFO) even when none was lost.
    EXPECT_EQ(lis.stats().fifo_overruns, 1u);
    // Delivered + lost = produced (none left in the FIFO at the last service's FIFO_SRC read).
    EXPECT_EQ(lis.source().available() + beyond, 3 * 20 + 32 + beyond + 3 * 20) << beyond;
    int prev = -1;
    for (size_t i = 0; i < lis.source().available(); ++i) {
      int16_t v[3];
      lis.source().peek(i, v, 1);
      const int seq = v[1] / 4 * 500 + v[0] / 4;  // 4 mg a 10-bit digit
      EXPECT_GT(seq, prev) << "sample " << i << " beyond " << beyond;
      prev = seq;
    }
  }
}

// Three failed services restart the device, which empties the FIFO: with a clock, every
// sample produced since the last good read is counted.
TEST(Lis3dh, ARecoveryCountsTheSamplesItFlushes) {
  constexpr os::TimeNs kPeriod = 2500000;
  ::testing::NiceMock<MockI2cBus> bus;
  os::VirtualClock clock;
  FifoModel model(clock);
  attach(bus, model);
  int16_t storage[3 * 256];
  RingBuffer ring{Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 6};
  Lis3dhConfig config;
  config.clock = &clock;
  Lis3dh lis(bus, ring, config);
  ASSERT_TRUE(lis.init().is_ok());
  clock.advance_to(kPeriod / 2);
  ASSERT_TRUE(lis.start_stream().is_ok());
  os::TimeNs t = kPeriod / 2 + 10 * kPeriod;
  clock.advance_to(t);
  ASSERT_TRUE(lis.service_fifo().is_ok());
  model.fail_reads = 3;
  for (int k = 0; k < 3; ++k) {
    t += 7 * kPeriod;
    clock.advance_to(t);
    EXPECT_FALSE(lis.service_fifo().is_ok());
  }
  EXPECT_EQ(lis.stats().recoveries, 1u);
  t += 10 * kPeriod;
  clock.advance_to(t);
  ASSERT_TRUE(lis.service_fifo().is_ok());
  EXPECT_EQ(model.lost, 21u);  // 3 x 7 samples flushed by the restart
  EXPECT_EQ(lis.stats().lost_samples, model.lost);
  EXPECT_EQ(lis.source().available(), 20u);
}

// A register model of the device for the self-test: STATUS_REG always has new data, the
// outputs depend on CTRL_REG4's self-test bits.
class SelfTestModel {
 public:
  explicit SelfTestModel(int delta_lsb) : delta_(delta_lsb) {}
  BusError write(uint8_t, Bytes bytes) {
    regs_[bytes[0]] = bytes[1];
    writes.push_back(bytes);
    return BusError::kOk;
  }
  Reply read(uint8_t, Bytes out, size_t count) {
    const uint8_t reg = out[0] & 0x7F;
    if (reg == 0x0F) return test::ok_reply({0x33});
    if (reg == 0x27) return test::ok_reply({0x08});
    if (reg == 0x28) {
      const bool st = (regs_[0x23] & 0x06) == 0x02;
      // Normal mode, +-2 g: 10-bit left-justified. Still device: z = 1 g = 250 LSb.
      const int base[3] = {3, -4, 250};
      Bytes b;
      for (int axis = 0; axis < 3; ++axis) {
        const int v = base[axis] + (st ? delta_ : 0);
        const uint16_t raw = static_cast<uint16_t>(static_cast<int16_t>(v * 64));
        b.push_back(static_cast<uint8_t>(raw));
        b.push_back(static_cast<uint8_t>(raw >> 8));
      }
      EXPECT_EQ(count, 6u);
      return test::ok_reply(b);
    }
    return test::ok_reply(Bytes(count, 0));
  }
  std::vector<Bytes> writes;

 private:
  int delta_;
  std::map<uint8_t, uint8_t> regs_;
};

void attach(MockI2cBus& bus, SelfTestModel& model) {
  EXPECT_CALL(bus, write_bytes(_, _)).WillRepeatedly([&model](uint8_t a, Bytes b) { return model.write(a, b); });
  EXPECT_CALL(bus, read_bytes(_, _, _)).WillRepeatedly([&model](uint8_t a, Bytes o, size_t n) { return model.read(a, o, n); });
}

TEST(Lis3dh, SelfTestPassesWithinTable4Limits) {
  MockI2cBus bus;
  SelfTestModel model(100);
  attach(bus, model);
  Fixture f;
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  model.writes.clear();
  Lis3dhSelfTest result;
  ASSERT_TRUE(lis.self_test(&result).is_ok());
  EXPECT_TRUE(result.passed);
  EXPECT_EQ(result.delta_lsb[0], 100);
  EXPECT_EQ(result.delta_lsb[2], 100);
  // 50 Hz normal mode +-2 g, then ST0 on, off, then the configuration back.
  ASSERT_GE(model.writes.size(), 5u);
  EXPECT_EQ(model.writes[0], (Bytes{0x20, 0x47}));
  EXPECT_EQ(model.writes[1], (Bytes{0x23, 0x80}));
  EXPECT_EQ(model.writes[2], (Bytes{0x23, 0x82}));
  EXPECT_EQ(model.writes[3], (Bytes{0x23, 0x80}));
  EXPECT_EQ(model.writes[4], (Bytes{0x20, 0x77}));
}

TEST(Lis3dh, SelfTestFailsBelowTheMinimumChange) {
  MockI2cBus bus;
  SelfTestModel model(10);  // under the 17 LSb minimum
  attach(bus, model);
  Fixture f;
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  Lis3dhSelfTest result;
  ASSERT_TRUE(lis.self_test(&result).is_ok());
  EXPECT_FALSE(result.passed);
  const SensorDevice dev = lis.device();
  const Status s = sensor_attr_set(dev, SensorChannel::kAll, SensorAttribute::kSelfTest, SensorValue{1, 0});
  ASSERT_FALSE(s.is_ok());
  EXPECT_THAT(s.message(), ::testing::HasSubstr("self-test failed"));
  EXPECT_THAT(s.message(), ::testing::HasSubstr("10, 10, 10"));
}

TEST(Lis3dh, SensorApiSetsOdrAndReadsMetresPerSecondSquared) {
  StrictMock<MockI2cBus> bus;
  Fixture f;
  {
    InSequence order;
    expect_init(bus, 0x77, 0x88);
    expect_write(bus, 0x20, 0x57);  // 100 Hz
    expect_read(bus, 0xA8, hr_sample(1000, -500, 0));
  }
  Lis3dh lis(bus, f.ring);
  ASSERT_TRUE(lis.init().is_ok());
  const SensorDevice dev = lis.device();
  ASSERT_TRUE(sensor_attr_set(dev, SensorChannel::kAll, SensorAttribute::kSamplingFrequency, SensorValue{100, 0}).is_ok());
  SensorValue odr;
  ASSERT_TRUE(sensor_attr_get(dev, SensorChannel::kAll, SensorAttribute::kSamplingFrequency, &odr).is_ok());
  EXPECT_EQ(odr.val1, 100);
  ASSERT_TRUE(sensor_sample_fetch(dev).is_ok());
  SensorValue xyz[3];
  ASSERT_TRUE(sensor_channel_get(dev, SensorChannel::kAccelXyz, xyz, 3).is_ok());
  EXPECT_EQ(xyz[0].val1, 9);  // 1 g = 9.806650 m/s^2
  EXPECT_EQ(xyz[0].val2, 806650);
  EXPECT_EQ(xyz[1].val1, -4);
  EXPECT_EQ(xyz[1].val2, -903325);
  const Status bad = sensor_attr_set(dev, SensorChannel::kAll, SensorAttribute::kSamplingFrequency, SensorValue{300, 0});
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace chorus::drivers
