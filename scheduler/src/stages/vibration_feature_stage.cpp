#include "chorus/scheduler/stages/vibration_feature_stage.hpp"

#include <cmath>
#include <cstring>

#include "chorus/scheduler/stages/stages.hpp"

namespace chorus::sched {

namespace {
// Measured, not estimated: instructions per unit of work on Cortex-M55 (mps3_an547, GCC 12
// -O2, FPU and Helium) under QEMU -icount (one instruction a cycle, as the boards' cost
// models count), the per-step maxima of zephyr/samples/accel_anomaly over 15 windows of the
// model card's features (9 frames of 256 samples a window, 3 frames a step), each rounded up
// by at least 4 %:
//   a frame step     123.0k instructions per 3 frames of 256 samples = 160 a sample
//   the last one     7.3k more for log2, quantising and keeping 96 values = 76 a value
//   step 0           4.7k more to take the 7 680-byte window          = 0.61 a byte
// An estimate from operation counts (one float operation a cycle) was 3.2x too low.
constexpr uint64_t kFramePerSample = 168;
constexpr uint64_t kRowPerValue = 80;
constexpr uint64_t kTakePerByte = 1;
}  // namespace

Status VibrationFeatureStage::init(size_t period_frames) {
  ready_ = false;
  runtime::dsp::VibrationFeatureConfig config;  // the anomaly model's features (its model card)
  CHORUS_RETURN_IF_ERROR(features_.init(config));
  if (config.axes != kAxes || features_.window_samples() > kMaxWindow || config.frames % kFrameParts != 0)
    return Status::error(StatusCode::kOutOfRange,
                         "vibration stage: %u axes, %zu-sample window of %u frames; it takes %zu axes, "
                         "%zu samples, frames in %u parts",
                         static_cast<unsigned>(config.axes), features_.window_samples(), static_cast<unsigned>(config.frames), kAxes, kMaxWindow,
                         static_cast<unsigned>(kFrameParts));
  if (period_frames < features_.window_samples())
    return Status::error(StatusCode::kInvalidArgument,
                         "vibration stage: %zu frames per period, shorter than the %zu-sample window", period_frames,
                         features_.window_samples());
  // VibrationFeatures::init's tables.
  CHORUS_RETURN_IF_ERROR(fft_.init(config.frame_length));
  runtime::dsp::fill_window(config.window, config.frame_length, window_function_);
  period_frames_ = period_frames;
  windows_ = dropped_ = 0;
  std::memset(row_, 0, sizeof(row_));
  ready_ = true;
  return Status::ok();
}

Status VibrationFeatureStage::take_window(SampleSource* source) {
  if (source == nullptr) return Status::error(StatusCode::kFailedPrecondition, "vibration stage: no source");
  if (source->info().frame_bytes() != kAxes * sizeof(int16_t))
    return Status::error(StatusCode::kInvalidArgument, "vibration stage: stream frames are %zu bytes, expected x, y, z int16 (6)",
                         source->info().frame_bytes());
  if (source->available() < period_frames_)
    return Status::error(StatusCode::kFailedPrecondition, "vibration stage: %zu frames waiting, a period needs %zu",
                         source->available(), period_frames_);
  // After an overload, the newest whole period is the one worth processing.
  while (source->available() >= 2 * period_frames_) {
    source->consume(period_frames_);
    ++dropped_;
  }
  const size_t window = features_.window_samples();
  source->peek(period_frames_ - window, window_, window);
  source->consume(period_frames_);
  return Status::ok();
}

// VibrationFeatures::compute_log2's loop for frames [first, last) of one axis.
void VibrationFeatureStage::accumulate(size_t axis, size_t first_frame, size_t last_frame) {
  const runtime::dsp::VibrationFeatureConfig& c = features_.config();
  const size_t n = c.frame_length;
  const size_t bands = features_.bands();
  float* out = sums_ + axis * bands;
  for (size_t f = first_frame; f < last_frame; ++f) {
    const int16_t* x = window_ + (f * c.hop) * kAxes + axis;
    float mean = 0.0f;
    for (size_t i = 0; i < n; ++i) mean += static_cast<float>(x[i * kAxes]);
    mean /= static_cast<float>(n);
    for (size_t i = 0; i < n; ++i) {
      line_[i].re = (static_cast<float>(x[i * kAxes]) - mean) * window_function_[i];
      line_[i].im = 0.0f;
    }
    fft_.forward(line_, n);
    for (size_t b = 0; b < bands; ++b) {
      size_t first = 0, last = 0;
      features_.band_bins(b, &first, &last);
      float power = 0.0f;
      for (size_t k = first; k < last; ++k) power += runtime::dsp::norm2(line_[k]);
      out[b] += power;
    }
  }
}

Status VibrationFeatureStage::run(uint32_t step, SampleSource* source, runtime::Interpreter* model) {
  if (!ready_) return Status::error(StatusCode::kFailedPrecondition, "vibration stage: not initialised");
  if (step >= steps()) return Status::error(StatusCode::kOutOfRange, "vibration stage: step %u of %u", static_cast<unsigned>(step), static_cast<unsigned>(steps()));
  if (step == 0) {
    CHORUS_RETURN_IF_ERROR(take_window(source));
    for (size_t i = 0; i < features_.row_size(); ++i) sums_[i] = 0.0f;
  }
  const runtime::dsp::VibrationFeatureConfig& c = features_.config();
  const size_t axis = step / kFrameParts, part = step % kFrameParts, per_part = c.frames / kFrameParts;
  accumulate(axis, part * per_part, (part + 1) * per_part);
  if (step + 1 < steps()) return Status::ok();
  const size_t n = features_.row_size();
  if (model == nullptr || model->input_info(0).bytes != n)
    return Status::error(StatusCode::kInvalidArgument, "vibration stage: the model input takes %zu bytes, a row is %zu",
                         model ? model->input_info(0).bytes : 0, n);
  for (size_t i = 0; i < n; ++i) row_[i] = features_.quantize(std::log2(sums_[i] / static_cast<float>(c.frames) + 1.0f));
  std::memcpy(model->input(0), row_, n);
  ++windows_;
  return Status::ok();
}

uint64_t VibrationFeatureStage::cost_cycles(uint32_t step) const {
  const runtime::dsp::VibrationFeatureConfig& c = features_.config();
  // A third of one axis's frames: mean and window passes, the FFT, the band sums.
  uint64_t cycles = c.frames / kFrameParts * c.frame_length * kFramePerSample;
  if (step == 0) cycles += features_.window_samples() * kAxes * sizeof(int16_t) * kTakePerByte;
  if (step + 1 == steps()) cycles += features_.row_size() * kRowPerValue;
  return cycles;
}

}  // namespace chorus::sched
