#include "chorus/drivers/lis3dh.hpp"

#include "lis3dh_regs.hpp"

namespace chorus::drivers {

namespace {

// CTRL_REG1 ODR[3:0] codes (DocID17530 §8, CTRL_REG1, data rate configuration table);
// 1344 Hz is code 9 in normal/high-resolution mode.
bool odr_code(uint16_t hz, uint8_t* code) {
  switch (hz) {
    case 1: *code = 1; return true;
    case 10: *code = 2; return true;
    case 25: *code = 3; return true;
    case 50: *code = 4; return true;
    case 100: *code = 5; return true;
    case 200: *code = 6; return true;
    case 400: *code = 7; return true;
    case 1344: *code = 9; return true;
    default: return false;
  }
}

// CTRL_REG4 FS[1:0] codes and the high-resolution sensitivity So in mg/digit (Table 4).
bool full_scale_code(uint8_t g, uint8_t* code, int32_t* mg_per_digit) {
  switch (g) {
    case 2: *code = 0; *mg_per_digit = 1; return true;
    case 4: *code = 1; *mg_per_digit = 2; return true;
    case 8: *code = 2; *mg_per_digit = 4; return true;
    case 16: *code = 3; *mg_per_digit = 12; return true;
    default: return false;
  }
}

int16_t le16(const uint8_t* p) { return static_cast<int16_t>(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

int16_t clamp16(int32_t v) { return static_cast<int16_t>(v > 32767 ? 32767 : (v < -32768 ? -32768 : v)); }

Status validate(const Lis3dhConfig& c) {
  uint8_t code = 0;
  int32_t sens = 0;
  if (!odr_code(c.odr_hz, &code)) {
    return Status::error(StatusCode::kInvalidArgument,
                         "lis3dh: output data rate %u Hz unsupported in high-resolution mode (1, 10, 25, 50, 100, 200, 400, 1344)",
                         c.odr_hz);
  }
  if (!full_scale_code(c.full_scale_g, &code, &sens)) {
    return Status::error(StatusCode::kInvalidArgument, "lis3dh: full scale +-%u g unsupported (2, 4, 8, 16)", c.full_scale_g);
  }
  if (c.fifo_watermark == 0 || c.fifo_watermark > lis3dh::kFifoDepth) {
    return Status::error(StatusCode::kInvalidArgument, "lis3dh: FIFO watermark %u outside 1..32", c.fifo_watermark);
  }
  return Status::ok();
}

}  // namespace

Lis3dh::Lis3dh(I2cBus& bus, RingBuffer& ring, const Lis3dhConfig& config)
    : bus_(bus), stream_(ring, StreamInfo{SampleFormat::kInt16, 3, config.odr_hz}), config_(config) {}

Lis3dhStats Lis3dh::stats() const {
  Lis3dhStats s;
  s.nacks = nacks_.load(std::memory_order_relaxed);
  s.timeouts = timeouts_.load(std::memory_order_relaxed);
  s.other_bus_errors = other_errors_.load(std::memory_order_relaxed);
  s.fifo_overruns = fifo_overruns_.load(std::memory_order_relaxed);
  s.recoveries = recoveries_.load(std::memory_order_relaxed);
  s.lost_samples = lost_.load(std::memory_order_relaxed);
  s.samples = samples_.load(std::memory_order_relaxed);
  return s;
}

Status Lis3dh::bus_status(BusError error, const char* what, uint8_t reg) {
  switch (error) {
    case BusError::kOk: return Status::ok();
    case BusError::kNack: nacks_.fetch_add(1, std::memory_order_relaxed); break;
    case BusError::kTimeout: timeouts_.fetch_add(1, std::memory_order_relaxed); break;
    default: other_errors_.fetch_add(1, std::memory_order_relaxed); break;
  }
  return Status::error(StatusCode::kFailedPrecondition, "lis3dh at 0x%x: %s of register 0x%x failed: %s", config_.i2c_address,
                       what, reg, bus_error_name(error));
}

Status Lis3dh::write_reg(uint8_t reg, uint8_t value) {
  const uint8_t bytes[2] = {reg, value};
  return bus_status(bus_.write(config_.i2c_address, Span<const uint8_t>(bytes, 2)), "write", reg);
}

Status Lis3dh::read_regs(uint8_t reg, uint8_t* out, size_t count) {
  const uint8_t sub = count > 1 ? static_cast<uint8_t>(reg | lis3dh::kAutoIncrement) : reg;
  return bus_status(bus_.write_read(config_.i2c_address, Span<const uint8_t>(&sub, 1), Span<uint8_t>(out, count)), "read", reg);
}

uint8_t Lis3dh::ctrl_reg1() const {
  uint8_t odr = 0;
  odr_code(config_.odr_hz, &odr);
  return static_cast<uint8_t>((odr << lis3dh::kCtrl1OdrShift) | lis3dh::kCtrl1XyzEnable);
}

uint8_t Lis3dh::ctrl_reg4() const {
  uint8_t fs = 0;
  int32_t sens = 0;
  full_scale_code(config_.full_scale_g, &fs, &sens);
  return static_cast<uint8_t>(lis3dh::kCtrl4Bdu | (fs << lis3dh::kCtrl4FsShift) | lis3dh::kCtrl4HighResolution);
}

int32_t Lis3dh::milli_g_per_digit() const {
  uint8_t fs = 0;
  int32_t sens = 1;
  full_scale_code(config_.full_scale_g, &fs, &sens);
  return sens;
}

Status Lis3dh::write_control_registers() {
  // AN3308 start-up sequence order: CTRL_REG1..CTRL_REG6, then FIFO_CTRL_REG.
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg1, ctrl_reg1()));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg2, 0x00));  // high-pass filter bypassed
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg3, 0x00));  // INT1 quiet until streaming
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg4, ctrl_reg4()));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg5, 0x00));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg6, 0x00));
  return write_reg(lis3dh::kFifoCtrlReg, lis3dh::kFifoModeBypass);
}

