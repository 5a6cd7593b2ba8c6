#include "chorus/drivers/bgt60tr13c.hpp"

#include "bgt60tr13c_regs.hpp"
#include "chorus/module/os/port.hpp"

namespace chorus::drivers {

namespace {

int popcount3(uint8_t mask) { return (mask & 1) + ((mask >> 1) & 1) + ((mask >> 2) & 1); }

void put_be32(uint32_t word, uint8_t out[4]) {
  out[0] = static_cast<uint8_t>(word >> 24);
  out[1] = static_cast<uint8_t>(word >> 16);
  out[2] = static_cast<uint8_t>(word >> 8);
  out[3] = static_cast<uint8_t>(word);
}

uint32_t adc_divider(uint32_t rate_hz) { return rate_hz == 0 ? 0 : (bgt60::kSystemClockHz + rate_hz / 2) / rate_hz; }

}  // namespace

Bgt60tr13c::Bgt60tr13c(SpiBus& bus, RingBuffer& ring, const Bgt60Config& config)
    : bus_(bus), stream_(ring, config.format.stream_info()), config_(config) {}

uint32_t Bgt60tr13c::write_word(uint8_t address, uint32_t data) {
  return (static_cast<uint32_t>(address) << bgt60::kAddressShift) | bgt60::kWriteBit | (data & bgt60::kDataMask);
}

uint32_t Bgt60tr13c::read_word(uint8_t address) { return static_cast<uint32_t>(address) << bgt60::kAddressShift; }

Bgt60Stats Bgt60tr13c::stats() const {
  Bgt60Stats s;
  s.frames = frames_.load(std::memory_order_relaxed);
  s.bus_errors = bus_errors_.load(std::memory_order_relaxed);
  s.fifo_overflows = overflows_.load(std::memory_order_relaxed);
  s.fifo_underflows = underflows_.load(std::memory_order_relaxed);
  s.burst_errors = burst_errors_.load(std::memory_order_relaxed);
  s.recoveries = recoveries_.load(std::memory_order_relaxed);
  s.lost_frames = lost_.load(std::memory_order_relaxed);
  return s;
}

Status Bgt60tr13c::bus_status(BusError error, const char* what, uint8_t address) {
  if (error == BusError::kOk) return Status::ok();
  bus_errors_.fetch_add(1, std::memory_order_relaxed);
  return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: SPI %s of register 0x%x failed: %s", what, address,
                       bus_error_name(error));
}

Status Bgt60tr13c::write_reg(uint8_t address, uint32_t data) {
  uint8_t tx[4];
  put_be32(write_word(address, data), tx);
  return bus_status(bus_.transfer(Span<const uint8_t>(tx, 4), Span<uint8_t>()), "write", address);
}

Status Bgt60tr13c::read_reg(uint8_t address, uint32_t* data, uint8_t* gsr0) {
  uint8_t tx[4];
  uint8_t rx[4] = {0, 0, 0, 0};
  put_be32(read_word(address), tx);
  CHORUS_RETURN_IF_ERROR(bus_status(bus_.transfer(Span<const uint8_t>(tx, 4), Span<uint8_t>(rx, 4)), "read", address));
  *data = (static_cast<uint32_t>(rx[1]) << 16) | (static_cast<uint32_t>(rx[2]) << 8) | rx[3];
  if (gsr0 != nullptr) *gsr0 = rx[0];
  return Status::ok();
}

Status Bgt60tr13c::validate() const {
  const RadarFrameFormat& f = config_.format;
  CHORUS_RETURN_IF_ERROR(f.validate());
  if (config_.rx_mask == 0 || config_.rx_mask > 0x7 || popcount3(config_.rx_mask) != f.rx_antennas) {
    return Status::error(StatusCode::kInvalidArgument, "bgt60tr13c: rx_mask 0x%x does not enable %u of RX1..RX3", config_.rx_mask,
                         f.rx_antennas);
  }
  if (f.samples_per_chirp > bgt60::kApuMask || f.chirps_per_frame > 4096) {
    return Status::error(StatusCode::kOutOfRange, "bgt60tr13c: %u samples x %u chirps exceeds APU (4095) or FRAME_LEN (4096)",
                         f.samples_per_chirp, f.chirps_per_frame);
  }
  if (f.samples() % 2 != 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "bgt60tr13c: %zu samples per frame is odd; a FIFO word holds two samples", f.samples());
  }
  if (f.samples() / 2 > bgt60::kFifoWords) {
    return Status::error(StatusCode::kOutOfRange, "bgt60tr13c: a frame of %zu FIFO words exceeds the 8192-word FIFO",
                         f.samples() / 2);
  }
  const uint32_t div = adc_divider(config_.adc_rate_hz);
  if (div < 20 || div > 1023) {
    return Status::error(StatusCode::kOutOfRange, "bgt60tr13c: ADC rate %u Hz needs ADC_DIV %u, outside 20..1023",
                         config_.adc_rate_hz, div);
  }
  const size_t burst = bgt60::kBurstHeaderBytes + bgt60::kFifoWordBytes * f.samples() / 2;
  if (config_.spi_buffer.data() == nullptr || config_.spi_buffer.size() < burst) {
    return Status::error(StatusCode::kInvalidArgument, "bgt60tr13c: SPI buffer of %zu bytes, a frame burst needs %zu",
                         config_.spi_buffer.size(), burst);
  }
  if (stream_.ring().frame_bytes() != f.bytes()) {
    return Status::error(StatusCode::kInvalidArgument, "bgt60tr13c: ring frames are %zu bytes, a radar frame is %zu",
                         stream_.ring().frame_bytes(), f.bytes());
  }
  return Status::ok();
}

