#include "chorus/tools/vela_performance.hpp"

#include <cstring>
#include <fstream>
#include <sstream>

#include "chorus/runtime/ethosu/command_stream.hpp"

namespace chorus::tools {
namespace {

bool is_ethosu(const runtime::OpInfo& op) {
  return op.code == static_cast<int32_t>(runtime::OpCode::kCustom) && op.custom_code != nullptr && std::strcmp(op.custom_code, "ethos-u") == 0;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += ch;
    }
  }
  cells.push_back(cell);
  return cells;
}

}  // namespace

std::string vela_per_layer_path(const std::string& model_path) {
  const std::string suffix = "_vela.tflite";
  if (model_path.size() <= suffix.size() || model_path.compare(model_path.size() - suffix.size(), suffix.size(), suffix) != 0) return "";
  return model_path.substr(0, model_path.size() - suffix.size()) + "_per-layer.csv";
}

bool read_vela_per_layer(const std::string& path, std::vector<uint64_t>* out, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    *error = path + ": cannot read Vela's per-layer estimates (vela --verbose-performance writes them)";
    return false;
  }
  out->clear();
  std::string line;
  size_t column = 0, number = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::vector<std::string> cells = split_csv(line);
    if (!cells.empty() && cells[0] == "TFLite_operator") {
      column = 0;
      while (column < cells.size() && cells[column] != "Op Cycles") ++column;
      if (column == cells.size()) {
        *error = path + ":" + std::to_string(number) + ": no \"Op Cycles\" column";
        return false;
      }
      header = true;
      out->push_back(0);
      continue;
    }
    if (!header || column >= cells.size()) {
      *error = path + ":" + std::to_string(number) + ": a row before any header, or without an \"Op Cycles\" cell";
      return false;
    }
    char* end = nullptr;
    const double cycles = std::strtod(cells[column].c_str(), &end);
    if (end == cells[column].c_str() || cycles < 0 || cycles > 1e15) {
      *error = path + ":" + std::to_string(number) + ": \"" + cells[column] + "\" is not a cycle count";
      return false;
    }
    out->back() += static_cast<uint64_t>(cycles + 0.5);
  }
  if (out->empty()) {
    *error = path + ": no command stream in it";
    return false;
  }
  return true;
}

bool vela_cycles_per_op(const runtime::Model& model, const std::vector<uint64_t>& per_stream, std::vector<uint32_t>* per_op,
                        std::string* error) {
  per_op->assign(model.num_ops(), 0);
  size_t k = 0;
  for (size_t i = 0; i < model.num_ops(); ++i) {
    if (!is_ethosu(model.op(i))) continue;
    if (k >= per_stream.size()) break;
    const uint64_t c = per_stream[k++];
    (*per_op)[i] = static_cast<uint32_t>(c > 0xFFFFFFFFu ? 0xFFFFFFFFu : (c == 0 ? 1 : c));
  }
  size_t streams = 0;
  for (size_t i = 0; i < model.num_ops(); ++i) streams += is_ethosu(model.op(i)) ? 1 : 0;
  if (streams != per_stream.size()) {
    *error = "the model has " + std::to_string(streams) + " ethos-u operators, Vela's estimates " + std::to_string(per_stream.size()) +
             " command streams";
    return false;
  }
  return true;
}

std::string vela_accelerator(const runtime::Model& model) {
  for (size_t i = 0; i < model.num_ops(); ++i) {
    const runtime::OpInfo op = model.op(i);
    if (!is_ethosu(op) || op.inputs.empty() || op.inputs[0] < 0) continue;
    const runtime::TensorInfo cmd = model.tensor(static_cast<size_t>(op.inputs[0]));
    Result<runtime::ethosu::DriverPayload> p =
        runtime::ethosu::parse_driver_payload(Span<const uint8_t>(cmd.constant_data, cmd.constant_data ? cmd.bytes : 0));
    if (p.is_ok()) return runtime::ethosu::accelerator_name(*p);
  }
  return "";
}

std::string board_accelerator(const board::Npu* npu) {
  if (npu == nullptr) return "";
  const char* type = npu->type == board::NpuType::kEthosU55 ? "ethos-u55" : npu->type == board::NpuType::kEthosU65 ? "ethos-u65" : "ethos-u85";
  return std::string(type) + "-" + std::to_string(npu->macs_per_cycle);
}

}  // namespace chorus::tools
