// Host side of `chorus board`: turns models (measured with ModelSession) and a loaded board
// into placement requests, runs the firmware placement, and keeps everything the emitters
// and the report need.
//
// Sizing (until the scheduler's level search exists, levels come from the command line):
// - a level's partition holds the activations of whichever of its models runs: the max over
//   its models of the planned activation bytes;
// - persistent data (tensor table, per-op data, variable tensors) lives as long as its model:
//   one area per model, never shared;
// - per-op scratch is transient and steps never interleave inside one: one scratch area, the
//   max over all models;
// - "one arena per model" (the baseline) is the sum over models of activations + persistent +
//   scratch. The Model/Interpreter objects are static variables in firmware, not arena bytes,
//   so neither side counts them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chorus/module/board_placement.hpp"
#include "chorus/module/host/board_xml.hpp"
#include "chorus/runtime/kernel.hpp"

namespace chorus::tools {

enum class ModelTarget { kAuto, kCpu, kNpu };

// One entry of --models: PATH[:LEVEL][:cpu|npu].
struct ModelSpec {
  std::string path;
  int level = -1;  // -1: its own level (the model's position in the list)
  ModelTarget target = ModelTarget::kAuto;
};

bool parse_model_specs(const std::string& text, std::vector<ModelSpec>* out, std::string* error);

struct ModelNeeds {
  std::string path;
  std::string name;  // file stem
  int level = 0;
  bool npu = false;  // its level's partition must be NPU-reachable
  size_t weight_bytes = 0;  // constant tensors (reported)
  size_t model_bytes = 0;   // the whole file, as `chorus embed` places it: the weights area's size
  size_t activation_bytes = 0;
  size_t persistent_bytes = 0;
  size_t scratch_bytes = 0;
  size_t object_bytes = 0;  // host-measured Model + Interpreter objects (reported, not placed)
};

// Loads and plans each model. kAuto targets the NPU when the board has one.
// Scratch is measured as `variant`'s kernels request it (kernel_variant_for the board's core
// when planning its firmware).
bool measure_models(const std::vector<ModelSpec>& specs, bool board_has_npu, std::vector<ModelNeeds>* out, std::string* error,
                    runtime::KernelVariant variant = runtime::build_kernel_variant());

// The kernels a firmware image for `cpu` compiles: Helium with MVE, the DSP kernels with the
// DSP extension, else the portable loops.
runtime::KernelVariant kernel_variant_for(const board::Cpu& cpu);

struct LayoutItem {
  std::string label;   // for people: "level 1", "persistent kws_ref_model", "weights ad01_int8"
  std::string symbol;  // for code: level1, persistent_kws_ref_model, weights_ad01_int8
  board::ItemKind kind = board::ItemKind::kPartition;
  int level = -1;
  bool npu = false;
  bool fixed = false;               // a partition from the XML
  std::vector<std::string> models;  // the models it serves
  uint32_t bytes = 0;
  board::PlacedItem placed;
};

// A pipeline of the scenario the layout was planned for (`chorus board --scenario`).
struct LayoutPipeline {
  std::string name;
  std::string model;  // model identifier, empty: none
  uint64_t period_ns = 0, deadline_ns = 0, phase_ns = 0;
  uint8_t level = 0, priority = 0;
  bool npu = false;
  uint32_t feature_steps = 0;
  uint64_t feature_cycles = 0;
  uint32_t input_seed = 1;
  uint8_t overload = 0;
};

struct BoardLayout {
  const board::host::BoardDescription* board = nullptr;
  std::vector<LayoutPipeline> pipelines;  // with --scenario: the planned pipelines
  uint32_t clock_hz = 0;                  // with --scenario: the clock they were planned at
  std::vector<ModelNeeds> models;
  std::vector<LayoutItem> items;  // partitions by level, persistent areas, scratch, weights, sensor buffers
  board::PlacementSummary summary;
  uint64_t arena_bytes = 0;      // placed arena items incl. alignment padding
  uint64_t per_model_bytes = 0;  // the baseline: one arena per model

  uint64_t saved_bytes() const { return per_model_bytes > arena_bytes ? per_model_bytes - arena_bytes : 0; }
};

// Sizes the items (see the header comment) and places them. Fails with a message naming the
// item, the bytes short and a region that could take it.
bool build_layout(const board::host::BoardDescription& board, const std::vector<ModelNeeds>& models, BoardLayout* out,
                  std::string* error);

std::string hex32(uint64_t v);            // 0x2000F000
std::string human_bytes(uint64_t bytes);  // "16000 B (15.6 KiB)"

}  // namespace chorus::tools
