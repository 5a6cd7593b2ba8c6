// chorus_export_dataset: writes training or evaluation data for the gesture and anomaly
// models from the C++ simulators and DSP front ends (the same code the pipelines run).
//
//   chorus_export_dataset gesture   --band BAND --seed S --per-class N --out DIR
//   chorus_export_dataset vibration --band BAND --seed S --per-class N --out DIR [--faults normal|all]
//
// BAND: training, held_out, or held_out:FACTOR (the training band with one factor's
// held-out range; see dataset.hpp).
//
// DIR receives features.npy (int8, the model input bytes), labels.npy (uint8 class),
// params.npy (float32 per-example simulator parameters) and manifest.json (what was drawn,
// from which ranges, and how the features are quantised).
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "chorus/tools/file.hpp"
#include "chorus/tools/json.hpp"
#include "dataset.hpp"
#include "npy.hpp"

namespace {

namespace sim = chorus::drivers::sim;
using chorus::tools::JsonWriter;
using namespace chorus::train;

struct Options {
  std::string kind;
  DrawSpec band;
  uint64_t seed = 1;
  size_t per_class = 100;
  std::string out;
  bool all_faults = false;
};

int usage(const char* why) {
  std::fprintf(stderr,
               "chorus_export_dataset: %s\n"
               "usage: chorus_export_dataset gesture|vibration --band training|held_out[:FACTOR] --seed S --per-class N --out DIR"
               " [--faults normal|all]\n",
               why);
  return 2;
}

bool parse(int argc, char** argv, Options* o, std::string* error) {
  if (argc < 2) {
    *error = "missing the dataset kind";
    return false;
  }
  o->kind = argv[1];
  if (o->kind != "gesture" && o->kind != "vibration") {
    *error = "unknown dataset kind '" + o->kind + "'";
    return false;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) {
      *error = a + " needs a value";
      return false;
    }
    const std::string v = argv[++i];
    char* end = nullptr;
    if (a == "--band") {
      if (!parse_draw_spec(v, &o->band)) {
        *error = "--band must be training, held_out or held_out:FACTOR, got '" + v + "'";
        return false;
      }
    } else if (a == "--seed") {
      o->seed = std::strtoull(v.c_str(), &end, 10);
    } else if (a == "--per-class") {
      o->per_class = std::strtoull(v.c_str(), &end, 10);
      if (o->per_class == 0) end = nullptr;
    } else if (a == "--out") {
      o->out = v;
    } else if (a == "--faults") {
      if (v != "normal" && v != "all") {
        *error = "--faults must be normal or all, got '" + v + "'";
        return false;
      }
      o->all_faults = v == "all";
    } else {
      *error = "unknown option " + a;
      return false;
    }
    if ((a == "--seed" || a == "--per-class") && (end == nullptr || *end != '\0')) {
      *error = a + " needs a positive integer, got '" + v + "'";
      return false;
    }
  }
  if (o->out.empty()) {
    *error = "--out DIR is required";
    return false;
  }
  return true;
}

void range(JsonWriter& j, const char* name, const double (&r)[2]) {
  j.key(name).begin_array().value(r[0]).value(r[1]).end_array();
}

bool finish(const Options& o, const std::vector<size_t>& shape, const std::vector<int8_t>& features,
            const std::vector<uint8_t>& labels, const std::vector<float>& params, size_t param_count, JsonWriter& manifest) {
  std::string error;
  const size_t n = labels.size();
  if (!write_npy(o.out + "/features.npy", shape, features, &error) || !write_npy(o.out + "/labels.npy", {n}, labels, &error) ||
      !write_npy(o.out + "/params.npy", {n, param_count}, params, &error)) {
    std::fprintf(stderr, "chorus_export_dataset: %s\n", error.c_str());
    return false;
  }
  const std::string text = manifest.str() + "\n";
  if (!chorus::tools::write_file(o.out + "/manifest.json", reinterpret_cast<const uint8_t*>(text.data()), text.size(), &error)) {
    std::fprintf(stderr, "chorus_export_dataset: %s\n", error.c_str());
    return false;
  }
  std::printf("%s: %zu %s examples (%s band, seed %llu) -> %s\n", o.kind.c_str(), n, o.kind.c_str(), o.band.name.c_str(),
              static_cast<unsigned long long>(o.seed), o.out.c_str());
  return true;
}