Status Bgt60tr13c::patch_registers() {
  for (bool& p : present_) p = false;
  for (size_t i = 0; i < config_.registers.size(); ++i) {
    const uint32_t word = config_.registers[i];
    const uint32_t address = word >> bgt60::kAddressShift;
    if ((word & bgt60::kWriteBit) == 0 || address >= kShadowSize) {
      return Status::error(StatusCode::kInvalidArgument,
                           "bgt60tr13c: register list word %zu (0x%x) is not a write to the register map (address 0x%x)", i,
                           word, address);
    }
    shadow_[address] = word & bgt60::kDataMask;
    present_[address] = true;
  }
  const uint8_t required[] = {bgt60::kAdc0, bgt60::kCs1U0, bgt60::kCs1U1, bgt60::kCcr2, bgt60::kPll1_3, bgt60::kPll1_7};
  for (uint8_t address : required) {
    if (!present_[address]) {
      return Status::error(StatusCode::kInvalidArgument, "bgt60tr13c: register list lacks register 0x%x, which the driver patches",
                           address);
    }
  }
  const RadarFrameFormat& f = config_.format;
  // The list must not start frames or reset anything by itself.
  shadow_[bgt60::kMain] &= ~(bgt60::kMainFrameStart | bgt60::kMainSwReset | bgt60::kMainFsmReset | bgt60::kMainFifoReset);
  uint32_t& adc0 = shadow_[bgt60::kAdc0];
  adc0 = (adc0 & ~bgt60::kAdcDivMask) | (adc_divider(config_.adc_rate_hz) << bgt60::kAdcDivShift);
  uint32_t& cs1u0 = shadow_[bgt60::kCs1U0];
  for (int rx = 0; rx < 3; ++rx) {
    cs1u0 &= ~bgt60::rx_enable_bits(rx);
    if (config_.rx_mask & (1u << rx)) cs1u0 |= bgt60::rx_enable_bits(rx);
  }
  uint32_t& cs1u1 = shadow_[bgt60::kCs1U1];
  cs1u1 = (cs1u1 & ~bgt60::kBbchSelMask) | (static_cast<uint32_t>(config_.rx_mask) << bgt60::kBbchSelShift);
  uint32_t& ccr2 = shadow_[bgt60::kCcr2];
  ccr2 = (ccr2 & ~(bgt60::kFrameLenMask | bgt60::kMaxFrameCntMask)) |
         (static_cast<uint32_t>(f.chirps_per_frame - 1) << bgt60::kFrameLenShift);
  uint32_t& pll13 = shadow_[bgt60::kPll1_3];
  pll13 = (pll13 & ~(bgt60::kApuMask | bgt60::kApdMask)) | f.samples_per_chirp;
  shadow_[bgt60::kPll1_7] &= ~bgt60::kRepsMask;
  // Interrupt as soon as one whole frame is in the FIFO.
  uint32_t& sfctl = shadow_[bgt60::kSfctl];
  if (!present_[bgt60::kSfctl]) sfctl = bgt60::kSfctlDefault;
  sfctl = (sfctl & ~bgt60::kSfctlCrefMask) | ((fifo_words_per_frame() - 1) & bgt60::kSfctlCrefMask);
  present_[bgt60::kSfctl] = true;
  return Status::ok();
}

Status Bgt60tr13c::delay(uint32_t ms) {
  if (config_.delay_ms != nullptr) {
    config_.delay_ms(ms);
    return Status::ok();
  }
  if (config_.clock == nullptr)
    return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: needs delay_ms (or a clock) for the %u ms waits of its resets", ms);
  // Spin on the clock; one that stands still (a simulation's) is an error, not a hang.
  os::TimeNs now = config_.clock->now();
  const os::TimeNs until = now + os::TimeNs{ms} * 1000000;
  for (uint32_t still = 0; now < until; ++still) {
    const os::TimeNs next = config_.clock->now();
    if (next != now) still = 0;
    if (still > 1000000)
      return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: the clock stands still during a %u ms wait (give delay_ms)", ms);
    now = next;
  }
  return Status::ok();
}