Status Lis3dh::init() {
  CHORUS_RETURN_IF_ERROR(validate(config_));
  if (stream_.ring().frame_bytes() != 6) {
    return Status::error(StatusCode::kInvalidArgument, "lis3dh: ring frames are %zu bytes, need 6 (x, y, z int16)",
                         stream_.ring().frame_bytes());
  }
  // The part answers once its boot procedure has ended, about 5 ms after power-up (ST AN3308;
  // Zephyr's lis2dh and ST's drivers wait before the first access): with a delay function,
  // wait that long; without one, poll WHO_AM_I while it is not acknowledged.
  if (config_.delay_ms != nullptr) config_.delay_ms(config_.boot_ms);
  uint8_t who = 0;
  const uint8_t sub = lis3dh::kWhoAmI;
  BusError e = BusError::kNack;
  const uint32_t attempts = config_.delay_ms != nullptr ? 1 : config_.poll_limit;
  for (uint32_t a = 0; a < attempts && e == BusError::kNack; ++a)
    e = bus_.write_read(config_.i2c_address, Span<const uint8_t>(&sub, 1), Span<uint8_t>(&who, 1));
  CHORUS_RETURN_IF_ERROR(bus_status(e, "read", lis3dh::kWhoAmI));
  if (who != lis3dh::kWhoAmIValue) {
    return Status::error(StatusCode::kFailedPrecondition, "lis3dh at 0x%x: WHO_AM_I (0x0f) reads 0x%x, expected 0x33",
                         config_.i2c_address, who);
  }
  streaming_ = false;
  stream_.set_info(StreamInfo{SampleFormat::kInt16, 3, config_.odr_hz});
  return write_control_registers();
}

Status Lis3dh::start_stream() {
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg5, lis3dh::kCtrl5FifoEnable));
  // Bypass mode empties the FIFO (§5.1.1) before stream mode starts filling it.
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kFifoCtrlReg, lis3dh::kFifoModeBypass));
  // FTH = N raises the watermark with N + 1 samples stored (§5.1.3): N = watermark - 1.
  CHORUS_RETURN_IF_ERROR(
      write_reg(lis3dh::kFifoCtrlReg, static_cast<uint8_t>(lis3dh::kFifoModeStream | (config_.fifo_watermark - 1))));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg3, lis3dh::kCtrl3I1Wtm | lis3dh::kCtrl3I1Overrun));
  streaming_ = true;
  consecutive_errors_ = 0;
  unread_ = 0;
  last_read_time_ = config_.clock != nullptr ? config_.clock->now() : 0;
  return Status::ok();
}

uint64_t Lis3dh::produced_since_last_read() {
  if (config_.clock == nullptr) return 0;
  const os::TimeNs now = config_.clock->now();
  const uint64_t elapsed_us = now > last_read_time_ ? (now - last_read_time_) / 1000 : 0;
  last_read_time_ = now;
  // Nearest whole sample; microseconds keep elapsed x ODR within 64 bits for a century.
  return (elapsed_us * config_.odr_hz + 500000) / 1000000;
}

void Lis3dh::count_lost(uint64_t samples) {
  const uint32_t n = samples > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(samples);
  if (n == 0) return;
  lost_.fetch_add(n, std::memory_order_relaxed);
  stream_.add_device_loss(n);
}

