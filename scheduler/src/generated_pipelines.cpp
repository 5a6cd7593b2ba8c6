#include "chorus/scheduler/generated_pipelines.hpp"

#include <cstring>
#include <new>

namespace chorus {

Status GeneratedPipelines::StandIn::run(uint32_t step, SampleSource* source, runtime::Interpreter* model) {
  SampleSource* from = source;  // the pipeline's (PipelineConfig::source)
  if (from != nullptr && hop_ > 0) {
    int16_t chunk[64];
    for (size_t left = hop_; left > 0;) {
      const size_t want = left < 64 ? left : 64;
      const size_t ready = from->available();
      const size_t got = from->peek(0, chunk, want < ready ? want : ready);
      if (got == 0) break;
      from->consume(got);
      left -= got;
    }
  }
  return StandInWork::run(step, source, model);
}

Status spec_from_entry(const board::PipelineEntry& e, Span<const LinkedModel> models, PipelineSpec* out) {
  *out = PipelineSpec{};
  out->config.name = e.name;
  out->config.period = e.period_ns;
  out->config.relative_deadline = e.deadline_ns;
  out->config.phase = e.phase_ns;
  out->config.overload = e.overload ? sched::OverloadPolicy::kDropOldest : sched::OverloadPolicy::kSkip;
  out->level = e.level;
  out->priority = e.priority;
  out->npu = e.npu;
  if (e.model == nullptr) return Status::ok();
  for (const LinkedModel& m : models) {
    if (std::strcmp(m.id, e.model) != 0) continue;
    out->model = Span<const uint8_t>(m.begin, static_cast<size_t>(m.end - m.begin));
    return Status::ok();
  }
  return Status::error(StatusCode::kInvalidArgument, "pipeline '%s': model %s is not in the image", e.name, e.model);
}

Status GeneratedPipelines::build(Span<const board::PipelineEntry> entries, Span<const LinkedModel> models, Spin spin,
                                 SampleSource* source, size_t hop_samples) {
  if (entries.size() > kMax)
    return Status::error(StatusCode::kOutOfRange, "%zu pipelines, this build takes at most %u", entries.size(),
                         static_cast<unsigned>(kMax));
  count_ = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const board::PipelineEntry& e = entries[i];
    PipelineSpec& s = specs_[i];
    CHORUS_RETURN_IF_ERROR(spec_from_entry(e, models, &s));
    s.config.release = sched::ReleaseRule::kInterrupt;
    if (e.model != nullptr) {
      Result<runtime::Model> model = runtime::Model::load(s.model);
      if (!model.is_ok()) return Status(model.status()).prefix("pipeline '%s': ", e.name);
      size_t in_bytes = 0;
      for (int32_t t : model->inputs()) in_bytes += model->tensor(static_cast<size_t>(t)).bytes;
      s.config.features = new (inputs_[i]) sched::SeededInputs(e.input_seed, sched::SeededInputs::cycles_for(in_bytes));
    } else {
      s.config.features = new (standins_[i]) StandIn(e.feature_steps, e.feature_cycles, spin, hop_samples);
      s.config.source = source;
    }
    count_ = static_cast<uint32_t>(i + 1);
  }
  return Status::ok();
}

}  // namespace chorus
