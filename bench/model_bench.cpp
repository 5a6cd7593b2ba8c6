// Time per inference and RAM per model for every shared model Chorus runs. The README's
// performance table quotes these figures (and bench/instructions.sh for instruction counts).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "chorus/tools/model_session.hpp"

namespace {

const char* const kModels[] = {
    "kws_ref_model", "micro_speech_quantized", "ad01_int8",     "person_detect",          "vww_96_int8",
    "pretrainedResnet_quant", "keyword_scrambled_8bit", "keyword_scrambled", "hello_world_int8",
};

// `path` empty: the shared model itself; else a Vela-compiled version of it (run by the
// Ethos-U functional model) with the original's golden input.
void BM_Inference(benchmark::State& state, const std::string& stem, const std::string& path) {
  chorus::tools::ModelSession session;
  std::string error;
  const std::string dir = CHORUS_SHARED_DIR;
  if (!session.load(path.empty() ? dir + "/models/" + stem + ".tflite" : path, &error) || !session.plan(chorus::runtime::PlanOptions(), &error) ||
      !session.init(&error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  std::vector<uint8_t> input;
  if (!chorus::tools::read_file(dir + "/golden/" + stem + "/seed1.input.bin", &input, &error) ||
      !session.set_inputs(input, &error)) {
    state.SkipWithError(error.c_str());
    return;
  }
  for (auto _ : state) {
    chorus::Status s = session.interpreter().invoke();
    if (!s.is_ok()) {
      state.SkipWithError(s.message());
      return;
    }
    benchmark::DoNotOptimize(session.interpreter().output(0));
  }
  const chorus::tools::RamReport ram = session.ram();
  state.counters["arena_B"] = static_cast<double>(ram.arena_bytes());
  state.counters["activ_B"] = static_cast<double>(ram.activation_bytes);
  state.counters["lower_bound_B"] = static_cast<double>(ram.lower_bound_bytes);
  state.counters["other_B"] = static_cast<double>(ram.persistent_bytes + ram.scratch_bytes + ram.object_bytes);
  state.counters["MACs"] = static_cast<double>(session.total_macs());
}

int register_all() {
  for (const char* stem : kModels)
    benchmark::RegisterBenchmark((std::string("inference/") + stem).c_str(), BM_Inference, std::string(stem), std::string())
        ->Unit(benchmark::kMicrosecond);
  // The Ethos-U functional model on the host: Vela's Ethos-U55-128 command streams.
  for (const char* stem : {"kws_ref_model", "micro_speech_quantized", "ad01_int8", "person_detect", "vww_96_int8"})
    benchmark::RegisterBenchmark((std::string("ethos-u55-128 functional model/") + stem).c_str(), BM_Inference, std::string(stem),
                                 std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela/ethos-u55-128/" + stem + "_vela.tflite")
        ->Unit(benchmark::kMicrosecond);
  return 0;
}
const int kRegistered = register_all();

}  // namespace

BENCHMARK_MAIN();
