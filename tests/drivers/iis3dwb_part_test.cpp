// The IIS3DWB driver against a model of the part written from ST's datasheet (DS13052) and
// register map (iis3dwb_reg.h), not from the driver:
//  - SPI: the first byte is the address, bit 7 set to read; with CTRL3_C.IF_INC (its
//    default) the address advances, and from FIFO_DATA_OUT_Z_H (0x7E) a burst rolls back to
//    FIFO_DATA_OUT_TAG (0x78), so one burst pops many 7-byte words;
//  - turn-on: before boot_ms the part does not answer (reads give 0x00, writes are lost);
//  - CTRL3_C.SW_RESET restores the defaults and reads 1 until the reset is done (50 us);
//  - with XL_EN = 101, BDR_XL = 1010 and FIFO_MODE = 110 (continuous) a tagged word (TAG_SENSOR
//    0x02: accelerometer) enters the 512-word FIFO every 1/26667 s; when full the oldest is
//    dropped and FIFO_STATUS2.FIFO_OVR_IA is set; FIFO_STATUS1..2 give the level (10 bits);
//    FIFO_MODE = 000 (bypass) empties it;
//  - SPI time: 8 clocks a byte at bus_hz.
// The sustained-rate test pairs with the board check (board_errors_test).
#include <gtest/gtest.h>

#include <cstdio>
#include <deque>
#include <map>
#include <vector>

#include "chorus/drivers/iis3dwb.hpp"
#include "part_clock.hpp"

namespace chorus::drivers {
namespace {

class Iis3dwbPart final : public SpiBus {
 public:
  using SpiBus::transfer;
  uint64_t now_ns = 0;
  uint64_t boot_ns = 10000000;
  uint32_t bus_hz = 10000000;
  uint32_t timestamp_every = 0;  // insert a timestamp word (tag 0x04) after every N samples
  uint64_t early_accesses = 0, overwritten = 0, produced = 0;
  std::map<uint8_t, uint8_t> regs{{0x0F, 0x7B}, {0x12, 0x04}};

  BusError transfer(Span<const uint8_t> tx, Span<uint8_t> rx, uint8_t fill) override {
    const uint64_t bytes = tx.size() > rx.size() ? tx.size() : rx.size();
    // The transaction's bytes move from now on; words made meanwhile enter behind the ones
    // being read (a burst pops as it goes), so they are added when it ends.
    advance();
    const uint64_t duration = (bytes * 8 * 1000000000ULL + bus_hz - 1) / bus_hz;
    struct Later {
      Iis3dwbPart* p;
      uint64_t d;
      ~Later() {
        p->now_ns += d;
        p->advance();
      }
    } later{this, duration};
    if (tx.empty()) return BusError::kInvalid;
    const bool booted = now_ns >= boot_ns;
    if (!booted) ++early_accesses;
    uint8_t address = tx[0] & 0x7F;
    const bool read = (tx[0] & 0x80) != 0;
    for (size_t i = 1; i < bytes; ++i) {
      if (read) {
        const uint8_t v = booted ? read_byte(address) : 0x00;
        if (i < rx.size()) rx[i] = v;
      } else if (booted) {
        write_byte(address, i < tx.size() ? tx[i] : fill);
      }
      address = next(address);
    }
    if (!rx.empty()) rx[0] = 0;
    return BusError::kOk;
  }
  size_t fifo_level() {
    advance();
    return fifo_.size();
  }
  void advance() {
    if (!running()) return;
    while (next_sample_ns(1) <= now_ns) {
      ++samples_made_;
      ++produced;
      const int16_t n = static_cast<int16_t>(produced & 0x7FFF);
      push(make_word(0x02, n, static_cast<int16_t>(-n), static_cast<int16_t>(n * 3)));
      if (timestamp_every != 0 && produced % timestamp_every == 0) push(make_word(0x04, 1, 2, 3));
    }
  }
  // When the FIFO next holds `words` words (the watermark interrupt), or now.
  uint64_t when_level(size_t words) {
    advance();
    if (fifo_.size() >= words || !running()) return now_ns;
    return next_sample_ns(static_cast<uint64_t>(words - fifo_.size()));
  }

