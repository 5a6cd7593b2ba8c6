#include "evaluation.hpp"

#include <algorithm>
#include <cstring>

#include "chorus/drivers/sim/random.hpp"

namespace chorus::train {

namespace sim = chorus::drivers::sim;

bool TrainedModel::load(const std::string& path, std::string* error) {
  return session_.load(path, error) && session_.plan(runtime::PlanOptions(), error) && session_.init(error) && check(error);
}

bool TrainedModel::load_bytes(tools::AlignedBytes bytes, std::string* error) {
  return session_.load_bytes(std::move(bytes), error) && session_.plan(runtime::PlanOptions(), error) && session_.init(error) &&
         check(error);
}

bool TrainedModel::check(std::string* error) {
  runtime::Interpreter& in = session_.interpreter();
  if (in.num_inputs() != 1 || in.num_outputs() != 1 || in.input_info(0).type != runtime::DType::kInt8 ||
      in.output_info(0).type != runtime::DType::kInt8) {
    *error = "expected one int8 input and one int8 output";
    return false;
  }
  return true;
}

float TrainedModel::input_scale() const { return session_.model().tensor(static_cast<size_t>(session_.model().inputs()[0])).quant.scale; }
float TrainedModel::output_scale() const {
  return session_.model().tensor(static_cast<size_t>(session_.model().outputs()[0])).quant.scale;
}
int32_t TrainedModel::output_zero_point() const {
  return session_.model().tensor(static_cast<size_t>(session_.model().outputs()[0])).quant.zero_point;
}

std::vector<int8_t> TrainedModel::run(const std::vector<int8_t>& input, std::string* error) {
  std::vector<uint8_t> bytes(input.size());
  std::memcpy(bytes.data(), input.data(), input.size());
  if (!session_.set_inputs(bytes, error)) return {};
  Status s = session_.interpreter().invoke();
  if (!s.is_ok()) {
    *error = s.message();
    return {};
  }
  const std::vector<uint8_t> out = session_.outputs();
  std::vector<int8_t> result(out.size());
  std::memcpy(result.data(), out.data(), out.size());
  return result;
}

size_t argmax(const std::vector<int8_t>& scores) {
  size_t best = 0;
  for (size_t i = 1; i < scores.size(); ++i) {
    if (scores[i] > scores[best]) best = i;
  }
  return best;
}

bool evaluate_gestures(TrainedModel& model, GestureExamples& examples, const DrawSpec& spec, uint64_t seed, size_t per_class,
                       GestureEvaluation* out, std::string* error) {
  for (size_t index = 0; index < per_class; ++index) {
    for (int c = 0; c < sim::kGestureCount; ++c) {
      const GestureExample ex = examples.make(static_cast<sim::Gesture>(c), spec, seed, index);
      if (!examples.status().is_ok()) {
        *error = examples.status().message();
        return false;
      }
      const std::vector<int8_t> scores = model.run(ex.features, error);
      if (scores.size() != static_cast<size_t>(sim::kGestureCount)) {
        if (error->empty()) *error = "the model has " + std::to_string(scores.size()) + " outputs, expected " + std::to_string(sim::kGestureCount) + " gestures";
        return false;
      }
      const size_t predicted = argmax(scores);
      out->confusion[static_cast<size_t>(c)][predicted] += 1;
      out->total += 1;
      out->correct += predicted == static_cast<size_t>(c) ? 1 : 0;
    }
  }
  return true;
}

double reconstruction_error(const std::vector<int8_t>& input, const std::vector<int8_t>& output, float scale) {
  double sum = 0.0;
  for (size_t i = 0; i < input.size(); ++i) {
    const double d = (static_cast<double>(output[i]) - static_cast<double>(input[i])) * scale;
    sum += d * d;
  }
  return input.empty() ? 0.0 : sum / static_cast<double>(input.size());
}

bool evaluate_anomaly(TrainedModel& model, VibrationExamples& examples, const DrawSpec& spec, uint64_t seed, size_t per_class,
                      AnomalyEvaluation* out, std::string* error) {
  if (model.output_size() != examples.row_size() || model.input_size() != examples.row_size() ||
      model.output_scale() != model.input_scale() || model.output_zero_point() != examples.feature_config().zero_point) {
    *error = "the autoencoder must map " + std::to_string(examples.row_size()) +
             " features to as many, quantised like its input";
    return false;
  }
  for (size_t index = 0; index < per_class; ++index) {
    for (int f = 0; f < sim::kMachineFaultCount; ++f) {
      const VibrationExample ex = examples.make(static_cast<sim::MachineFault>(f), spec, seed, index);
      if (!examples.status().is_ok()) {
        *error = examples.status().message();
        return false;
      }
      const std::vector<int8_t> output = model.run(ex.features, error);
      if (output.empty()) return false;
      out->scores[static_cast<size_t>(f)].push_back(reconstruction_error(ex.features, output, model.input_scale()));
    }
  }
  return true;
}

double roc_auc(const std::vector<double>& negatives, const std::vector<double>& positives) {
  if (negatives.empty() || positives.empty()) return 0.0;
  std::vector<double> neg = negatives;
  std::sort(neg.begin(), neg.end());
  double wins = 0.0;
  for (double p : positives) {
    const auto lower = std::lower_bound(neg.begin(), neg.end(), p);
    const auto upper = std::upper_bound(neg.begin(), neg.end(), p);
    wins += static_cast<double>(lower - neg.begin()) + 0.5 * static_cast<double>(upper - lower);
  }
  return wins / (static_cast<double>(neg.size()) * static_cast<double>(positives.size()));
}

double AnomalyEvaluation::auc(sim::MachineFault fault) const {
  return roc_auc(scores[0], scores[static_cast<size_t>(fault)]);
}

double AnomalyEvaluation::auc_all_faults() const {
  std::vector<double> faults;
  for (size_t f = 1; f < scores.size(); ++f) faults.insert(faults.end(), scores[f].begin(), scores[f].end());
  return roc_auc(scores[0], faults);
}

std::vector<int8_t> probe_input(size_t bytes, uint64_t index, int low, int high) {
  constexpr uint64_t kProbeStream = 0x50524f4245000000ull;  // "PROBE"
  std::vector<int8_t> out(bytes);
  const uint64_t span = static_cast<uint64_t>(high - low + 1);
  for (size_t i = 0; i < bytes; ++i) {
    out[i] = static_cast<int8_t>(low + static_cast<int>(sim::random_bits(index, kProbeStream, i) % span));
  }
  return out;
}

uint64_t fnv1a64(const std::vector<int8_t>& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int8_t b : bytes) {
    h ^= static_cast<uint8_t>(b);
    h *= 0x100000001b3ull;
  }
  return h;
}

}  // namespace chorus::train
