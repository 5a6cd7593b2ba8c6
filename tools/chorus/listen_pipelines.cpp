#include "listen_pipelines.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include <dirent.h>
#include <sys/stat.h>

#include "chorus/runtime/dsp/anomaly_score.hpp"
#include "chorus/runtime/dsp/log_mel.hpp"
#include "chorus/drivers/radar_frame.hpp"
#include "chorus/drivers/sim/gesture.hpp"
#include "chorus/runtime/dsp/mfcc.hpp"
#include "chorus/runtime/dsp/radar_gesture_features.hpp"
#include "chorus/scheduler/post/debouncer.hpp"
#include "chorus/scheduler/stages/feature_history.hpp"
#include "chorus/runtime/dsp/vibration_features.hpp"
#include "chorus/scheduler/post/k_of_n.hpp"
#include "chorus/scheduler/post/normal_monitor.hpp"
#include "chorus/scheduler/post/normal_profile.hpp"
#include "chorus/tools/file_record_store.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

using tools::Recording;

constexpr double kAudioRateHz = 16000.0;

// Loads, plans and initialises a model.
bool load_model(const std::string& path, tools::ModelSession* session, std::string* error) {
  if (!session->load(path, error)) return false;
  if (!session->plan(runtime::PlanOptions(), error) || !session->init(error)) {
    *error = path + ": " + *error;
    return false;
  }
  return true;
}

// Whether a loaded model has the tensor layout the pipeline relies on.
bool check_layout(const std::string& path, const tools::ModelSession* session, runtime::DType in_type, size_t in_bytes,
                  runtime::DType out_type, size_t out_bytes, std::string* error) {
  const runtime::Model& m = session->model();
  if (m.inputs().size() != 1 || m.outputs().size() != 1 || m.tensor(static_cast<size_t>(m.inputs()[0])).type != in_type ||
      m.tensor(static_cast<size_t>(m.inputs()[0])).bytes != in_bytes ||
      m.tensor(static_cast<size_t>(m.outputs()[0])).type != out_type ||
      m.tensor(static_cast<size_t>(m.outputs()[0])).bytes != out_bytes) {
    *error = path + ": expected one " + runtime::dtype_name(in_type) + " input of " + std::to_string(in_bytes) + " bytes and one " +
             runtime::dtype_name(out_type) + " output of " + std::to_string(out_bytes) + " bytes";
    return false;
  }
  return true;
}

// Loads a model, checking the tensor layout the pipeline relies on.
bool open_model(const std::string& path, tools::ModelSession* session, runtime::DType in_type, size_t in_bytes,
                runtime::DType out_type, size_t out_bytes, std::string* error) {
  return load_model(path, session, error) && check_layout(path, session, in_type, in_bytes, out_type, out_bytes, error);
}

// Audio for a 16 kHz front end: channels mixed down, resampled, as 16-bit PCM (16 kHz
// 16-bit files pass through unchanged, sample for sample).
bool audio_at_16khz(const Recording& r, std::vector<int16_t>* pcm, std::string* error) {
  if (r.rate_hz <= 0.0) {
    *error = "no sample rate (a WAV file gives one)";
    return false;
  }
  const std::vector<float> mono = tools::resample(tools::mix_down(r.samples, r.channels), 1, r.rate_hz, kAudioRateHz);
  pcm->resize(mono.size());
  for (size_t i = 0; i < mono.size(); ++i) {
    const double v = std::nearbyint(static_cast<double>(mono[i]) * 32768.0);
    (*pcm)[i] = static_cast<int16_t>(std::min(32767.0, std::max(-32768.0, v)));
  }
  return true;
}

size_t argmax_first(const std::vector<int>& scores) {
  size_t best = 0;
  for (size_t i = 1; i < scores.size(); ++i)
    if (scores[i] > scores[best]) best = i;
  return best;
}