 private:
  struct Word {
    uint8_t bytes[7];
  };
  bool running() const {
    auto at = [&](uint8_t r) { auto it = regs.find(r); return it == regs.end() ? uint8_t{0} : it->second; };
    return (at(0x10) >> 5) == 0x5 && (at(0x09) & 0x0F) == 0x0A && (at(0x0A) & 0x07) == 0x6;
  }
  uint64_t next_sample_ns(uint64_t k) const { return started_ns_ + (samples_made_ + k) * 1000000000ULL / 26667; }
  Word make_word(uint8_t tag, int16_t x, int16_t y, int16_t z) {
    Word w;
    w.bytes[0] = static_cast<uint8_t>(tag << 3 | (cnt_++ & 3) << 1);
    const int16_t v[3] = {x, y, z};
    for (int a = 0; a < 3; ++a) {
      w.bytes[1 + 2 * a] = static_cast<uint8_t>(v[a]);
      w.bytes[2 + 2 * a] = static_cast<uint8_t>(static_cast<uint16_t>(v[a]) >> 8);
    }
    return w;
  }
  void push(const Word& w) {
    if (fifo_.size() == 512) {
      fifo_.pop_front();
      ++overwritten;
      overrun_ = true;
    }
    fifo_.push_back(w);
  }
  uint8_t next(uint8_t address) const {
    const bool inc = (regs.count(0x12) ? regs.at(0x12) : 0x04) & 0x04;
    if (!inc) return address;
    return address == 0x7E ? 0x78 : static_cast<uint8_t>(address + 1);
  }
  uint8_t read_byte(uint8_t address) {
    if (address == 0x12 && reset_done_ns_ != 0) {
      if (now_ns >= reset_done_ns_) {
        reset_done_ns_ = 0;
        regs = {{0x0F, 0x7B}, {0x12, 0x04}};
      } else {
        return 0x05;  // SW_RESET still set
      }
    }
    if (address == 0x3A) return static_cast<uint8_t>(fifo_.size() & 0xFF);
    if (address == 0x3B) {
      uint8_t v = static_cast<uint8_t>((fifo_.size() >> 8) & 0x03);
      if (overrun_) v |= 0x40 | 0x08;
      if (fifo_.size() >= watermark()) v |= 0x80;
      overrun_ = false;
      return v;
    }
    if (address >= 0x78 && address <= 0x7E) {
      if (fifo_.empty()) return 0;
      const uint8_t v = fifo_.front().bytes[address - 0x78];
      if (address == 0x7E) fifo_.pop_front();
      return v;
    }
    auto it = regs.find(address);
    return it == regs.end() ? 0 : it->second;
  }
  void write_byte(uint8_t address, uint8_t value) {
    if (address == 0x12 && (value & 0x01)) {
      reset_done_ns_ = now_ns + 50000;
      return;
    }
    regs[address] = value;
    if (address == 0x0A && (value & 0x07) == 0) fifo_.clear();  // bypass empties the FIFO
    if ((address == 0x0A || address == 0x10 || address == 0x09) && running() && !was_running_) {
      started_ns_ = now_ns;
      samples_made_ = 0;
    }
    was_running_ = running();
  }
  size_t watermark() const {
    auto at = [&](uint8_t r) { auto it = regs.find(r); return it == regs.end() ? size_t{0} : size_t{it->second}; };
    return at(0x07) | ((at(0x08) & 1) << 8);
  }
  std::deque<Word> fifo_;
  bool overrun_ = false, was_running_ = false;
  uint64_t started_ns_ = 0, samples_made_ = 0, reset_done_ns_ = 0;
  uint8_t cnt_ = 0;
};

Iis3dwbPart* g_part = nullptr;
void part_delay(uint32_t ms) { g_part->now_ns += uint64_t{ms} * 1000000; }

struct Rig {
  explicit Rig(uint16_t watermark = 256)
      : storage(3 * 8192), ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), 6), spi(1 + 7 * 512),
        clock(part.now_ns) {
    g_part = &part;
    config.fifo_watermark = watermark;
    config.spi_buffer = Span<uint8_t>(spi.data(), spi.size());
    config.delay_ms = &part_delay;
    config.clock = &clock;
  }
  Iis3dwbPart part;
  std::vector<int16_t> storage;
  RingBuffer ring;
  std::vector<uint8_t> spi;
  PartClock clock;
  Iis3dwbConfig config;
};

