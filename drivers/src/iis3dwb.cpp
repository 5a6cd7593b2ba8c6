#include "chorus/drivers/iis3dwb.hpp"

#include <cstring>

#include "chorus/module/os/port.hpp"
#include "iis3dwb_regs.hpp"

namespace chorus::drivers {
namespace {

int16_t le16(const uint8_t* p) { return static_cast<int16_t>(static_cast<uint16_t>(p[0] | (p[1] << 8))); }

}  // namespace

Iis3dwb::Iis3dwb(SpiBus& bus, RingBuffer& ring, const Iis3dwbConfig& config)
    : bus_(bus), stream_(ring, StreamInfo{SampleFormat::kInt16, 3, iis3dwb::kOdrMilliHz / 1000}), config_(config) {}

Status Iis3dwb::validate() const {
  const uint8_t fs = config_.full_scale_g;
  if (fs != 2 && fs != 4 && fs != 8 && fs != 16)
    return Status::error(StatusCode::kInvalidArgument, "iis3dwb: full scale %u g (2, 4, 8 or 16)", unsigned{fs});
  if (config_.fifo_watermark < 1 || config_.fifo_watermark >= iis3dwb::kFifoWords)
    return Status::error(StatusCode::kInvalidArgument, "iis3dwb: FIFO watermark %u words (1 to %u)", unsigned{config_.fifo_watermark},
                         iis3dwb::kFifoWords - 1);
  const size_t need = 1 + iis3dwb::kWordBytes * config_.fifo_watermark;
  if (config_.spi_buffer.size() < need)
    return Status::error(StatusCode::kInvalidArgument, "iis3dwb: SPI buffer of %zu bytes, a watermark of %u words needs %zu",
                         config_.spi_buffer.size(), unsigned{config_.fifo_watermark}, need);
  if (stream_.ring().frame_bytes() != 6)
    return Status::error(StatusCode::kInvalidArgument, "iis3dwb: ring frames of %zu bytes, need 6 (x, y, z int16)",
                         stream_.ring().frame_bytes());
  return Status::ok();
}

uint32_t Iis3dwb::micro_g_per_count() const {
  switch (config_.full_scale_g) {
    case 2: return 61;
    case 4: return 122;
    case 8: return 244;
    default: return 488;
  }
}

Status Iis3dwb::bus_status(BusError error, const char* what, uint8_t reg) {
  if (error == BusError::kOk) return Status::ok();
  bus_errors_.fetch_add(1, std::memory_order_relaxed);
  return Status::error(StatusCode::kFailedPrecondition, "iis3dwb: %s of register 0x%02x failed: %s", what, reg, bus_error_name(error));
}

Status Iis3dwb::write_reg(uint8_t reg, uint8_t value) {
  const uint8_t tx[2] = {reg, value};
  uint8_t rx[2];
  return bus_status(bus_.transfer(Span<const uint8_t>(tx, 2), Span<uint8_t>(rx, 2)), "write", reg);
}

Status Iis3dwb::read_regs(uint8_t reg, uint8_t* out, size_t count) {
  uint8_t rx[8];
  if (count + 1 > sizeof(rx)) return Status::error(StatusCode::kInternal, "iis3dwb: read of %zu registers", count);
  const uint8_t tx = static_cast<uint8_t>(iis3dwb::kSpiRead | reg);
  CHORUS_RETURN_IF_ERROR(bus_status(bus_.transfer(Span<const uint8_t>(&tx, 1), Span<uint8_t>(rx, count + 1)), "read", reg));
  std::memcpy(out, rx + 1, count);
  return Status::ok();
}

Status Iis3dwb::init() {
  CHORUS_RETURN_IF_ERROR(validate());
  streaming_ = false;
  // Turn-on: SPI reads before it return no part (datasheet: turn-on time); sleep it when
  // the board can, then poll WHO_AM_I either way.
  if (config_.delay_ms != nullptr) config_.delay_ms(config_.boot_ms);
  uint8_t who = 0;
  uint32_t polls = 0;
  for (; polls < config_.poll_limit; ++polls) {
    CHORUS_RETURN_IF_ERROR(read_regs(iis3dwb::kWhoAmI, &who, 1));
    if (who == iis3dwb::kWhoAmIValue) break;
  }
  if (who != iis3dwb::kWhoAmIValue)
    return Status::error(StatusCode::kFailedPrecondition, "iis3dwb: WHO_AM_I reads 0x%02x after %u polls, expected 0x7b", who, polls);
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kCtrl3C, iis3dwb::kCtrl3SwReset));
  uint8_t ctrl3 = iis3dwb::kCtrl3SwReset;
  for (polls = 0; polls < config_.poll_limit && (ctrl3 & iis3dwb::kCtrl3SwReset); ++polls)
    CHORUS_RETURN_IF_ERROR(read_regs(iis3dwb::kCtrl3C, &ctrl3, 1));
  if (ctrl3 & iis3dwb::kCtrl3SwReset)
    return Status::error(StatusCode::kFailedPrecondition, "iis3dwb: SW_RESET still set after %u polls", polls);
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kCtrl3C, iis3dwb::kCtrl3Bdu | iis3dwb::kCtrl3IfInc));
  uint8_t fs = 0;
  switch (config_.full_scale_g) {
    case 2: fs = 0; break;
    case 16: fs = 1; break;
    case 4: fs = 2; break;
    default: fs = 3; break;
  }
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kCtrl1Xl, static_cast<uint8_t>(iis3dwb::kCtrl1XlEnable | (fs << iis3dwb::kCtrl1FsShift))));
  return write_reg(iis3dwb::kFifoCtrl4, iis3dwb::kFifoModeBypass);
}

