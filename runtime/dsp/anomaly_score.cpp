#include "chorus/runtime/dsp/anomaly_score.hpp"

#include <cstring>

#include "reference/quantize_ref.hpp"

namespace chorus::runtime::dsp {

namespace {

Status check_window(const TensorInfo& tensor, const char* role, size_t values) {
  if (tensor.type != DType::kFloat32 && tensor.type != DType::kInt8) {
    return Status::error(StatusCode::kUnsupported, "autoencoder %s '%s' is %s (float32 or int8 supported)", role, tensor.name,
                         dtype_name(tensor.type));
  }
  if (static_cast<size_t>(tensor.shape.num_elements()) != values) {
    return Status::error(StatusCode::kInvalidArgument, "autoencoder %s '%s' has %lld elements, the window %zu", role, tensor.name,
                         static_cast<long long>(tensor.shape.num_elements()), values);
  }
  return Status::ok();
}

}  // namespace

double mean_squared_error(Span<const float> input, Span<const float> reconstruction) {
  if (input.empty() || input.size() != reconstruction.size()) return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < input.size(); ++i) {
    const double d = static_cast<double>(reconstruction[i]) - static_cast<double>(input[i]);
    sum += d * d;
  }
  return sum / static_cast<double>(input.size());
}

Status write_autoencoder_input(Interpreter& model, Span<const float> window) {
  if (!model.initialised()) return Status::error(StatusCode::kFailedPrecondition, "autoencoder not initialised");
  const TensorInfo info = model.input_info(0);
  CHORUS_RETURN_IF_ERROR(check_window(info, "input", window.size()));
  if (info.type == DType::kFloat32) {
    std::memcpy(model.input(0), window.data(), window.size() * sizeof(float));
  } else {
    kernels::affine_quantize(window.data(), window.size(), info.quant.scale, info.quant.zero_point,
                             reinterpret_cast<int8_t*>(model.input(0)));
  }
  return Status::ok();
}

Result<double> autoencoder_error(const Interpreter& model, Span<const float> window) {
  if (!model.initialised()) return Status::error(StatusCode::kFailedPrecondition, "autoencoder not initialised");
  const TensorInfo info = model.output_info(0);
  CHORUS_RETURN_IF_ERROR(check_window(info, "output", window.size()));
  if (window.empty()) return Status::error(StatusCode::kInvalidArgument, "empty autoencoder window");
  const uint8_t* out = model.output(0);
  if (info.type == DType::kFloat32) {
    // The output buffer comes from the arena, 16-byte aligned.
    return mean_squared_error(window, Span<const float>(reinterpret_cast<const float*>(out), window.size()));
  }
  const int8_t* q = reinterpret_cast<const int8_t*>(out);
  double sum = 0.0;
  for (size_t i = 0; i < window.size(); ++i) {
    float value;
    kernels::dequantize(q + i, 1, info.quant.scale, info.quant.zero_point, &value);
    const double d = static_cast<double>(value) - static_cast<double>(window[i]);
    sum += d * d;
  }
  return sum / static_cast<double>(window.size());
}

Result<double> score_clip(Interpreter& model, Span<const float> log_mel, size_t mels, size_t frames_per_window) {
  if (mels == 0 || frames_per_window == 0 || log_mel.size() % mels != 0) {
    return Status::error(StatusCode::kInvalidArgument,
                         "log-mel array of %zu values is not whole frames of %zu mels (window of %zu frames)", log_mel.size(),
                         mels, frames_per_window);
  }
  const size_t frames = log_mel.size() / mels;
  if (frames < frames_per_window) {
    return Status::error(StatusCode::kInvalidArgument, "clip of %zu frames is shorter than one window of %zu", frames,
                         frames_per_window);
  }
  AnomalyScore score;
  const size_t window_values = mels * frames_per_window;
  for (size_t w = 0; w + frames_per_window <= frames; ++w) {
    const Span<const float> window = log_mel.subspan(w * mels, window_values);
    CHORUS_RETURN_IF_ERROR(write_autoencoder_input(model, window));
    Status run = model.invoke();
    if (!run) return run.prefix("anomaly window %zu: ", w);
    Result<double> error = autoencoder_error(model, window);
    if (!error) return error.status();
    score.add(*error);
  }
  return score.score();
}

}  // namespace chorus::runtime::dsp