TEST(Iis3dwbPart, InitWaitsTheTurnOnResetsAndConfigures) {
  Rig r;
  Iis3dwb d(r.part, r.ring, r.config);
  ASSERT_TRUE(d.init().is_ok());
  EXPECT_EQ(r.part.early_accesses, 0u);
  EXPECT_EQ(r.part.regs[0x10], 0xA4);  // XL_EN 101, FS_XL 01 (+-16 g)
  EXPECT_EQ(r.part.regs[0x12], 0x44);  // BDU, IF_INC
  EXPECT_EQ(d.micro_g_per_count(), 488u);
  // Without a way to sleep it polls WHO_AM_I through the turn-on.
  Rig polled;
  polled.config.delay_ms = nullptr;
  Iis3dwb p(polled.part, polled.ring, polled.config);
  ASSERT_TRUE(p.init().is_ok());
  EXPECT_GT(polled.part.early_accesses, 0u);
  EXPECT_GE(polled.part.now_ns, polled.part.boot_ns);
}

TEST(Iis3dwbPart, TheWatermarkTakesNineBits) {
  Rig r(300);
  Iis3dwb d(r.part, r.ring, r.config);
  ASSERT_TRUE(d.init().is_ok());
  ASSERT_TRUE(d.start_stream().is_ok());
  EXPECT_EQ(r.part.regs[0x07], 300 & 0xFF);
  EXPECT_EQ(r.part.regs[0x08], 1);
  EXPECT_EQ(r.part.regs[0x09], 0x0A);
  EXPECT_EQ(r.part.regs[0x0A], 0x06);
  EXPECT_EQ(r.part.regs[0x0D], 0x18);  // INT1: FIFO threshold and overrun
}

