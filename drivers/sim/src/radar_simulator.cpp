#include "chorus/drivers/sim/radar_simulator.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"

namespace chorus::drivers::sim {

namespace {

constexpr double kSpeedOfLight = 299792458.0;
constexpr double kTwoPi = 6.283185307179586;
constexpr double kDegree = 0.017453292519943295;
constexpr uint64_t kNoiseStream = 0x4e4f495345000000ull;
constexpr uint64_t kSceneStream = 0x5343454e45000000ull;

double norm(const Vec3& v) { return std::sqrt(v.x * v.x + v.y * v.y + v.z * v.z); }
Vec3 add(const Vec3& a, const Vec3& b) { return Vec3{a.x + b.x, a.y + b.y, a.z + b.z}; }
Vec3 scale(const Vec3& a, double s) { return Vec3{a.x * s, a.y * s, a.z * s}; }
Vec3 sub(const Vec3& a, const Vec3& b) { return Vec3{a.x - b.x, a.y - b.y, a.z - b.z}; }

Vec3 direction(double distance, double azimuth_deg, double elevation_deg) {
  const double az = azimuth_deg * kDegree, el = elevation_deg * kDegree;
  return Vec3{distance * std::cos(el) * std::sin(az), distance * std::sin(el), distance * std::cos(el) * std::cos(az)};
}

}  // namespace

RadarSimulator::RadarSimulator(RingBuffer& ring, const RadarSimConfig& config)
    : stream_(ring, config.format.stream_info()), config_(config) {
  // RX1-RX3 form the horizontal pair, RX2-RX3 the vertical pair, half a wavelength apart
  // at the centre frequency (the BGT60TR13C's L-shaped receive array).
  const double d = 0.5 * wavelength_m();
  rx_[0] = Vec3{d, 0.0, 0.0};
  rx_[1] = Vec3{0.0, d, 0.0};
  rx_[2] = Vec3{0.0, 0.0, 0.0};
  for (int i = 0; i < 2; ++i) {
    const double distance = random_between(config_.seed, kSceneStream, 4 * i, 0.7, 1.2);
    const double az = random_between(config_.seed, kSceneStream, 4 * i + 1, -40.0, 40.0);
    const double el = random_between(config_.seed, kSceneStream, 4 * i + 2, -20.0, 20.0);
    const double gain = random_between(config_.seed, kSceneStream, 4 * i + 3, 0.5, 1.5);
    clutter_[i].position = direction(distance, az, el);
    clutter_[i].amplitude = config_.clutter_lsb * gain / (distance * distance);
  }
  body_phase_ = kTwoPi * random_uniform(config_.seed, kSceneStream, 16);
}

double RadarSimulator::wavelength_m() const {
  return kSpeedOfLight / (config_.start_frequency_hz + 0.5 * config_.bandwidth_hz);
}
double RadarSimulator::range_resolution_m() const { return kSpeedOfLight / (2.0 * config_.bandwidth_hz); }
double RadarSimulator::max_range_m() const { return 0.5 * config_.adc_rate_hz * kSpeedOfLight / (2.0 * slope_hz_per_s()); }
double RadarSimulator::max_velocity_mps() const { return wavelength_m() / (4.0 * config_.chirp_period_ns * 1e-9); }

Status RadarSimulator::validate() const {
  const RadarFrameFormat& f = config_.format;
  CHORUS_RETURN_IF_ERROR(f.validate());
  if (f.rx_antennas > 3) {
    return Status::error(StatusCode::kOutOfRange, "radar simulator: %u receive antennas, the model has 3", f.rx_antennas);
  }
  for (double g : config_.rx_gain) {
    if (!(g > 0.0)) return Status::error(StatusCode::kInvalidArgument, "radar simulator: RX gains must be positive");
  }
  if (config_.adc_rate_hz <= 0.0 || config_.bandwidth_hz <= 0.0 || config_.start_frequency_hz <= 0.0) {
    return Status::error(StatusCode::kInvalidArgument, "radar simulator: ADC rate, bandwidth and start frequency must be positive");
  }
  if (ramp_time_s() * 1e9 > config_.chirp_period_ns) {
    return Status::error(StatusCode::kInvalidArgument, "radar simulator: a %u-sample ramp takes %u ns, longer than the %u ns chirp period",
                         f.samples_per_chirp, static_cast<unsigned>(ramp_time_s() * 1e9), config_.chirp_period_ns);
  }
  if (static_cast<uint64_t>(f.chirps_per_frame) * config_.chirp_period_ns > f.frame_period_ns) {
    return Status::error(StatusCode::kInvalidArgument, "radar simulator: %u chirps of %u ns do not fit the %u ns frame period",
                         f.chirps_per_frame, config_.chirp_period_ns, f.frame_period_ns);
  }
  if (stream_.ring().frame_bytes() != f.bytes()) {
    return Status::error(StatusCode::kInvalidArgument, "radar simulator: ring frames are %zu bytes, a radar frame is %zu",
                         stream_.ring().frame_bytes(), f.bytes());
  }
  return Status::ok();
}

Status RadarSimulator::schedule(const GestureEvent& event) {
  if (event_count_ >= kMaxEvents) {
    return Status::error(StatusCode::kOutOfRange, "radar simulator: schedule full (%zu events)", kMaxEvents);
  }
  const GestureParams& p = event.params;
  if (!(p.distance_m > 0.02) || !(p.duration_s > 0.0) || p.extent_m < 0.0) {
    return Status::error(StatusCode::kInvalidArgument, "radar simulator: %s needs distance > 0.02 m and duration > 0 s",
                         gesture_name(event.gesture));
  }
  events_[event_count_++] = event;
  return Status::ok();
}

int RadarSimulator::event_at(double t_s) const {
  for (size_t i = 0; i < event_count_; ++i) {
    const GestureEvent& e = events_[i];
    if (e.gesture == Gesture::kNothing && !e.params.hand_present) continue;
    const double start = static_cast<double>(e.start_ns) * 1e-9;
    if (t_s >= start - hand_in_view_before_s(e.params) && t_s <= start + hand_in_view_after_s(e.params)) return static_cast<int>(i);
  }
  return -1;
}

bool RadarSimulator::palm_at(double t_s, Vec3* palm, Vec3* offset) const {
  const int index = event_at(t_s);
  if (index < 0) return false;
  const GestureEvent& e = events_[index];
  const GestureParams& p = e.params;
  const Vec3 start = direction(p.distance_m, p.azimuth_deg, p.elevation_deg);
  if (!hand_offset(e.gesture, p, t_s - static_cast<double>(e.start_ns) * 1e-9, offset)) return false;
  // Physiological tremor: about half a millimetre near 9 Hz.
  const double phase = kTwoPi * random_uniform(config_.seed, kSceneStream + 1, static_cast<uint64_t>(index));
  const double tremor = 0.0005 * std::sin(kTwoPi * 9.0 * t_s + phase);
  *palm = add(add(start, *offset), Vec3{tremor, 0.7 * tremor, 0.5 * tremor});
  return true;
}

size_t RadarSimulator::scatterers_at(double t_s, Scatterer* out, size_t capacity) const {
  size_t n = 0;
  // TX-to-RX leakage looks like a fixed target 1.5 cm away.
  if (n < capacity && config_.leakage_lsb > 0.0) out[n++] = Scatterer{Vec3{0.0, 0.0, 0.015}, config_.leakage_lsb};
  for (const Scatterer& c : clutter_) {
    if (n < capacity) out[n++] = c;
  }
  if (config_.body) {
    // Torso and shoulders: breathing (4 mm at about 0.3 Hz) and a slow sway (1 cm at 0.1 Hz).
    const double breath = 0.004 * std::sin(kTwoPi * 0.3 * t_s + body_phase_);
    const double sway = 0.01 * std::sin(kTwoPi * 0.1 * t_s + 2.0 * body_phase_);
    const Vec3 torso = direction(config_.body_distance_m, config_.body_azimuth_deg, config_.body_elevation_deg);
    const double reference = config_.noise_lsb * std::pow(10.0, config_.body_snr_db / 20.0);
    const Vec3 parts[] = {{0.0, 0.0, 0.0}, {-0.18, 0.2, 0.02}, {0.18, 0.2, 0.02}};
    const double rcs[] = {1.0, 0.3, 0.3};
    for (int k = 0; k < 3 && n < capacity; ++k) {
      const Vec3 at = add(torso, add(parts[k], Vec3{sway, 0.0, breath}));
      const double r = norm(at), f = config_.body_distance_m / r;
      out[n++] = Scatterer{at, reference * std::sqrt(rcs[k]) * f * f};
    }
  }
  if (config_.walker) {
    // A person crossing: body and two swinging legs (1.8 strides a second), seen within +-60 degrees.
    const double x = config_.walker_speed_mps * (t_s - config_.walker_crossing_s);
    const double z = config_.walker_distance_m;
    if (std::fabs(x) < 1.7 * z) {
      const double reference = config_.noise_lsb * std::pow(10.0, config_.walker_snr_db / 20.0);
      const double swing = 0.25 * std::sin(kTwoPi * 0.9 * t_s);
      const Vec3 parts[] = {{x, 0.0, z}, {x + swing, -0.5, z}, {x - swing, -0.5, z}};
      const double rcs[] = {1.0, 0.25, 0.25};
      for (int k = 0; k < 3 && n < capacity; ++k) {
        const double r = norm(parts[k]), f = z / r;
        out[n++] = Scatterer{parts[k], reference * std::sqrt(rcs[k]) * f * f};
      }
    }
  }
  Vec3 palm, offset;
  if (!palm_at(t_s, &palm, &offset)) return n;
  const GestureParams& p = events_[event_at(t_s)].params;
  const double reference = config_.noise_lsb * std::pow(10.0, p.snr_db / 20.0);
  struct Part {
    Vec3 offset;
    double follow;  // share of the gesture motion this part follows
    double rcs;     // relative to the palm
  };
  static const Part kParts[] = {
      {{0.0, 0.0, 0.0}, 1.0, 1.0},       // palm
      {{-0.025, 0.07, 0.0}, 1.0, 0.2},   // fingers
      {{0.0, 0.08, 0.0}, 1.0, 0.2},
      {{0.025, 0.07, 0.0}, 1.0, 0.2},
      {{0.0, -0.12, 0.12}, 0.5, 0.6},    // forearm, pivoting at the elbow
  };
  for (const Part& part : kParts) {
    if (n >= capacity) break;
    const Vec3 position = add(add(palm, scale(offset, part.follow - 1.0)), part.offset);
    const double r = norm(position);
    const double falloff = (p.distance_m / r) * (p.distance_m / r);
    out[n++] = Scatterer{position, reference * std::sqrt(part.rcs) * falloff};
  }
  return n;
}

void RadarSimulator::render_frame(uint64_t index, Span<int16_t> out) const {
  const RadarFrameFormat& f = config_.format;
  const double slope = slope_hz_per_s();
  const double f0 = config_.start_frequency_hz;
  const double dt = 1.0 / config_.adc_rate_hz;
  constexpr size_t kMaxScatterers = 20;
  Scatterer scatterers[kMaxScatterers];
  double phase0[kMaxScatterers][3];
  double step[kMaxScatterers][3];
  for (size_t chirp = 0; chirp < f.chirps_per_frame; ++chirp) {
    const double t = (static_cast<double>(index) * f.frame_period_ns + static_cast<double>(chirp) * config_.chirp_period_ns) * 1e-9;
    const size_t count = scatterers_at(t, scatterers, kMaxScatterers);
    for (size_t s = 0; s < count; ++s) {
      const double to_target = norm(scatterers[s].position);
      for (size_t rx = 0; rx < f.rx_antennas; ++rx) {
        const double tau = (to_target + norm(sub(scatterers[s].position, rx_[rx]))) / kSpeedOfLight;
        const double cycles = f0 * tau;
        phase0[s][rx] = kTwoPi * (cycles - std::floor(cycles)) + config_.rx_phase_rad[rx];
        step[s][rx] = kTwoPi * slope * tau * dt;  // beat frequency times the sample period
      }
    }
    for (size_t n = 0; n < f.samples_per_chirp; ++n) {
      for (size_t rx = 0; rx < f.rx_antennas; ++rx) {
        double v = 0.0;
        for (size_t s = 0; s < count; ++s) v += scatterers[s].amplitude * std::cos(phase0[s][rx] + step[s][rx] * static_cast<double>(n));
        v *= config_.rx_gain[rx];
        const size_t i = f.index(chirp, n, rx);
        v += config_.noise_lsb * random_normal(config_.seed, kNoiseStream + index, i);
        const double code = std::nearbyint(kRadarAdcMidScale + v);
        out[i] = static_cast<int16_t>(code < 0.0 ? 0 : (code > kRadarAdcMax ? kRadarAdcMax : code));
      }
    }
  }
}

RadarTruth RadarSimulator::truth_at(os::TimeNs t) const {
  RadarTruth truth;
  const double t_s = static_cast<double>(t) * 1e-9;
  Vec3 offset;
  truth.event = event_at(t_s);
  truth.hand_present = palm_at(t_s, &truth.hand, &offset);
  if (!truth.hand_present) return truth;
  truth.range_m = norm(truth.hand);
  Vec3 before, after;
  if (palm_at(t_s - 0.001, &before, &offset) && palm_at(t_s + 0.001, &after, &offset) && event_at(t_s - 0.001) == truth.event &&
      event_at(t_s + 0.001) == truth.event) {
    truth.radial_velocity_mps = (norm(after) - norm(before)) / 0.002;
  }
  return truth;
}

Status RadarSimulator::advance_to(os::TimeNs t) {
  const uint64_t due = periods_due(t, config_.format.frame_period_ns);
  RingBuffer& ring = stream_.ring();
  const size_t bytes = config_.format.bytes();
  for (; produced_ < due; ++produced_) {
    if (!running_) continue;
    Span<uint8_t> area = ring.write_area();
    if (area.size() < bytes) {
      ring.count_overrun(1);
      continue;
    }
    render_frame(produced_, Span<int16_t>(reinterpret_cast<int16_t*>(area.data()), config_.format.samples()));
    ring.commit(1);
  }
  return Status::ok();
}

namespace {

Status radar_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  if (attribute != SensorAttribute::kSamplingFrequency) {
    return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
  }
  const uint32_t period = dev.driver<RadarSimulator>().config().format.frame_period_ns;
  *value = sensor_value_from_micro(static_cast<int64_t>(1000000000000000ll / period));
  return Status::ok();
}
Status radar_start(const SensorDevice& dev) {
  dev.driver<RadarSimulator>().resume();
  return Status::ok();
}
Status radar_stop(const SensorDevice& dev) {
  dev.driver<RadarSimulator>().pause();
  return Status::ok();
}
SampleSource* radar_source(const SensorDevice& dev) { return &dev.driver<RadarSimulator>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi RadarSimulator::kApi = [] {
  SensorDriverApi api{};
  api.attr_get = radar_attr_get;
  api.stream_start = radar_start;
  api.stream_stop = radar_stop;
  api.stream_source = radar_source;
  return api;
}();

}  // namespace chorus::drivers::sim