// --- micro_speech: TFLM's example, as its test runs it: the front-end model on 49 frames of
// 480 samples every 320 (its noise estimate fresh for each file), then the keyword model
// on the 49 x 40 int8 features. Clips shorter than 1 s are padded with zeros to 16000
// samples, as the training data were (tf.audio.decode_wav desired_samples=16000).
class MicroSpeech final : public Listener {
 public:
  const char* name() const override { return "micro_speech"; }
  const std::vector<std::string>& labels() const override { return labels_; }
  bool open(const ListenOptions& o, std::string* error) override {
    return open_model(o.frontend.empty() ? o.shared_dir + "/models/audio_preprocessor_int8.tflite" : o.frontend, &frontend_,
                      runtime::DType::kInt16, kFrameSamples * 2, runtime::DType::kInt8, 40, error) &&
           open_model(o.model.empty() ? o.shared_dir + "/models/micro_speech_quantized.tflite" : o.model, &kws_,
                      runtime::DType::kInt8, kFrames * 40, runtime::DType::kInt8, 4, error);
  }
  bool hear(const Recording& r, Heard* heard, std::string* error) override {
    std::vector<int16_t> pcm;
    if (!audio_at_16khz(r, &pcm, error)) return false;
    if (pcm.size() < kPaddedSamples) pcm.resize(kPaddedSamples, 0);
    if (!frontend_.init(error)) return false;  // re-initialising zeroes the noise estimate
    runtime::Interpreter& fe = frontend_.interpreter();
    heard->features.clear();
    for (size_t f = 0; f < kFrames; ++f) {
      std::memcpy(fe.input(0), pcm.data() + f * kHopSamples, kFrameSamples * sizeof(int16_t));
      Status s = fe.invoke();
      if (!s.is_ok()) {
        *error = "front end, frame " + std::to_string(f) + ": " + s.message();
        return false;
      }
      const int8_t* out = reinterpret_cast<const int8_t*>(fe.output(0));
      heard->features.insert(heard->features.end(), out, out + 40);
    }
    if (!kws_.init(error)) return false;
    std::memcpy(kws_.interpreter().input(0), heard->features.data(), heard->features.size());
    Status s = kws_.interpreter().invoke();
    if (!s.is_ok()) {
      *error = std::string("keyword model: ") + s.message();
      return false;
    }
    const int8_t* out = reinterpret_cast<const int8_t*>(kws_.interpreter().output(0));
    heard->scores.assign(out, out + 4);
    heard->label = labels_[argmax_first(heard->scores)];
    return true;
  }

 private:
  static constexpr size_t kFrameSamples = 480, kHopSamples = 320, kFrames = 49, kPaddedSamples = 16000;
  std::vector<std::string> labels_{"silence", "unknown", "yes", "no"};  // the model's output order
  tools::ModelSession frontend_, kws_;
};

// --- kws_ref: MLPerf Tiny keyword spotting -- the MFCC front end (runtime/dsp/mfcc.hpp, the
// training pipeline's definition) on the first 16000 samples (zero-padded), quantised to
// the model's input, then kws_ref_model. Labels in the model's output order (MLPerf Tiny
// kws_util.py: the ten words, then silence and unknown).
class KwsRef final : public Listener {
 public:
  const char* name() const override { return "kws_ref"; }
  const std::vector<std::string>& labels() const override { return labels_; }
  bool open(const ListenOptions& o, std::string* error) override {
    if (!open_model(o.model.empty() ? o.shared_dir + "/models/kws_ref_model.tflite" : o.model, &kws_, runtime::DType::kInt8,
                    runtime::dsp::Mfcc::kFeatures, runtime::DType::kInt8, labels_.size(), error))
      return false;
    const Status s = mfcc_.init();
    if (!s.is_ok()) *error = s.message();
    return s.is_ok();
  }
  bool hear(const Recording& r, Heard* heard, std::string* error) override {
    std::vector<int16_t> pcm;
    if (!audio_at_16khz(r, &pcm, error)) return false;
    if (pcm.size() > runtime::dsp::Mfcc::kClipSamples) pcm.resize(runtime::dsp::Mfcc::kClipSamples);
    runtime::Interpreter& m = kws_.interpreter();
    const runtime::QuantParams q = m.input_info(0).quant;
    heard->features.assign(runtime::dsp::Mfcc::kFeatures, 0);
    Status s = mfcc_.compute_quantized(Span<const int16_t>(pcm.data(), pcm.size()), q.scale, q.zero_point,
                                       Span<int8_t>(heard->features.data(), heard->features.size()));
    if (!s.is_ok()) {
      *error = std::string("MFCC: ") + s.message();
      return false;
    }
    std::memcpy(m.input(0), heard->features.data(), heard->features.size());
    s = m.invoke();
    if (!s.is_ok()) {
      *error = std::string("keyword model: ") + s.message();
      return false;
    }
    const int8_t* out = reinterpret_cast<const int8_t*>(m.output(0));
    heard->scores.assign(out, out + labels_.size());
    heard->label = labels_[argmax_first(heard->scores)];
    return true;
  }