int export_gestures(const Options& o) {
  GestureExamples examples;
  if (!examples.status().is_ok()) return usage(examples.status().message());
  const size_t classes = sim::kGestureCount;
  std::vector<int8_t> features;
  std::vector<uint8_t> labels;
  std::vector<float> params;
  features.reserve(classes * o.per_class * examples.example_size());
  for (size_t index = 0; index < o.per_class; ++index) {
    for (size_t c = 0; c < classes; ++c) {
      const GestureExample ex = examples.make(static_cast<sim::Gesture>(c), o.band, o.seed, index);
      if (!examples.status().is_ok()) {
        std::fprintf(stderr, "chorus_export_dataset: %s example %zu: %s\n", sim::gesture_name(ex.gesture), index,
                     examples.status().message());
        return 1;
      }
      features.insert(features.end(), ex.features.begin(), ex.features.end());
      labels.push_back(static_cast<uint8_t>(c));
      const sim::GestureParams& p = ex.params;
      for (double v : {p.distance_m, p.azimuth_deg, p.elevation_deg, p.duration_s, p.extent_m, p.snr_db, p.approach_s, p.hold_s,
                       p.return_s, static_cast<double>(p.hand_present), ex.motion_centre_s}) {
        params.push_back(static_cast<float>(v));
      }
    }
  }
  const auto& fc = examples.feature_config();
  const sim::GestureRanges& r = o.band.gesture;
  JsonWriter j;
  j.begin_object().field("kind", "gesture").field("band", o.band.name.c_str()).field("seed", static_cast<unsigned long long>(o.seed));
  j.field("count", static_cast<unsigned long long>(labels.size()));
  j.key("classes").begin_array();
  for (size_t c = 0; c < classes; ++c) j.value(sim::gesture_name(static_cast<sim::Gesture>(c)));
  j.end_array();
  j.key("features").begin_object();
  j.key("shape").begin_array().value(GestureExamples::kWindowFrames).value(static_cast<unsigned long long>(examples.row_size())).end_array();
  j.field("layout", "frames x [doppler profile, range profile, azimuth profile, elevation profile]");
  j.field("doppler_bins", static_cast<unsigned>(fc.range_doppler.chirps)).field("range_bins", static_cast<unsigned>(fc.range_doppler.range_bins));
  j.field("angle_bins", static_cast<unsigned>(fc.angle_bins));
  j.field("value", "log2(power + 1)").field("scale", static_cast<double>(fc.scale)).field("zero_point", static_cast<int>(fc.zero_point));
  j.end_object();
  j.key("ranges").begin_object();
  range(j, "distance_m", r.distance_m);
  range(j, "azimuth_deg", r.azimuth_deg);
  range(j, "elevation_deg", r.elevation_deg);
  range(j, "duration_s", r.duration_s);
  range(j, "extent_scale", r.extent_scale);
  range(j, "snr_db", r.snr_db);
  range(j, "push_distance_m", r.push_distance_m);
  range(j, "push_end_m", r.push_end_m);
  range(j, "approach_s", r.approach_s);
  range(j, "hold_s", r.hold_s);
  range(j, "return_s", r.return_s);
  j.end_object();
  j.key("params").begin_array();
  for (const char* name : {"distance_m", "azimuth_deg", "elevation_deg", "duration_s", "extent_m", "snr_db", "approach_s", "hold_s",
                           "return_s", "hand_present", "motion_centre_s"}) {
    j.value(name);
  }
  j.end_array().end_object();
  return finish(o, {labels.size(), static_cast<size_t>(GestureExamples::kWindowFrames), examples.row_size()}, features, labels,
                params, 11, j)
             ? 0
             : 1;
}

int export_vibration(const Options& o) {
  VibrationExamples examples;
  if (!examples.status().is_ok()) return usage(examples.status().message());
  const int faults = o.all_faults ? sim::kMachineFaultCount : 1;
  std::vector<int8_t> features;
  std::vector<uint8_t> labels;
  std::vector<float> params;
  for (size_t index = 0; index < o.per_class; ++index) {
    for (int f = 0; f < faults; ++f) {
      const VibrationExample ex = examples.make(static_cast<sim::MachineFault>(f), o.band, o.seed, index);
      if (!examples.status().is_ok()) {
        std::fprintf(stderr, "chorus_export_dataset: %s window %zu: %s\n", sim::machine_fault_name(ex.config.fault), index,
                     examples.status().message());
        return 1;
      }
      features.insert(features.end(), ex.features.begin(), ex.features.end());
      labels.push_back(static_cast<uint8_t>(f));
      for (double v : {ex.config.rpm, ex.config.severity, ex.config.noise_mg, static_cast<double>(ex.first_sample)}) {
        params.push_back(static_cast<float>(v));
      }
    }
  }
  const auto& fc = examples.feature_config();
  const sim::MachineRanges& r = o.band.machine;
  JsonWriter j;
  j.begin_object().field("kind", "vibration").field("band", o.band.name.c_str()).field("seed", static_cast<unsigned long long>(o.seed));
  j.field("count", static_cast<unsigned long long>(labels.size()));
  j.key("classes").begin_array();
  for (int f = 0; f < faults; ++f) j.value(sim::machine_fault_name(static_cast<sim::MachineFault>(f)));
  j.end_array();
  j.key("features").begin_object();
  j.key("shape").begin_array().value(static_cast<unsigned long long>(examples.row_size())).end_array();
  j.field("layout", "axis-major [x, y, z] x bands");
  j.field("frame_length", static_cast<unsigned>(fc.frame_length)).field("hop", static_cast<unsigned>(fc.hop));
  j.field("frames", static_cast<unsigned>(fc.frames)).field("window_samples", static_cast<unsigned long long>(examples.window_samples()));
  j.key("band_bins").begin_array();
  for (size_t b = 0; b < examples.features().bands(); ++b) {
    size_t first = 0, last = 0;
    examples.features().band_bins(b, &first, &last);
    j.begin_array().value(static_cast<unsigned long long>(first)).value(static_cast<unsigned long long>(last)).end_array();
  }
  j.end_array();
  j.field("value", "log2(mean band power + 1)").field("scale", static_cast<double>(fc.scale)).field("zero_point", static_cast<int>(fc.zero_point));
  j.end_object();
  j.key("ranges").begin_object();
  range(j, "rpm", r.rpm);
  range(j, "severity", r.severity);
  range(j, "noise_mg", r.noise_mg);
  j.end_object();
  j.key("params").begin_array().value("rpm").value("severity").value("noise_mg").value("first_sample").end_array();
  j.end_object();
  return finish(o, {labels.size(), examples.row_size()}, features, labels, params, 4, j) ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::string error;
  if (!parse(argc, argv, &o, &error)) return usage(error.c_str());
  // The output folder and any missing parents.
  for (size_t at = o.out.find('/', 1); at != std::string::npos; at = o.out.find('/', at + 1)) ::mkdir(o.out.substr(0, at).c_str(), 0755);
  ::mkdir(o.out.c_str(), 0755);
  return o.kind == "gesture" ? export_gestures(o) : export_vibration(o);
}
