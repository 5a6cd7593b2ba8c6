// Vela's timing estimates for a Vela-compiled model, and the checks that tie a Vela model to a
// board: the per-layer CSV Vela writes with --verbose-performance (<network>_per-layer.csv
// beside <network>_vela.tflite: one header line per NPU command stream, then one row per
// pass with its "Op Cycles", in NPU cycles), summed per command stream and assigned to the
// model's ethos-u operators in order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "chorus/module/board.hpp"
#include "chorus/runtime/model.hpp"

namespace chorus::tools {

// ".../kws_vela.tflite" -> ".../kws_per-layer.csv" (Vela's naming); "" for other names.
std::string vela_per_layer_path(const std::string& model_path);

// NPU cycles per command stream, in file order. False (with error naming the file and line)
// when the file cannot be read or has no "Op Cycles" column.
bool read_vela_per_layer(const std::string& path, std::vector<uint64_t>* cycles_per_stream, std::string* error);

// Per operator of `model`: the cycles of its ethos-u operators (the k-th one gets the k-th
// stream), 0 for the others. False when the counts differ.
bool vela_cycles_per_op(const runtime::Model& model, const std::vector<uint64_t>& per_stream, std::vector<uint32_t>* per_op,
                        std::string* error);

// The configuration a Vela model was compiled for ("ethos-u55-128"), from its first
// ethos-u operator's command stream; "" for a model Vela did not compile.
std::string vela_accelerator(const runtime::Model& model);

// "ethos-u55-128" for a board's NPU; "" without one.
std::string board_accelerator(const board::Npu* npu);

}  // namespace chorus::tools
