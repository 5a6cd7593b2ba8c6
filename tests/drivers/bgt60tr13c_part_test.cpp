// The BGT60TR13C driver against a model of the part written from Infineon's documents
// (datasheet, the xensiv_bgt60trxx driver's platform contract), not from the driver:
//  - register access: a 32-bit word, address << 25 | write << 24 | data; the reply's first
//    byte is GSR0;
//  - MAIN's reset bits clear themselves when the reset is done (here: at the next read);
//    a write in the 10 ms after that is lost (Infineon's xensiv_bgt60trxx_soft_reset waits
//    10 ms before it returns);
//  - a burst read (0xFF command byte) of the FIFO expects MOSI high, 0xFF, while the data
//    come in ("drive TX high while data is read in from RX", the platform contract);
//  - RSTN (active low, shared with DIO3, so CS stays high) resets every register to its
//    default when it has been low at least 1 us (datasheet §5.9).
// Each test failed on the driver before: it wrote the register list straight after the
// software reset, clocked 0x00 during bursts, and had no RSTN reset.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <vector>

#include "chorus/drivers/bgt60tr13c.hpp"

namespace chorus::drivers {
namespace {

class Bgt60Part final : public SpiBus {
 public:
  using SpiBus::transfer;
  uint64_t now_ns = 0;
  std::map<uint8_t, uint32_t> regs{{0x02, 0x000303}};
  uint64_t lost_writes = 0;
  std::vector<uint8_t> burst_fills;  // the MOSI filler of each burst read
  bool rstn = true;
  uint64_t rstn_low_since = 0;
  uint32_t hardware_resets = 0;

  BusError transfer(Span<const uint8_t> tx, Span<uint8_t> rx, uint8_t fill) override {
    now_ns += 1000;  // a transfer takes a microsecond
    if (tx.size() < 4) return BusError::kInvalid;
    const uint32_t word = (uint32_t{tx[0]} << 24) | (uint32_t{tx[1]} << 16) | (uint32_t{tx[2]} << 8) | tx[3];
    if (tx[0] == 0xFF) {  // burst read
      burst_fills.push_back(fill);
      for (size_t i = 0; i < rx.size(); ++i) rx[i] = 0;
      return BusError::kOk;
    }
    const uint8_t address = static_cast<uint8_t>(word >> 25);
    if (word & (1u << 24)) {
      if (now_ns < settled_at_) {
        ++lost_writes;
      } else {
        regs[address] = word & 0xFFFFFF;
        if (address == 0 && (word & 0xE)) reset_pending_ = word & 0xE;
      }
    } else if (rx.size() >= 4) {
      uint32_t v = regs.count(address) ? regs[address] : 0;
      if (address == 0 && reset_pending_ != 0) {
        // The reset completes: its bits read as done, and the part settles for 10 ms.
        regs[0] &= ~reset_pending_;
        if (reset_pending_ & 0x2) software_reset();
        reset_pending_ = 0;
        v = regs[0];
        settled_at_ = now_ns + 10000000;
        v |= 0;  // as read after the reset completed
      }
      rx[0] = 0;
      rx[1] = static_cast<uint8_t>(v >> 16);
      rx[2] = static_cast<uint8_t>(v >> 8);
      rx[3] = static_cast<uint8_t>(v);
    }
    return BusError::kOk;
  }
  void set_rstn(bool high) {
    if (!high && rstn) rstn_low_since = now_ns;
    if (high && !rstn && now_ns - rstn_low_since >= 1000) {
      ++hardware_resets;
      software_reset();
    }
    rstn = high;
  }

 private:
  void software_reset() {
    regs.clear();
    regs[0x02] = 0x000303;
  }
  uint32_t reset_pending_ = 0;
  uint64_t settled_at_ = 0;
};

Bgt60Part* g_part = nullptr;
void part_delay(uint32_t ms) { g_part->now_ns += uint64_t{ms} * 1000000; }
void part_reset_pin(bool high) { g_part->set_rstn(high); }

uint32_t wr(uint8_t address, uint32_t data) { return (static_cast<uint32_t>(address) << 25) | (1u << 24) | data; }
const uint32_t kList[] = {
    wr(0x00, 0x1E8270), wr(0x01, 0x0A0210), wr(0x04, 0xE967FD), wr(0x05, 0x0805B4), wr(0x06, 0x102000), wr(0x10, 0x1FF41F),
    wr(0x11, 0x1FF41F), wr(0x2E, 0x03F000), wr(0x33, 0x000080), wr(0x37, 0x261B10),
};

struct Rig {
  Rig() : ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage), sizeof(storage)), 48 * 2) {
    g_part = &part;
    config.format.samples_per_chirp = 8;
    config.format.chirps_per_frame = 2;
    config.format.rx_antennas = 3;
    config.format.frame_period_ns = 50000000;
    config.rx_mask = 0x7;
    config.registers = Span<const uint32_t>(kList, sizeof(kList) / sizeof(kList[0]));
    config.spi_buffer = Span<uint8_t>(spi, sizeof(spi));
    config.delay_ms = &part_delay;
  }
  Bgt60Part part;
  int16_t storage[48 * 4];
  uint8_t spi[4 + 3 * 24];
  RingBuffer ring;
  Bgt60Config config;
};

TEST(Bgt60Part, NoWriteIsLostAfterTheSoftwareReset) {
  Rig r;
  Bgt60tr13c radar(r.part, r.ring, r.config);
  const Status s = radar.init();
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_EQ(r.part.lost_writes, 0u);
  // Every register of the list holds what the driver meant to write.
  size_t compared = 0;
  for (uint32_t w : kList) {
    const uint8_t address = static_cast<uint8_t>(w >> 25);
    EXPECT_EQ(r.part.regs[address], radar.shadow(address)) << "register 0x" << std::hex << int{address};
    ++compared;
  }
  EXPECT_EQ(compared, 10u);
}

TEST(Bgt60Part, BurstReadsDriveMosiHigh) {
  Rig r;
  Bgt60tr13c radar(r.part, r.ring, r.config);
  ASSERT_TRUE(radar.init().is_ok());
  ASSERT_TRUE(radar.start().is_ok());
  ASSERT_TRUE(radar.service_fifo().is_ok());
  ASSERT_TRUE(radar.service_fifo().is_ok());
  EXPECT_EQ(r.part.burst_fills, (std::vector<uint8_t>{0xFF, 0xFF}));
}

TEST(Bgt60Part, InitPulsesRstnWhenTheBoardWiresIt) {
  Rig r;
  r.config.set_reset_pin = &part_reset_pin;
  r.part.regs[0x2E] = 0x123456;  // left over from an earlier run
  Bgt60tr13c radar(r.part, r.ring, r.config);
  ASSERT_TRUE(radar.init().is_ok());
  EXPECT_EQ(r.part.hardware_resets, 1u);
  EXPECT_TRUE(r.part.rstn);
  EXPECT_EQ(r.part.regs[0x2E], radar.shadow(0x2E));
}

TEST(Bgt60Part, InitRefusesWithoutAWayToWait) {
  Rig r;
  r.config.delay_ms = nullptr;
  Bgt60tr13c radar(r.part, r.ring, r.config);
  const Status s = radar.init();
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(std::string(s.message()).find("10 ms after a reset"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace chorus::drivers