Status Bgt60tr13c::reset(uint32_t bits, const char* what) {
  uint32_t main = 0;
  CHORUS_RETURN_IF_ERROR(read_reg(bgt60::kMain, &main));
  CHORUS_RETURN_IF_ERROR(write_reg(bgt60::kMain, main | bits));
  for (uint32_t poll = 0; poll < config_.reset_poll_limit; ++poll) {
    CHORUS_RETURN_IF_ERROR(read_reg(bgt60::kMain, &main));
    // The bit clears when the reset is done; writes in the next 10 ms can be lost
    // (Infineon's xensiv_bgt60trxx_soft_reset waits 10 ms before returning).
    if ((main & bits) == 0) return delay(bgt60::kResetSettleMs);
  }
  return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: %s did not complete (MAIN = 0x%x after %u polls)", what,
                       main, config_.reset_poll_limit);
}

Status Bgt60tr13c::init() {
  CHORUS_RETURN_IF_ERROR(validate());
  CHORUS_RETURN_IF_ERROR(patch_registers());
  if (config_.delay_ms == nullptr && config_.clock == nullptr)
    return Status::error(StatusCode::kInvalidArgument,
                         "bgt60tr13c: needs delay_ms (or a clock) for the 10 ms after a reset (Infineon xensiv_bgt60trxx_soft_reset)");
  running_ = false;
  if (config_.set_reset_pin != nullptr) {
    // Hardware reset (datasheet §5.9: RSTN low at least 1 us, CS high around it; the SPI
    // is idle here): high, low, high, 1 ms each, as Infineon's xensiv_bgt60trxx_hard_reset.
    config_.set_reset_pin(true);
    CHORUS_RETURN_IF_ERROR(delay(1));
    config_.set_reset_pin(false);
    CHORUS_RETURN_IF_ERROR(delay(1));
    config_.set_reset_pin(true);
    CHORUS_RETURN_IF_ERROR(delay(1));
  }
  CHORUS_RETURN_IF_ERROR(write_reg(bgt60::kSfctl, bgt60::kSfctlDefault));
  uint32_t chip_id = 0;
  CHORUS_RETURN_IF_ERROR(read_reg(bgt60::kChipId, &chip_id));
  if (chip_id != bgt60::kChipIdTr13c) {
    return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: CHIP_ID reads 0x%x, expected 0x303 (BGT60TR13C)", chip_id);
  }
  CHORUS_RETURN_IF_ERROR(reset(bgt60::kMainSwReset, "software reset"));
  CHORUS_RETURN_IF_ERROR(write_reg(bgt60::kSfctl, bgt60::kSfctlDefault));
  for (uint8_t address = 0; address < kShadowSize; ++address) {
    if (present_[address]) CHORUS_RETURN_IF_ERROR(write_reg(address, shadow_[address]));
  }
  stream_.set_info(config_.format.stream_info());
  return Status::ok();
}

Status Bgt60tr13c::start() {
  uint32_t main = 0;
  CHORUS_RETURN_IF_ERROR(read_reg(bgt60::kMain, &main));
  CHORUS_RETURN_IF_ERROR(write_reg(bgt60::kMain, main | bgt60::kMainFrameStart));
  running_ = true;
  started_at_ = config_.clock != nullptr ? config_.clock->now() : 0;
  frames_read_ = 0;
  return Status::ok();
}

uint32_t Bgt60tr13c::frames_unread() const {
  const uint64_t period = config_.format.frame_period_ns;
  if (config_.clock == nullptr || period == 0) return 1;
  const os::TimeNs now = config_.clock->now();
  const uint64_t elapsed = now > started_at_ ? now - started_at_ : 0;
  const uint64_t produced = (elapsed + period / 2) / period;  // nearest whole frame
  const uint64_t unread = produced > frames_read_ ? produced - frames_read_ : 0;
  return unread < 1 ? 1 : (unread > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(unread));
}

void Bgt60tr13c::count_lost(uint32_t frames) {
  lost_.fetch_add(frames, std::memory_order_relaxed);
  stream_.add_device_loss(frames);
}

Status Bgt60tr13c::stop() {
  running_ = false;
  return reset(bgt60::kMainFsmReset, "FSM reset");
}