Status Lis3dh::stop_stream() {
  streaming_ = false;
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg3, 0x00));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kFifoCtrlReg, lis3dh::kFifoModeBypass));
  return write_reg(lis3dh::kCtrlReg5, 0x00);
}

void Lis3dh::note_service_result(bool ok) {
  if (ok) {
    consecutive_errors_ = 0;
    return;
  }
  if (++consecutive_errors_ < kMaxConsecutiveErrors) return;
  // The device may have browned out or lost its configuration: start it again. The restart
  // flushes the FIFO (bypass mode), so every sample produced since the last good read and
  // not read since is gone.
  consecutive_errors_ = 0;
  recoveries_.fetch_add(1, std::memory_order_relaxed);
  const uint64_t produced = produced_since_last_read();
  const uint64_t unread = produced + unread_;
  unread_ = 0;
  count_lost(unread);
  if (init().is_ok()) (void)start_stream();
}

Status Lis3dh::service_fifo() {
  if (!streaming_) return Status::error(StatusCode::kFailedPrecondition, "lis3dh: service_fifo without a running stream");
  uint8_t src = 0;
  Status status = read_regs(lis3dh::kFifoSrcReg, &src, 1);
  if (!status.is_ok()) {
    note_service_result(false);
    return status;
  }
  const uint64_t produced = produced_since_last_read();
  const bool full = (src & lis3dh::kFifoSrcOverrun) != 0;
  if (full) {
    // OVRN_FIFO: all 32 levels hold unread samples and each new one replaces the oldest
    // (datasheet §8.20 FIFO_SRC_REG). The FIFO kept the newest 32 of what it held and what
    // was produced since; the rest is gone. Without a clock: at least one, as stream mode
    // overwrites the oldest while the burst below is still reading.
    fifo_overruns_.fetch_add(1, std::memory_order_relaxed);
    const uint64_t held = produced + unread_;
    if (config_.clock == nullptr)
      count_lost(1);
    else if (held > lis3dh::kFifoDepth)
      count_lost(held - lis3dh::kFifoDepth);
  }
  // Drain until FIFO_SRC reads EMPTY. FSS is one less than the samples stored (§5.1.3: FTH = N
  // means N + 1 samples at the watermark; FSS stops at 31 with all 32 levels full), so each
  // round reads FSS of them (at least one) and asks again: never more than are stored,
  // whichever way a part counts, and a full FIFO is emptied. Each six-byte read of OUT_X_L..
  // OUT_Z_H pops one level; the FIFO keeps 10 bits of each axis (ST: only the 10 most
  // significant bits are stored), decoded at the normal-mode sensitivity (Table 4).
  constexpr size_t kMaxRead = 2 * lis3dh::kFifoDepth;  // what arrives during the reads too
  int16_t samples[kMaxRead * 3];
  size_t got = 0;
  const int32_t sens = milli_g_per_digit() * 4;
  while (status.is_ok() && (src & lis3dh::kFifoSrcEmpty) == 0 && got < kMaxRead) {
    const size_t fss = src & lis3dh::kFifoSrcLevelMask;
    const size_t want = fss > 0 ? fss : 1;
    for (size_t i = 0; i < want && got < kMaxRead; ++i, ++got) {
      uint8_t raw[6];
      status = read_regs(lis3dh::kOutXL, raw, sizeof(raw));
      if (!status.is_ok()) break;
      for (int axis = 0; axis < 3; ++axis) samples[got * 3 + axis] = clamp16((le16(raw + 2 * axis) >> 6) * sens);
    }
    if (status.is_ok()) status = read_regs(lis3dh::kFifoSrcReg, &src, 1);
  }
  const size_t held_now = status.is_ok() && (src & lis3dh::kFifoSrcEmpty) != 0 ? 0 : (src & lis3dh::kFifoSrcLevelMask) + 1u;
  unread_ = static_cast<uint32_t>(held_now);  // left for the next service
  if (got > 0) {
    stream_.ring().write(samples, got);
    samples_.fetch_add(static_cast<uint32_t>(got), std::memory_order_relaxed);
    for (int axis = 0; axis < 3; ++axis) last_mg_[axis] = samples[(got - 1) * 3 + axis];
  }
  note_service_result(status.is_ok());
  return status;
}

Status Lis3dh::fetch() {
  if (streaming_) return Status::ok();
  uint8_t raw[6];
  CHORUS_RETURN_IF_ERROR(read_regs(lis3dh::kOutXL, raw, sizeof(raw)));
  const int32_t sens = milli_g_per_digit();
  for (int axis = 0; axis < 3; ++axis) last_mg_[axis] = clamp16((le16(raw + 2 * axis) >> 4) * sens);
  return Status::ok();
}