 private:
  std::vector<std::string> labels_{"down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"};
  tools::ModelSession kws_;
  runtime::dsp::Mfcc mfcc_;
};

// --- toycar: the MLPerf Tiny anomaly-detection benchmark (DCASE 2020 task 2 ToyCar): log-mel
// (n_fft 1024, hop 512, 128 mels, librosa's centring) of the 16 kHz clip, frames 50..249
// as the benchmark keeps them when the clip has that many (all frames of a shorter clip),
// every window of 5 frames through the autoencoder, the score the mean window error.
class ToyCar final : public Listener {
 public:
  const char* name() const override { return "toycar"; }
  const std::vector<std::string>& labels() const override { return none_; }
  bool open(const ListenOptions& o, std::string* error) override {
    // The autoencoder's I/O is float32 or int8 (the benchmark ships both); its input type
    // decides the byte counts checked.
    const std::string path = o.model.empty() ? o.shared_dir + "/models/model_ToyCar_quant_fullint_micro.tflite" : o.model;
    if (!load_model(path, &ae_, error)) return false;
    const runtime::Model& m = ae_.model();
    const runtime::DType type = m.inputs().size() == 1 ? m.tensor(static_cast<size_t>(m.inputs()[0])).type : runtime::DType::kFloat32;
    const size_t bytes = kWindow * kMels * (type == runtime::DType::kInt8 ? 1 : 4);
    if (!check_layout(path, &ae_, type, bytes, type, bytes, error)) return false;
    runtime::dsp::LogMelConfig c;
    const Status s = log_mel_.init(c);
    if (!s.is_ok()) *error = s.message();
    return s.is_ok();
  }
  bool hear(const Recording& r, Heard* heard, std::string* error) override {
    std::vector<int16_t> pcm;
    if (!audio_at_16khz(r, &pcm, error)) return false;
    if (pcm.size() < 8000) {
      *error = std::to_string(pcm.size()) + " samples at 16 kHz; the score needs at least 0.5 s (8000)";
      return false;
    }
    // librosa.load gives float samples of the 16-bit file (value / 32768).
    std::vector<float> signal(pcm.size());
    for (size_t i = 0; i < pcm.size(); ++i) signal[i] = static_cast<float>(pcm[i]) / 32768.0f;
    const size_t frames = runtime::dsp::LogMelSpectrogram::clip_frames(signal.size(), log_mel_.config().hop);
    std::vector<float> mel(frames * kMels);
    Status s = log_mel_.compute_clip(Span<const float>(signal.data(), signal.size()), Span<float>(mel.data(), mel.size()));
    if (!s.is_ok()) {
      *error = std::string("log-mel: ") + s.message();
      return false;
    }
    const size_t first = frames >= kLastFrame + 1 ? kFirstFrame : 0;
    const size_t count = frames >= kLastFrame + 1 ? kLastFrame - kFirstFrame + 1 : frames;
    Result<double> score = runtime::dsp::score_clip(ae_.interpreter(), Span<const float>(mel.data() + first * kMels, count * kMels),
                                                    kMels, kWindow);
    if (!score.is_ok()) {
      *error = std::string("autoencoder: ") + score.status().message();
      return false;
    }
    heard->scored = true;
    heard->score = *score;
    return true;
  }

 private:
  static constexpr size_t kMels = 128, kWindow = 5, kFirstFrame = 50, kLastFrame = 249;
  std::vector<std::string> none_;
  tools::ModelSession ae_;
  runtime::dsp::LogMelSpectrogram log_mel_;
};

// --- vibration: learn-normal. The recording (any rate up to 26,667 Hz -- faster ones are
// resampled to that, the IIS3DWB's output rate -- one to three axes) in g becomes 16-bit
// counts of a +-16 g sensor (IIS3DWB datasheet DS13052: 0.488 mg/LSB at +-16 g, so
// 2049.2 counts a g); windows of 640 samples (4 Hann frames of 256, hop 128, averaged:
// runtime/dsp/vibration_features.hpp) give 32 log2 band powers an axis; each 0.5 s of
// windows is one decision, scored against the machine's NormalProfile as the mean of its
// windows' scores; 3 decisions of the last 5 above the profile's threshold raise the
// alarm. A file's score is the mean of its decisions' scores.
class Vibration final : public Listener {
 public:
  static constexpr double kMaxRateHz = 26667.0;
  static constexpr double kCountsPerG = 1.0 / 0.000488;
  static constexpr double kDecisionSeconds = 0.5;

