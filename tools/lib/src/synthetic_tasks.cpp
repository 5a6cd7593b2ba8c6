#include "synthetic_tasks.hpp"

#include "tflite_subset_generated.h"

namespace chorus::tools::synthetic {

// A chain of int8 FULLY_CONNECTED layers, built in memory as a .tflite flatbuffer.
std::vector<uint8_t> fc_chain(const std::vector<int32_t>& widths, Random& rng) {
  namespace tfl = chorus::tflite;
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<tfl::Buffer>> buffers{tfl::CreateBuffer(fbb)};
  std::vector<flatbuffers::Offset<tfl::Tensor>> tensors;
  auto quant = [&](float scale) {
    std::vector<float> scales{scale};
    std::vector<int64_t> zero_points{0};
    return tfl::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scales, &zero_points);
  };
  auto activation = [&](int32_t width) {
    std::vector<int32_t> shape{1, width};
    tensors.push_back(tfl::CreateTensorDirect(fbb, &shape, tfl::TensorType::INT8, 0, "act", quant(0.05f)));
    return static_cast<int32_t>(tensors.size() - 1);
  };
  std::vector<flatbuffers::Offset<tfl::Operator>> ops;
  int32_t in = activation(widths[0]);
  const int32_t input = in;
  for (size_t l = 1; l < widths.size(); ++l) {
    const int32_t rows = widths[l], cols = widths[l - 1];
    std::vector<uint8_t> w(static_cast<size_t>(rows) * static_cast<size_t>(cols));
    for (uint8_t& b : w) b = static_cast<uint8_t>(rng.next());
    std::vector<uint8_t> bias(static_cast<size_t>(rows) * 4, 0);
    buffers.push_back(tfl::CreateBufferDirect(fbb, &w));
    std::vector<int32_t> wshape{rows, cols};
    tensors.push_back(tfl::CreateTensorDirect(fbb, &wshape, tfl::TensorType::INT8, static_cast<uint32_t>(buffers.size() - 1), "w",
                                              quant(0.01f)));
    const int32_t wt = static_cast<int32_t>(tensors.size() - 1);
    buffers.push_back(tfl::CreateBufferDirect(fbb, &bias));
    std::vector<int32_t> bshape{rows};
    tensors.push_back(tfl::CreateTensorDirect(fbb, &bshape, tfl::TensorType::INT32, static_cast<uint32_t>(buffers.size() - 1), "b",
                                              quant(0.0005f)));
    const int32_t bt = static_cast<int32_t>(tensors.size() - 1);
    const int32_t out = activation(rows);
    std::vector<int32_t> inputs{in, wt, bt}, outputs{out};
    ops.push_back(tfl::CreateOperatorDirect(fbb, 0, &inputs, &outputs, tfl::BuiltinOptions::FullyConnectedOptions,
                                            tfl::CreateFullyConnectedOptions(fbb).Union()));
    in = out;
  }
  std::vector<flatbuffers::Offset<tfl::OperatorCode>> codes{
      tfl::CreateOperatorCode(fbb, static_cast<int8_t>(tfl::BuiltinOperator::FULLY_CONNECTED), 0, 1, tfl::BuiltinOperator::FULLY_CONNECTED)};
  std::vector<int32_t> graph_in{input}, graph_out{in};
  std::vector<flatbuffers::Offset<tfl::SubGraph>> subgraphs{tfl::CreateSubGraphDirect(fbb, &tensors, &graph_in, &graph_out, &ops)};
  fbb.Finish(tfl::CreateModelDirect(fbb, 3, &codes, &subgraphs, nullptr, &buffers), tfl::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

}  // namespace chorus::tools::synthetic
