// The pipelines `chorus listen` runs on recordings: each takes a Recording (any rate,
// channel count or sample type its input allows), brings it to what its front end needs,
// and returns what it heard. Host only; one object per run (models are loaded once).
//   micro_speech  TFLM's micro_speech: audio_preprocessor_int8 + micro_speech_quantized
//   kws_ref       MLPerf Tiny keyword spotting: the MFCC front end + kws_ref_model
//   toycar        MLPerf Tiny anomaly detection: log-mel + the ToyCar autoencoder
//   vibration     learn-normal on this machine's own running: spectral bands + NormalProfile
//                 (scheduler/post/normal_profile.hpp), k-of-n alarm
//   gesture       radar cubes: the range-Doppler-angle front end + Chorus's gesture CNN,
//                 debounced events
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "chorus/tools/recording.hpp"

namespace chorus::cli {

// What one recording gave.
struct Heard {
  std::string label;              // classifiers: the winning label
  std::vector<int> scores;        // classifiers: the int8 output scores, in labels() order
  bool scored = false;            // anomaly pipelines: `score` is set
  double score = 0.0;             // higher = more anomalous
  int alarm = -1;                 // vibration: 1 when the k-of-n alarm was raised, 0 when not
  double alarm_at_s = -1.0;       // vibration: when it was first raised (s into the file)
  size_t decisions = 0;           // vibration: decisions (0.5 s each) the file held
  struct Event {
    double t_s;
    std::string gesture;
  };
  std::vector<Event> events;      // gesture: what was reported, when (s into the recording)
  bool has_events = false;
  std::vector<int8_t> features;   // the model input the front end made (--features-out)
};

struct ListenOptions {
  std::string shared_dir;  // ../shared (default models)
  std::string source_dir;  // the checkout (Chorus's own models)
  std::string frontend;    // micro_speech: the front-end model (empty: the default)
  std::string model;       // the model (empty: the pipeline's default)
  // Accelerometer files (NPY, CSV): their rate, units and axes.
  double rate_hz = 0.0;            // --rate; 0: the file must say (WAV)
  double units_to_g = 1.0;         // --units g (1), mg (0.001), m/s2 (1 / 9.80665)
  std::vector<std::string> axes;   // --axes x,y,z: CSV column names / the columns of an NPY (N, axes)
  // vibration: learn-normal.
  std::vector<std::string> learn;  // --learn PATH (files or directories, in order)
  double learn_seconds = 10.0;     // --learn-seconds: how much of them to learn from (2 to 60)
  std::string profile;             // --profile FILE: saved after learning, loaded without --learn
  bool quiet = false;              // no progress lines on stderr
};

// Reads a recording by its extension (.wav, .npy, .csv), with the options' rate, units and
// axes for accelerometer files. Values of accelerometer files are converted to g.
bool read_recording(const std::string& path, const ListenOptions& options, tools::Recording* out, std::string* error);
// The recordings (.wav, .npy, .csv) of a file or directory argument, in path order (the
// argument itself when it is not a directory).
std::vector<std::string> recordings_in(const std::string& path);
bool is_recording_name(const std::string& name);

class Listener {
 public:
  virtual ~Listener() = default;
  virtual const char* name() const = 0;
  // Classifiers: the output labels in model order; empty for scoring pipelines.
  virtual const std::vector<std::string>& labels() const = 0;
  // Loads the models; false with `error` set.
  virtual bool open(const ListenOptions& options, std::string* error) = 0;
  // Hears one recording; false with `error` set (the recording's fault, not the model's).
  virtual bool hear(const tools::Recording& recording, Heard* heard, std::string* error) = 0;
};

// The pipeline called `name`, or nullptr.
std::unique_ptr<Listener> make_listener(const std::string& name);
// The pipelines make_listener knows, for --help and errors.
const char* listener_names();

// The ground-truth label of a classifier's recording from the folder it is in (Speech
// Commands layout: yes/, no/, _silence_/, _unknown_/, other words), mapped onto `labels`
// (a word that is not a label is "unknown" when that is a label); "" when the folder
// says nothing.
std::string label_from_path(const std::string& path, const std::vector<std::string>& labels);
// Whether a recording for an anomaly pipeline is normal (0), anomalous (1) or unlabelled
// (-1): a folder named normal or healthy, or anomaly, abnormal, anomalous, fault, faulty,
// damaged, inner_race, outer_race or ball; else a file name starting with normal_ or
// anomaly_ (the DCASE 2020 task 2 naming).
int anomaly_truth_from_path(const std::string& path);
// The gesture a radar recording holds, from its folder or its file name's first part
// (Push_e1_u1_s1.npy, as the Infineon 60 GHz gesture set names them): push, pull,
// swipe_left, swipe_right, swipe_up, swipe_down; "" when neither says.
std::string gesture_truth_from_path(const std::string& path);

}  // namespace chorus::cli