Status Iis3dwb::start_stream() {
  CHORUS_RETURN_IF_ERROR(validate());
  // Bypass empties the FIFO; then the watermark (9 bits over FIFO_CTRL1..2), every sample
  // batched, continuous mode (new words replace the oldest when full).
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kFifoCtrl4, iis3dwb::kFifoModeBypass));
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kFifoCtrl1, static_cast<uint8_t>(config_.fifo_watermark & 0xFF)));
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kFifoCtrl2, static_cast<uint8_t>((config_.fifo_watermark >> 8) & 0x01)));
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kFifoCtrl3, iis3dwb::kBdrXl26k7));
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kFifoCtrl4, iis3dwb::kFifoModeContinuous));
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kInt1Ctrl, iis3dwb::kInt1FifoTh | iis3dwb::kInt1FifoOvr));
  streaming_ = true;
  unread_ = 0;
  last_read_time_ = config_.clock != nullptr ? config_.clock->now() : 0;
  return Status::ok();
}

Status Iis3dwb::stop_stream() {
  streaming_ = false;
  CHORUS_RETURN_IF_ERROR(write_reg(iis3dwb::kInt1Ctrl, 0x00));
  return write_reg(iis3dwb::kFifoCtrl4, iis3dwb::kFifoModeBypass);
}

uint64_t Iis3dwb::produced_since_last_read() {
  if (config_.clock == nullptr) return 0;
  const os::TimeNs now = config_.clock->now();
  const uint64_t elapsed_ns = now > last_read_time_ ? now - last_read_time_ : 0;
  last_read_time_ = now;
  // Nearest whole sample at 26.667 kHz (in milli-hertz: elapsed_ns x 26667000 / 1e12).
  return (elapsed_ns / 1000 * (iis3dwb::kOdrMilliHz / 1000) + 500000) / 1000000;
}

void Iis3dwb::count_lost(uint64_t samples) {
  const uint32_t n = samples > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(samples);
  if (n == 0) return;
  lost_.fetch_add(n, std::memory_order_relaxed);
  stream_.add_device_loss(n);
}