Status Lis3dh::wait_data_ready() {
  for (uint32_t poll = 0; poll < config_.poll_limit; ++poll) {
    uint8_t status = 0;
    CHORUS_RETURN_IF_ERROR(read_regs(lis3dh::kStatusReg, &status, 1));
    if (status & lis3dh::kStatusZyxda) return Status::ok();
  }
  timeouts_.fetch_add(1, std::memory_order_relaxed);
  return Status::error(StatusCode::kFailedPrecondition, "lis3dh at 0x%x: no new data (STATUS_REG ZYXDA) after %u polls",
                       config_.i2c_address, config_.poll_limit);
}

Status Lis3dh::average_10bit(int32_t out[3]) {
  constexpr int kSamples = 5;
  uint8_t raw[6];
  // The first sample after a configuration change is discarded.
  CHORUS_RETURN_IF_ERROR(wait_data_ready());
  CHORUS_RETURN_IF_ERROR(read_regs(lis3dh::kOutXL, raw, sizeof(raw)));
  int32_t sum[3] = {0, 0, 0};
  for (int i = 0; i < kSamples; ++i) {
    CHORUS_RETURN_IF_ERROR(wait_data_ready());
    CHORUS_RETURN_IF_ERROR(read_regs(lis3dh::kOutXL, raw, sizeof(raw)));
    // Normal mode: 10-bit, left-justified.
    for (int axis = 0; axis < 3; ++axis) sum[axis] += le16(raw + 2 * axis) >> 6;
  }
  for (int axis = 0; axis < 3; ++axis) out[axis] = sum[axis] / kSamples;
  return Status::ok();
}

Status Lis3dh::self_test(Lis3dhSelfTest* result) {
  if (streaming_) return Status::error(StatusCode::kFailedPrecondition, "lis3dh: stop the stream before the self-test");
  if (result == nullptr) return Status::error(StatusCode::kInvalidArgument, "lis3dh: self_test without a result");
  // Table 4 gives the limits at FS = +-2 g in normal mode, 50 Hz as in ST's procedure.
  constexpr uint8_t kCtrl1SelfTest = static_cast<uint8_t>((4 << lis3dh::kCtrl1OdrShift) | lis3dh::kCtrl1XyzEnable);
  constexpr uint8_t kCtrl4Normal2g = lis3dh::kCtrl4Bdu;
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg1, kCtrl1SelfTest));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg4, kCtrl4Normal2g));
  if (config_.delay_ms != nullptr) config_.delay_ms(90);
  int32_t without[3];
  CHORUS_RETURN_IF_ERROR(average_10bit(without));
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg4, kCtrl4Normal2g | lis3dh::kCtrl4SelfTest0));
  if (config_.delay_ms != nullptr) config_.delay_ms(90);
  int32_t with[3];
  const Status measured = average_10bit(with);
  // Leave self-test mode whatever happened.
  CHORUS_RETURN_IF_ERROR(write_reg(lis3dh::kCtrlReg4, kCtrl4Normal2g));
  CHORUS_RETURN_IF_ERROR(measured);
  result->passed = true;
  for (int axis = 0; axis < 3; ++axis) {
    const int32_t delta = with[axis] > without[axis] ? with[axis] - without[axis] : without[axis] - with[axis];
    result->delta_lsb[axis] = delta;
    if (delta < lis3dh::kSelfTestMinLsb || delta > lis3dh::kSelfTestMaxLsb) result->passed = false;
  }
  return write_control_registers();
}

Status Lis3dh::set_odr(uint16_t odr_hz) {
  Lis3dhConfig next = config_;
  next.odr_hz = odr_hz;
  CHORUS_RETURN_IF_ERROR(validate(next));
  config_ = next;
  stream_.set_info(StreamInfo{SampleFormat::kInt16, 3, config_.odr_hz});
  return write_reg(lis3dh::kCtrlReg1, ctrl_reg1());
}

Status Lis3dh::set_full_scale(uint8_t full_scale_g) {
  Lis3dhConfig next = config_;
  next.full_scale_g = full_scale_g;
  CHORUS_RETURN_IF_ERROR(validate(next));
  config_ = next;
  return write_reg(lis3dh::kCtrlReg4, ctrl_reg4());
}