// Samples come out in order, each once, across services; words of other sensors (a
// timestamp batched every 100 samples) are skipped.
TEST(Iis3dwbPart, EverySampleOnceInOrderAndOnlyAccelerometerWords) {
  Rig r;
  r.part.timestamp_every = 100;
  Iis3dwb d(r.part, r.ring, r.config);
  ASSERT_TRUE(d.init().is_ok());
  ASSERT_TRUE(d.start_stream().is_ok());
  int16_t next = 1;
  size_t checked = 0;
  for (int service = 0; service < 20; ++service) {
    r.part.now_ns = r.part.when_level(256);
    ASSERT_TRUE(d.service_fifo().is_ok());
    int16_t s[3];
    while (r.ring.peek(0, s, 1) == 1) {
      r.ring.consume(1);
      ASSERT_EQ(s[0], next) << "sample " << checked;
      ASSERT_EQ(s[1], static_cast<int16_t>(-next));
      ASSERT_EQ(s[2], static_cast<int16_t>(next * 3));
      ++next;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20u * 230);
  EXPECT_EQ(d.stats().samples, checked);
  EXPECT_NEAR(static_cast<double>(d.stats().other_tags), static_cast<double>(checked / 100), 1.0);
  EXPECT_EQ(d.stats().lost_samples, 0u);
}

// A service 1000 samples late finds the FIFO overrun: it counts what the part overwrote.
TEST(Iis3dwbPart, AnOverrunCountsTheSamplesOverwritten) {
  Rig r;
  Iis3dwb d(r.part, r.ring, r.config);
  ASSERT_TRUE(d.init().is_ok());
  ASSERT_TRUE(d.start_stream().is_ok());
  r.part.now_ns += 1000ULL * 1000000000ULL / 26667 + 1000;
  ASSERT_TRUE(d.service_fifo().is_ok());
  EXPECT_EQ(d.stats().fifo_overruns, 1u);
  EXPECT_EQ(d.stats().samples, 512u);
  EXPECT_NEAR(static_cast<double>(d.stats().lost_samples), static_cast<double>(r.part.overwritten), 1.0);
  EXPECT_EQ(d.source().overrun_frames(), d.stats().lost_samples);
}

// 10 s at 26,667 samples a second, each watermark interrupt served once the bus is free.
struct Streamed {
  uint64_t read = 0, lost = 0, produced = 0, overwritten = 0;
};
Streamed stream_at(uint32_t bus_hz) {
  Rig r;
  r.part.bus_hz = bus_hz;
  Iis3dwb d(r.part, r.ring, r.config);
  Streamed s;
  if (!d.init().is_ok() || !d.start_stream().is_ok()) return s;
  const uint64_t end = r.part.now_ns + 10000000000ULL;
  while (true) {
    r.part.now_ns = std::max(r.part.now_ns, r.part.when_level(256));
    if (r.part.now_ns >= end) break;
    (void)d.service_fifo();
    r.ring.consume(r.ring.available());
  }
  s.read = d.stats().samples;
  s.lost = d.stats().lost_samples;
  s.produced = r.part.produced;
  s.overwritten = r.part.overwritten;
  return s;
}

// Each sample costs 56 SPI clocks and each service 32 more: 26,667 a second need about
// 1.5 MHz. At 2 MHz every sample of 10 s is read; at 1 MHz the FIFO overruns and samples
// are lost -- and the board check refuses 1 MHz for this rate
// (board_errors_test: AWidebandAccelerometerTheSpiCannotCarryIsRefused).
TEST(Iis3dwbPart, At26667HzA2MHzSpiKeepsUpAnd1MHzFallsBehind) {
  const Streamed fast = stream_at(2000000);
  EXPECT_EQ(fast.lost, 0u);
  EXPECT_EQ(fast.overwritten, 0u);
  EXPECT_GE(fast.read + 256, fast.produced);  // all but the last watermark's worth
  EXPECT_GE(fast.produced, 266660u);
  const Streamed slow = stream_at(1000000);
  EXPECT_GT(slow.overwritten, 0u);
  EXPECT_GT(slow.lost, 0u);
  EXPECT_NEAR(static_cast<double>(slow.lost), static_cast<double>(slow.overwritten), 0.01 * static_cast<double>(slow.overwritten) + 5);
  std::printf("[ iis3dwb  ] 10 s at 26667 Hz: 2 MHz read %llu of %llu, lost %llu; 1 MHz read %llu, lost %llu (overwritten %llu)\n",
              static_cast<unsigned long long>(fast.read), static_cast<unsigned long long>(fast.produced),
              static_cast<unsigned long long>(fast.lost), static_cast<unsigned long long>(slow.read),
              static_cast<unsigned long long>(slow.lost), static_cast<unsigned long long>(slow.overwritten));
}

TEST(Iis3dwbPart, BadConfigurationsAreRefused) {
  Rig r;
  r.config.full_scale_g = 3;
  Iis3dwb a(r.part, r.ring, r.config);
  EXPECT_NE(std::string(a.init().message()).find("full scale 3 g"), std::string::npos);
  Rig w(512);
  Iis3dwb b(w.part, w.ring, w.config);
  EXPECT_NE(std::string(b.init().message()).find("FIFO watermark 512 words (1 to 511)"), std::string::npos);
  Rig s;
  s.config.spi_buffer = Span<uint8_t>(s.spi.data(), 100);
  Iis3dwb c(s.part, s.ring, s.config);
  EXPECT_NE(std::string(c.init().message()).find("SPI buffer of 100 bytes"), std::string::npos);
  Rig gone;
  gone.part.regs[0x0F] = 0x6A;  // another part answers
  gone.config.poll_limit = 5;
  Iis3dwb e(gone.part, gone.ring, gone.config);
  EXPECT_NE(std::string(e.init().message()).find("WHO_AM_I reads 0x6a after 5 polls, expected 0x7b"), std::string::npos);
}

}  // namespace
}  // namespace chorus::drivers
