// The radar gesture front end as scheduler steps: one radar frame per job, turned into one
// feature row (runtime/dsp/radar_gesture_features.hpp) that joins a FeatureHistory, in
// steps of about a millisecond at 32 MHz, so the steps of other jobs -- a 20 ms audio
// deadline, a model resuming after an NPU operator -- never wait long behind it:
//   steps 0..5    range transforms, half of the chirps of one receive antenna each (step 0
//                 first takes the frame off the stream);
//   steps 6..8    Doppler transforms (static removal, window, FFT) of one antenna each;
//   steps 9..16   the Doppler, range, azimuth and elevation profiles over 4 Doppler rows
//                 each; the last also takes log2, quantises and appends the row.
// The arithmetic and its order are RangeDoppler::compute's and RadarGestureFeatures'
// (same windows, same FFT tables, same summation order), only cut into pieces, so the rows
// are byte-identical to RadarGestureFeatures::compute -- the features the gesture model was
// trained and evaluated on (tests/pipelines check it). Run from a periodic pipeline released
// once per frame period. No heap: the frame, the cube and the sums live in the object
// (about 40 KB).
#pragma once

#include <cstdint>

#include "chorus/runtime/dsp/radar_gesture_features.hpp"
#include "chorus/scheduler/pipeline.hpp"
#include "chorus/scheduler/stages/feature_history.hpp"

namespace chorus::sched {

class RadarFeatureStage final : public FeatureStage {
 public:
  static constexpr size_t kAntennas = 3;
  static constexpr uint32_t kRangeParts = 2;    // per antenna
  static constexpr uint32_t kProfileParts = 8;  // over the Doppler rows
  static constexpr size_t kMaxFrameSamples = 64 * 32 * kAntennas;
  static constexpr size_t kMaxCells = kAntennas * 32 * 32;

  // The BGT60TR13C default geometry (64 samples x 32 chirps x 3 RX) or another with 3
  // antennas and no more samples; `history` rows must be the feature row size.
  Status init(uint16_t samples_per_chirp, uint16_t chirps, uint8_t rx_antennas, FeatureHistory* history);

  uint32_t steps() const override { return kAntennas * (kRangeParts + 1) + kProfileParts; }
  Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;
  uint64_t cost_cycles(uint32_t step) const override;

  size_t row_size() const { return features_.row_size(); }
  uint64_t frames() const { return frames_; }
  // Frames dropped because a job found more than one waiting (the stage keeps the newest).
  uint64_t frames_dropped() const { return dropped_; }
  const int8_t* last_row() const { return row_; }

 private:
  Status take_frame(SampleSource* source);
  void range(size_t antenna, size_t first_chirp, size_t last_chirp);
  void doppler(size_t antenna);
  void profiles(size_t first_doppler, size_t last_doppler);
  runtime::dsp::ComplexF& cell(size_t rx, size_t doppler, size_t range) {
    return cube_[(rx * config_.range_doppler.chirps + doppler) * config_.range_doppler.range_bins + range];
  }

  runtime::dsp::RadarGestureFeatureConfig config_;
  runtime::dsp::RadarGestureFeatures features_;  // validation, row layout, quantisation
  runtime::dsp::ComplexFft fft_;
  FeatureHistory* history_ = nullptr;
  bool ready_ = false;
  float range_window_[64];
  float doppler_window_[32];
  // exp(+i pi k sin(theta_a)), as RadarGestureFeatures::init computes it.
  runtime::dsp::ComplexF steer_[2][runtime::dsp::RadarGestureFeatures::kMaxAngleBins][runtime::dsp::AngleArray::kMaxElements];
  runtime::dsp::ComplexF line_[64];
  int16_t frame_[kMaxFrameSamples];
  runtime::dsp::ComplexF cube_[kMaxCells];
  float sums_[runtime::dsp::RadarGestureFeatures::kMaxRowSize];
  int8_t row_[runtime::dsp::RadarGestureFeatures::kMaxRowSize];
  uint64_t frames_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace chorus::sched
