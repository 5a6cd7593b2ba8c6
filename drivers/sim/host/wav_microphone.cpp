#include "chorus/drivers/sim/wav_microphone.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"
#include "chorus/drivers/sim/resampler.hpp"
#include "chorus/drivers/sim/wav_file.hpp"

namespace chorus::drivers::sim {

WavMicrophone::WavMicrophone(RingBuffer& ring, WavMicrophoneConfig config)
    : stream_(ring, StreamInfo{SampleFormat::kInt16, 1, config.sample_rate_hz}), config_(std::move(config)) {}

Status WavMicrophone::open() {
  const char* file = config_.path.c_str();
  if (stream_.ring().frame_bytes() != 2) {
    return Status::error(StatusCode::kInvalidArgument, "%s: ring frames are %zu bytes, a mono int16 stream needs 2", file,
                         stream_.ring().frame_bytes());
  }
  if (config_.sample_rate_hz == 0) return Status::error(StatusCode::kInvalidArgument, "%s: stream rate is 0 Hz", file);
  Result<WavAudio> audio = read_wav(config_.path);
  if (!audio.is_ok()) return audio.status();
  if (config_.channel >= static_cast<int>(audio->channels) || config_.channel < -1) {
    return Status::error(StatusCode::kInvalidArgument, "%s: channel %d requested, the file has %u", file, config_.channel,
                         audio->channels);
  }
  file_rate_hz_ = audio->sample_rate_hz;
  if (file_rate_hz_ != config_.sample_rate_hz && !config_.resample) {
    return Status::error(StatusCode::kUnsupported, "%s: recorded at %u Hz, the stream needs %u Hz and resampling is off", file,
                         file_rate_hz_, config_.sample_rate_hz);
  }
  std::vector<int16_t> mono;
  const size_t frames = audio->frames();
  if (config_.channel == -1 && audio->channels > 1) {
    mono.resize(frames);
    for (size_t i = 0; i < frames; ++i) {
      int32_t sum = 0;
      for (uint16_t c = 0; c < audio->channels; ++c) sum += audio->samples[i * audio->channels + c];
      mono[i] = static_cast<int16_t>(sum / audio->channels);
    }
    pcm_ = resample(mono.data(), frames, 1, file_rate_hz_, config_.sample_rate_hz);
  } else {
    const size_t channel = config_.channel < 0 ? 0 : static_cast<size_t>(config_.channel);
    pcm_ = resample(audio->samples.data() + channel, frames, audio->channels, file_rate_hz_, config_.sample_rate_hz);
  }
  if (pcm_.empty()) return Status::error(StatusCode::kInvalidArgument, "%s: no samples", file);
  produced_ = 0;
  opened_ = true;
  return Status::ok();
}

int16_t WavMicrophone::sample(uint64_t index) const {
  const int16_t clean = pcm_[static_cast<size_t>(index % pcm_.size())];
  if (config_.noise_rms <= 0.0) return clean;
  const double v = clean + std::nearbyint(config_.noise_rms * random_normal(config_.seed, 0, index));
  return static_cast<int16_t>(v > 32767.0 ? 32767 : (v < -32768.0 ? -32768 : v));
}

Status WavMicrophone::advance_to(os::TimeNs t) {
  if (!opened_) return Status::error(StatusCode::kFailedPrecondition, "%s: advance_to before open", config_.path.c_str());
  uint64_t due = frames_due(t, config_.sample_rate_hz);
  if (!config_.loop && due > pcm_.size()) due = pcm_.size();
  if (due <= produced_) return Status::ok();
  if (!running_) {
    produced_ = due;  // a paused microphone misses what happens meanwhile
    return Status::ok();
  }
  int16_t chunk[512];
  while (produced_ < due) {
    const size_t n = due - produced_ < 512 ? static_cast<size_t>(due - produced_) : 512;
    for (size_t i = 0; i < n; ++i) chunk[i] = sample(produced_ + i);
    stream_.ring().write(chunk, n);  // what does not fit is counted as overrun
    produced_ += n;
  }
  return Status::ok();
}

namespace {

Status mic_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  if (attribute != SensorAttribute::kSamplingFrequency) {
    return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
  *value = sensor_value_from_int(dev.driver<WavMicrophone>().config().sample_rate_hz);
  return Status::ok();
}
Status mic_start(const SensorDevice& dev) {
  dev.driver<WavMicrophone>().resume();
  return Status::ok();
}
Status mic_stop(const SensorDevice& dev) {
  dev.driver<WavMicrophone>().pause();
  return Status::ok();
}
SampleSource* mic_source(const SensorDevice& dev) { return &dev.driver<WavMicrophone>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi WavMicrophone::kApi = [] {
  SensorDriverApi api{};
  api.attr_get = mic_attr_get;
  api.stream_start = mic_start;
  api.stream_stop = mic_stop;
  api.stream_source = mic_source;
  return api;
}();

}  // namespace chorus::drivers::sim
