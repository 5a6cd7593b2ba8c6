// chorus listen: recordings made by others through one of Chorus's pipelines
// (listen_pipelines.hpp), one result a file, summaries on stderr.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
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
    "usage: chorus listen FILE|DIR... [--pipeline P] [--json] [--features-out DIR] [--model M] [--frontend M]\n"
    "\n"
    "Runs recordings through a Chorus pipeline and prints one result a file:\n"
    "  micro_speech (default)  TFLM's micro_speech: label silence, unknown, yes or no\n"
    "  kws_ref                 MLPerf Tiny keyword spotting (MFCC + kws_ref_model): label down, go,\n"
    "                          left, no, off, on, right, stop, up, yes, silence or unknown\n"
    "  toycar                  MLPerf Tiny anomaly detection (log-mel + the ToyCar autoencoder):\n"
    "                          score, higher = more anomalous (files of at least 0.5 s)\n"
    "A directory is walked (subdirectories too) for .wav files, in path order; one with none is\n"
    "reported. WAV files may have any channel count (mixed down), any rate (resampled to\n"
    "16 kHz), integer PCM of 8 to 32 bits or 32/64-bit float. Keyword clips shorter than 1 s\n"
    "are padded with zeros, longer ones heard for their first second.\n"
    "\n"
    "Summaries go to stderr when the folders give the truth: accuracy and a confusion matrix for\n"
    "keywords (folders named for the words, _silence_ and _unknown_, as in Speech Commands),\n"
    "the ROC AUC for anomaly scores (folders normal/ and anomaly/, or file names starting with\n"
    "normal_ and anomaly_, as in DCASE). A progress bar shows when stderr is a terminal; an\n"
    "interrupted run (Ctrl-C) still prints the results and summary of the files it finished.\n"
    "  --pipeline P        micro_speech, kws_ref or toycar\n"
    "  --json              one compact JSON object a line: file, then label and scores\n"
    "                      (keywords) or score (anomaly)\n"
    "  --features-out DIR  keyword pipelines: write each clip's int8 model input to\n"
    "                      DIR/<file stem>.features.bin (micro_speech 49x40, kws_ref 49x10); files\n"
    "                      found under a directory keep their folders: DIR/<folders>/<stem>...\n"
    "  --model M           the pipeline's model instead of its default in " CHORUS_SHARED_DIR "/models\n"
    "  --frontend M        micro_speech: the front-end model (default audio_preprocessor_int8.tflite)\n"
    "Exit status 1 if any file could not be heard (the others are still reported), 130 when\n"
    "interrupted.\n";

volatile std::sig_atomic_t g_interrupted = 0;
void on_interrupt(int) { g_interrupted = 1; }

bool has_extension(const std::string& name, const char* ext) {
  const size_t n = std::strlen(ext);
  if (name.size() <= n) return false;
  for (size_t i = 0; i < n; ++i)
    if (std::tolower(static_cast<unsigned char>(name[name.size() - n + i])) != ext[i]) return false;
  return true;
}

bool is_recording(const std::string& name) { return has_extension(name, ".wav"); }

// A file to hear: its path as the user gave it (or as found under a directory given), and
// the part of it below that directory (the file name for a file given directly), which
// --features-out mirrors so clips of the same name in different folders stay apart.
struct Input {
  std::string path, relative;
};

void walk(const std::string& dir, const std::string& relative, std::vector<Input>* found) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + (dir.back() == '/' ? "" : "/") + name;
    const std::string rel = relative.empty() ? name : relative + "/" + name;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) walk(path, rel, found);
    else if (S_ISREG(st.st_mode) && is_recording(name)) found->push_back(Input{path, rel});
  }
  ::closedir(d);
}

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
    std::vector<Input> found;
    walk(a, "", &found);
    if (found.empty()) {
      fail("listen", a + ": a directory with no .wav files");
      ++*failures;
    }
    std::sort(found.begin(), found.end(), [](const Input& x, const Input& y) { return x.path < y.path; });
    files.insert(files.end(), found.begin(), found.end());
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

bool read_recording(const std::string& path, tools::Recording* r, std::string* error) {
  return tools::read_wav_recording(path, r, error);
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
  if (!parse_args(argc, argv, 2, {"json", "help"}, {"features-out", "frontend", "model", "pipeline"}, &args, &error))
    return usage_error("listen", error);
  if (args.has("help")) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  std::unique_ptr<Listener> listener = make_listener(args.get("pipeline", "micro_speech"));
  if (!listener) return usage_error("listen", "--pipeline " + args.get("pipeline") + ": not one of " + listener_names());
  if (args.positional.empty()) return usage_error("listen", "no recordings given (see --help)");
  if (args.has("features-out") && listener->labels().empty())
    return usage_error("listen", std::string("--features-out: the ") + listener->name() + " pipeline has no keyword features");
  ListenOptions options;
  options.shared_dir = CHORUS_SHARED_DIR;
  options.model = args.get("model");
  options.frontend = args.get("frontend");
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
    if (!read_recording(path, &recording, &error) || !listener->hear(recording, &heard, &error)) {
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
    } else if (heard.scored) {
      const int truth = anomaly_truth_from_path(path);
      if (truth == 0) tally.normal.push_back(heard.score);
      if (truth == 1) tally.anomalous.push_back(heard.score);
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
      j.end_object();
      std::printf("%s\n", j.str().c_str());
    } else if (!heard.label.empty()) {
      std::string scores;
      for (size_t i = 0; i < heard.scores.size(); ++i)
        scores += (i ? ", " : "") + listener->labels()[i] + " " + std::to_string(heard.scores[i]);
      std::printf("%s: %s (%s)\n", path.c_str(), heard.label.c_str(), scores.c_str());
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
