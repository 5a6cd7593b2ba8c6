// A one-operator .tflite model built in memory, for kernel edge-case tests that must go
// through the real loader, prepare and eval (shape/option validation, eval errors).
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
  template <class T>
  int add_const(runtime::DType type, std::vector<int32_t> shape, const std::vector<T>& values, float scale = 0.0f,
                int64_t zero_point = 0) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return add_tensor(type, std::move(shape), scale, zero_point, std::move(bytes));
  }

  void set_op(runtime::OpCode code, std::vector<int32_t> inputs, std::vector<int32_t> outputs,
              chorus::tflite::BuiltinOptions options_type = chorus::tflite::BuiltinOptions::NONE, OptionsFn options = nullptr) {
    code_ = code;
    inputs_ = std::move(inputs);
    outputs_ = std::move(outputs);
    options_type_ = options_type;
    options_ = std::move(options);
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
      if (t.scale > 0.0f) {
        std::vector<float> scales{t.scale};
        std::vector<int64_t> zero_points{t.zero_point};
        quant = chorus::tflite::CreateQuantizationParametersDirect(fbb, nullptr, nullptr, &scales, &zero_points);
      }
      tensors.push_back(
          chorus::tflite::CreateTensorDirect(fbb, &t.shape, static_cast<chorus::tflite::TensorType>(t.type), buffer, "t", quant));
    }
    std::vector<int32_t> graph_inputs;
    for (int32_t i : inputs_)
      if (i >= 0 && tensors_[static_cast<size_t>(i)].data.empty()) graph_inputs.push_back(i);
    const auto code = static_cast<chorus::tflite::BuiltinOperator>(code_);
    std::vector<flatbuffers::Offset<chorus::tflite::OperatorCode>> codes{
        chorus::tflite::CreateOperatorCode(fbb, static_cast<int8_t>(code_), 0, 1, code)};
    const flatbuffers::Offset<void> options = options_ ? options_(fbb) : flatbuffers::Offset<void>();
    std::vector<flatbuffers::Offset<chorus::tflite::Operator>> ops{
        chorus::tflite::CreateOperatorDirect(fbb, 0, &inputs_, &outputs_, options_type_, options)};
    std::vector<flatbuffers::Offset<chorus::tflite::SubGraph>> subgraphs{
        chorus::tflite::CreateSubGraphDirect(fbb, &tensors, &graph_inputs, &outputs_, &ops)};
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

  // Loads (if needed), prepares and evaluates the op with the given activation inputs.
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
  };
  std::vector<TensorSpec> tensors_;
  runtime::OpCode code_ = runtime::OpCode::kAdd;
  std::vector<int32_t> inputs_, outputs_;
  chorus::tflite::BuiltinOptions options_type_ = chorus::tflite::BuiltinOptions::NONE;
  OptionsFn options_;
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
