// chorus listen: recordings made by others through one of Chorus's pipelines
// (listen_pipelines.hpp), one result a file, summaries on stderr.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "args.hpp"
#include "chorus/tools/file.hpp"
#include "chorus/tools/json.hpp"
#include "chorus/tools/recording.hpp"
#include "listen_pipelines.hpp"

namespace chorus::cli {
namespace {

const char kHelp[] =
    "usage: chorus listen FILE|DIR... [--pipeline P] [--json] [options]\n"
    "\n"
    "Runs recordings through a Chorus pipeline and prints one result a file:\n"
    "  micro_speech (default)  TFLM's micro_speech: label silence, unknown, yes or no\n"
    "  kws_ref                 MLPerf Tiny keyword spotting (MFCC + kws_ref_model): label down, go,\n"
    "                          left, no, off, on, right, stop, up, yes, silence or unknown\n"
    "  toycar                  MLPerf Tiny anomaly detection (log-mel + the ToyCar autoencoder):\n"
    "                          score, higher = more anomalous (files of at least 0.5 s)\n"
    "  gesture                 radar cubes (NPY frames x rx x chirps x samples, 12-bit counts):\n"
    "                          Chorus's gesture CNN, events with their times\n"
    "  vibration               learn-normal: learns this machine's normal running from --learn,\n"
    "                          then a score (higher = further from it; files of at least 0.5 s)\n"
    "                          and an alarm when 3 of the last 5 half-second decisions pass the\n"
    "                          learnt threshold\n"
    "A directory is walked (subdirectories too) for .wav, .npy and .csv files, in path order;\n"
    "one with none is reported. WAV files may have any channel count, any rate, integer PCM of 8\n"
    "to 32 bits or 32/64-bit float; audio pipelines mix them down and resample to 16 kHz.\n"
    "Keyword clips shorter than 1 s are padded with zeros, longer ones heard for their first\n"
    "second. Accelerometer data: NPY (float64, float32, int32, int16 or int8; shape (N) or\n"
    "(N, axes)) or CSV (a header names the columns; without one, the columns are the axes, a\n"
    "leading time column skipped), with --rate, --units and --axes.\n"
    "\n"
    "Summaries go to stderr when the folders give the truth: accuracy and a confusion matrix for\n"
    "keywords (folders named for the words, _silence_ and _unknown_, as in Speech Commands),\n"
    "the ROC AUC and the alarms for anomaly scores (folders normal/ or healthy/, and anomaly/,\n"
    "fault/, inner_race/, outer_race/, ball/ ..., or file names starting with normal_ and\n"
    "anomaly_, as in DCASE). A progress bar shows when stderr is a terminal; an interrupted run\n"
    "(Ctrl-C) still prints the results and summary of the files it finished.\n"
    "  --pipeline P          micro_speech, kws_ref, toycar, vibration or gesture\n"
    "  --json                one compact JSON object a line: file, then label and scores\n"
    "                        (keywords), score (anomaly), alarm, alarm_at_s and decisions\n"
    "                        (vibration), events [{t_s, gesture}] (gesture)\n"
    "  --features-out DIR    keyword pipelines: write each clip's int8 model input to\n"
    "                        DIR/<file stem>.features.bin (micro_speech 49x40, kws_ref 49x10);\n"
    "                        gesture: every frame's int8 feature row (frames x 80: Doppler 32,\n"
    "                        range 32, azimuth 8, elevation 8), the rows the model's windows take; files\n"
    "                        found under a directory keep their folders: DIR/<folders>/<stem>...\n"
    "  --model M             the pipeline's model instead of its default in " CHORUS_SHARED_DIR "/models\n"
    "  --frontend M          micro_speech: the front-end model (default audio_preprocessor_int8.tflite)\n"
    "  --rate HZ             the sample rate of NPY and CSV files (WAV files carry theirs); radar\n"
    "                        cubes: frames a second (default 30)\n"
    "  --units U             g (default), mg or m/s2: the unit of accelerometer values\n"
    "  --axes x,y,z          the axes to use: CSV column names, or the columns of an (N, axes) NPY\n"
    "  --learn PATH          vibration: a file or directory of this machine's normal running\n"
    "                        (repeatable, used in order); faster than 26,667 Hz is resampled to it\n"
    "  --learn-seconds N     vibration: learn from the first N seconds of them (2 to 60, default 10)\n"
    "  --profile FILE        vibration: save what was learnt there (with --learn), or use it\n"
    "                        (without --learn)\n"
    "Exit status 1 if any file could not be heard (the others are still reported), 2 for a\n"
    "usage error, 130 when interrupted.\n";

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

// A file to hear: its path as the user gave it (or as found under a directory given), and
// the part of it below that directory (the file name for a file given directly), which
// --features-out mirrors so clips of the same name in different folders stay apart.
struct Input {
  std::string path, relative;
};

// The files to hear: each file argument, or a directory's recordings in path order. A
// directory without any is an error line of its own (the other inputs are still heard).
std::vector<Input> expand_inputs(const std::vector<std::string>& args, int* failures) {
  std::vector<Input> files;
  for (const std::string& a : args) {
    struct stat st;
    if (::stat(a.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      const size_t slash = a.find_last_of('/');
      files.push_back(Input{a, slash == std::string::npos ? a : a.substr(slash + 1)});  // reading it reports what is wrong
      continue;
    }
    const std::vector<std::string> found = recordings_in(a);
    if (found.empty()) {
      fail("listen", a + ": a directory with no recordings (.wav, .npy, .csv)");
      ++*failures;
    }
    const size_t skip = a.size() + (a.back() == '/' ? 0 : 1);
    for (const std::string& f : found) files.push_back(Input{f, f.substr(skip)});
  }
  return files;
}

// `relative` without its extension.
std::string strip_extension(const std::string& relative) {
  const size_t slash = relative.find_last_of('/');
  const size_t name = slash == std::string::npos ? 0 : slash + 1;
  const size_t dot = relative.find_last_of('.');
  return dot == std::string::npos || dot <= name ? relative : relative.substr(0, dot);
}

// Creates `root` (one level) and the folders of `relative` below it.
bool make_parents(const std::string& root, const std::string& relative, std::string* error) {
  if (::mkdir(root.c_str(), 0777) != 0 && errno != EEXIST) {
    *error = root + ": " + std::strerror(errno);
    return false;
  }
  size_t at = 0;
  while ((at = relative.find('/', at)) != std::string::npos) {
    const std::string dir = root + "/" + relative.substr(0, at);
    if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
      *error = dir + ": " + std::strerror(errno);
      return false;
    }
    ++at;
  }
  return true;
}

// The area under the ROC curve of scores (higher = anomalous) for anomalous vs normal:
// the probability a random anomalous file scores above a random normal one, ties half.
double roc_auc(const std::vector<double>& normal, const std::vector<double>& anomalous) {
  double wins = 0.0;
  for (double a : anomalous)
    for (double n : normal) wins += a > n ? 1.0 : (a == n ? 0.5 : 0.0);
  return wins / static_cast<double>(normal.size() * anomalous.size());
}

// What the run saw, for the summary.
struct Tally {
  size_t heard = 0, failed = 0;
  std::map<std::string, std::map<std::string, size_t>> confusion;  // truth -> predicted -> count
  std::vector<double> normal, anomalous;
  size_t with_alarm = 0, false_alarms = 0, alarmed = 0;  // k-of-n pipelines
  size_t gesture_files = 0, gesture_right = 0, gesture_missed = 0, gesture_wrong = 0;
  double slowest_alarm_s = 0.0;
};

void print_summary(const Listener& listener, const Tally& t, size_t total, bool interrupted) {
  std::fprintf(stderr, "chorus listen: %s: %zu files heard, %zu could not be%s\n", listener.name(), t.heard, t.failed,
               interrupted ? (" (interrupted after " + std::to_string(t.heard + t.failed) + " of " + std::to_string(total) + ")").c_str()
                           : "");
  const std::vector<std::string>& labels = listener.labels();
  if (!labels.empty() && !t.confusion.empty()) {
    size_t right = 0, all = 0;
    for (const auto& row : t.confusion)
      for (const auto& cell : row.second) {
        all += cell.second;
        if (cell.first == row.first) right += cell.second;
      }
    std::fprintf(stderr, "accuracy: %.2f%% (%zu of %zu labelled files)\n", 100.0 * static_cast<double>(right) / static_cast<double>(all),
                 right, all);
    std::fprintf(stderr, "confusion (rows: truth from the folder, columns: heard)\n%-9s", "");
    for (const std::string& l : labels) std::fprintf(stderr, " %7.7s", l.c_str());
    std::fprintf(stderr, "  recall\n");
    for (const std::string& truth : labels) {
      auto row = t.confusion.find(truth);
      if (row == t.confusion.end()) continue;
      size_t n = 0;
      std::fprintf(stderr, "%-9.9s", truth.c_str());
      for (const std::string& heard : labels) {
        auto cell = row->second.find(heard);
        const size_t c = cell == row->second.end() ? 0 : cell->second;
        n += c;
        std::fprintf(stderr, " %7zu", c);
      }
      auto diag = row->second.find(truth);
      std::fprintf(stderr, "  %5.1f%%\n", 100.0 * static_cast<double>(diag == row->second.end() ? 0 : diag->second) / static_cast<double>(n));
    }
  }
  if (labels.empty() && !t.normal.empty() && !t.anomalous.empty()) {
    std::fprintf(stderr, "ROC AUC: %.4f (%zu normal, %zu anomalous files)\n", roc_auc(t.normal, t.anomalous), t.normal.size(),
                 t.anomalous.size());
  }
  if (t.gesture_files > 0)
    std::fprintf(stderr, "gestures: %zu of %zu labelled recordings reported exactly once as their gesture; %zu with none, %zu with another "
                 "or more than one\n", t.gesture_right, t.gesture_files, t.gesture_missed, t.gesture_wrong);
  if (labels.empty() && t.with_alarm > 0 && (!t.normal.empty() || !t.anomalous.empty())) {
    std::fprintf(stderr, "alarms: %zu of %zu normal files (false alarms), %zu of %zu anomalous files", t.false_alarms, t.normal.size(),
                 t.alarmed, t.anomalous.size());
    if (t.alarmed > 0) std::fprintf(stderr, ", the slowest %.1f s into its file", t.slowest_alarm_s);
    std::fputc('\n', stderr);
  }
}

void progress(size_t done, size_t total) {
  const int width = 40;
  const int filled = total == 0 ? width : static_cast<int>(static_cast<double>(width) * static_cast<double>(done) / static_cast<double>(total));
  std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu", filled, "########################################", width - filled, "", done, total);
  if (done == total) std::fputc('\n', stderr);
  std::fflush(stderr);
}

}  // namespace

int cmd_listen(int argc, char** argv) {
  Args args;
  std::string error;
  if (!parse_args(argc, argv, 2, {"json", "help"},
                  {"features-out", "frontend", "model", "pipeline", "rate", "units", "axes", "learn", "learn-seconds", "profile"}, &args,
                  &error))
    return usage_error("listen", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::unique_ptr<Listener> listener = make_listener(args.get("pipeline", "micro_speech"));
  if (!listener) return usage_error("listen", "--pipeline " + args.get("pipeline") + ": not one of " + listener_names());
  if (args.positional.empty()) return usage_error("listen", "no recordings given (see --help)");
  if (args.has("features-out") && listener->labels().empty() && listener->name() != std::string("gesture"))
    return usage_error("listen", std::string("--features-out: the ") + listener->name() + " pipeline writes no features");
  ListenOptions options;
  options.shared_dir = CHORUS_SHARED_DIR;
  options.source_dir = CHORUS_SOURCE_DIR;
  options.model = args.get("model");
  options.frontend = args.get("frontend");
  if (args.has("rate")) {
    const std::string text = args.get("rate");  // strtod's end pointer points into it
    char* end = nullptr;
    options.rate_hz = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(options.rate_hz >= 1.0 && options.rate_hz <= 1e6))
      return usage_error("listen", "--rate " + text + ": a sample rate in Hz from 1 to 1000000");
  }
  const std::string units = args.get("units", "g");
  if (units == "g") options.units_to_g = 1.0;
  else if (units == "mg") options.units_to_g = 0.001;
  else if (units == "m/s2") options.units_to_g = 1.0 / 9.80665;  // standard gravity (CGPM 1901)
  else
    return usage_error("listen", "--units " + units + ": g, mg or m/s2");
  if (args.has("axes")) {
    std::string a = args.get("axes");
    for (size_t at = 0; at <= a.size();) {
      const size_t comma = a.find(',', at);
      const std::string axis = a.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
      if (axis.empty()) return usage_error("listen", "--axes " + a + ": names separated by commas, such as x,y,z");
      options.axes.push_back(axis);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
    if (options.axes.size() > 3) return usage_error("listen", "--axes " + a + ": at most 3 axes");
  }
  auto learn = args.repeated.find("learn");
  if (learn != args.repeated.end()) options.learn = learn->second;
  if (args.has("learn-seconds")) {
    const std::string text = args.get("learn-seconds");
    char* end = nullptr;
    options.learn_seconds = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(options.learn_seconds >= 2.0 && options.learn_seconds <= 60.0))
      return usage_error("listen", "--learn-seconds " + text + ": from 2 to 60");
  }
  options.profile = args.get("profile");
  if ((!options.learn.empty() || args.has("profile") || args.has("learn-seconds")) && std::string(listener->name()) != "vibration")
    return usage_error("listen", "--learn, --learn-seconds and --profile are for --pipeline vibration");
  if (!listener->open(options, &error)) return fail("listen", error);

  const bool json = args.has("json");
  const bool bar = ::isatty(STDERR_FILENO) != 0;
  int failures = 0;
  const std::vector<Input> files = expand_inputs(args.positional, &failures);
  Tally tally;
  g_interrupted = 0;
  void (*previous)(int) = std::signal(SIGINT, on_interrupt);
  size_t done = 0;
  for (const Input& input : files) {
    if (g_interrupted) break;
    const std::string& path = input.path;
    tools::Recording recording;
    Heard heard;
    ++done;
    if (!read_recording(path, options, &recording, &error) || !listener->hear(recording, &heard, &error)) {
      if (error.compare(0, path.size(), path) != 0) error = path + ": " + error;
      if (bar) std::fputc('\n', stderr);
      fail("listen", error);
      ++failures;
      ++tally.failed;
      if (bar) progress(done, files.size());
      continue;
    }
    ++tally.heard;
    if (args.has("features-out")) {
      const std::string out = args.get("features-out") + "/" + strip_extension(input.relative) + ".features.bin";
      if (!make_parents(args.get("features-out"), input.relative, &error) ||
          !tools::write_file(out, reinterpret_cast<const uint8_t*>(heard.features.data()), heard.features.size(), &error)) {
        std::signal(SIGINT, previous);
        return fail("listen", error);
      }
    }
    if (!listener->labels().empty()) {
      const std::string truth = label_from_path(path, listener->labels());
      if (!truth.empty()) ++tally.confusion[truth][heard.label];
    } else if (heard.has_events) {
      const std::string truth = gesture_truth_from_path(path);
      if (!truth.empty()) {
        ++tally.gesture_files;
        if (heard.events.size() == 1 && heard.events[0].gesture == truth) ++tally.gesture_right;
        else if (heard.events.empty()) ++tally.gesture_missed;
        else
          ++tally.gesture_wrong;
      }
    } else if (heard.scored) {
      const int truth = anomaly_truth_from_path(path);
      if (truth == 0) tally.normal.push_back(heard.score);
      if (truth == 1) tally.anomalous.push_back(heard.score);
      if (truth == 0 && heard.alarm == 1) ++tally.false_alarms;
      if (truth == 1 && heard.alarm == 1) {
        ++tally.alarmed;
        tally.slowest_alarm_s = std::max(tally.slowest_alarm_s, heard.alarm_at_s);
      }
      if (heard.alarm >= 0) ++tally.with_alarm;
    }
    if (json) {
      tools::JsonWriter j;
      j.begin_object().field("file", path);
      if (!heard.label.empty()) {
        j.field("label", heard.label).key("scores").begin_array();
        for (int s : heard.scores) j.value(s);
        j.end_array();
      }
      if (heard.scored) j.field("score", heard.score);
      if (heard.has_events) {
        j.key("events").begin_array();
        for (const Heard::Event& e : heard.events) j.begin_object().field("t_s", e.t_s).field("gesture", e.gesture).end_object();
        j.end_array();
      }
      if (heard.alarm >= 0) {
        j.field("alarm", heard.alarm == 1);
        if (heard.alarm == 1) j.field("alarm_at_s", heard.alarm_at_s);
        j.field("decisions", static_cast<unsigned long>(heard.decisions));
      }
      j.end_object();
      std::printf("%s\n", j.str().c_str());
    } else if (!heard.label.empty()) {
      std::string scores;
      for (size_t i = 0; i < heard.scores.size(); ++i)
        scores += (i ? ", " : "") + listener->labels()[i] + " " + std::to_string(heard.scores[i]);
      std::printf("%s: %s (%s)\n", path.c_str(), heard.label.c_str(), scores.c_str());
    } else if (heard.has_events) {
      std::string events;
      char at[32];
      for (const Heard::Event& e : heard.events) {
        std::snprintf(at, sizeof at, "%.2f s", e.t_s);
        events += (events.empty() ? "" : ", ") + e.gesture + " at " + at;
      }
      std::printf("%s: %s\n", path.c_str(), events.empty() ? "no gesture" : events.c_str());
    } else if (heard.alarm >= 0) {
      std::printf("%s: score %.6f, %s\n", path.c_str(), heard.score,
                  heard.alarm == 1 ? ("alarm at " + std::to_string(heard.alarm_at_s).substr(0, 4) + " s").c_str() : "no alarm");
    } else {
      std::printf("%s: score %.6f\n", path.c_str(), heard.score);
    }
    std::fflush(stdout);
    if (bar) progress(done, files.size());
  }
  std::signal(SIGINT, previous);
  const bool interrupted = g_interrupted != 0;
  if (files.size() > 1 || interrupted) print_summary(*listener, tally, files.size(), interrupted);
  if (interrupted) return 130;
  return failures == 0 ? 0 : 1;
}

}  // namespace chorus::cli