  const char* name() const override { return "vibration"; }
  const std::vector<std::string>& labels() const override { return none_; }
  bool open(const ListenOptions& o, std::string* error) override {
    options_ = o;
    if (!o.profile.empty()) store_.reset(new tools::FileRecordStore(o.profile));
    if (!o.learn.empty()) return learn(o, error);
    if (o.profile.empty()) {
      *error = "the vibration pipeline learns this machine's normal first: give --learn PATH (or --profile FILE saved by an earlier --learn)";
      return false;
    }
    // The profile says which features, axes and rate it was learnt for.
    std::vector<uint8_t> bytes(sched::NormalProfile::max_serialized_bytes());
    Result<size_t> n = store_->load(Span<uint8_t>(bytes.data(), bytes.size()));
    if (!n.is_ok()) {
      *error = std::string("--profile: ") + n.status().message();
      return false;
    }
    sched::NormalProfile stored;
    Status s = stored.deserialize(Span<const uint8_t>(bytes.data(), *n));
    if (!s.is_ok()) {
      *error = o.profile + ": " + s.message();
      return false;
    }
    rate_ = stored.rate_hz();
    if (!init_features(stored.axes(), error)) return false;
    s = monitor_.start(monitor_config(1, 1), features_.row_size(), stored.axes(), stored.rate_hz(), store_.get());
    if (s.is_ok() && !monitor_.loaded_from_store()) s = Status::error(StatusCode::kInvalidArgument, "does not fit this front end");
    if (!s.is_ok()) {
      *error = o.profile + ": " + s.message();
      return false;
    }
    return true;
  }

  bool hear(const Recording& r, Heard* heard, std::string* error) override {
    const sched::NormalProfile& profile = monitor_.profile();
    std::vector<int16_t> counts;
    if (!to_counts(r, profile.rate_hz(), &counts, error)) return false;
    if (r.channels != profile.axes()) {
      *error = std::to_string(r.channels) + " axes; this machine's profile was learnt on " + std::to_string(profile.axes());
      return false;
    }
    std::vector<std::vector<float>> all;
    if (!rows(counts, &all, error)) return false;
    monitor_.restart_decisions();
    double sum = 0.0;
    size_t decisions = 0;
    heard->alarm = 0;
    for (const std::vector<float>& row : all) {
      Result<sched::MonitorEvent> e = monitor_.add_window(Span<const float>(row.data(), row.size()));
      if (!e.is_ok()) {
        *error = e.status().message();
        return false;
      }
      if (*e == sched::MonitorEvent::kNone) continue;
      ++decisions;
      sum += monitor_.last_decision_score();
      if (*e == sched::MonitorEvent::kRaised && heard->alarm == 0) {
        heard->alarm = 1;
        heard->alarm_at_s = static_cast<double>(decisions) * kDecisionSeconds;
      }
    }
    if (decisions == 0) {
      *error = "shorter than one decision (0.5 s)";
      return false;
    }
    heard->scored = true;
    heard->score = sum / static_cast<double>(decisions);
    heard->decisions = decisions;
    return true;
  }

 private:
  bool init_features(size_t axes, std::string* error) {
    runtime::dsp::VibrationFeatureConfig c;
    c.frame_length = 256;
    c.hop = 128;
    c.frames = 4;
    c.axes = static_cast<uint8_t>(axes);
    const Status s = features_.init(c);
    if (!s.is_ok()) *error = s.message();
    return s.is_ok();
  }

  uint32_t windows_per_decision() const {
    return std::max<uint32_t>(1, static_cast<uint32_t>(kDecisionSeconds * rate_ / static_cast<double>(features_.window_samples())));
  }
  sched::NormalMonitorConfig monitor_config(uint32_t statistics_windows, uint32_t threshold_decisions) const {
    sched::NormalMonitorConfig c;
    c.windows_per_decision = windows_per_decision();
    c.statistics_windows = std::max<uint32_t>(2, statistics_windows);
    c.threshold_decisions = std::max<uint32_t>(1, threshold_decisions);
    c.k = 3;
    c.n = 5;
    return c;
  }

