#include "chorus/drivers/ics43434.hpp"

#include <cstring>

#include "chorus/module/os/port.hpp"

namespace chorus::drivers {

Ics43434::Ics43434(SerialAudioBus& bus, RingBuffer& ring, const Ics43434Config& config)
    : bus_(bus),
      stream_(ring, StreamInfo{SampleFormat::kInt16, static_cast<uint16_t>(config.channel == MicChannel::kStereo ? 2 : 1),
                               config.sample_rate_hz}),
      config_(config) {}

Ics43434Stats Ics43434::stats() const {
  Ics43434Stats s;
  s.halves = halves_.load(std::memory_order_relaxed);
  s.missed_halves = missed_.load(std::memory_order_relaxed);
  s.late_halves = late_.load(std::memory_order_relaxed);
  s.dma_errors = dma_errors_.load(std::memory_order_relaxed);
  s.discarded_frames = discarded_.load(std::memory_order_relaxed);
  return s;
}

Status Ics43434::init() {
  // DS-000069: high-performance mode 23-51.6 kHz, low-power mode 6.25-18.75 kHz.
  const uint32_t fs = config_.sample_rate_hz;
  if (!((fs >= 6250 && fs <= 18750) || (fs >= 23000 && fs <= 51600))) {
    return Status::error(StatusCode::kInvalidArgument,
                         "ics43434: sample rate %u Hz is in neither of the datasheet's modes (low power 6250..18750, high "
                         "performance 23000..51600)",
                         fs);
  }
  if (config_.gain_shift > 8) {
    return Status::error(StatusCode::kInvalidArgument, "ics43434: gain shift %u exceeds the 8 spare bits", config_.gain_shift);
  }
  const size_t bytes = config_.dma_buffer.size();
  if (config_.dma_buffer.data() == nullptr || bytes == 0 || bytes % 16 != 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "ics43434: DMA buffer of %zu bytes is not two halves of whole 8-byte stereo frames", bytes);
  }
  if (reinterpret_cast<uintptr_t>(config_.dma_buffer.data()) % 4 != 0) {
    return Status::error(StatusCode::kInvalidArgument, "ics43434: DMA buffer is not 4-byte aligned");
  }
  const size_t frame_bytes = output_channels() * sizeof(int16_t);
  if (stream_.ring().frame_bytes() != frame_bytes) {
    return Status::error(StatusCode::kInvalidArgument, "ics43434: ring frames are %zu bytes, need %zu",
                         stream_.ring().frame_bytes(), frame_bytes);
  }
  SerialAudioConfig audio;
  audio.protocol = AudioProtocol::kI2s;
  audio.sample_rate_hz = config_.sample_rate_hz;
  audio.slot_bits = 32;  // 64 SCK per WS frame
  audio.slots = 2;
  audio.controller = true;  // the microphone is always the target: it needs SCK and WS
  const BusError error = bus_.configure(audio);
  if (error != BusError::kOk) {
    return Status::error(StatusCode::kFailedPrecondition, "ics43434: I2S configure (%u Hz, 2 x 32-bit slots) failed: %s",
                         config_.sample_rate_hz, bus_error_name(error));
  }
  stream_.set_info(StreamInfo{SampleFormat::kInt16, static_cast<uint16_t>(output_channels()), config_.sample_rate_hz});
  return Status::ok();
}

Status Ics43434::start() {
  last_half_ = 1;
  last_time_ = config_.clock != nullptr ? config_.clock->now() : 0;
  discard_left_ = config_.startup_discard_frames;
  running_ = true;
  const BusError error = bus_.start_rx(config_.dma_buffer, *this);
  if (error != BusError::kOk) {
    running_ = false;
    return Status::error(StatusCode::kFailedPrecondition, "ics43434: I2S DMA start failed: %s", bus_error_name(error));
  }
  return Status::ok();
}

void Ics43434::stop() {
  bus_.stop_rx();
  running_ = false;
}

Status Ics43434::set_gain_shift(uint8_t shift) {
  if (shift > 8) return Status::error(StatusCode::kInvalidArgument, "ics43434: gain shift %u exceeds the 8 spare bits", shift);
  config_.gain_shift = shift;
  return Status::ok();
}

int16_t Ics43434::convert(uint32_t slot) const {
  // The 24-bit sample sits in bits 31..8; shift the gain in, keep the top 16 bits, saturate.
  const int32_t sample24 = static_cast<int32_t>(slot) >> 8;
  const int32_t scaled = sample24 >> (8 - config_.gain_shift);
  return static_cast<int16_t>(scaled > 32767 ? 32767 : (scaled < -32768 ? -32768 : scaled));
}

uint32_t Ics43434::halves_since_last(int index) {
  // The DMA alternates halves, so the count is odd when this half differs from the last one
  // served and even when it is the same one again. With a clock, take the count of that
  // parity nearest to the elapsed time in half periods (interrupt latency moves an edge by
  // less than half a period either way); without one, the smallest.
  const uint32_t parity = index != last_half_ ? 1u : 0u;
  uint32_t halves = parity == 1 ? 1u : 2u;
  if (config_.clock != nullptr) {
    const os::TimeNs now = config_.clock->now();
    const uint64_t half_ns =
        static_cast<uint64_t>(half_frames()) * 1000000000ull / (config_.sample_rate_hz == 0 ? 1 : config_.sample_rate_hz);
    if (half_ns > 0 && now >= last_time_) {
      const uint64_t elapsed = now - last_time_;
      uint64_t nearest = (elapsed + half_ns / 2) / half_ns;
      if (nearest % 2 != parity) nearest = elapsed >= nearest * half_ns ? nearest + 1 : (nearest == 0 ? 1 : nearest - 1);
      if (nearest > halves) halves = nearest > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(nearest);
    }
    last_time_ = now;
  }
  last_half_ = index;
  return halves;
}

