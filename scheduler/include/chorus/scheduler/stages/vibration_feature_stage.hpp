// The vibration anomaly front end as scheduler steps: once per period (1 s) the stage takes
// that period's samples off the stream, keeps the newest window (1280 samples of x, y, z)
// and computes its spectral band features (runtime/dsp/vibration_features.hpp) three
// frames of one axis per step (nine steps of about a millisecond at 32 MHz), so other jobs
// never wait long behind it. The arithmetic and its order are VibrationFeatures::compute's
// (same window, FFT table and band edges, same summation order), only cut into pieces, so
// the row is byte-identical to it (tests/pipelines check it). The last step writes the row
// into the autoencoder's input and keeps a copy for the anomaly score (the input tensor's
// memory is reused by later operators). Run from a periodic pipeline. No heap: the window,
// the sums and the row live in the object (about 12 KB).
#pragma once

#include <cstdint>

#include "chorus/runtime/dsp/vibration_features.hpp"
#include "chorus/scheduler/pipeline.hpp"

namespace chorus::sched {

class VibrationFeatureStage final : public FeatureStage {
 public:
  static constexpr size_t kAxes = 3;
  static constexpr uint32_t kFrameParts = 3;  // per axis
  static constexpr size_t kMaxWindow = 1280;

  // `period_frames`: stream frames per job (the sample rate times the period); at least
  // the feature window.
  Status init(size_t period_frames);

  uint32_t steps() const override { return kAxes * kFrameParts; }
  Status run(uint32_t step, SampleSource* source, runtime::Interpreter* model) override;
  uint64_t cost_cycles(uint32_t step) const override;

  size_t row_size() const { return features_.row_size(); }
  size_t window_frames() const { return features_.window_samples(); }
  // The last complete row (what the model got).
  const int8_t* row() const { return row_; }
  uint64_t windows() const { return windows_; }
  // Whole periods dropped because a job found more than one waiting (overload).
  uint64_t periods_dropped() const { return dropped_; }

 private:
  Status take_window(SampleSource* source);
  void accumulate(size_t axis, size_t first_frame, size_t last_frame);

  runtime::dsp::VibrationFeatures features_;  // configuration, band edges, quantisation
  runtime::dsp::ComplexFft fft_;
  size_t period_frames_ = 0;
  bool ready_ = false;
  float window_function_[runtime::dsp::ComplexFft::kMaxSize];
  runtime::dsp::ComplexF line_[runtime::dsp::ComplexFft::kMaxSize];
  int16_t window_[kMaxWindow * kAxes];
  float sums_[kAxes * runtime::dsp::VibrationFeatures::kMaxBands];
  int8_t row_[kAxes * runtime::dsp::VibrationFeatures::kMaxBands];
  uint64_t windows_ = 0;
  uint64_t dropped_ = 0;
};

}  // namespace chorus::sched
