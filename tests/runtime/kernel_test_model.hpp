// A .tflite model built in memory, for kernel edge-case tests that must go through the real
// loader, prepare and eval (shape/option validation, eval errors): one operator (set_op),
// or a graph of several (add_op, in execution order) for tests of whole-model passes such
// as the memory planner.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "support/op_runner.hpp"
#include "tflite_subset_generated.h"

namespace chorus::test {

class SingleOpModel {
 public:
  using OptionsFn = std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)>;

  // An activation tensor (no data) or, with `data`, a constant. `scale` 0: unquantised.
  int add_tensor(runtime::DType type, std::vector<int32_t> shape, float scale = 0.0f, int64_t zero_point = 0,
                 std::vector<uint8_t> data = {}) {
    tensors_.push_back(TensorSpec{type, std::move(shape), scale, zero_point, std::move(data)});
    return static_cast<int>(tensors_.size() - 1);
  }
  // A constant with one scale per slice along `axis` (TFLite per-channel quantisation, zero points 0).
  int add_per_channel_const(runtime::DType type, std::vector<int32_t> shape, std::vector<uint8_t> data, std::vector<float> scales,
                            int32_t axis) {
    TensorSpec t{type, std::move(shape), scales.empty() ? 0.0f : scales[0], 0, std::move(data)};
    t.scales = std::move(scales);
    t.axis = axis;
    tensors_.push_back(std::move(t));
    return static_cast<int>(tensors_.size() - 1);
  }
  template <class T>
  int add_const(runtime::DType type, std::vector<int32_t> shape, const std::vector<T>& values, float scale = 0.0f,
                int64_t zero_point = 0) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return add_tensor(type, std::move(shape), scale, zero_point, std::move(bytes));
  }

  void set_op(runtime::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
              chorus::tflite::BuiltinOptions options_type = chorus::tflite::BuiltinOptions::NONE, OptionsFn options = nullptr) {
    ops_.clear();
    add_op(code, std::move(inputs), std::move(outputs), options_type, std::move(options));
  }

  // Appends an operator. The graph's inputs are the activation inputs no operator
  // produces; its outputs are the last operator's outputs.
  void add_op(runtime::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
              chorus::tflite::BuiltinOptions options_type = chorus::tflite::BuiltinOptions::NONE, OptionsFn options = nullptr) {
    ops_.push_back(OpSpec{code, std::move(inputs), std::move(outputs), options_type, std::move(options)});
  }

  // Builds and loads the model; false with `error` set when loading fails.
  bool load(std::string* error) {
    flatbuffers::FlatBufferBuilder fbb;
    std::vector<flatbuffers::Offset<chorus::tflite::Buffer>> buffers{chorus::tflite::CreateBuffer(fbb)};
    std::vector<flatbuffers::Offset<chorus::tflite::Tensor>> tensors;
    for (const TensorSpec& t : tensors_) {
      uint32_t buffer = 0;
      if (!t.data.empty()) {
        buffer = static_cast<uint32_t>(buffers.size());
        buffers.push_back(chorus::tflite::CreateBufferDirect(fbb, &t.data));
      }
      flatbuffers::Offset<chorus::tflite::QuantizationParameters> quant = 0;
      if (!t.scales.empty()) {
        std::vector<int64_t> zero_points(t.scales.size(), 0);
        quant = chorus::tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &t.scales, &zero_points,
                                                                   chorus::tflite::QuantizationDetails::NONE, 0, t.axis);
      } else if (t.scale > 0.0f) {
        std::vector<float> scales{t.scale};
        std::vector<int64_t> zero_points{t.zero_point};
        quant = chorus::tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scales, &zero_points);
      }
      tensors.push_back(
          chorus::tflite::CreateTensorDirect(fbb, &t.shape, static_cast<chorus::tflite::TensorType>(t.type), buffer, "t", quant));
    }
    std::vector<int32_t> graph_inputs, produced;
    for (const OpSpec& op : ops_) {
      for (int32_t i : op.inputs)
        if (i >= 0 && tensors_[static_cast<size_t>(i)].data.empty() && !contains(produced, i) && !contains(graph_inputs, i))
          graph_inputs.push_back(i);
      produced.insert(produced.end(), op.outputs.begin(), op.outputs.end());
    }
    std::vector<runtime::OpCode> distinct;
    std::vector<flatbuffers::Offset<chorus::tflite::OperatorCode>> codes;
    std::vector<flatbuffers::Offset<chorus::tflite::Operator>> ops;
    for (const OpSpec& op : ops_) {
      size_t index = 0;
      while (index < distinct.size() && distinct[index] != op.code) ++index;
      if (index == distinct.size()) {
        distinct.push_back(op.code);
        const auto code = static_cast<chorus::tflite::BuiltinOperator>(op.code);
        codes.push_back(chorus::tflite::CreateOperatorCode(fbb, static_cast<int8_t>(op.code), 0, 1, code));
      }
      const flatbuffers::Offset<void> options = op.options ? op.options(fbb) : flatbuffers::Offset<void>();
      ops.push_back(chorus::tflite::CreateOperatorDirect(fbb, static_cast<uint32_t>(index), &op.inputs, &op.outputs,
                                                         op.options_type, options));
    }
    std::vector<int32_t> graph_outputs = ops_.empty() ? std::vector<int32_t>() : ops_.back().outputs;
    std::vector<flatbuffers::Offset<chorus::tflite::SubGraph>> subgraphs{
        chorus::tflite::CreateSubGraphDirect(fbb, &tensors, &graph_inputs, &graph_outputs, &ops)};
    fbb.Finish(chorus::tflite::CreateModelDirect(fbb, 3, &codes, &subgraphs, nullptr, &buffers),
               chorus::tflite::ModelIdentifier());
    bytes_ = tools::AlignedBytes(fbb.GetSize());
    std::memcpy(bytes_.data(), fbb.GetBufferPointer(), fbb.GetSize());
    Result<runtime::Model> model = runtime::Model::load(bytes_.span());
    if (!model.is_ok()) {
      *error = model.status().message();
      return false;
    }
    model_.reset(new runtime::Model(*model));
    return true;
  }

  // The model file load() built (empty before).
  const tools::AlignedBytes& bytes() const { return bytes_; }

  // The loaded model (load() first).
  const runtime::Model& model() const { return *model_; }

  // Loads (if needed), prepares and evaluates the first op with the given activation inputs.
  // False with `error` holding the loader's, prepare's or eval's message.
  bool run(const std::map<int, std::vector<uint8_t>>& inputs, std::vector<std::vector<uint8_t>>* outputs, std::string* error) {
    if (model_ == nullptr && !load(error)) return false;
    return run_single_op(*model_, 0, inputs, outputs, error);
  }

 private:
  struct TensorSpec {
    runtime::DType type;
    std::vector<int32_t> shape;
    float scale;
    int64_t zero_point;
    std::vector<uint8_t> data;
    std::vector<float> scales = {};  // per-channel
    int32_t axis = 0;
  };
  std::vector<TensorSpec> tensors_;
  struct OpSpec {
    runtime::OpCode code;
    std::vector<int32_t> inputs, outputs;
    chorus::tflite::BuiltinOptions options_type;
    OptionsFn options;
  };
  static bool contains(const std::vector<int32_t>& v, int32_t x) {
    for (int32_t y : v)
      if (y == x) return true;
    return false;
  }
  std::vector<OpSpec> ops_;
  tools::AlignedBytes bytes_;
  std::unique_ptr<runtime::Model> model_;
};

template <class T>
std::vector<uint8_t> to_bytes(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

template <class T>
std::vector<T> from_bytes(const std::vector<uint8_t>& bytes) {
  std::vector<T> values(bytes.size() / sizeof(T));
  if (!values.empty()) std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

}  // namespace chorus::test
