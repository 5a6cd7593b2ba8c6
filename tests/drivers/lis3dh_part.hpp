// A model of the ST LIS3DH as seen from its I2C pins, written from the datasheet (DocID17530
// Rev 2) and ST's answers, not from the Chorus driver. It keeps its own time (a fake clock
// the test and the bus advance) and encodes these facts:
//  - boot: the part does not answer before its boot procedure ends, 5 ms after power-up
//    (ST AN3308 / datasheet "boot" time; Zephyr's and ST's drivers wait before the first
//    access): every transfer before then is not acknowledged;
//  - WHO_AM_I (0Fh) reads 33h; SUB bit 7 set auto-increments the sub-address in a multi-byte
//    read (§6.1.1), and the address keeps counting past OUT_Z_H (2Dh) into FIFO_CTRL_REG;
//  - ODR from CTRL_REG1 ODR[3:0] (§8.4 table: 1, 10, 25, 50, 100, 200, 400 Hz, 1344 Hz);
//    samples are produced at multiples of 1/ODR after the ODR is set;
//  - FIFO (§5.1): 32 levels of X, Y, Z, enabled by CTRL_REG5 FIFO_EN, mode from
//    FIFO_CTRL_REG FM[1:0]; bypass empties it; in stream mode a new sample into a full
//    FIFO overwrites the oldest and sets OVRN_FIFO (§5.1.3);
//  - FIFO_SRC_REG (§8.20): EMPTY when no sample is stored; FSS[4:0] = stored samples - 1,
//    so 31 with all 32 levels full; WTM when FSS >= FTH[4:0] — together the datasheet's
//    "setting FTH to N, the number of samples that should be read at the rise of the
//    watermark interrupt is up to N+1" (§5.1.3);
//  - the FIFO stores the 10 most significant bits of each axis (ST: "internally in the FIFO
//    only 10 most significant bits are stored"), left-justified in OUT_x_L/H;
//  - reading the six bytes OUT_X_L..OUT_Z_H pops one FIFO level;
//  - I2C timing: a transfer takes its bits (9 a byte, plus start, repeated start and stop)
//    at the bus rate (0: instantaneous), during which the part keeps sampling.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>

#include "chorus/drivers/bus.hpp"

namespace chorus::test {

class Lis3dhPart final : public drivers::I2cBus {
 public:
  static constexpr uint64_t kBootNs = 5000000;
  static constexpr size_t kFifoLevels = 32;

  // `sample(k)` gives sample k's x, y, z in 12-bit high-resolution digits (1 mg at +-2 g).
  explicit Lis3dhPart(uint8_t address = 0x18, uint32_t bus_hz = 0) : address_(address), bus_hz_(bus_hz) {
    sample = [](uint64_t k, int16_t out[3]) {
      out[0] = static_cast<int16_t>((k * 37) % 2000) - 1000;
      out[1] = static_cast<int16_t>((k * 11) % 2000) - 1000;
      out[2] = static_cast<int16_t>(1000 - (k * 5) % 2000);
    };
  }

  std::function<void(uint64_t k, int16_t out[3])> sample;

  uint64_t now() const { return now_ns_; }
  // Time passes: the part samples what falls due.
  void advance_to(uint64_t t) {
    if (t < now_ns_) return;
    now_ns_ = t;
    produce();
  }
  void advance_by(uint64_t ns) { advance_to(now_ns_ + ns); }

  // What the part did, for the test's checks.
  uint64_t produced() const { return produced_; }
  uint64_t overwritten() const { return overwritten_; }
  uint64_t early_transfers() const { return early_; }
  size_t stored() const { return fifo_.size(); }
  uint8_t reg(uint8_t r) const { return regs_[r]; }
  // The INT1 pin: the watermark or the overrun, where CTRL_REG3 routes them (I1_WTM bit 2,
  // I1_OVERRUN bit 1).
  bool int1() const {
    const uint8_t src = read_reg(0x2F);
    return ((regs_[0x22] & 0x04) && (src & 0x80)) || ((regs_[0x22] & 0x02) && (src & 0x40));
  }
  // The 10-bit value the FIFO keeps of sample k's 12-bit digits, as the 12-bit number the
  // driver should report (the two LSBs zero).
  static int16_t fifo_value(int16_t hr) { return static_cast<int16_t>((hr >> 2) * 4); }

  drivers::BusError write(uint8_t address, Span<const uint8_t> bytes) override {
    transfer_time(bytes.size() + 1, 0);
    if (address != address_) return drivers::BusError::kNack;
    if (now_ns_ < kBootNs) {
      ++early_;
      return drivers::BusError::kNack;
    }
    if (bytes.size() < 2) return drivers::BusError::kOk;
    uint8_t sub = bytes[0] & 0x7F;
    const bool inc = (bytes[0] & 0x80) != 0;
    for (size_t i = 1; i < bytes.size(); ++i) {
      write_reg(sub, bytes[i]);
      if (inc) ++sub;
    }
    return drivers::BusError::kOk;
  }

