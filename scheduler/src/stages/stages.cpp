#include "chorus/scheduler/stages/stages.hpp"

#include <cstring>

namespace chorus::sched {

Status WindowToInput::run(uint32_t, SampleSource* source, runtime::Interpreter* model) {
  if (source == nullptr || model == nullptr) return Status::error(StatusCode::kFailedPrecondition, "window stage needs a source and a model");
  const size_t bytes = static_cast<size_t>(window_) * source->info().frame_bytes();
  if (model->input_info(0).bytes != bytes)
    return Status::error(StatusCode::kInvalidArgument, "window of %u frames is %zu bytes; the model input takes %zu",
                         static_cast<unsigned>(window_), bytes, model->input_info(0).bytes);
  const size_t got = source->peek(0, model->input(0), window_);
  if (got != window_)
    return Status::error(StatusCode::kFailedPrecondition, "window needs %u frames, the source has %zu",
                         static_cast<unsigned>(window_), got);
  return Status::ok();
}

Status HistoryToInput::run(uint32_t, SampleSource*, runtime::Interpreter* model) {
  if (model == nullptr) return Status::error(StatusCode::kFailedPrecondition, "history stage needs a model");
  const size_t bytes = history_.frames() * history_.frame_bytes();
  if (model->input_info(0).bytes != bytes)
    return Status::error(StatusCode::kInvalidArgument, "feature history is %zu bytes; the model input takes %zu", bytes,
                         model->input_info(0).bytes);
  history_.copy_to(model->input(0));
  return Status::ok();
}

Status AppendOutput::run(const runtime::Interpreter* model, os::TimeNs, os::TimeNs) {
  if (model == nullptr) return Status::error(StatusCode::kFailedPrecondition, "append stage needs a model");
  if (model->output_info(0).bytes != history_.frame_bytes())
    return Status::error(StatusCode::kInvalidArgument, "model output is %zu bytes; a history frame is %zu",
                         model->output_info(0).bytes, history_.frame_bytes());
  history_.append(model->output(0));
  return Status::ok();
}

Status SeededInputs::run(uint32_t, SampleSource*, runtime::Interpreter* model) {
  if (model == nullptr) return Status::error(StatusCode::kFailedPrecondition, "seeded inputs without a model");
  for (size_t i = 0; i < model->num_inputs(); ++i) {
    uint8_t* p = model->input(i);
    const size_t bytes = model->input_info(i).bytes;  // (input_info reads the flatbuffer: once)
    for (size_t b = 0; b < bytes; ++b) {
      state_ ^= state_ << 13;
      state_ ^= state_ >> 17;
      state_ ^= state_ << 5;
      p[b] = static_cast<uint8_t>(state_);
    }
  }
  return Status::ok();
}

}  // namespace chorus::sched