  // The recording at `rate_hz` (0: its own, capped at kMaxRateHz), in sensor counts.
  bool to_counts(const Recording& r, double rate_hz, std::vector<int16_t>* counts, std::string* error) {
    if (r.rate_hz <= 0.0) {
      *error = "no sample rate: give --rate HZ";
      return false;
    }
    if (r.channels < 1 || r.channels > 3) {
      *error = std::to_string(r.channels) + " axes (1 to 3; pick them with --axes)";
      return false;
    }
    const double target = rate_hz > 0.0 ? rate_hz : std::min(r.rate_hz, kMaxRateHz);
    if (r.rate_hz + 0.5 < target) {
      *error = "recorded at " + std::to_string(static_cast<long>(r.rate_hz)) + " Hz; the profile was learnt at " +
               std::to_string(static_cast<long>(target)) + " Hz";
      return false;
    }
    const std::vector<float> at_rate = tools::resample(r.samples, r.channels, r.rate_hz, target);
    counts->resize(at_rate.size());
    for (size_t i = 0; i < at_rate.size(); ++i) {
      const double v = std::nearbyint(static_cast<double>(at_rate[i]) * options_.units_to_g * kCountsPerG);
      (*counts)[i] = static_cast<int16_t>(std::min(32767.0, std::max(-32768.0, v)));
    }
    rate_ = target;
    return true;
  }

  // The feature rows of consecutive windows.
  bool rows(const std::vector<int16_t>& counts, std::vector<std::vector<float>>* out, std::string* error) {
    const size_t axes = features_.config().axes, window = features_.window_samples();
    std::vector<float> row(features_.row_size());
    for (size_t at = 0; (at + window) * axes <= counts.size(); at += window) {
      const Status s = features_.compute_log2(Span<const int16_t>(counts.data() + at * axes, window * axes),
                                               Span<float>(row.data(), row.size()));
      if (!s.is_ok()) {
        *error = s.message();
        return false;
      }
      out->push_back(row);
    }
    return true;
  }

  bool learn(const ListenOptions& o, std::string* error) {
    if (!(o.learn_seconds >= 2.0 && o.learn_seconds <= 60.0)) {
      *error = "--learn-seconds " + std::to_string(o.learn_seconds) + ": from 2 to 60";
      return false;
    }
    // The learning recordings in order, up to learn_seconds in all: the first half makes the
    // statistics, the second half the threshold.
    std::vector<int16_t> counts;
    size_t axes = 0;
    double rate = 0.0;
    for (const std::string& arg : o.learn) {
      const std::vector<std::string> files = recordings_in(arg);
      if (files.empty()) {
        *error = "--learn " + arg + ": no recordings (.wav, .npy, .csv)";
        return false;
      }
      for (const std::string& path : files) {
        Recording r;
        std::vector<int16_t> c;
        if (!read_recording(path, o, &r, error) || !to_counts(r, rate, &c, error)) {
          *error = "--learn " + path + ": " + *error;
          return false;
        }
        if (axes != 0 && r.channels != axes) {
          *error = "--learn " + path + ": " + std::to_string(r.channels) + " axes, the recordings before it " + std::to_string(axes);
          return false;
        }
        axes = r.channels;
        rate = rate_;
        counts.insert(counts.end(), c.begin(), c.end());
        if (static_cast<double>(counts.size() / axes) >= o.learn_seconds * rate) break;
      }
      if (static_cast<double>(counts.size() / axes) >= o.learn_seconds * rate) break;
    }
    const size_t wanted = static_cast<size_t>(o.learn_seconds * rate) * axes;
    if (counts.size() < wanted) {
      *error = "--learn: " + std::to_string(static_cast<double>(counts.size() / axes) / rate) + " s of recordings, --learn-seconds asks for " +
               std::to_string(o.learn_seconds);
      return false;
    }
    counts.resize(wanted);
    if (!init_features(axes, error)) return false;
    const size_t half = (wanted / axes / 2) * axes;
    std::vector<std::vector<float>> first, second;
    if (!rows(std::vector<int16_t>(counts.begin(), counts.begin() + static_cast<long>(half)), &first, error) ||
        !rows(std::vector<int16_t>(counts.begin() + static_cast<long>(half), counts.end()), &second, error))
      return false;
    const uint32_t decisions = static_cast<uint32_t>(second.size() / windows_per_decision());
    Status s = monitor_.start(monitor_config(static_cast<uint32_t>(first.size()), decisions), features_.row_size(),
                              static_cast<uint8_t>(axes), static_cast<float>(rate), store_.get());
    if (s.is_ok() && monitor_.loaded_from_store()) s = monitor_.relearn();  // --learn replaces what the store held
    bool learnt = false;
    for (const auto* part : {&first, &second})
      for (size_t i = 0; s.is_ok() && i < part->size(); ++i) {
        Result<sched::MonitorEvent> e = monitor_.add_window(Span<const float>((*part)[i].data(), (*part)[i].size()));
        if (!e.is_ok()) s = e.status();
        else if (*e == sched::MonitorEvent::kLearnt) learnt = true;
      }
    if (s.is_ok() && !learnt) s = Status::error(StatusCode::kFailedPrecondition, "too little to learn a threshold from");
    if (!s.is_ok()) {
      *error = std::string("--learn: ") + s.message();
      return false;
    }
    const sched::NormalProfile& p = monitor_.profile();
    if (!o.quiet)
      std::fprintf(stderr, "chorus listen: vibration: learnt %.1f s of normal running at %.0f Hz, %zu axes: %u windows, %u decisions, threshold %.3f\n",
                   o.learn_seconds, rate, axes, p.learned_rows(), p.learned_decisions(), static_cast<double>(p.threshold()));
    return true;
  }

