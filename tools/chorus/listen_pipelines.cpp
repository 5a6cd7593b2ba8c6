#include "listen_pipelines.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "chorus/runtime/dsp/anomaly_score.hpp"
#include "chorus/runtime/dsp/log_mel.hpp"
#include "chorus/runtime/dsp/mfcc.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

using tools::Recording;

constexpr double kAudioRateHz = 16000.0;

// Loads and plans a model, checking the tensor layout the pipeline relies on.
bool open_model(const std::string& path, tools::ModelSession* session, runtime::DType in_type, size_t in_bytes,
                runtime::DType out_type, size_t out_bytes, std::string* error) {
  if (!session->load(path, error)) return false;
  if (!session->plan(runtime::PlanOptions(), error) || !session->init(error)) {
    *error = path + ": " + *error;
    return false;
  }
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
    const runtime::DType type = input_type(o, error);
    if (!open_model(o.model.empty() ? o.shared_dir + "/models/model_ToyCar_quant_fullint_micro.tflite" : o.model, &ae_, type,
                    kWindow * kMels * type_bytes_, type, kWindow * kMels * type_bytes_, error))
      return false;
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
  // The model's input type decides the byte counts open_model checks (float32 or int8 I/O).
  runtime::DType input_type(const ListenOptions& o, std::string* error) {
    tools::ModelSession probe;
    if (probe.load(o.model.empty() ? o.shared_dir + "/models/model_ToyCar_quant_fullint_micro.tflite" : o.model, error) &&
        probe.model().inputs().size() == 1) {
      input_type_ = probe.model().tensor(static_cast<size_t>(probe.model().inputs()[0])).type;
      type_bytes_ = input_type_ == runtime::DType::kInt8 ? 1 : 4;
    }
    return input_type_;
  }
  static constexpr size_t kMels = 128, kWindow = 5, kFirstFrame = 50, kLastFrame = 249;
  std::vector<std::string> none_;
  runtime::DType input_type_ = runtime::DType::kFloat32;
  size_t type_bytes_ = 4;
  tools::ModelSession ae_;
  runtime::dsp::LogMelSpectrogram log_mel_;
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
  return nullptr;
}

const char* listener_names() { return "micro_speech, kws_ref, toycar"; }

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
  if (folder == "normal") return 0;
  if (folder == "anomaly" || folder == "abnormal" || folder == "anomalous") return 1;
  const size_t slash = path.find_last_of('/');
  const std::string name = lower(slash == std::string::npos ? path : path.substr(slash + 1));
  if (name.rfind("normal_", 0) == 0) return 0;
  if (name.rfind("anomaly_", 0) == 0) return 1;
  return -1;
}

}  // namespace chorus::cli
