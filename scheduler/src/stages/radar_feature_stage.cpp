#include "chorus/scheduler/stages/radar_feature_stage.hpp"

#include <cmath>

#include "chorus/scheduler/stages/stages.hpp"

namespace chorus::sched {

namespace {

using runtime::dsp::ComplexF;

constexpr double kPi = 3.141592653589793;

// Measured, not estimated: instructions per unit of work on Cortex-M55 (mps3_an547, GCC 12
// -O2, FPU and Helium) under QEMU -icount (one instruction a cycle, as the boards' cost
// models count), the per-step maxima of zephyr/samples/radar_gesture over 269 frames of the
// default geometry (64 samples x 32 chirps x 3 antennas), each rounded up by at least 4 %:
//   range steps      136.8k instructions per 16 chirps x 64 samples  = 133.6 a sample
//   Doppler steps    131.3k per 32 range bins x 32 chirps            = 128.2 a sample
//   profile steps    128.2k per 4 x 32 cells                         = 1002 a cell
//   the last one     6.3k more for log2 and quantising 80 values      = 79 a value
//   step 0           7.0k more to take the 12 288-byte frame          = 0.57 a byte
// A smaller geometry scales linearly (which over-counts its shorter FFTs). An estimate from
// operation counts (one float operation a cycle) was 4x too low.
constexpr uint64_t kRangePerSample = 140;
constexpr uint64_t kDopplerPerSample = 135;
constexpr uint64_t kProfilePerCell = 1050;
constexpr uint64_t kRowPerValue = 85;
constexpr uint64_t kTakePerByte = 1;

}  // namespace

Status RadarFeatureStage::init(uint16_t samples_per_chirp, uint16_t chirps, uint8_t rx_antennas, FeatureHistory* history) {
  ready_ = false;
  config_ = runtime::dsp::RadarGestureFeatureConfig();
  config_.range_doppler.samples_per_chirp = samples_per_chirp;
  config_.range_doppler.chirps = chirps;
  config_.range_doppler.rx_antennas = rx_antennas;
  CHORUS_RETURN_IF_ERROR(features_.init(config_));
  const runtime::dsp::RangeDopplerConfig& rd = config_.range_doppler;
  if (rd.rx_antennas != kAntennas || rd.samples_per_chirp > 64 || rd.chirps > 32 || rd.chirps % kRangeParts != 0 ||
      rd.chirps % kProfileParts != 0)
    return Status::error(StatusCode::kOutOfRange, "radar stage: %u samples x %u chirps x %u antennas; it takes up to 64 x 32 x 3",
                         rd.samples_per_chirp, rd.chirps, rd.rx_antennas);
  if (history == nullptr || history->frame_bytes() != features_.row_size())
    return Status::error(StatusCode::kInvalidArgument, "radar stage: history rows are %zu bytes, feature rows %zu",
                         history ? history->frame_bytes() : 0, features_.row_size());
  // RangeDoppler::init's tables: one FFT table for the longer transform, periodic windows.
  CHORUS_RETURN_IF_ERROR(fft_.init(rd.samples_per_chirp > rd.chirps ? rd.samples_per_chirp : rd.chirps));
  runtime::dsp::fill_window(rd.range_window, rd.samples_per_chirp, range_window_);
  runtime::dsp::fill_window(rd.doppler_window, rd.chirps, doppler_window_);
  // RadarGestureFeatures::init's steering factors (double, then float).
  const runtime::dsp::AngleArray* arrays[2] = {&config_.azimuth, &config_.elevation};
  for (size_t a = 0; a < config_.angle_bins; ++a) {
    const double sin_theta = static_cast<double>(2 * a + 1) / static_cast<double>(config_.angle_bins) - 1.0;
    for (size_t p = 0; p < 2; ++p)
      for (size_t k = 0; k < arrays[p]->count; ++k) {
        const double phase = kPi * static_cast<double>(k) * sin_theta;
        steer_[p][a][k] = ComplexF{static_cast<float>(std::cos(phase)), static_cast<float>(std::sin(phase))};
      }
  }
  history_ = history;
  frames_ = dropped_ = 0;
  ready_ = true;
  return Status::ok();
}

Status RadarFeatureStage::take_frame(SampleSource* source) {
  if (source == nullptr) return Status::error(StatusCode::kFailedPrecondition, "radar stage: no source");
  if (source->info().frame_bytes() != features_.frame_samples() * sizeof(int16_t))
    return Status::error(StatusCode::kInvalidArgument, "radar stage: stream frames are %zu bytes, expected %zu",
                         source->info().frame_bytes(), features_.frame_samples() * sizeof(int16_t));
  const size_t waiting = source->available();
  if (waiting == 0)
    return Status::error(StatusCode::kFailedPrecondition, "radar stage: frame %llu is not there yet",
                         static_cast<unsigned long long>(frames_ + dropped_));
  // After an overload the newest frame is the one worth processing.
  source->consume(waiting - 1);
  dropped_ += waiting - 1;
  source->peek(0, frame_, 1);
  source->consume(1);
  ++frames_;
  return Status::ok();
}

// RangeDoppler::compute's range loop for chirps [first, last) of one antenna.
void RadarFeatureStage::range(size_t rx, size_t first_chirp, size_t last_chirp) {
  const size_t rx_count = config_.range_doppler.rx_antennas;
  const size_t samples = config_.range_doppler.samples_per_chirp;
  const size_t bins = config_.range_doppler.range_bins;
  const float offset = static_cast<float>(config_.range_doppler.adc_offset);
  for (size_t chirp = first_chirp; chirp < last_chirp; ++chirp) {
    const int16_t* codes = frame_ + chirp * samples * rx_count + rx;
    float mean = 0.0f;
    for (size_t n = 0; n < samples; ++n) mean += static_cast<float>(codes[n * rx_count]) - offset;
    mean /= static_cast<float>(samples);
    for (size_t n = 0; n < samples; ++n) {
      line_[n].re = (static_cast<float>(codes[n * rx_count]) - offset - mean) * range_window_[n];
      line_[n].im = 0.0f;
    }
    fft_.forward(line_, samples);
    for (size_t r = 0; r < bins; ++r) cell(rx, chirp, r) = line_[r];
  }
}

// RangeDoppler::compute's Doppler loop for one antenna.
void RadarFeatureStage::doppler(size_t rx) {
  const size_t chirps = config_.range_doppler.chirps;
  const size_t bins = config_.range_doppler.range_bins;
  for (size_t r = 0; r < bins; ++r) {
    ComplexF mean;
    if (config_.range_doppler.remove_static) {
      for (size_t c = 0; c < chirps; ++c) {
        const ComplexF& v = cell(rx, c, r);
        mean.re += v.re;
        mean.im += v.im;
      }
      mean.re /= static_cast<float>(chirps);
      mean.im /= static_cast<float>(chirps);
    }
    for (size_t c = 0; c < chirps; ++c) {
      const ComplexF& v = cell(rx, c, r);
      line_[c].re = (v.re - mean.re) * doppler_window_[c];
      line_[c].im = (v.im - mean.im) * doppler_window_[c];
    }
    fft_.forward(line_, chirps);
    for (size_t k = 0; k < chirps; ++k) cell(rx, (k + chirps / 2) % chirps, r) = line_[k];
  }
}

// RadarGestureFeatures::compute_log2's profile loop for Doppler rows [first, last).
void RadarFeatureStage::profiles(size_t first_doppler, size_t last_doppler) {
  const size_t doppler_bins = config_.range_doppler.chirps;
  const size_t range_bins = config_.range_doppler.range_bins;
  const size_t angle_bins = config_.angle_bins;
  float* doppler_profile = sums_;
  float* range_profile = doppler_profile + doppler_bins;
  float* azimuth = range_profile + range_bins;
  float* elevation = azimuth + angle_bins;
  const runtime::dsp::AngleArray* arrays[2] = {&config_.azimuth, &config_.elevation};
  for (size_t d = first_doppler; d < last_doppler; ++d) {
    for (size_t r = 0; r < range_bins; ++r) {
      float power = 0.0f;
      for (size_t rx = 0; rx < config_.range_doppler.rx_antennas; ++rx) power += runtime::dsp::norm2(cell(rx, d, r));
      doppler_profile[d] += power;
      range_profile[r] += power;
      for (size_t p = 0; p < 2; ++p) {
        const runtime::dsp::AngleArray& array = *arrays[p];
        float* profile = p == 0 ? azimuth : elevation;
        for (size_t a = 0; a < angle_bins; ++a) {
          ComplexF beam;
          for (size_t k = 0; k < array.count; ++k) {
            const ComplexF& x = cell(array.antennas[k], d, r);
            const ComplexF& w = steer_[p][a][k];
            beam.re += x.re * w.re - x.im * w.im;
            beam.im += x.re * w.im + x.im * w.re;
          }
          profile[a] += runtime::dsp::norm2(beam);
        }
      }
    }
  }
}

Status RadarFeatureStage::run(uint32_t step, SampleSource* source, runtime::Interpreter*) {
  if (!ready_) return Status::error(StatusCode::kFailedPrecondition, "radar stage: not initialised");
  if (step >= steps()) return Status::error(StatusCode::kOutOfRange, "radar stage: step %u of %u", static_cast<unsigned>(step), static_cast<unsigned>(steps()));
  const size_t chirps = config_.range_doppler.chirps;
  const uint32_t range_steps = kAntennas * kRangeParts;
  if (step < range_steps) {
    if (step == 0) CHORUS_RETURN_IF_ERROR(take_frame(source));
    const size_t part = step % kRangeParts, per_part = chirps / kRangeParts;
    range(step / kRangeParts, part * per_part, (part + 1) * per_part);
    return Status::ok();
  }
  if (step < range_steps + kAntennas) {
    doppler(step - range_steps);
    return Status::ok();
  }
  const uint32_t part = step - range_steps - static_cast<uint32_t>(kAntennas);
  const size_t rows = chirps / kProfileParts;
  if (part == 0)
    for (size_t i = 0; i < features_.row_size(); ++i) sums_[i] = 0.0f;
  profiles(part * rows, (part + 1) * rows);
  if (part + 1 < kProfileParts) return Status::ok();
  for (size_t i = 0; i < features_.row_size(); ++i) row_[i] = features_.quantize(std::log2(sums_[i] + 1.0f));
  history_->append(row_);
  return Status::ok();
}

uint64_t RadarFeatureStage::cost_cycles(uint32_t step) const {
  const uint64_t samples = config_.range_doppler.samples_per_chirp;
  const uint64_t chirps = config_.range_doppler.chirps;
  const uint64_t bins = config_.range_doppler.range_bins;
  const uint32_t range_steps = kAntennas * kRangeParts;
  if (step < range_steps) {
    // Half the chirps of one antenna; step 0 first takes the frame off the stream.
    const uint64_t take = step == 0 ? features_.frame_samples() * sizeof(int16_t) * kTakePerByte : 0;
    return take + chirps / kRangeParts * samples * kRangePerSample;
  }
  if (step < range_steps + kAntennas) return bins * chirps * kDopplerPerSample;  // one antenna's Doppler transforms
  // The profiles over a quarter of the Doppler rows; the last step also takes log2 and
  // quantises the row.
  const uint64_t cells = chirps / kProfileParts * bins;
  const bool last = step + 1 == steps();
  return cells * kProfilePerCell + (last ? kRowPerValue * features_.row_size() : 0);
}

}  // namespace chorus::sched
