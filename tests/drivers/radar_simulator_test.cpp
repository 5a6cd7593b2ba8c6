// Radar simulator: deterministic for a seed and independent of time steps, exactly the
// frames due, and physics a range/Doppler/angle front end can recover: the range FFT peak
// sits at the hand, the chirp-to-chirp phase turns with radial velocity, and the phase
// across receivers follows the hand's angle.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "chorus/drivers/sim/radar_simulator.hpp"

namespace chorus::drivers::sim {
namespace {

using ::testing::HasSubstr;
constexpr os::TimeNs kMs = 1000000;
constexpr double kPi = 3.14159265358979323846;

RadarSimConfig small_config(uint64_t seed = 3) {
  RadarSimConfig c;
  c.format.samples_per_chirp = 64;
  c.format.chirps_per_frame = 16;
  c.format.rx_antennas = 3;
  c.format.frame_period_ns = 33333333;
  c.seed = seed;
  return c;
}

struct Rig {
  Rig(const RadarSimConfig& c, size_t frames) : storage(c.format.samples() * frames),
      ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * 2), c.format.bytes()), sim(ring, c) {}
  std::vector<int16_t> storage;
  RingBuffer ring;
  RadarSimulator sim;
};

std::vector<int16_t> frame_of(const RadarSimulator& sim, uint64_t index) {
  std::vector<int16_t> f(sim.config().format.samples());
  sim.render_frame(index, Span<int16_t>(f.data(), f.size()));
  return f;
}

// Range spectrum of one chirp and antenna, mean removed.
std::vector<std::complex<double>> range_spectrum(const std::vector<int16_t>& frame, const RadarFrameFormat& f, size_t chirp, size_t rx) {
  const size_t n = f.samples_per_chirp;
  double mean = 0;
  for (size_t i = 0; i < n; ++i) mean += frame[f.index(chirp, i, rx)];
  mean /= n;
  std::vector<std::complex<double>> bins(n / 2);
  for (size_t k = 0; k < n / 2; ++k) {
    std::complex<double> acc = 0;
    for (size_t i = 0; i < n; ++i) {
      acc += (frame[f.index(chirp, i, rx)] - mean) * std::polar(1.0, -2.0 * kPi * k * i / n);
    }
    bins[k] = acc;
  }
  return bins;
}

size_t peak_bin(const std::vector<std::complex<double>>& bins) {
  size_t best = 1;
  for (size_t k = 1; k < bins.size(); ++k) {
    if (std::abs(bins[k]) > std::abs(bins[best])) best = k;
  }
  return best;
}

GestureEvent still_hand(double distance, double az, double el, double snr = 30.0) {
  GestureEvent e;
  e.gesture = Gesture::kNothing;
  e.start_ns = 0;
  e.params.distance_m = distance;
  e.params.azimuth_deg = az;
  e.params.elevation_deg = el;
  e.params.duration_s = 10.0;
  e.params.snr_db = snr;
  e.params.hand_present = true;
  return e;
}

// The seed draws the noise, not the scene: two seeds give different frames of the same
// still hand, and both put its range peak where the FMCW equation puts 0.35 m (as
// RangePeakSitsAtTheHand, with the clutter and leakage left in).
TEST(RadarSimulator, TheSeedChangesTheNoiseNotTheHand) {
  const RadarSimConfig c = small_config(11);
  Rig a(c, 4), d(small_config(12), 4);
  for (Rig* r : {&a, &d}) ASSERT_TRUE(r->sim.schedule(still_hand(0.35, 0.0, 0.0)).is_ok());
  const std::vector<int16_t> fa = frame_of(a.sim, 3), fd = frame_of(d.sim, 3);
  EXPECT_NE(fa, fd);
  const double bin_m = c.adc_rate_hz / c.format.samples_per_chirp * 299792458.0 / (2.0 * a.sim.slope_hz_per_s());
  for (const std::vector<int16_t>* f : {&fa, &fd}) {
    const size_t bin = peak_bin(range_spectrum(*f, c.format, 0, 2));
    EXPECT_NEAR(bin * bin_m, 0.35, 1.5 * bin_m);
  }
}