  drivers::BusError write_read(uint8_t address, Span<const uint8_t> out, Span<uint8_t> in) override {
    transfer_time(out.size() + 1, in.size() + 1);
    if (address != address_) return drivers::BusError::kNack;
    if (now_ns_ < kBootNs) {
      ++early_;
      return drivers::BusError::kNack;
    }
    if (out.size() != 1) return drivers::BusError::kInvalid;
    uint8_t sub = out[0] & 0x7F;
    const bool inc = (out[0] & 0x80) != 0;
    // OUT_X_L..OUT_Z_H from one FIFO level (or the latest sample in bypass), popped when
    // the read has covered all six.
    bool covered_out = false;
    for (size_t i = 0; i < in.size(); ++i) {
      in[i] = read_reg(sub);
      if (sub == 0x2D) covered_out = true;
      if (inc) ++sub;
    }
    if (covered_out && fifo_enabled() && !fifo_.empty()) {
      fifo_.pop_front();
      overrun_ = false;
    }
    return drivers::BusError::kOk;
  }

 private:
  struct Level {
    int16_t v[3];
  };

  bool fifo_enabled() const { return (regs_[0x24] & 0x40) != 0; }
  uint8_t fifo_mode() const { return regs_[0x2E] >> 6; }
  uint32_t odr_hz() const {
    static constexpr uint32_t kOdr[16] = {0, 1, 10, 25, 50, 100, 200, 400, 0, 1344, 0, 0, 0, 0, 0, 0};
    return kOdr[regs_[0x20] >> 4];
  }

  void transfer_time(size_t write_bytes, size_t read_bytes) {
    if (bus_hz_ == 0) return;
    // START, bytes of 9 bits (8 + ACK), a repeated START and the address again for a read, STOP.
    const uint64_t bits = 1 + 9 * write_bytes + (read_bytes > 0 ? 1 + 9 * read_bytes : 0) + 1;
    advance_by(bits * 1000000000ull / bus_hz_);
  }

  void produce() {
    const uint32_t odr = odr_hz();
    if (odr == 0) return;
    const uint64_t period = 1000000000ull / odr;
    while (next_sample_ns_ + period <= now_ns_) {
      next_sample_ns_ += period;
      Level l;
      int16_t hr[3];
      sample(produced_++, hr);
      for (int a = 0; a < 3; ++a) l.v[a] = hr[a];
      latest_ = l;
      if (!fifo_enabled() || fifo_mode() == 0) continue;  // bypass: OUT registers only
      if (fifo_.size() == kFifoLevels) {
        fifo_.pop_front();  // stream mode: the oldest is overwritten
        ++overwritten_;
        overrun_ = true;
      }
      fifo_.push_back(l);
    }
  }

  void write_reg(uint8_t r, uint8_t v) {
    if (r == 0x20 && (v >> 4) != (regs_[0x20] >> 4)) next_sample_ns_ = now_ns_;  // a new ODR starts now
    regs_[r] = v;
    if (r == 0x2E && fifo_mode() == 0) {  // bypass resets the FIFO
      fifo_.clear();
      overrun_ = false;
    }
    if (r == 0x24 && !fifo_enabled()) {
      fifo_.clear();
      overrun_ = false;
    }
  }

  uint8_t read_reg(uint8_t r) const {
    if (r == 0x0F) return 0x33;
    if (r == 0x2F) {
      const size_t n = fifo_.size();
      const uint8_t fss = static_cast<uint8_t>(n == 0 ? 0 : n - 1);
      uint8_t src = fss;
      if (n == 0) src |= 0x20;
      if (overrun_ && n == kFifoLevels) src |= 0x40;
      if (fss >= (regs_[0x2E] & 0x1F) && n > 0) src |= 0x80;
      return src;
    }
    if (r >= 0x28 && r <= 0x2D) {
      const bool from_fifo = fifo_enabled() && fifo_mode() != 0;
      if (from_fifo && fifo_.empty()) return 0;
      const Level& l = from_fifo ? fifo_.front() : latest_;
      const int axis = (r - 0x28) / 2;
      // 12-bit digits left-justified in 16 bits; the FIFO keeps only the top 10 of them.
      int16_t hr = l.v[axis];
      if (from_fifo) hr = fifo_value(hr);
      const uint16_t word = static_cast<uint16_t>(static_cast<int16_t>(hr * 16));
      return (r & 1) ? static_cast<uint8_t>(word >> 8) : static_cast<uint8_t>(word & 0xFF);
    }
    return regs_[r];
  }

  uint8_t address_;
  uint32_t bus_hz_;
  uint64_t now_ns_ = 0;
  uint64_t next_sample_ns_ = 0;
  uint64_t produced_ = 0;
  uint64_t overwritten_ = 0;
  uint64_t early_ = 0;
  bool overrun_ = false;
  uint8_t regs_[256] = {};
  Level latest_{};
  std::deque<Level> fifo_;
};

}  // namespace chorus::test
