// Streams simulated BGT60TR13C-style frames of a short gesture sequence and prints, every
// sixth frame, what a minimal front end reads from them: the range of the strongest echo in
// the 8..70 cm interaction zone (range DFT of one chirp), its radial velocity (phase turn between chirps) and its azimuth
// (phase between RX1 and RX3) -- next to the simulator's ground truth.
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <vector>

#include "chorus/drivers/sim/radar_simulator.hpp"

using namespace chorus;
using drivers::sim::Gesture;

namespace {

constexpr double kPi = 3.14159265358979323846;

std::complex<double> bin_value(const std::vector<int16_t>& frame, const drivers::RadarFrameFormat& f, size_t chirp, size_t rx, size_t k) {
  double mean = 0.0;
  for (size_t i = 0; i < f.samples_per_chirp; ++i) mean += frame[f.index(chirp, i, rx)];
  mean /= f.samples_per_chirp;
  std::complex<double> acc = 0.0;
  for (size_t i = 0; i < f.samples_per_chirp; ++i) {
    acc += (frame[f.index(chirp, i, rx)] - mean) * std::polar(1.0, -2.0 * kPi * static_cast<double>(k * i) / f.samples_per_chirp);
  }
  return acc;
}

}  // namespace

int main() {
  drivers::sim::RadarSimConfig config;  // 64 samples x 32 chirps x 3 RX, 30 frames/s
  config.seed = 2024;
  const drivers::RadarFrameFormat& f = config.format;
  std::vector<int16_t> storage(4 * f.samples());
  RingBuffer ring(Span<uint8_t>(reinterpret_cast<uint8_t*>(storage.data()), storage.size() * sizeof(int16_t)), f.bytes());
  drivers::sim::RadarSimulator radar(ring, config);
  const Status valid = radar.validate();
  if (!valid.is_ok()) {
    std::fprintf(stderr, "radar_stream: %s\n", valid.message());
    return 1;
  }
  const Gesture sequence[] = {Gesture::kPush, Gesture::kSwipeLeft, Gesture::kSwipeUp, Gesture::kSwipeRight};
  for (size_t i = 0; i < 4; ++i) {
    drivers::sim::GestureEvent e;
    e.gesture = sequence[i];
    e.start_ns = 300000000ull + i * 1000000000ull;
    e.params.distance_m = 0.30;
    e.params.azimuth_deg = 0.0;
    e.params.duration_s = 0.5;
    e.params.extent_m = drivers::sim::nominal_extent_m(e.gesture);
    e.params.snr_db = 25.0;
    (void)radar.schedule(e);
  }
  std::printf("radar_stream: %u x %u x %u frames at %u Hz, range resolution %.3f m, max range %.2f m, max speed %.1f m/s\n",
              f.samples_per_chirp, f.chirps_per_frame, f.rx_antennas, radar.source().info().rate_hz, radar.range_resolution_m(),
              radar.max_range_m(), radar.max_velocity_mps());
  const double bin_m = config.adc_rate_hz / f.samples_per_chirp * 299792458.0 / (2.0 * radar.slope_hz_per_s());
  std::vector<int16_t> frame(f.samples());
  uint64_t index = 0;
  for (os::TimeNs t = 0; t <= 4000000000ull; t += f.frame_period_ns) {
    (void)radar.advance_to(t);
    while (radar.source().available() > 0) {
      radar.source().peek(0, frame.data(), 1);
      radar.source().consume(1);
      const os::TimeNs middle = index * f.frame_period_ns + f.frame_period_ns / 2;
      if (index % 6 == 0) {
        // Gate to the interaction zone, 8 cm to 70 cm, as gesture front ends do: closer is
        // TX leakage, farther is the room.
        size_t best = 2;
        double best_mag = 0.0;
        for (size_t k = 2; k < f.samples_per_chirp / 2 && static_cast<double>(k) * bin_m <= 0.70; ++k) {
          const double m = std::abs(bin_value(frame, f, 0, 2, k));
          if (m > best_mag) best_mag = m, best = k;
        }
        double turn = 0.0;
        for (size_t c = 1; c < f.chirps_per_frame; ++c) {
          turn += std::arg(bin_value(frame, f, c, 2, best) * std::conj(bin_value(frame, f, c - 1, 2, best)));
        }
        turn /= static_cast<double>(f.chirps_per_frame - 1);
        const double velocity = turn * radar.wavelength_m() / (4.0 * kPi * config.chirp_period_ns * 1e-9);
        const double across = std::arg(bin_value(frame, f, 0, 0, best) * std::conj(bin_value(frame, f, 0, 2, best)));
        const double azimuth = -std::asin(std::fmax(-1.0, std::fmin(1.0, across / kPi))) * 180.0 / kPi;
        const drivers::sim::RadarTruth truth = radar.truth_at(middle);
        std::printf("frame %3llu t=%4llu ms  peak %.2f m  v %+5.2f m/s  az %+5.1f deg  | truth %-11s",
                    static_cast<unsigned long long>(index), static_cast<unsigned long long>(middle / 1000000), static_cast<double>(best) * bin_m,
                    velocity, azimuth,
                    truth.hand_present ? drivers::sim::gesture_name(sequence[truth.event]) : "no hand");
        if (truth.hand_present) {
          std::printf(" range %.2f m  v %+5.2f m/s  x %+5.2f m", truth.range_m, truth.radial_velocity_mps, truth.hand.x);
        }
        std::printf("\n");
      }
      ++index;
    }
  }
  std::printf("done: %llu frames, %u lost to overrun\n", static_cast<unsigned long long>(radar.frames_produced()),
              radar.source().overrun_frames());
  return 0;
}