TEST(RadarSimulator, ProducesExactlyTheFramesDueWhateverTheSteps) {
  const RadarSimConfig c = small_config();
  Rig one(c, 64), many(c, 64);
  ASSERT_TRUE(one.sim.validate().is_ok());
  ASSERT_TRUE(many.sim.advance_to(33333332).is_ok());
  EXPECT_EQ(many.sim.source().available(), 0u);
  ASSERT_TRUE(many.sim.advance_to(33333333).is_ok());
  EXPECT_EQ(many.sim.source().available(), 1u);
  for (os::TimeNs t = 0; t <= 1000 * kMs; t += 7 * kMs + 1) ASSERT_TRUE(many.sim.advance_to(t).is_ok());
  ASSERT_TRUE(many.sim.advance_to(1000 * kMs).is_ok());
  ASSERT_TRUE(one.sim.advance_to(1000 * kMs).is_ok());
  ASSERT_EQ(one.sim.source().available(), 30u);
  ASSERT_EQ(many.sim.source().available(), 30u);
  std::vector<int16_t> x(c.format.samples()), y(c.format.samples());
  for (size_t i = 0; i < 30; ++i) {
    one.sim.source().peek(i, x.data(), 1);
    many.sim.source().peek(i, y.data(), 1);
    ASSERT_EQ(x, y) << "frame " << i;
  }
  EXPECT_EQ(one.sim.source().info().rate_hz, 30u);
}

TEST(RadarSimulator, AFullRingCountsWholeFrames) {
  Rig r(small_config(), 2);
  ASSERT_TRUE(r.sim.advance_to(5 * 33333333).is_ok());
  EXPECT_EQ(r.sim.source().available(), 2u);
  EXPECT_EQ(r.sim.source().overrun_frames(), 3u);
  EXPECT_EQ(r.sim.frames_produced(), 5u);
}

TEST(RadarSimulator, RangePeakSitsAtTheHand) {
  RadarSimConfig c = small_config();
  c.clutter_lsb = 0.0;
  c.leakage_lsb = 0.0;
  for (double distance : {0.20, 0.35, 0.50}) {
    Rig r(c, 1);
    ASSERT_TRUE(r.sim.schedule(still_hand(distance, 0.0, 0.0)).is_ok());
    const std::vector<int16_t> frame = frame_of(r.sim, 2);
    const size_t bin = peak_bin(range_spectrum(frame, c.format, 0, 2));
    const double bin_m = c.adc_rate_hz / c.format.samples_per_chirp * 299792458.0 / (2.0 * r.sim.slope_hz_per_s());
    EXPECT_NEAR(bin * bin_m, distance, 1.5 * bin_m) << distance;
  }
}

double mean_chirp_phase_step(const RadarSimulator& sim, uint64_t frame_index) {
  const RadarFrameFormat& f = sim.config().format;
  const std::vector<int16_t> frame = frame_of(sim, frame_index);
  const size_t bin = peak_bin(range_spectrum(frame, f, 0, 2));
  double sum = 0;
  std::complex<double> previous = range_spectrum(frame, f, 0, 2)[bin];
  for (size_t chirp = 1; chirp < f.chirps_per_frame; ++chirp) {
    const std::complex<double> now = range_spectrum(frame, f, chirp, 2)[bin];
    sum += std::arg(now * std::conj(previous));
    previous = now;
  }
  return sum / (f.chirps_per_frame - 1);
}

TEST(RadarSimulator, DopplerPhaseTurnsWithRadialVelocity) {
  RadarSimConfig c = small_config();
  c.clutter_lsb = 0.0;
  c.leakage_lsb = 0.0;
  // A push: towards the sensor during its stroke, away during its return.
  GestureEvent e;
  e.gesture = Gesture::kPush;
  e.start_ns = 100 * kMs;
  e.params.distance_m = 0.40;
  e.params.duration_s = 0.6;
  e.params.extent_m = 0.20;
  e.params.hold_s = 0.1;
  e.params.return_s = 0.6;
  e.params.snr_db = 30.0;
  const os::TimeNs stroke_middle = 400 * kMs, return_middle = 1100 * kMs;  // the fastest points
  for (os::TimeNs at : {stroke_middle, return_middle}) {
    Rig r(c, 1);
    ASSERT_TRUE(r.sim.schedule(e).is_ok());
    const RadarTruth truth = r.sim.truth_at(at);
    ASSERT_TRUE(truth.hand_present);
    const double step = mean_chirp_phase_step(r.sim, at / c.format.frame_period_ns);
    // Expected: 4 pi v T_chirp / lambda per chirp.
    const double expect = 4.0 * kPi * truth.radial_velocity_mps * c.chirp_period_ns * 1e-9 / r.sim.wavelength_m();
    if (at == stroke_middle) {
      EXPECT_LT(truth.radial_velocity_mps, -0.2);
      EXPECT_LT(step, 0.0);
    } else {
      EXPECT_GT(truth.radial_velocity_mps, 0.1);
      EXPECT_GT(step, 0.0);
    }
    EXPECT_NEAR(step, expect, 0.35 * std::fabs(expect)) << at;
  }
}

