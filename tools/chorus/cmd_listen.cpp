// chorus listen: the micro_speech keyword pipeline on WAV clips, as TFLM's micro_speech
// example runs it -- the audio_preprocessor_int8 front end on 49 overlapping 30 ms frames
// (state fresh per file), then micro_speech_quantized on the 49x40 int8 features.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "args.hpp"
#include "chorus/drivers/sim/wav_file.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::cli {
namespace {

constexpr uint32_t kSampleRateHz = 16000;
constexpr size_t kFrameSamples = 480;  // 30 ms
constexpr size_t kHopSamples = 320;    // 20 ms
constexpr size_t kFrames = 49;
constexpr size_t kClipSamples = (kFrames - 1) * kHopSamples + kFrameSamples;  // 15 840
const char* const kLabels[] = {"silence", "unknown", "yes", "no"};             // the model's output order

const char kHelp[] =
    "usage: chorus listen FILE.wav|DIR... [--json] [--features-out DIR] [--frontend M] [--model M]\n"
    "\n"
    "Runs the micro_speech keyword pipeline on each 1 s clip (16 kHz, mono, 16-bit PCM): the\n"
    "audio front end on 49 frames of 480 samples every 320 (its noise estimate starts fresh for\n"
    "every file), then the keyword model on the 49x40 int8 features. Prints per file the label\n"
    "(silence, unknown, yes or no; a tie goes to the first) and the four int8 scores in that\n"
    "order. A longer clip is heard for its first 15840 samples. A directory stands for its\n"
    "*.wav files (not its subdirectories), in name order; one with none is reported.\n"
    "  --json              one JSON object per file: file, label, scores\n"
    "  --features-out DIR  write each clip's 49x40 int8 features (frame-major, 1960 bytes) to\n"
    "                      DIR/<file stem>.features.bin\n"
    "  --frontend M        front-end model (default " CHORUS_SHARED_DIR "/models/audio_preprocessor_int8.tflite)\n"
    "  --model M           keyword model (default " CHORUS_SHARED_DIR "/models/micro_speech_quantized.tflite)\n"
    "Exit status 1 if any file could not be heard (the others are still reported).\n";

// The files to hear: each argument, or a directory's *.wav files in name order. A directory
// without any is an error line of its own (the other inputs are still heard).
std::vector<std::string> expand_inputs(const std::vector<std::string>& args, int* failures) {
  std::vector<std::string> files;
  for (const std::string& a : args) {
    struct stat st;
    if (::stat(a.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      files.push_back(a);  // reading it reports what is wrong
      continue;
    }
    std::vector<std::string> found;
    if (DIR* d = ::opendir(a.c_str())) {
      while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        const std::string path = a + (a.back() == '/' ? "" : "/") + name;
        struct stat fs;
        if (name.size() > 4 && name.compare(name.size() - 4, 4, ".wav") == 0 && ::stat(path.c_str(), &fs) == 0 &&
            S_ISREG(fs.st_mode))
          found.push_back(path);
      }
      ::closedir(d);
    }
    if (found.empty()) {
      fail("listen", a + ": a directory with no .wav files");
      ++*failures;
    }
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? name : name.substr(0, dot);
}

// The clip's samples, or an error naming the file and what is wrong with it.
bool read_clip(const std::string& path, std::vector<int16_t>* samples, std::string* error) {
  std::string bytes_error;
  std::vector<uint8_t> bytes;
  if (!tools::read_file(path, &bytes, &bytes_error)) {
    *error = bytes_error;
    return false;
  }
  Result<drivers::sim::WavAudio> wav = drivers::sim::parse_wav(path, bytes.data(), bytes.size());
  if (!wav.is_ok()) {
    *error = wav.status().message();
    return false;
  }
  if (wav->bits_per_sample != 16) {
    *error = path + ": " + std::to_string(wav->bits_per_sample) + "-bit samples; micro_speech needs 16-bit PCM";
  } else if (wav->sample_rate_hz != kSampleRateHz) {
    *error = path + ": sample rate " + std::to_string(wav->sample_rate_hz) + " Hz; micro_speech needs " +
             std::to_string(kSampleRateHz) + " Hz";
  } else if (wav->channels != 1) {
    *error = path + ": " + std::to_string(wav->channels) + " channels; micro_speech needs mono";
  } else if (wav->frames() < kClipSamples) {
    *error = path + ": " + std::to_string(wav->frames()) + " samples (" + std::to_string(wav->frames() * 1000 / kSampleRateHz) +
             " ms); needs at least " + std::to_string(kClipSamples) + " (49 frames of 480 every 320)";
  } else {
    *samples = std::move(wav->samples);
    return true;
  }
  return false;
}

struct Heard {
  std::vector<int8_t> features;  // 49 x 40, frame-major
  int8_t scores[4] = {};
  const char* label = "";
};

// One clip through a fresh front-end interpreter, then the keyword model.
bool hear(tools::ModelSession& frontend, tools::ModelSession& kws, const std::vector<int16_t>& samples, Heard* heard,
          std::string* error) {
  if (!frontend.init(error)) return false;  // re-initialising zeroes the noise estimate
  runtime::Interpreter& fe = frontend.interpreter();
  const size_t features_per_frame = fe.output_info(0).bytes;
  heard->features.clear();
  for (size_t f = 0; f < kFrames; ++f) {
    std::memcpy(fe.input(0), samples.data() + f * kHopSamples, kFrameSamples * sizeof(int16_t));
    Status s = fe.invoke();
    if (!s.is_ok()) {
      *error = "front end, frame " + std::to_string(f) + ": " + s.message();
      return false;
    }
    const int8_t* out = reinterpret_cast<const int8_t*>(fe.output(0));
    heard->features.insert(heard->features.end(), out, out + features_per_frame);
  }
  if (!kws.init(error)) return false;
  std::memcpy(kws.interpreter().input(0), heard->features.data(), heard->features.size());
  Status s = kws.interpreter().invoke();
  if (!s.is_ok()) {
    *error = std::string("keyword model: ") + s.message();
    return false;
  }
  std::memcpy(heard->scores, kws.interpreter().output(0), 4);
  size_t best = 0;
  for (size_t i = 1; i < 4; ++i)
    if (heard->scores[i] > heard->scores[best]) best = i;
  heard->label = kLabels[best];
  return true;
}

// Loads and plans a model, checking the tensor layout the pipeline relies on.
bool open_model(const std::string& path, tools::ModelSession* session, runtime::DType in_type, size_t in_bytes, size_t out_bytes,
                std::string* error) {
  if (!session->load(path, error)) return false;
  if (!session->plan(runtime::PlanOptions(), error)) {
    *error = path + ": " + *error;
    return false;
  }
  const runtime::Model& m = session->model();
  if (m.inputs().size() != 1 || m.outputs().size() != 1 || m.tensor(static_cast<size_t>(m.inputs()[0])).type != in_type ||
      m.tensor(static_cast<size_t>(m.inputs()[0])).bytes != in_bytes ||
      m.tensor(static_cast<size_t>(m.outputs()[0])).type != runtime::DType::kInt8 ||
      m.tensor(static_cast<size_t>(m.outputs()[0])).bytes != out_bytes) {
    *error = path + ": expected one " + runtime::dtype_name(in_type) + " input of " + std::to_string(in_bytes) +
             " bytes and one INT8 output of " + std::to_string(out_bytes) + " bytes";
    return false;
  }
  return true;
}

}  // namespace

int cmd_listen(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"features-out", "frontend", "model"}, &args, &error))
    return usage_error("listen", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  if (args.positional.empty()) return usage_error("listen", "no WAV files given (see --help)");
  const std::string shared = CHORUS_SHARED_DIR;
  tools::ModelSession frontend, kws;
  if (!open_model(args.get("frontend", shared + "/models/audio_preprocessor_int8.tflite"), &frontend, runtime::DType::kInt16,
                  kFrameSamples * 2, 40, &error) ||
      !open_model(args.get("model", shared + "/models/micro_speech_quantized.tflite"), &kws, runtime::DType::kInt8, kFrames * 40, 4,
                  &error))
    return fail("listen", error);
  const bool json = args.has("json");
  int failures = 0;
  for (const std::string& path : expand_inputs(args.positional, &failures)) {
    std::vector<int16_t> samples;
    Heard heard;
    if (!read_clip(path, &samples, &error) || !hear(frontend, kws, samples, &heard, &error)) {
      if (error.compare(0, path.size(), path) != 0) error = path + ": " + error;
      fail("listen", error);
      ++failures;
      continue;
    }
    if (args.has("features-out")) {
      const std::string out = args.get("features-out") + "/" + file_stem(path) + ".features.bin";
      if (!tools::write_file(out, reinterpret_cast<const uint8_t*>(heard.features.data()), heard.features.size(), &error))
        return fail("listen", error);
    }
    if (json) {
      tools::JsonWriter j;
      j.begin_object().field("file", path).field("label", heard.label).key("scores").begin_array();
      for (int8_t s : heard.scores) j.value(static_cast<int>(s));
      j.end_array().end_object();
      std::printf("%s\n", j.str().c_str());
    } else {
      std::printf("%s: %s (silence %d, unknown %d, yes %d, no %d)\n", path.c_str(), heard.label, heard.scores[0], heard.scores[1],
                  heard.scores[2], heard.scores[3]);
    }
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace chorus::cli