Status Iis3dwb::service_fifo() {
  if (!streaming_) return Status::error(StatusCode::kFailedPrecondition, "iis3dwb: service_fifo without a running stream");
  uint8_t status[2];
  CHORUS_RETURN_IF_ERROR(read_regs(iis3dwb::kFifoStatus1, status, 2));
  const uint64_t produced = produced_since_last_read();
  const uint32_t level = status[0] | ((status[1] & 0x03u) << 8);
  if (status[1] & iis3dwb::kStatus2OvrIa) {
    // Continuous mode kept the newest 512 words of those held and produced since.
    fifo_overruns_.fetch_add(1, std::memory_order_relaxed);
    const uint64_t held = produced + unread_;
    if (config_.clock == nullptr) count_lost(1);
    else if (held > iis3dwb::kFifoWords) count_lost(held - iis3dwb::kFifoWords);
  }
  // The words counted now, in bursts that fit the SPI buffer; samples arriving meanwhile
  // wait for the next interrupt.
  const size_t per_burst = (config_.spi_buffer.size() - 1) / iis3dwb::kWordBytes;
  RingBuffer& ring = stream_.ring();
  uint32_t left = level;
  Status result = Status::ok();
  while (left > 0) {
    const size_t words = left < per_burst ? left : per_burst;
    const uint8_t tx = static_cast<uint8_t>(iis3dwb::kSpiRead | iis3dwb::kFifoDataOutTag);
    Span<uint8_t> rx = config_.spi_buffer.subspan(0, 1 + words * iis3dwb::kWordBytes);
    result = bus_status(bus_.transfer(Span<const uint8_t>(&tx, 1), rx), "FIFO burst read", iis3dwb::kFifoDataOutTag);
    if (!result.is_ok()) break;
    os::cache_invalidate(rx.data(), rx.size());
    for (size_t w = 0; w < words; ++w) {
      const uint8_t* word = rx.data() + 1 + w * iis3dwb::kWordBytes;
      if ((word[0] >> iis3dwb::kTagSensorShift) != iis3dwb::kTagAccelerometer) {
        other_tags_.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      const int16_t sample[3] = {le16(word + 1), le16(word + 3), le16(word + 5)};
      std::memcpy(last_, sample, sizeof(last_));
      ring.write(sample, 1);
      samples_.fetch_add(1, std::memory_order_relaxed);
    }
    left -= static_cast<uint32_t>(words);
  }
  unread_ = left;
  return result;
}

Iis3dwbStats Iis3dwb::stats() const {
  Iis3dwbStats s;
  s.bus_errors = bus_errors_.load(std::memory_order_relaxed);
  s.fifo_overruns = fifo_overruns_.load(std::memory_order_relaxed);
  s.other_tags = other_tags_.load(std::memory_order_relaxed);
  s.samples = samples_.load(std::memory_order_relaxed);
  s.lost_samples = lost_.load(std::memory_order_relaxed);
  return s;
}

namespace {

Status iis3dwb_channel_get(const SensorDevice& dev, SensorChannel channel, SensorValue* values, size_t) {
  const Iis3dwb& d = dev.driver<Iis3dwb>();
  auto milli_g = [&](int axis) { return static_cast<int32_t>(static_cast<int64_t>(d.last_counts()[axis]) * d.micro_g_per_count() / 1000); };
  switch (channel) {
    case SensorChannel::kAccelX: values[0] = sensor_value_from_milli_g(milli_g(0)); return Status::ok();
    case SensorChannel::kAccelY: values[0] = sensor_value_from_milli_g(milli_g(1)); return Status::ok();
    case SensorChannel::kAccelZ: values[0] = sensor_value_from_milli_g(milli_g(2)); return Status::ok();
    case SensorChannel::kAccelXyz:
      for (int axis = 0; axis < 3; ++axis) values[axis] = sensor_value_from_milli_g(milli_g(axis));
      return Status::ok();
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no channel %s", dev.name, sensor_channel_name(channel));
  }
}

Status iis3dwb_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  const Iis3dwbConfig& c = dev.driver<Iis3dwb>().config();
  switch (attribute) {
    case SensorAttribute::kSamplingFrequency: *value = sensor_value_from_micro(static_cast<int64_t>(iis3dwb::kOdrMilliHz) * 1000); return Status::ok();
    case SensorAttribute::kFullScale:
      *value = sensor_value_from_micro(static_cast<int64_t>(c.full_scale_g) * kStandardGravityMicro);
      return Status::ok();
    case SensorAttribute::kFifoWatermark: *value = sensor_value_from_int(c.fifo_watermark); return Status::ok();
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
}

Status iis3dwb_stream_start(const SensorDevice& dev) { return dev.driver<Iis3dwb>().start_stream(); }
Status iis3dwb_stream_stop(const SensorDevice& dev) { return dev.driver<Iis3dwb>().stop_stream(); }
SampleSource* iis3dwb_stream_source(const SensorDevice& dev) { return &dev.driver<Iis3dwb>().source(); }

}  // namespace

const SensorDriverApi Iis3dwb::kApi = [] {
  SensorDriverApi api{};
  api.channel_get = iis3dwb_channel_get;
  api.attr_get = iis3dwb_attr_get;
  api.stream_start = iis3dwb_stream_start;
  api.stream_stop = iis3dwb_stream_stop;
  api.stream_source = iis3dwb_stream_source;
  return api;
}();

}  // namespace chorus::drivers