double receiver_phase(const RadarSimulator& sim, size_t rx_a, size_t rx_b) {
  const RadarFrameFormat& f = sim.config().format;
  const std::vector<int16_t> frame = frame_of(sim, 1);
  const size_t bin = peak_bin(range_spectrum(frame, f, 0, 2));
  return std::arg(range_spectrum(frame, f, 0, rx_a)[bin] * std::conj(range_spectrum(frame, f, 0, rx_b)[bin]));
}

TEST(RadarSimulator, PhaseAcrossReceiversFollowsTheAngle) {
  RadarSimConfig c = small_config();
  c.clutter_lsb = 0.0;
  c.leakage_lsb = 0.0;
  for (double az : {-20.0, 20.0}) {
    Rig r(c, 1);
    ASSERT_TRUE(r.sim.schedule(still_hand(0.35, az, 0.0)).is_ok());
    // RX1 sits half a wavelength to the right of RX3: a target to the right is nearer RX1,
    // so its phase lags by -pi sin(az).
    EXPECT_NEAR(receiver_phase(r.sim, 0, 2), -kPi * std::sin(az * kPi / 180.0), 0.3) << az;
    EXPECT_NEAR(receiver_phase(r.sim, 1, 2), 0.0, 0.5) << az;
  }
  Rig up(c, 1);
  ASSERT_TRUE(up.sim.schedule(still_hand(0.35, 0.0, 15.0)).is_ok());
  EXPECT_NEAR(receiver_phase(up.sim, 1, 2), -kPi * std::sin(15.0 * kPi / 180.0), 0.3);
}

TEST(RadarSimulator, AnUncalibratedReceiverShiftsItsPhaseAndScalesItsEchoes) {
  RadarSimConfig c = small_config();
  c.clutter_lsb = 0.0;
  c.leakage_lsb = 0.0;
  Rig ideal(c, 1);
  ASSERT_TRUE(ideal.sim.schedule(still_hand(0.35, 20.0, 0.0)).is_ok());
  RadarSimConfig m = c;
  m.rx_phase_rad[0] = 0.8;  // RX1 leads by 0.8 rad, RX3 is the reference
  m.rx_gain[0] = 2.0;
  Rig mismatched(m, 1);
  ASSERT_TRUE(mismatched.sim.schedule(still_hand(0.35, 20.0, 0.0)).is_ok());
  // The angle's phase difference moves by exactly the offset (up to the noise).
  EXPECT_NEAR(receiver_phase(mismatched.sim, 0, 2) - receiver_phase(ideal.sim, 0, 2), 0.8, 0.05);
  EXPECT_NEAR(receiver_phase(mismatched.sim, 1, 2), receiver_phase(ideal.sim, 1, 2), 1e-9);
  // RX1's echo doubles (its noise does not: the peak bin grows by 2 give or take the noise's
  // share, about 3 % here); RX3's is untouched.
  const RadarFrameFormat& f = c.format;
  const std::vector<int16_t> a = frame_of(ideal.sim, 1), b = frame_of(mismatched.sim, 1);
  const size_t bin = peak_bin(range_spectrum(a, f, 0, 2));
  EXPECT_NEAR(std::abs(range_spectrum(b, f, 0, 0)[bin]) / std::abs(range_spectrum(a, f, 0, 0)[bin]), 2.0, 0.1);
  EXPECT_EQ(range_spectrum(b, f, 0, 2)[bin], range_spectrum(a, f, 0, 2)[bin]);
  RadarSimConfig bad = c;
  bad.rx_gain[2] = 0.0;
  Rig refused(bad, 1);
  EXPECT_THAT(refused.sim.validate().message(), HasSubstr("RX gains must be positive"));
}

