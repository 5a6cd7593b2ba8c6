// Simulated FMCW radar front end in the BGT60TR13C's shape (1 TX, up to 3 RX in an L, 12-bit
// real-valued ADC), producing whole frames of hand gestures with range and velocity physics:
// each scatterer at distance d_tx + d_rx (TX to target to RX antenna) gives a beat tone of
// frequency S * tau, S = bandwidth / ramp time, tau = (d_tx + d_rx) / c, with carrier phase
// 2 pi f0 tau -- so range sets the beat frequency, radial motion between chirps turns the
// phase (Doppler), and the antenna positions turn the phase across receivers (angle). The
// echo amplitude falls as 1/R^2 (radar equation, amplitude). Static clutter, TX-RX leakage
// and white noise are added; samples are quantised to 12-bit codes around mid-scale.
// Output depends only on (config, seed, schedule, frame index). Parameter ranges:
// SIMULATORS.md.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/drivers/device_stream.hpp"
#include "chorus/drivers/radar_frame.hpp"
#include "chorus/drivers/sensor.hpp"
#include "chorus/drivers/sim/gesture.hpp"
#include "chorus/drivers/sim/simulated_sensor.hpp"
#include "chorus/module/ring_buffer.hpp"
#include "chorus/module/span.hpp"

namespace chorus::drivers::sim {

struct RadarSimConfig {
  RadarFrameFormat format;              // 64 samples x 32 chirps x 3 RX, 30 frames/s
  double start_frequency_hz = 58.5e9;
  double bandwidth_hz = 4.0e9;          // swept while the chirp is sampled
  double adc_rate_hz = 2.0e6;
  uint32_t chirp_period_ns = 300000;    // chirp repetition time
  double noise_lsb = 6.0;               // white noise sigma, ADC codes
  double clutter_lsb = 40.0;            // amplitude of each static reflector at 1 m
  double leakage_lsb = 150.0;           // TX-to-RX leakage (a 3 cm "target")
  uint64_t seed = 1;
  // The scene around the hand: the user's body, breathing and swaying, and a person walking
  // past (both in the Infineon recordings' rooms; neither is a gesture).
  bool body = false;
  double body_distance_m = 0.7, body_azimuth_deg = 0.0, body_elevation_deg = -15.0;
  double body_snr_db = 25.0;       // torso echo over the noise sigma
  bool walker = false;
  double walker_distance_m = 1.0;  // along the boresight
  double walker_speed_mps = 1.2;   // across it, +x
  double walker_crossing_s = 0.5;  // when it crosses the boresight
  double walker_snr_db = 20.0;
  // Receiver mismatch of an uncalibrated board: each RX chain's gain (times) and phase offset
  // (radians), applied to every echo that antenna receives (not to its noise). The defaults are
  // an ideal, calibrated front end.
  double rx_gain[3] = {1.0, 1.0, 1.0};
  double rx_phase_rad[3] = {0.0, 0.0, 0.0};
};

struct GestureEvent {
  Gesture gesture = Gesture::kNothing;
  os::TimeNs start_ns = 0;  // the stroke starts; the hand is in view from params.approach_s before
                            // to hand_in_view_after_s(params) after
  GestureParams params;
};

// Ground truth at an instant, for tests and labels.
struct RadarTruth {
  bool hand_present = false;
  Vec3 hand;                      // palm centre
  double range_m = 0.0;           // palm distance from the sensor
  double radial_velocity_mps = 0.0;
  int event = -1;                 // index of the event in view
};

class RadarSimulator final : public SimulatedSensor {
 public:
  static constexpr size_t kMaxEvents = 64;

  // `ring` frames must be format.bytes().
  RadarSimulator(RingBuffer& ring, const RadarSimConfig& config);

  Status validate() const;
  // Events may be added in any order; at most kMaxEvents.
  Status schedule(const GestureEvent& event);
  void clear_schedule() { event_count_ = 0; }

  Status advance_to(os::TimeNs t) override;
  uint64_t frames_produced() const override { return produced_; }

  // Frame `index` (acquired from index * period), independent of the stream.
  void render_frame(uint64_t index, Span<int16_t> out) const;
  RadarTruth truth_at(os::TimeNs t) const;

  // Derived chirp parameters.
  double ramp_time_s() const { return config_.format.samples_per_chirp / config_.adc_rate_hz; }
  double slope_hz_per_s() const { return config_.bandwidth_hz / ramp_time_s(); }
  double range_resolution_m() const;  // c / (2 B)
  double max_range_m() const;         // beat frequency at adc_rate / 2
  double max_velocity_mps() const;    // lambda / (4 T_chirp)
  double wavelength_m() const;

  SampleSource& source() { return stream_; }
  const RadarSimConfig& config() const { return config_; }
  SensorDevice device() { return SensorDevice{"radar_simulator", &kApi, this}; }
  void pause() { running_ = false; }
  void resume() { running_ = true; }

  static const SensorDriverApi kApi;

 private:
  struct Scatterer {
    Vec3 position;
    double amplitude;
  };
  size_t scatterers_at(double t_s, Scatterer* out, size_t capacity) const;
  int event_at(double t_s) const;
  // The palm centre and the gesture displacement at t_s; false when no hand is in view.
  bool palm_at(double t_s, Vec3* palm, Vec3* offset) const;

  DeviceStream stream_;
  RadarSimConfig config_;
  GestureEvent events_[kMaxEvents];
  size_t event_count_ = 0;
  uint64_t produced_ = 0;
  bool running_ = true;
  Vec3 rx_[3];
  Scatterer clutter_[2];
  double body_phase_ = 0.0;
};

}  // namespace chorus::drivers::sim