  ListenOptions options_;
  std::vector<std::string> none_;
  runtime::dsp::VibrationFeatures features_;
  std::unique_ptr<tools::FileRecordStore> store_;
  sched::NormalMonitor monitor_;
  double rate_ = 0.0;
};

// --- gesture: radar cubes (frames x rx x chirps x samples, 12-bit ADC counts, the layout of
// the Infineon 60 GHz gesture set), --rate frames a second (default 30). Each frame becomes
// one row of the range-Doppler-angle front end (runtime/dsp/radar_gesture_features.hpp);
// every 50 ms of the recording the gesture CNN classifies the last 32 rows, and a gesture is
// reported once it has led at 200/255 for 4 windows in a row, then nothing for 1 s nor until
// "nothing" has led for 2 windows (the hand's return is no gesture) -- the
// multi-model sample's rules (samples/lib/gesture_recognition.hpp).
class GestureListener final : public Listener {
 public:
  const char* name() const override { return "gesture"; }
  const std::vector<std::string>& labels() const override { return none_; }
  bool open(const ListenOptions& o, std::string* error) override {
    const std::string model = o.model.empty() ? o.source_dir + "/models/gesture/gesture_cnn.tflite" : o.model;
    if (!session_.load(model, error) || !session_.plan(runtime::PlanOptions(), error) || !session_.init(error)) {
      *error = model + ": " + *error;
      return false;
    }
    const runtime::TensorInfo out = session_.interpreter().output_info(0);
    if (out.type != runtime::DType::kInt8 || out.bytes != static_cast<size_t>(drivers::sim::kGestureCount)) {
      *error = model + ": expected an INT8 output of " + std::to_string(drivers::sim::kGestureCount) + " classes";
      return false;
    }
    rate_ = o.rate_hz > 0.0 ? o.rate_hz : 30.0;
    return true;
  }
  bool hear(const Recording& r, Heard* heard, std::string* error) override {
    if (r.shape.size() != 4) {
      *error = "a radar cube is frames x rx x chirps x samples; this array has " + std::to_string(r.shape.size()) + " dimensions";
      return false;
    }
    const size_t frames = r.shape[0], rx = r.shape[1], chirps = r.shape[2], samples = r.shape[3];
    runtime::dsp::RadarGestureFeatureConfig fc;
    fc.range_doppler.samples_per_chirp = static_cast<uint16_t>(samples);
    fc.range_doppler.chirps = static_cast<uint16_t>(chirps);
    fc.range_doppler.rx_antennas = static_cast<uint8_t>(rx);
    if (samples > 0xFFFF || chirps > 0xFFFF || rx > 0xFF) {
      *error = "radar cube dimensions out of range";
      return false;
    }
    Status s = features_.init(fc);
    if (!s.is_ok()) {
      *error = std::string("radar front end: ") + s.message();
      return false;
    }
    runtime::Interpreter& m = session_.interpreter();
    const size_t row = features_.row_size();
    if (m.input_info(0).bytes != kWindowFrames * row) {
      *error = "the model takes " + std::to_string(m.input_info(0).bytes) + " bytes; 32 rows of this cube's features are " +
               std::to_string(kWindowFrames * row) + " (the cube's chirps, samples or antennas differ from the model's)";
      return false;
    }
    std::vector<uint8_t> storage(kWindowFrames * row);
    sched::FeatureHistory history(Span<uint8_t>(storage.data(), storage.size()), kWindowFrames, row);
    std::vector<runtime::dsp::ComplexF> cube(features_.cube_size());
    std::vector<int16_t> frame(rx * chirps * samples);
    std::vector<int8_t> feature_row(row);
    sched::Debouncer debouncer(sched::DebounceConfig{4, 200, 0, 2});
    const double period = 1.0 / rate_;
    double next_inference = kInferenceS;
    double last_report = -1e9;
    heard->has_events = true;
    heard->features.clear();
    heard->features.reserve(frames * row);
    for (size_t f = 0; f < frames; ++f) {
      // NPY cube order (frame, rx, chirp, sample) to RadarFrameFormat's (chirp, sample, rx).
      const float* in = r.samples.data() + f * rx * chirps * samples;
      for (size_t a = 0; a < rx; ++a)
        for (size_t c = 0; c < chirps; ++c)
          for (size_t k = 0; k < samples; ++k) {
            const float v = in[(a * chirps + c) * samples + k];
            frame[(c * samples + k) * rx + a] = static_cast<int16_t>(std::min(32767.0f, std::max(-32768.0f, std::nearbyint(v))));
          }
      s = features_.compute(Span<const int16_t>(frame.data(), frame.size()), Span<runtime::dsp::ComplexF>(cube.data(), cube.size()),
                            Span<int8_t>(feature_row.data(), feature_row.size()));
      if (!s.is_ok()) {
        *error = std::string("radar front end: ") + s.message();
        return false;
      }
      history.append(feature_row.data());
      heard->features.insert(heard->features.end(), feature_row.begin(), feature_row.end());
      // The inferences due before the next frame is complete see this history.
      const double next_frame_done = static_cast<double>(f + 2) * period;
      for (; next_inference < next_frame_done; next_inference += kInferenceS) {
        if (!history.full()) continue;
        history.copy_to(reinterpret_cast<uint8_t*>(m.input(0)));
        s = m.invoke();
        if (!s.is_ok()) {
          *error = std::string("gesture model: ") + s.message();
          return false;
        }
        const int32_t label = debouncer.add(reinterpret_cast<const int8_t*>(m.output(0)), static_cast<uint32_t>(drivers::sim::kGestureCount));
        if (label < 0 || next_inference - last_report < kSuppressionS) continue;
        last_report = next_inference;
        heard->events.push_back(Heard::Event{next_inference, drivers::sim::gesture_name(static_cast<drivers::sim::Gesture>(label))});
      }
    }
    return true;
  }