bool Ics43434::dma_inside(int index) const {
  size_t offset = 0;
  if (!bus_.rx_position(&offset)) return false;
  const size_t half_bytes = half_frames() * 8;
  return offset / half_bytes == static_cast<size_t>(index);
}

void Ics43434::on_rx_half(DmaHalf half) {
  if (!running_) return;
  const int index = static_cast<int>(half);
  const size_t frames = half_frames();
  const uint32_t halves = halves_since_last(index);
  if (halves > 1) {
    // The interrupts of the halves in between never came: their samples were overwritten.
    missed_.fetch_add(halves - 1, std::memory_order_relaxed);
    const uint64_t lost = static_cast<uint64_t>(halves - 1) * frames;
    stream_.add_device_loss(lost > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(lost));
  }
  if (dma_inside(index)) {
    // Served a half period late: the DMA is overwriting this half with newer samples.
    late_.fetch_add(1, std::memory_order_relaxed);
    stream_.add_device_loss(static_cast<uint32_t>(frames));
    return;
  }
  uint8_t* base = config_.dma_buffer.data() + static_cast<size_t>(index) * frames * 8;
  // DMA wrote this memory behind the data cache.
  os::cache_invalidate(base, frames * 8);
  halves_.fetch_add(1, std::memory_order_relaxed);

  size_t at = 0;
  if (discard_left_ > 0) {
    const size_t skip = discard_left_ < frames ? discard_left_ : frames;
    discard_left_ -= static_cast<uint32_t>(skip);
    discarded_.fetch_add(static_cast<uint32_t>(skip), std::memory_order_relaxed);
    at = skip;
  }
  const size_t channels = output_channels();
  const size_t slot = config_.channel == MicChannel::kRight ? 1 : 0;
  RingBuffer& ring = stream_.ring();
  while (at < frames) {
    Span<uint8_t> area = ring.write_area();
    const size_t room = area.size() / (channels * sizeof(int16_t));
    if (room == 0) {
      ring.count_overrun(frames - at);
      break;
    }
    const size_t n = room < frames - at ? room : frames - at;
    int16_t* out = reinterpret_cast<int16_t*>(area.data());
    for (size_t i = 0; i < n; ++i) {
      uint32_t words[2];
      std::memcpy(words, base + (at + i) * 8, sizeof(words));
      if (config_.slot_order != board::I2sHalfOrder::kUnstated) {
        // Two 16-bit transfers a slot: put the halves back in order.
        uint16_t half_words[4];
        std::memcpy(half_words, base + (at + i) * 8, sizeof(half_words));
        const bool high_first = config_.slot_order == board::I2sHalfOrder::kHighFirst;
        for (int w = 0; w < 2; ++w) {
          const uint32_t first = half_words[2 * w], second = half_words[2 * w + 1];
          words[w] = high_first ? (first << 16) | second : (second << 16) | first;
        }
      }
      if (channels == 2) {
        out[2 * i] = convert(words[0]);
        out[2 * i + 1] = convert(words[1]);
      } else {
        out[i] = convert(words[slot]);
      }
    }
    if (dma_inside(index)) {
      // The DMA came back into this half while it was read: what was read since the last
      // check may hold newer samples. Publish nothing more of it.
      late_.fetch_add(1, std::memory_order_relaxed);
      stream_.add_device_loss(static_cast<uint32_t>(frames - at));
      break;
    }
    ring.commit(n);
    at += n;
  }
}

void Ics43434::on_rx_error(BusError) {
  // A receive overrun loses at least the half being filled.
  dma_errors_.fetch_add(1, std::memory_order_relaxed);
  stream_.add_device_loss(static_cast<uint32_t>(half_frames()));
}

namespace {

Status mic_attr_set(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, const SensorValue& value) {
  if (attribute == SensorAttribute::kGainShift) {
    return dev.driver<Ics43434>().set_gain_shift(static_cast<uint8_t>(value.val1 < 0 ? 255 : (value.val1 > 255 ? 255 : value.val1)));
  }
  return Status::error(StatusCode::kUnsupported, "sensor '%s' cannot set %s (the rate is fixed at init)", dev.name,
                       sensor_attribute_name(attribute));
}

Status mic_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  const Ics43434Config& c = dev.driver<Ics43434>().config();
  if (attribute == SensorAttribute::kSamplingFrequency) {
    *value = sensor_value_from_int(c.sample_rate_hz);
    return Status::ok();
  }
  if (attribute == SensorAttribute::kGainShift) {
    *value = sensor_value_from_int(c.gain_shift);
    return Status::ok();
  }
  return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
}

Status mic_stream_start(const SensorDevice& dev) { return dev.driver<Ics43434>().start(); }
Status mic_stream_stop(const SensorDevice& dev) {
  dev.driver<Ics43434>().stop();
  return Status::ok();
}
SampleSource* mic_stream_source(const SensorDevice& dev) { return &dev.driver<Ics43434>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi Ics43434::kApi = [] {
  SensorDriverApi api{};
  api.attr_set = mic_attr_set;
  api.attr_get = mic_attr_get;
  api.stream_start = mic_stream_start;
  api.stream_stop = mic_stream_stop;
  api.stream_source = mic_stream_source;
  return api;
}();

}  // namespace chorus::drivers