Status Bgt60tr13c::recover_overflow() {
  recoveries_.fetch_add(1, std::memory_order_relaxed);
  CHORUS_RETURN_IF_ERROR(reset(bgt60::kMainFifoReset | bgt60::kMainFsmReset, "FIFO and FSM reset"));
  return running_ ? start() : Status::ok();
}

Status Bgt60tr13c::service_fifo() {
  const uint32_t words = fifo_words_per_frame();
  const size_t bytes = bgt60::kBurstHeaderBytes + bgt60::kFifoWordBytes * words;
  Span<uint8_t> rx = config_.spi_buffer.subspan(0, bytes);
  uint8_t tx[4];
  put_be32(bgt60::kBurstCommand | (bgt60::kFifoAddress << bgt60::kBurstAddressShift), tx);
  // MOSI high (0xFF) while the FIFO data come in: Infineon's platform contract for
  // xensiv_bgt60trxx_platform_spi_fifo_read ("drive TX high while data is read").
  const BusError error = bus_.transfer(Span<const uint8_t>(tx, 4), rx, bgt60::kBurstFill);
  if (error != BusError::kOk) {
    count_lost(1);
    return bus_status(error, "burst read", static_cast<uint8_t>(bgt60::kFifoAddress));
  }
  os::cache_invalidate(rx.data(), rx.size());
  const uint8_t gsr0 = rx[0];
  if (gsr0 & bgt60::kGsr0FouErr) {
    // The reset below empties the FIFO: every frame produced since the frames started and
    // not read is gone, whatever FSTAT says and whether or not it can be read. (Counted from
    // the start, not from the last read: a reader that has fallen behind leaves several
    // frames in the FIFO when it overflows, and they are lost too.)
    const uint32_t lost = frames_unread();
    count_lost(lost);
    uint32_t fstat = 0;
    const Status read = read_reg(bgt60::kFstat, &fstat);
    if (read.is_ok() && (fstat & bgt60::kFstatUnderflow)) {
      underflows_.fetch_add(1, std::memory_order_relaxed);
    } else {
      overflows_.fetch_add(1, std::memory_order_relaxed);
    }
    const Status recovered = recover_overflow();
    if (!read.is_ok()) return read;
    CHORUS_RETURN_IF_ERROR(recovered);
    return Status::error(StatusCode::kOutOfRange, "bgt60tr13c: FIFO %s (FSTAT 0x%x): %u frames lost, FIFO and FSM reset",
                         (fstat & bgt60::kFstatUnderflow) ? "underflow" : "overflow", fstat, lost);
  }
  if (gsr0 & (bgt60::kGsr0SpiBurstErr | bgt60::kGsr0ClkNumErr)) {
    burst_errors_.fetch_add(1, std::memory_order_relaxed);
    count_lost(1);
    return Status::error(StatusCode::kFailedPrecondition, "bgt60tr13c: burst read flagged GSR0 0x%x: frame dropped", gsr0);
  }
  ++frames_read_;
  RingBuffer& ring = stream_.ring();
  Span<uint8_t> area = ring.write_area();
  if (area.size() < config_.format.bytes()) {
    ring.count_overrun(1);
  } else {
    int16_t* out = reinterpret_cast<int16_t*>(area.data());
    const uint8_t* in = rx.data() + bgt60::kBurstHeaderBytes;
    for (uint32_t w = 0; w < words; ++w, in += bgt60::kFifoWordBytes) {
      out[2 * w] = static_cast<int16_t>((in[0] << 4) | (in[1] >> 4));
      out[2 * w + 1] = static_cast<int16_t>(((in[1] & 0x0F) << 8) | in[2]);
    }
    ring.commit(1);
  }
  frames_.fetch_add(1, std::memory_order_relaxed);
  return Status::ok();
}

namespace {

Status radar_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  if (attribute != SensorAttribute::kSamplingFrequency) {
    return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
  // Frames per second, in micro-units for periods that are not whole hertz.
  const uint32_t period = dev.driver<Bgt60tr13c>().config().format.frame_period_ns;
  *value = sensor_value_from_micro(static_cast<int64_t>(1000000000000000ll / period));
  return Status::ok();
}

Status radar_stream_start(const SensorDevice& dev) { return dev.driver<Bgt60tr13c>().start(); }
Status radar_stream_stop(const SensorDevice& dev) { return dev.driver<Bgt60tr13c>().stop(); }
SampleSource* radar_stream_source(const SensorDevice& dev) { return &dev.driver<Bgt60tr13c>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi Bgt60tr13c::kApi = [] {
  SensorDriverApi api{};
  api.attr_get = radar_attr_get;
  api.stream_start = radar_stream_start;
  api.stream_stop = radar_stream_stop;
  api.stream_source = radar_stream_source;
  return api;
}();

}  // namespace chorus::drivers
