#include "chorus/drivers/sim/vibration_simulator.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"

namespace chorus::drivers::sim {

namespace {

constexpr double kTwoPi = 6.283185307179586;
constexpr double kReferenceRpm = 1500.0;
constexpr double kWobbleHz = 0.2;
constexpr double kImpactDecayS = 0.003;
constexpr uint64_t kNoiseStream = 0x5649425200000000ull;
constexpr uint64_t kImpactStream = 0x494d504300000000ull;
constexpr uint64_t kPhaseStream = 0x5048415300000000ull;

}  // namespace

const char* machine_fault_name(MachineFault fault) {
  switch (fault) {
    case MachineFault::kNone: return "normal";
    case MachineFault::kImbalance: return "imbalance";
    case MachineFault::kMisalignment: return "misalignment";
    case MachineFault::kBearingOuterRace: return "bearing_outer_race";
    case MachineFault::kBearingInnerRace: return "bearing_inner_race";
    case MachineFault::kLooseness: return "looseness";
  }
  return "unknown";
}

double BearingGeometry::bpfo_per_rev() const {
  return 0.5 * balls * (1.0 - ball_diameter_mm / pitch_diameter_mm * std::cos(contact_angle_deg * kTwoPi / 360.0));
}

double BearingGeometry::bpfi_per_rev() const {
  return 0.5 * balls * (1.0 + ball_diameter_mm / pitch_diameter_mm * std::cos(contact_angle_deg * kTwoPi / 360.0));
}

MachineRanges MachineRanges::training() { return MachineRanges{{600.0, 2400.0}, {0.2, 1.0}, {4.0, 12.0}}; }

MachineRanges MachineRanges::held_out() { return MachineRanges{{2400.0, 3000.0}, {0.05, 0.2}, {12.0, 20.0}}; }

VibrationSimConfig sample_machine_config(MachineFault fault, const MachineRanges& r, const VibrationSimConfig& base,
                                         uint64_t index) {
  constexpr uint64_t kStream = 0x4d41434800000000ull;
  VibrationSimConfig c = base;
  c.fault = fault;
  c.rpm = random_between(base.seed, kStream + 0, index, r.rpm[0], r.rpm[1]);
  c.severity = fault == MachineFault::kNone ? 0.0 : random_between(base.seed, kStream + 1, index, r.severity[0], r.severity[1]);
  c.noise_mg = random_between(base.seed, kStream + 2, index, r.noise_mg[0], r.noise_mg[1]);
  c.seed = random_bits(base.seed, kStream + 3, index);
  return c;
}

VibrationSimulator::VibrationSimulator(RingBuffer& ring, const VibrationSimConfig& config)
    : stream_(ring, StreamInfo{SampleFormat::kInt16, 3, config.sample_rate_hz}), config_(config) {}

Status VibrationSimulator::validate() const {
  if (config_.sample_rate_hz == 0) return Status::error(StatusCode::kInvalidArgument, "vibration simulator: sample rate is 0 Hz");
  if (!(config_.rpm >= 0.0) || config_.rpm > 60.0 * config_.sample_rate_hz / 2.0) {
    return Status::error(StatusCode::kOutOfRange, "vibration simulator: %d rpm outside 0..%u (the 1x line must stay below Nyquist)",
                         static_cast<int>(config_.rpm), 30 * config_.sample_rate_hz);
  }
  if (!(config_.severity >= 0.0 && config_.severity <= 1.0)) {
    return Status::error(StatusCode::kOutOfRange, "vibration simulator: severity outside 0..1");
  }
  if (config_.resonance_hz <= 0.0 || config_.resonance_hz >= 0.5 * config_.sample_rate_hz) {
    return Status::error(StatusCode::kOutOfRange, "vibration simulator: resonance %d Hz not below Nyquist (%u Hz)",
                         static_cast<int>(config_.resonance_hz), config_.sample_rate_hz / 2);
  }
  if (config_.bearing.balls <= 0 || config_.bearing.pitch_diameter_mm <= config_.bearing.ball_diameter_mm) {
    return Status::error(StatusCode::kInvalidArgument, "vibration simulator: bearing needs balls > 0 and pitch > ball diameter");
  }
  if (stream_.ring().frame_bytes() != 6) {
    return Status::error(StatusCode::kInvalidArgument, "vibration simulator: ring frames are %zu bytes, need 6 (x, y, z int16)",
                         stream_.ring().frame_bytes());
  }
  return Status::ok();
}

Status VibrationSimulator::set_condition(double rpm, MachineFault fault, double severity) {
  VibrationSimConfig next = config_;
  next.rpm = rpm;
  next.fault = fault;
  next.severity = severity;
  const VibrationSimConfig previous = config_;
  config_ = next;
  Status status = validate();
  if (!status.is_ok()) {
    config_ = previous;
    return status;
  }
  // Continue the shaft angle from where the old speed left it.
  config_ = previous;
  const double angle = shaft_angle(produced_);
  config_ = next;
  segment_start_ = produced_;
  segment_angle_ = angle;
  return Status::ok();
}

double VibrationSimulator::shaft_angle(uint64_t index) const {
  // f(t) = f_r (1 + w sin(2 pi f_w t)); its integral gives the angle.
  const double fr = config_.rpm / 60.0;
  const double t0 = static_cast<double>(segment_start_) / config_.sample_rate_hz;
  const double t = static_cast<double>(index) / config_.sample_rate_hz;
  const double wobble = fr * config_.speed_wobble / (kTwoPi * kWobbleHz);
  const double integral = fr * (t - t0) - wobble * (std::cos(kTwoPi * kWobbleHz * t) - std::cos(kTwoPi * kWobbleHz * t0));
  return segment_angle_ + kTwoPi * integral;
}

double VibrationSimulator::impacts(double t_s, double defect_hz, double modulation_depth, uint64_t stream) const {
  if (defect_hz <= 0.0) return 0.0;
  const double period = 1.0 / defect_hz;
  const int64_t newest = static_cast<int64_t>(std::floor(t_s * defect_hz));
  const int64_t reach = static_cast<int64_t>(std::ceil(8.0 * kImpactDecayS * defect_hz)) + 1;
  const double fr = config_.rpm / 60.0;
  double v = 0.0;
  for (int64_t k = newest - reach; k <= newest + 1; ++k) {
    if (k < 0) continue;
    // Rolling elements slip: each impact lands up to 1% of a period early or late.
    const double jitter = 0.01 * period * (2.0 * random_uniform(config_.seed, stream, static_cast<uint64_t>(k)) - 1.0);
    const double tk = static_cast<double>(k) * period + jitter;
    const double age = t_s - tk;
    if (age < 0.0) continue;
    double amplitude = 1.0 + 0.1 * random_normal(config_.seed, stream + 1, static_cast<uint64_t>(k));
    if (modulation_depth > 0.0) amplitude *= 1.0 - modulation_depth + modulation_depth * std::cos(kTwoPi * fr * tk);
    v += amplitude * std::exp(-age / kImpactDecayS) * std::sin(kTwoPi * config_.resonance_hz * age);
  }
  return v;
}

void VibrationSimulator::render(uint64_t first, size_t count, int16_t* out) const {
  const double fr = config_.rpm / 60.0;
  const double speed2 = (config_.rpm / kReferenceRpm) * (config_.rpm / kReferenceRpm);
  const double sev = config_.severity;
  // A machine's own phases (seeded): where the heavy spot and the coupling offset sit.
  const double p1 = kTwoPi * random_uniform(config_.seed, kPhaseStream, 0);
  const double p2 = kTwoPi * random_uniform(config_.seed, kPhaseStream, 1);
  const double p3 = kTwoPi * random_uniform(config_.seed, kPhaseStream, 2);
  for (size_t i = 0; i < count; ++i) {
    const uint64_t n = first + i;
    const double t = static_cast<double>(n) / config_.sample_rate_hz;
    const double a = shaft_angle(n);
    // Healthy running: residual imbalance and a little 2x.
    double x = 20.0 * speed2 * std::cos(a + p1) + 6.0 * std::cos(2.0 * a + p2);
    double y = 20.0 * speed2 * std::sin(a + p1) + 6.0 * std::sin(2.0 * a + p2);
    double z = 4.0 * std::cos(a + p3);
    switch (config_.fault) {
      case MachineFault::kNone: break;
      case MachineFault::kImbalance:
        x += 400.0 * sev * speed2 * std::cos(a + p1);
        y += 400.0 * sev * speed2 * std::sin(a + p1);
        break;
      case MachineFault::kMisalignment:
        x += sev * (250.0 * std::cos(2.0 * a + p2) + 100.0 * std::cos(a + p1) + 60.0 * std::cos(3.0 * a + p3));
        y += sev * (250.0 * std::sin(2.0 * a + p2) + 100.0 * std::sin(a + p1) + 60.0 * std::sin(3.0 * a + p3));
        z += sev * 200.0 * std::cos(a + p3);
        break;
      case MachineFault::kBearingOuterRace: {
        const double v = 600.0 * sev * impacts(t, config_.bearing.bpfo_per_rev() * fr, 0.0, kImpactStream);
        x += 0.5 * v;
        y += v;  // the load zone is at the bottom: vertical sees most
        z += 0.3 * v;
        break;
      }
      case MachineFault::kBearingInnerRace: {
        const double v = 500.0 * sev * impacts(t, config_.bearing.bpfi_per_rev() * fr, 0.8, kImpactStream + 2);
        x += 0.5 * v;
        y += v;
        z += 0.3 * v;
        break;
      }
      case MachineFault::kLooseness: {
        double h = 0.0;
        for (int k = 1; k <= 10; ++k) h += (150.0 / k) * std::cos(k * a + k * p2);
        h += 80.0 * std::cos(0.5 * a + p3) + 40.0 * std::cos(1.5 * a + p1);
        h *= sev;
        // A loose foot lifts freely and is stopped hard: one side clips.
        const double limit = 250.0 * sev;
        y += h > limit ? limit + 0.5 * (h - limit) : h;
        x += 0.4 * h;
        break;
      }
    }
    if (config_.gravity) y += 1000.0;
    x += config_.noise_mg * random_normal(config_.seed, kNoiseStream, 3 * n);
    y += config_.noise_mg * random_normal(config_.seed, kNoiseStream, 3 * n + 1);
    z += config_.noise_mg * random_normal(config_.seed, kNoiseStream, 3 * n + 2);
    const double fs = config_.full_scale_mg;
    const double axes[3] = {x, y, z};
    for (int k = 0; k < 3; ++k) {
      const double v = std::nearbyint(axes[k]);
      out[3 * i + k] = static_cast<int16_t>(v > fs ? fs : (v < -fs ? -fs : v));
    }
  }
}

Status VibrationSimulator::advance_to(os::TimeNs t) {
  const uint64_t due = frames_due(t, config_.sample_rate_hz);
  if (due <= produced_) return Status::ok();
  if (!running_) {
    produced_ = due;
    return Status::ok();
  }
  int16_t chunk[3 * 256];
  while (produced_ < due) {
    const size_t n = due - produced_ < 256 ? static_cast<size_t>(due - produced_) : 256;
    render(produced_, n, chunk);
    stream_.ring().write(chunk, n);
    for (int k = 0; k < 3; ++k) last_[k] = chunk[3 * (n - 1) + k];
    produced_ += n;
  }
  return Status::ok();
}

namespace {

Status vib_fetch(const SensorDevice&, SensorChannel) { return Status::ok(); }

Status vib_channel_get(const SensorDevice& dev, SensorChannel channel, SensorValue* values, size_t) {
  const int16_t* mg = dev.driver<VibrationSimulator>().last_milli_g();
  switch (channel) {
    case SensorChannel::kAccelX: values[0] = sensor_value_from_milli_g(mg[0]); return Status::ok();
    case SensorChannel::kAccelY: values[0] = sensor_value_from_milli_g(mg[1]); return Status::ok();
    case SensorChannel::kAccelZ: values[0] = sensor_value_from_milli_g(mg[2]); return Status::ok();
    case SensorChannel::kAccelXyz:
      for (int k = 0; k < 3; ++k) values[k] = sensor_value_from_milli_g(mg[k]);
      return Status::ok();
    default:
      return Status::error(StatusCode::kUnsupported, "sensor '%s' has no channel %s", dev.name, sensor_channel_name(channel));
  }
}

Status vib_attr_get(const SensorDevice& dev, SensorChannel, SensorAttribute attribute, SensorValue* value) {
  const VibrationSimConfig& c = dev.driver<VibrationSimulator>().config();
  if (attribute == SensorAttribute::kSamplingFrequency) {
    *value = sensor_value_from_int(c.sample_rate_hz);
    return Status::ok();
  }
  if (attribute == SensorAttribute::kFullScale) {
    *value = sensor_value_from_milli_g(c.full_scale_mg);
    return Status::ok();
  }
  return Status::error(StatusCode::kUnsupported, "sensor '%s' has no attribute %s", dev.name, sensor_attribute_name(attribute));
}

Status vib_start(const SensorDevice& dev) {
  dev.driver<VibrationSimulator>().resume();
  return Status::ok();
}
Status vib_stop(const SensorDevice& dev) {
  dev.driver<VibrationSimulator>().pause();
  return Status::ok();
}
SampleSource* vib_source(const SensorDevice& dev) { return &dev.driver<VibrationSimulator>().source(); }

}  // namespace

// The operations by name (as Zephyr's DEVICE_API(sensor, ...) designated initialisers); the
// ones left out are null: the device does not offer them.
const SensorDriverApi VibrationSimulator::kApi = [] {
  SensorDriverApi api{};
  api.sample_fetch = vib_fetch;
  api.channel_get = vib_channel_get;
  api.attr_get = vib_attr_get;
  api.stream_start = vib_start;
  api.stream_stop = vib_stop;
  api.stream_source = vib_source;
  return api;
}();

}  // namespace chorus::drivers::sim