 private:
  static constexpr size_t kWindowFrames = 32;
  static constexpr double kInferenceS = 0.05, kSuppressionS = 1.0;
  std::vector<std::string> none_;
  tools::ModelSession session_;
  runtime::dsp::RadarGestureFeatures features_;
  double rate_ = 30.0;
};

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string parent_folder(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos || slash == 0) return "";
  const size_t before = path.find_last_of('/', slash - 1);
  return path.substr(before == std::string::npos ? 0 : before + 1, slash - (before == std::string::npos ? 0 : before + 1));
}

}  // namespace

std::unique_ptr<Listener> make_listener(const std::string& name) {
  if (name == "micro_speech") return std::unique_ptr<Listener>(new MicroSpeech);
  if (name == "kws_ref") return std::unique_ptr<Listener>(new KwsRef);
  if (name == "toycar") return std::unique_ptr<Listener>(new ToyCar);
  if (name == "vibration") return std::unique_ptr<Listener>(new Vibration);
  if (name == "gesture") return std::unique_ptr<Listener>(new GestureListener);
  return nullptr;
}

const char* listener_names() { return "micro_speech, kws_ref, toycar, vibration, gesture"; }

std::string gesture_truth_from_path(const std::string& path) {
  auto normal = [](std::string n) {
    std::string out;
    for (char c : lower(n))
      if (c != '_' && c != '-' && c != ' ') out += c;
    return out;
  };
  static const char* const kNames[] = {"push", "swipe_left", "swipe_right", "swipe_up", "swipe_down"};
  const size_t slash = path.find_last_of('/');
  const std::string file = slash == std::string::npos ? path : path.substr(slash + 1);
  for (const std::string& candidate : {parent_folder(path), file.substr(0, file.find('_'))}) {
    const std::string c = normal(candidate);
    for (const char* n : kNames)
      if (c == normal(n)) return n;
  }
  return "";
}