TEST(RadarSimulator, GesturesMoveTheHandAsNamed) {
  Rig r(small_config(), 1);
  GestureParams p;
  p.distance_m = 0.3;
  p.duration_s = 0.5;
  const struct {
    Gesture g;
    double dx, dy, dz;
  } cases[] = {{Gesture::kPush, 0, 0, -0.24},  // a push stops 6 cm short of the sensor
               {Gesture::kSwipeLeft, -0.35, 0, 0},
               {Gesture::kSwipeRight, 0.35, 0, 0},
               {Gesture::kSwipeUp, 0, 0.35, 0},
               {Gesture::kSwipeDown, 0, -0.35, 0}};
  for (const auto& c : cases) {
    p.extent_m = nominal_extent_m(c.g);
    const Vec3 a = gesture_offset(c.g, p, 0.0), b = gesture_offset(c.g, p, 1.0);
    EXPECT_NEAR(b.x - a.x, c.dx, 1e-9) << gesture_name(c.g);
    EXPECT_NEAR(b.y - a.y, c.dy, 1e-9) << gesture_name(c.g);
    EXPECT_NEAR(b.z - a.z, c.dz, 1e-9) << gesture_name(c.g);
  }
  // The whole motion: out of view, raised from rest below and behind, the stroke, the hold,
  // lowered back, out of view again.
  p.extent_m = 0.2;
  p.approach_s = 0.3;
  p.hold_s = 0.2;
  p.return_s = 0.6;
  Vec3 o;
  EXPECT_FALSE(hand_offset(Gesture::kPush, p, -0.31, &o));
  ASSERT_TRUE(hand_offset(Gesture::kPush, p, -0.3, &o));
  EXPECT_LT(o.y, -0.1);
  EXPECT_GT(o.z, 0.1);
  ASSERT_TRUE(hand_offset(Gesture::kPush, p, 0.6, &o));  // holding at the stroke's end
  EXPECT_NEAR(o.z, -0.2, 1e-9);
  ASSERT_TRUE(hand_offset(Gesture::kPush, p, 1.0, &o));  // half way back
  EXPECT_GT(o.z, -0.2);
  EXPECT_FALSE(hand_offset(Gesture::kPush, p, 1.31, &o));
  EXPECT_NEAR(hand_in_view_after_s(p), 1.3, 1e-12);
  // A raised hand that makes no stroke is still in view; an empty scene has none.
  p.hand_present = true;
  ASSERT_TRUE(hand_offset(Gesture::kNothing, p, 0.2, &o));
  EXPECT_NEAR(o.x, 0.0, 1e-12);
  EXPECT_NEAR(o.z, 0.0, 1e-12);
  // An empty "nothing" has no hand; the scene still has leakage, clutter and noise.
  GestureEvent nothing;
  nothing.start_ns = 0;
  ASSERT_TRUE(r.sim.schedule(nothing).is_ok());
  EXPECT_FALSE(r.sim.truth_at(100 * kMs).hand_present);
}

TEST(RadarSimulator, SampledParametersStayInTheirBands) {
  const GestureRanges train = GestureRanges::training();
  const GestureRanges held = GestureRanges::held_out();
  EXPECT_LE(train.distance_m[1], held.distance_m[0]);
  EXPECT_LE(held.snr_db[1], train.snr_db[0]);
  EXPECT_LE(held.duration_s[1], train.duration_s[0]);
  for (uint64_t i = 0; i < 200; ++i) {
    const GestureParams p = sample_gesture_params(Gesture::kSwipeLeft, train, 9, i);
    EXPECT_GE(p.distance_m, train.distance_m[0]);
    EXPECT_LT(p.distance_m, train.distance_m[1]);
    EXPECT_GE(p.snr_db, train.snr_db[0]);
    EXPECT_LT(p.snr_db, train.snr_db[1]);
    EXPECT_GE(p.extent_m, nominal_extent_m(Gesture::kSwipeLeft) * train.extent_scale[0]);
    // A push starts in its own band and stops in push_end_m.
    const GestureParams push = sample_gesture_params(Gesture::kPush, train, 9, i);
    EXPECT_GE(push.distance_m, train.push_distance_m[0]);
    EXPECT_LT(push.distance_m, train.push_distance_m[1]);
    EXPECT_GE(push.distance_m - push.extent_m, train.push_end_m[0] - 1e-9);
    EXPECT_LE(push.distance_m - push.extent_m, train.push_end_m[1] + 1e-9);
    const GestureParams q = sample_gesture_params(Gesture::kSwipeLeft, held, 9, i);
    EXPECT_GE(q.distance_m, held.distance_m[0]);
    EXPECT_LT(q.snr_db, held.snr_db[1]);
  }
  EXPECT_EQ(sample_gesture_params(Gesture::kPush, train, 4, 17).distance_m, sample_gesture_params(Gesture::kPush, train, 4, 17).distance_m);
}

TEST(RadarSimulator, RefusesConfigurationsThatCannotWork) {
  RadarSimConfig c = small_config();
  c.chirp_period_ns = 3000000;  // 16 chirps of 3 ms do not fit 33 ms
  Rig r(c, 1);
  EXPECT_THAT(r.sim.validate().message(), HasSubstr("do not fit the 33333333 ns frame period"));
  RadarSimConfig d = small_config();
  d.chirp_period_ns = 20000;  // shorter than the 32 us ramp
  Rig s(d, 1);
  EXPECT_THAT(s.sim.validate().message(), HasSubstr("longer than the 20000 ns chirp period"));
  GestureEvent bad;
  bad.params.distance_m = 0.0;
  EXPECT_FALSE(s.sim.schedule(bad).is_ok());
}

}  // namespace
}  // namespace chorus::drivers::sim