Status Lis3dh::set_fifo_watermark(uint8_t samples) {
  Lis3dhConfig next = config_;
  next.fifo_watermark = samples;
  CHORUS_RETURN_IF_ERROR(validate(next));
  config_ = next;
  if (!streaming_) return Status::ok();
  return write_reg(lis3dh::kFifoCtrlReg, static_cast<uint8_t>(lis3dh::kFifoModeStream | config_.fifo_watermark));
}

namespace {

Status lis3dh_sample_fetch(const SensorDevice& dev, SensorChannel channel) {
  if (channel == SensorChannel::kDieTemp) {
    return Status::error(StatusCode::kUnsupported, "sensor '%s' has no channel %s", dev.name, sensor_channel_name(channel));
  }
  return dev.driver<Lis3dh>().fetch();
}

Status lis3dh_channel_get(const SensorDevice& dev, SensorChannel channel, SensorValue* values, size_t) {
  const int16_t* mg = dev.driver<Lis3dh>().last_milli_g();
  switch (channel) {
    case SensorChannel::kAccelX: values[0] = sensor_value_from_milli_g(mg[0]); return Status::ok();
    case SensorChannel::kAccelY: values[0] = sensor_value_from_milli_g(mg[1]); return Status::ok();
    case SensorChannel::kAccelZ: values[0] = sensor_value_from_milli_g(mg[2]); return Status::ok();
    case SensorChannel::kAccelXyz:
      for (int axis = 0; axis < 3; ++axis) values[axis] = sensor_value_from_milli_g(mg[axis]);
      return Status::ok();
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no channel %s", dev.name, sensor_channel_name(channel));
  }
}

Status lis3dh_attr_set(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, const SensorValue& value) {
  Lis3dh& lis = dev.driver<Lis3dh>();
  switch (attribute) {
    case SensorAttribute::kSamplingFrequency:
      return lis.set_odr(static_cast<uint16_t>(value.val1 < 0 ? 0 : (value.val1 > 65535 ? 65535 : value.val1)));
    case SensorAttribute::kFullScale: {
      // Zephyr gives the full scale in m/s^2; round to whole g.
      const int64_t g = (sensor_value_to_micro(value) + kStandardGravityMicro / 2) / kStandardGravityMicro;
      return lis.set_full_scale(static_cast<uint8_t>(g < 0 ? 0 : (g > 255 ? 255 : g)));
    }
    case SensorAttribute::kFifoWatermark:
      return lis.set_fifo_watermark(static_cast<uint8_t>(value.val1 < 0 ? 0 : (value.val1 > 255 ? 255 : value.val1)));
    case SensorAttribute::kSelfTest: {
      if (value.val1 == 0) return Status::ok();
      Lis3dhSelfTest result;
      CHORUS_RETURN_IF_ERROR(lis.self_test(&result));
      if (!result.passed) {
        return Status::error(StatusCode::kFailedPrecondition, "lis3dh self-test failed: |ST - no ST| = %d, %d, %d LSb, limits %d..%d",
                             static_cast<int>(result.delta_lsb[0]), static_cast<int>(result.delta_lsb[1]),
                             static_cast<int>(result.delta_lsb[2]), lis3dh::kSelfTestMinLsb, lis3dh::kSelfTestMaxLsb);
      }
      return Status::ok();
    }
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
}

Status lis3dh_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  const Lis3dhConfig& c = dev.driver<Lis3dh>().config();
  switch (attribute) {
    case SensorAttribute::kSamplingFrequency: *value = sensor_value_from_int(c.odr_hz); return Status::ok();
    case SensorAttribute::kFullScale:
      *value = sensor_value_from_micro(static_cast<int64_t>(c.full_scale_g) * kStandardGravityMicro);
      return Status::ok();
    case SensorAttribute::kFifoWatermark: *value = sensor_value_from_int(c.fifo_watermark); return Status::ok();
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
}

Status lis3dh_stream_start(const SensorDevice& dev) { return dev.driver<Lis3dh>().start_stream(); }
Status lis3dh_stream_stop(const SensorDevice& dev) { return dev.driver<Lis3dh>().stop_stream(); }
SampleSource* lis3dh_stream_source(const SensorDevice& dev) { return &dev.driver<Lis3dh>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi Lis3dh::kApi = [] {
  SensorDriverApi api{};
  api.sample_fetch = lis3dh_sample_fetch;
  api.channel_get = lis3dh_channel_get;
  api.attr_set = lis3dh_attr_set;
  api.attr_get = lis3dh_attr_get;
  api.stream_start = lis3dh_stream_start;
  api.stream_stop = lis3dh_stream_stop;
  api.stream_source = lis3dh_stream_source;
  return api;
}();

}  // namespace chorus::drivers
