#include "dataset.hpp"

#include <cmath>

#include "chorus/drivers/sim/random.hpp"
#include "chorus/module/ring_buffer.hpp"

namespace chorus::train {

namespace sim = chorus::drivers::sim;

namespace {

constexpr uint64_t kGestureStream = 0x4745535445580000ull;    // "GESTEX"
constexpr uint64_t kVibrationStream = 0x5649425845580000ull;  // "VIBXEX"
// The largest timing jitter of a gesture's midpoint around the window's middle.
constexpr double kMaxJitterS = 0.15;

uint64_t stream_of(uint64_t base, const DrawSpec& spec, int kind) { return base + spec.salt * 256 + static_cast<uint64_t>(kind); }

struct Factor {
  const char* name;
  double (sim::GestureRanges::*gesture)[2];
  double (sim::MachineRanges::*machine)[2];
};

const Factor kFactors[] = {
    {"distance_m", &sim::GestureRanges::distance_m, nullptr},
    {"azimuth_deg", &sim::GestureRanges::azimuth_deg, nullptr},
    {"elevation_deg", &sim::GestureRanges::elevation_deg, nullptr},
    {"duration_s", &sim::GestureRanges::duration_s, nullptr},
    {"extent_scale", &sim::GestureRanges::extent_scale, nullptr},
    {"snr_db", &sim::GestureRanges::snr_db, nullptr},
    {"rpm", nullptr, &sim::MachineRanges::rpm},
    {"severity", nullptr, &sim::MachineRanges::severity},
    {"noise_mg", nullptr, &sim::MachineRanges::noise_mg},
};

}  // namespace

DrawSpec training_spec() { return DrawSpec(); }

DrawSpec held_out_spec() {
  DrawSpec spec;
  spec.name = "held_out";
  spec.gesture = sim::GestureRanges::held_out();
  spec.machine = sim::MachineRanges::held_out();
  spec.salt = 1;
  return spec;
}

bool parse_draw_spec(const std::string& text, DrawSpec* spec) {
  if (text == "training") {
    *spec = training_spec();
    return true;
  }
  if (text == "held_out") {
    *spec = held_out_spec();
    return true;
  }
  const std::string prefix = "held_out:";
  if (text.compare(0, prefix.size(), prefix) != 0) return false;
  const DrawSpec held = held_out_spec();
  for (size_t i = 0; i < sizeof(kFactors) / sizeof(kFactors[0]); ++i) {
    const Factor& f = kFactors[i];
    if (text.substr(prefix.size()) != f.name) continue;
    *spec = training_spec();
    spec->name = text;
    spec->salt = 16 + i;
    if (f.gesture) {
      (spec->gesture.*f.gesture)[0] = (held.gesture.*f.gesture)[0];
      (spec->gesture.*f.gesture)[1] = (held.gesture.*f.gesture)[1];
    } else {
      (spec->machine.*f.machine)[0] = (held.machine.*f.machine)[0];
      (spec->machine.*f.machine)[1] = (held.machine.*f.machine)[1];
    }
    return true;
  }
  return false;
}

GestureExamples::GestureExamples() {
  runtime::dsp::RadarGestureFeatureConfig config;
  config.range_doppler.samples_per_chirp = radar_.format.samples_per_chirp;
  config.range_doppler.chirps = radar_.format.chirps_per_frame;
  config.range_doppler.rx_antennas = radar_.format.rx_antennas;
  status_ = features_.init(config);
  cube_.resize(features_.cube_size());
  frame_.resize(radar_.format.samples());
}

GestureExample GestureExamples::make(sim::Gesture gesture, const DrawSpec& spec, uint64_t seed, uint64_t index) {
  GestureExample ex;
  ex.gesture = gesture;
  // sample_gesture_params streams by gesture; the spec goes into the seed so different
  // ranges never share draws.
  const uint64_t draw_seed = sim::random_bits(seed, stream_of(kGestureStream, spec, 0), 0);
  const uint64_t key = static_cast<uint64_t>(gesture) << 40 | index;
  auto uniform = [&](int stream, double lo, double hi) { return sim::random_between(seed, stream_of(kGestureStream, spec, stream), key, lo, hi); };

  // What moves in the window: for `nothing`, a third of the examples are the edges of a real
  // gesture -- the window before its stroke (the hand coming up) or after it (the hold and
  // the return) -- so that neither alone is taken for the gesture.
  sim::Gesture motion = gesture;
  int edge = 0;  // -1: the window ends before the stroke, +1: it starts after
  if (gesture == sim::Gesture::kNothing) {
    const double u = uniform(3, 0.0, 1.0);
    if (u < 0.35) {
      motion = static_cast<sim::Gesture>(1 + static_cast<int>(uniform(4, 0.0, 4.999)));
      edge = u < 0.1 ? -1 : 1;
    }
  }
  ex.params = sim::sample_gesture_params(motion, spec.gesture, draw_seed, index);

  sim::RadarSimConfig config = radar_;
  config.seed = sim::random_bits(seed, stream_of(kGestureStream, spec, 1), key);
  // The scene: the user's body in two of three examples, a passer-by in one of four.
  config.body = uniform(5, 0.0, 1.0) < 0.67;
  config.body_distance_m = ex.params.distance_m + uniform(6, 0.2, 0.45);
  config.body_azimuth_deg = uniform(7, -15.0, 15.0);
  config.body_elevation_deg = uniform(8, -25.0, -5.0);
  config.body_snr_db = uniform(9, 12.0, 30.0);
  config.walker = uniform(10, 0.0, 1.0) < 0.25;
  config.walker_distance_m = uniform(11, 0.6, 1.15);
  config.walker_speed_mps = uniform(12, 0.7, 1.6) * (uniform(13, 0.0, 1.0) < 0.5 ? -1.0 : 1.0);
  config.walker_snr_db = uniform(14, 10.0, 28.0);
  // Frame rates from 29 to 34 a second: the simulator's 30 and the Infineon recordings' 33.
  config.format.frame_period_ns = static_cast<uint32_t>(std::llround(1e9 / uniform(17, 29.0, 34.0)));
  uint8_t storage[1];
  RingBuffer ring(Span<uint8_t>(storage, 0), config.format.bytes());

  const double period_s = static_cast<double>(config.format.frame_period_ns) * 1e-9;
  const double window_s = kWindowFrames * period_s;
  config.walker_crossing_s = uniform(15, -0.3, window_s + 0.3);
  sim::RadarSimulator radar(ring, config);
  double start_s;
  if (edge < 0) {
    // The stroke starts just after the window ends.
    start_s = window_s + uniform(16, 0.0, 0.15);
    ex.motion_centre_s = start_s + 0.5 * ex.params.duration_s;
  } else if (edge > 0) {
    // The stroke ended just before the window starts: the hold and the return are in view.
    start_s = -ex.params.duration_s - uniform(16, 0.0, 0.15);
    ex.motion_centre_s = start_s + 0.5 * ex.params.duration_s;
  } else {
    const double slack = 0.5 * (window_s - ex.params.duration_s);
    const double reach = slack < kMaxJitterS ? (slack > 0.0 ? slack : 0.0) : kMaxJitterS;
    const double jitter = uniform(2, -reach, reach);
    ex.motion_centre_s = 0.5 * window_s + jitter;
    start_s = ex.motion_centre_s - 0.5 * ex.params.duration_s;
  }
  sim::GestureEvent event;
  event.gesture = motion;
  event.params = ex.params;
  // Frames are rendered from time 0; a stroke that started before the window is shifted by
  // rendering later frames instead.
  const double shift = start_s < 0.0 ? -start_s + ex.params.approach_s : 0.0;
  event.start_ns = static_cast<os::TimeNs>(std::llround((start_s + shift) * 1e9));
  status_ = radar.schedule(event);
  const uint64_t first_frame = static_cast<uint64_t>(std::llround(shift / period_s));

  ex.features.resize(example_size());
  for (int f = 0; f < kWindowFrames && status_.is_ok(); ++f) {
    radar.render_frame(first_frame + static_cast<uint64_t>(f), Span<int16_t>(frame_.data(), frame_.size()));
    status_ = features_.compute(Span<const int16_t>(frame_.data(), frame_.size()),
                                Span<runtime::dsp::ComplexF>(cube_.data(), cube_.size()),
                                Span<int8_t>(ex.features.data() + static_cast<size_t>(f) * row_size(), row_size()));
  }
  return ex;
}

VibrationExamples::VibrationExamples() {
  status_ = features_.init(runtime::dsp::VibrationFeatureConfig());
  samples_.resize(features_.window_samples() * 3);
}

std::vector<int8_t> VibrationExamples::features_of(const sim::VibrationSimConfig& config, uint64_t first) {
  uint8_t storage[1];
  RingBuffer ring(Span<uint8_t>(storage, 0), 6);
  sim::VibrationSimulator machine(ring, config);
  machine.render(first, features_.window_samples(), samples_.data());
  std::vector<int8_t> row(features_.row_size());
  status_ = features_.compute(Span<const int16_t>(samples_.data(), samples_.size()), Span<int8_t>(row.data(), row.size()));
  return row;
}

VibrationExample VibrationExamples::make(sim::MachineFault fault, const DrawSpec& spec, uint64_t seed, uint64_t index) {
  VibrationExample ex;
  sim::VibrationSimConfig base;
  base.seed = sim::random_bits(seed, stream_of(kVibrationStream, spec, static_cast<int>(fault)), 0);
  ex.config = sample_machine_config(fault, spec.machine, base, index);
  // Somewhere in the first minute of running, so the speed wobble's phase varies too.
  ex.first_sample = sim::random_bits(seed, stream_of(kVibrationStream, spec, 16 + static_cast<int>(fault)), index) %
                    (60ull * ex.config.sample_rate_hz);
  ex.features = features_of(ex.config, ex.first_sample);
  return ex;
}

}  // namespace chorus::train