bool is_recording_name(const std::string& name) {
  auto ends = [&](const char* ext) {
    const size_t n = std::strlen(ext);
    if (name.size() <= n) return false;
    for (size_t i = 0; i < n; ++i)
      if (std::tolower(static_cast<unsigned char>(name[name.size() - n + i])) != ext[i]) return false;
    return true;
  };
  return ends(".wav") || ends(".npy") || ends(".csv");
}

namespace {

void walk(const std::string& dir, std::vector<std::string>* found) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + (dir.back() == '/' ? "" : "/") + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) walk(path, found);
    else if (S_ISREG(st.st_mode) && is_recording_name(name)) found->push_back(path);
  }
  ::closedir(d);
}

}  // namespace

std::vector<std::string> recordings_in(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return {path};
  std::vector<std::string> found;
  walk(path, &found);
  std::sort(found.begin(), found.end());
  return found;
}

bool read_recording(const std::string& path, const ListenOptions& o, Recording* r, std::string* error) {
  const std::string name = lower(path);
  auto ends = [&](const char* ext) { return name.size() > std::strlen(ext) && name.compare(name.size() - std::strlen(ext), std::string::npos, ext) == 0; };
  if (ends(".npy")) {
    if (!tools::read_npy_recording(path, r, error)) return false;
    if (r->shape.size() == 4) {  // a radar cube
      r->rate_hz = o.rate_hz;
      return true;
    }
    if (r->shape.size() > 2) {
      *error = path + ": an array of " + std::to_string(r->shape.size()) + " dimensions (samples, or samples x axes)";
      return false;
    }
    if (!o.axes.empty() && r->channels != o.axes.size()) {
      *error = path + ": " + std::to_string(r->channels) + " columns, --axes names " + std::to_string(o.axes.size());
      return false;
    }
    r->rate_hz = o.rate_hz;
    return true;
  }
  if (ends(".csv")) {
    if (!tools::read_csv_recording(path, o.axes, false, r, error)) return false;
    r->rate_hz = o.rate_hz;
    return true;
  }
  if (ends(".wav")) {
    if (!tools::read_wav_recording(path, r, error)) return false;
    if (o.rate_hz > 0.0 && std::fabs(o.rate_hz - r->rate_hz) > 0.5) {
      *error = path + ": --rate " + std::to_string(static_cast<long>(o.rate_hz)) + " but the file says " +
               std::to_string(static_cast<long>(r->rate_hz)) + " Hz";
      return false;
    }
    return true;
  }
  *error = path + ": not a recording this reads (.wav, .npy, .csv)";
  return false;
}

std::string label_from_path(const std::string& path, const std::vector<std::string>& labels) {
  std::string folder = lower(parent_folder(path));
  if (folder.empty()) return "";
  if (folder.size() > 2 && folder.front() == '_' && folder.back() == '_') folder = folder.substr(1, folder.size() - 2);
  for (const std::string& l : labels)
    if (folder == l) return l;
  // A word the model has no label for is "unknown" -- but only a word: folders named like
  // a data set's parts (test, clips, ...) say nothing.
  static const char* const kWords[] = {"backward", "bed",   "bird",  "cat",  "dog",  "down",  "eight", "five",  "follow",
                                       "forward",  "four",  "go",    "happy", "house", "learn", "left",  "marvin", "nine",
                                       "no",       "off",   "on",    "one",   "right", "seven", "sheila", "six",  "stop",
                                       "three",    "tree",  "two",   "up",    "visual", "wow",  "yes",   "zero"};
  for (const char* w : kWords)
    if (folder == w) {
      for (const std::string& l : labels)
        if (l == "unknown") return l;
    }
  return "";
}

int anomaly_truth_from_path(const std::string& path) {
  const std::string folder = lower(parent_folder(path));
  if (folder == "normal" || folder == "healthy") return 0;
  static const char* const kFaulty[] = {"anomaly", "abnormal", "anomalous", "fault", "faulty", "damaged", "inner_race", "outer_race", "ball"};
  for (const char* f : kFaulty)
    if (folder == f) return 1;
  const size_t slash = path.find_last_of('/');
  const std::string name = lower(slash == std::string::npos ? path : path.substr(slash + 1));
  if (name.rfind("normal_", 0) == 0) return 0;
  if (name.rfind("anomaly_", 0) == 0) return 1;
  return -1;
}

}  // namespace chorus::cli
