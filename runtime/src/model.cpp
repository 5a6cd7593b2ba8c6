#include "chorus/runtime/model.hpp"

#include <cmath>
#include <cstring>

#include "chorus/runtime/kernel.hpp"
#include "tflite_subset_generated.h"
#include "chorus/module/strings.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the .tflite format is little-endian; so is Chorus");

namespace chorus::runtime {
namespace {

namespace fb = chorus::tflite;

constexpr size_t kModelAlignment = 16;
constexpr size_t kMaxTensorBytes = size_t{1} << 30;  // no MCU arena comes near this

template <class T>
Span<const T> span_of(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? Span<const T>() : Span<const T>(v->data(), v->size());
}

// The options table each builtin op must carry (schema BuiltinOptions tags), or 0 for
// ops Chorus does not check.
uint8_t expected_options(int32_t code) {
  using O = fb::BuiltinOptions;
  switch (static_cast<OpCode>(code)) {
    case OpCode::kConv2d: return static_cast<uint8_t>(O::Conv2DOptions);
    case OpCode::kDepthwiseConv2d: return static_cast<uint8_t>(O::DepthwiseConv2DOptions);
    case OpCode::kAveragePool2d:
    case OpCode::kMaxPool2d: return static_cast<uint8_t>(O::Pool2DOptions);
    case OpCode::kSvdf: return static_cast<uint8_t>(O::SVDFOptions);
    case OpCode::kFullyConnected: return static_cast<uint8_t>(O::FullyConnectedOptions);
    case OpCode::kSoftmax: return static_cast<uint8_t>(O::SoftmaxOptions);
    case OpCode::kConcatenation: return static_cast<uint8_t>(O::ConcatenationOptions);
    case OpCode::kAdd: return static_cast<uint8_t>(O::AddOptions);
    case OpCode::kReshape: return static_cast<uint8_t>(O::ReshapeOptions);
    case OpCode::kMul: return static_cast<uint8_t>(O::MulOptions);
    case OpCode::kMean: return static_cast<uint8_t>(O::ReducerOptions);
    case OpCode::kSub: return static_cast<uint8_t>(O::SubOptions);
    case OpCode::kDiv: return static_cast<uint8_t>(O::DivOptions);
    case OpCode::kStridedSlice: return static_cast<uint8_t>(O::StridedSliceOptions);
    case OpCode::kTransposeConv: return static_cast<uint8_t>(O::TransposeConvOptions);
    case OpCode::kPack: return static_cast<uint8_t>(O::PackOptions);
    case OpCode::kCast: return static_cast<uint8_t>(O::CastOptions);
    case OpCode::kDequantize: return static_cast<uint8_t>(O::DequantizeOptions);
    case OpCode::kMaximum:
    case OpCode::kMinimum: return static_cast<uint8_t>(O::MaximumMinimumOptions);
    case OpCode::kQuantize: return static_cast<uint8_t>(O::QuantizeOptions);
    default: return 0;
  }
}

bool zero_point_in_range(DType type, int64_t zp) {
  switch (type) {
    case DType::kInt8: return zp >= -128 && zp <= 127;
    case DType::kUInt8: return zp >= 0 && zp <= 255;
    case DType::kInt16: return zp >= -32768 && zp <= 32767;
    default: return zp >= INT32_MIN && zp <= INT32_MAX;
  }
}

// Where a buffer's bytes are: inside the flatbuffer, or (models > 2 GB style) at an
// offset from the file start. Returns false when the reference leaves the file.
bool buffer_bytes(const fb::Buffer* buffer, Span<const uint8_t> file, Span<const uint8_t>* out) {
  *out = Span<const uint8_t>();
  if (buffer == nullptr) return true;
  if (buffer->data() != nullptr && buffer->data()->size() > 0) {
    *out = Span<const uint8_t>(buffer->data()->data(), buffer->data()->size());
    return true;
  }
  if (buffer->offset() > 1) {
    const uint64_t off = buffer->offset(), size = buffer->size();
    if (off > file.size() || size > file.size() - off) return false;
    *out = Span<const uint8_t>(file.data() + off, static_cast<size_t>(size));
  }
  return true;
}

Status check_tensor(const fb::Model* model, const fb::SubGraph* sg, size_t index, Span<const uint8_t> file) {
  const fb::Tensor* t = sg->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const char* name = t->name() != nullptr ? t->name()->c_str() : "";
  auto fail = [&](const char* what) {
    return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': %s", index, name, what);
  };
  const DType type = static_cast<DType>(t->type());
  const size_t elem = dtype_size(type);
  if (elem == 0)
    return Status::error(StatusCode::kUnsupported, "tensor %zu '%s': type %s (%d) is not supported", index, name,
                         dtype_name(type), static_cast<int>(t->type()));
  if (t->sparsity() != nullptr) return Status::error(StatusCode::kUnsupported, "tensor %zu '%s': sparse tensors are not supported", index, name);
  const auto* shape = t->shape();
  const size_t rank = shape == nullptr ? 0 : shape->size();
  if (rank > static_cast<size_t>(kMaxDims))
    return Status::error(StatusCode::kUnsupported, "tensor %zu '%s': rank %zu exceeds %d", index, name, rank, kMaxDims);
  uint64_t count = 1;
  for (size_t d = 0; d < rank; ++d) {
    const int32_t dim = shape->Get(static_cast<flatbuffers::uoffset_t>(d));
    if (dim < 0)
      return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': dimension %zu is %d (dynamic shapes are not supported)",
                           index, name, d, static_cast<int>(dim));
    count *= static_cast<uint64_t>(dim);
    if (count * elem > kMaxTensorBytes)
      return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': size overflows (more than %zu bytes)", index, name,
                           kMaxTensorBytes);
  }
  const size_t bytes = static_cast<size_t>(count * elem);

  if (t->buffer() >= model->buffers()->size())
    return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': buffer index %u out of range (%u buffers)", index, name,
                         static_cast<unsigned>(t->buffer()), static_cast<unsigned>(model->buffers()->size()));
  Span<const uint8_t> data;
  if (!buffer_bytes(model->buffers()->Get(t->buffer()), file, &data)) return fail("buffer offset points outside the file");
  if (!data.empty()) {
    if (data.size() != bytes)
      return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': buffer holds %zu bytes, shape needs %zu", index, name,
                           data.size(), bytes);
    const uintptr_t addr = reinterpret_cast<uintptr_t>(data.data());
    if (addr % (elem < kModelAlignment ? elem : kModelAlignment) != 0)
      return Status::error(StatusCode::kMalformedModel,
                           "tensor %zu '%s': data at file offset %zu is not aligned to its %zu-byte elements", index, name,
                           static_cast<size_t>(data.data() - file.data()), elem);
    if (t->is_variable()) return fail("a variable tensor must not have constant data");
  }

  const fb::QuantizationParameters* q = t->quantization();
  if (q != nullptr && q->scale() != nullptr && q->scale()->size() > 0) {
    const auto* scales = q->scale();
    const auto* zps = q->zero_point();
    const size_t n = scales->size();
    if (zps == nullptr || zps->size() != n)
      return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': %zu scales but %u zero points", index, name, n,
                           zps == nullptr ? 0u : static_cast<unsigned>(zps->size()));
    for (size_t i = 0; i < n; ++i) {
      const float s = scales->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (!std::isfinite(s) || !(s > 0.0f))
        return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': scale %zu is not finite and > 0", index, name, i);
      if (!zero_point_in_range(type, zps->Get(static_cast<flatbuffers::uoffset_t>(i))))
        return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': zero point %zu out of range for %s", index, name, i,
                             dtype_name(type));
    }
    if (n > 1) {
      int32_t axis = q->quantized_dimension();
      // Some converters wrote the weights' axis (3) on the matching rank-1 bias; TFLM
      // accepts that, reading the scales along the only dimension.
      if (rank == 1 && axis >= 1) axis = 0;
      if (axis < 0 || static_cast<size_t>(axis) >= rank)
        return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': quantized dimension %d outside rank %zu", index, name,
                             static_cast<int>(axis), rank);
      if (static_cast<size_t>(shape->Get(static_cast<flatbuffers::uoffset_t>(axis))) != n)
        return Status::error(StatusCode::kMalformedModel, "tensor %zu '%s': %zu per-axis scales for dimension %d of size %d", index,
                             name, n, static_cast<int>(axis), static_cast<int>(shape->Get(static_cast<flatbuffers::uoffset_t>(axis))));
    }
  }
  return Status::ok();
}

Status check_index_list(const flatbuffers::Vector<int32_t>* list, size_t num_tensors, bool allow_absent, const char* what,
                        size_t op_index, const char* op_name) {
  if (list == nullptr) return Status::ok();
  for (size_t i = 0; i < list->size(); ++i) {
    const int32_t v = list->Get(static_cast<flatbuffers::uoffset_t>(i));
    if ((v == -1 && allow_absent) || (v >= 0 && static_cast<size_t>(v) < num_tensors)) continue;
    if (op_index == SIZE_MAX)
      return Status::error(StatusCode::kMalformedModel, "subgraph %s %zu: tensor index %d out of range (%zu tensors)", what, i,
                           static_cast<int>(v), num_tensors);
    return Status::error(StatusCode::kMalformedModel, "op %zu (%s): %s %zu: tensor index %d out of range (%zu tensors)", op_index,
                         op_name, what, i, static_cast<int>(v), num_tensors);
  }
  return Status::ok();
}

}  // namespace

Result<Model> Model::load(Span<const uint8_t> bytes) { return load(bytes, LoadOptions{&builtin_op_resolver()}); }

Result<Model> Model::load(Span<const uint8_t> bytes, const LoadOptions& options) {
  if (bytes.data() == nullptr || bytes.size() < 8)
    return Status::error(StatusCode::kMalformedModel, "model is %zu bytes; a .tflite file has at least 8", bytes.size());
  if (reinterpret_cast<uintptr_t>(bytes.data()) % kModelAlignment != 0)
    return Status::error(StatusCode::kInvalidArgument, "model data at address 0x%lx is not %zu-byte aligned",
                         static_cast<unsigned long>(reinterpret_cast<uintptr_t>(bytes.data())), kModelAlignment);
  // The identifier at bytes 4..7, compared here (flatbuffers' BufferHasIdentifier and
  // VerifyModelBuffer would link newlib's strncmp into firmware for the same four bytes).
  const char* identifier = fb::ModelIdentifier();
  bool tflite = true;
  for (int i = 0; i < 4; ++i) tflite = tflite && static_cast<char>(bytes[4 + i]) == identifier[i];
  if (!tflite)
    return Status::error(StatusCode::kMalformedModel, "not a TFLite model: file identifier is not 'TFL3'");
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    return Status::error(StatusCode::kUnsupported, "model of %zu bytes exceeds the 2 GB flatbuffer limit", bytes.size());
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), 64, 1000000, true);
  if (!verifier.VerifyBuffer<fb::Model>(nullptr))
    return Status::error(StatusCode::kMalformedModel, "flatbuffer verification failed (%zu bytes): truncated or corrupt model",
                         bytes.size());

  const fb::Model* model = fb::GetModel(bytes.data());
  if (model->version() != 3)
    return Status::error(StatusCode::kUnsupported, "schema version %u; Chorus reads version 3", static_cast<unsigned>(model->version()));
  if (model->subgraphs() == nullptr || model->subgraphs()->size() == 0)
    return Status::error(StatusCode::kMalformedModel, "model has no subgraph");
  if (model->buffers() == nullptr || model->buffers()->size() == 0)
    return Status::error(StatusCode::kMalformedModel, "model has no buffer table");
  if (model->operator_codes() == nullptr) return Status::error(StatusCode::kMalformedModel, "model has no operator codes");
  const fb::SubGraph* sg = model->subgraphs()->Get(0);
  if (sg->tensors() == nullptr) return Status::error(StatusCode::kMalformedModel, "subgraph 0 has no tensors");

  Model m;
  m.bytes_ = bytes;
  m.model_ = model;
  m.subgraph_ = sg;
  m.num_tensors_ = sg->tensors()->size();
  m.num_ops_ = sg->operators() == nullptr ? 0 : sg->operators()->size();
  if (model->description() != nullptr) m.description_ = model->description()->c_str();

  for (size_t i = 0; i < model->buffers()->size(); ++i) {
    Span<const uint8_t> data;
    if (!buffer_bytes(model->buffers()->Get(static_cast<flatbuffers::uoffset_t>(i)), bytes, &data))
      return Status::error(StatusCode::kMalformedModel, "buffer %zu: offset/size point outside the %zu-byte file", i, bytes.size());
  }
  for (size_t i = 0; i < m.num_tensors_; ++i) CHORUS_RETURN_IF_ERROR(check_tensor(model, sg, i, bytes));

  CHORUS_RETURN_IF_ERROR(check_index_list(sg->inputs(), m.num_tensors_, false, "input", SIZE_MAX, ""));
  CHORUS_RETURN_IF_ERROR(check_index_list(sg->outputs(), m.num_tensors_, false, "output", SIZE_MAX, ""));
  m.inputs_ = span_of(sg->inputs());
  m.outputs_ = span_of(sg->outputs());

  const size_t num_codes = model->operator_codes()->size();
  for (size_t i = 0; i < m.num_ops_; ++i) {
    const fb::Operator* op = sg->operators()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (op->opcode_index() >= num_codes)
      return Status::error(StatusCode::kMalformedModel, "op %zu: operator code index %u out of range (%zu codes)", i,
                           static_cast<unsigned>(op->opcode_index()), num_codes);
    const OpInfo info = m.op(i);
    const char* name = info.name();
    if (info.code < 0 || info.code > 255 || (info.code == static_cast<int32_t>(OpCode::kCustom) && info.custom_code == nullptr))
      return Status::error(StatusCode::kMalformedModel, "op %zu: invalid operator code %d", i, static_cast<int>(info.code));
    CHORUS_RETURN_IF_ERROR(check_index_list(op->inputs(), m.num_tensors_, true, "input", i, name));
    CHORUS_RETURN_IF_ERROR(check_index_list(op->outputs(), m.num_tensors_, false, "output", i, name));
    CHORUS_RETURN_IF_ERROR(check_index_list(op->intermediates(), m.num_tensors_, false, "intermediate", i, name));
    for (int32_t out : info.outputs) {
      const TensorInfo t = m.tensor(static_cast<size_t>(out));
      if (t.constant_data != nullptr)
        return Status::error(StatusCode::kMalformedModel, "op %zu (%s): output tensor %d '%s' is a constant", i, name,
                             static_cast<int>(out), t.name);
    }
    const uint8_t expected = expected_options(info.code);
    const uint8_t raw_options = static_cast<uint8_t>(op->builtin_options_type());
    if (expected != 0 && raw_options != 0 && raw_options != expected)
      return Status::error(StatusCode::kMalformedModel, "op %zu (%s): builtin options of type %u, expected %u", i, name,
                           static_cast<unsigned>(raw_options), static_cast<unsigned>(expected));
    if (info.code == static_cast<int32_t>(OpCode::kCustom) && equal_strings(info.custom_code, "ethos-u")) {
      // Vela's operator: inputs are the command stream, the constant area, then scratch
      // areas and the real inputs. An Ethos-U fetches both constants by DMA, 16-byte aligned
      // (Arm Ethos-U driver: command stream and base addresses aligned to 16).
      m.vela_ = true;
      if (info.inputs.size() < 2)
        return Status::error(StatusCode::kMalformedModel, "op %zu (ethos-u): %zu inputs; a command stream and its constants are needed",
                             i, info.inputs.size());
      for (size_t k = 0; k < 2; ++k) {
        const int32_t t = info.inputs[k];
        const TensorInfo ti = t >= 0 ? m.tensor(static_cast<size_t>(t)) : TensorInfo{};
        const char* what = k == 0 ? "command stream" : "constant area";
        // A stream with no weights, biases or tables (an elementwise, slice or pad subgraph)
        // comes with an empty constant area: Vela writes a zero-length tensor.
        if (k == 1 && t >= 0 && ti.bytes == 0) continue;
        if (t < 0 || ti.constant_data == nullptr || ti.bytes == 0)
          return Status::error(StatusCode::kMalformedModel, "op %zu (ethos-u): the %s (input %zu) holds no data", i, what, k);
        const size_t offset = static_cast<size_t>(ti.constant_data - bytes.data());
        if (offset % 16 != 0)
          return Status::error(StatusCode::kMalformedModel, "op %zu (ethos-u): the %s starts at file offset %zu, not 16-byte aligned", i,
                               what, offset);
        (k == 0 ? m.vela_commands_ : m.vela_constants_) = Span<const uint8_t>(ti.constant_data, ti.bytes);
      }
    }
    if (options.resolver != nullptr && options.resolver->find(info) == nullptr) {
      if (m.vela_)
        return Status::error(StatusCode::kUnsupported,
                             "op %zu (ethos-u): model is compiled by Vela for an Ethos-U NPU; it needs an NPU backend that "
                             "runs command streams", i);
      return Status::error(StatusCode::kUnsupported, "op %zu (%s): operator is not supported by this build", i, name);
    }
  }

  if (model->metadata() != nullptr) {
    for (size_t i = 0; i < model->metadata()->size(); ++i) {
      const fb::Metadata* md = model->metadata()->Get(static_cast<flatbuffers::uoffset_t>(i));
      if (md->name() == nullptr || !equal_strings(md->name()->c_str(), "OfflineMemoryAllocation")) continue;
      if (md->buffer() >= model->buffers()->size())
        return Status::error(StatusCode::kMalformedModel, "OfflineMemoryAllocation: buffer index %u out of range",
                             static_cast<unsigned>(md->buffer()));
      Span<const uint8_t> data;
      (void)buffer_bytes(model->buffers()->Get(md->buffer()), bytes, &data);
      // TFLM layout: int32 [version, number of subgraphs, number of offsets, offset_0 ..
      // offset_n-1]; subgraph 0's tensors come first; -1 = plan at run time.
      if (data.size() < 12 || data.size() % 4 != 0 || reinterpret_cast<uintptr_t>(data.data()) % 4 != 0)
        return Status::error(StatusCode::kMalformedModel, "OfflineMemoryAllocation: %zu bytes is not an int32 table", data.size());
      const int32_t* words = reinterpret_cast<const int32_t*>(data.data());
      const size_t n = data.size() / 4 - 3;
      if (words[1] < 1 || words[2] < 0 || static_cast<size_t>(words[2]) != n || n < m.num_tensors_)
        return Status::error(StatusCode::kMalformedModel,
                             "OfflineMemoryAllocation: header says %d subgraphs and %d offsets; table holds %zu, subgraph 0 "
                             "has %zu tensors",
                             static_cast<int>(words[1]), static_cast<int>(words[2]), n, m.num_tensors_);
      for (size_t t = 0; t < m.num_tensors_; ++t)
        if (words[3 + t] < -1)
          return Status::error(StatusCode::kMalformedModel, "OfflineMemoryAllocation: tensor %zu has offset %d", t,
                               static_cast<int>(words[3 + t]));
      m.offline_offsets_ = Span<const int32_t>(words + 3, m.num_tensors_);
    }
  }
  return m;
}

TensorInfo Model::tensor(size_t index) const {
  const fb::Tensor* t = subgraph_->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index));
  TensorInfo info;
  info.type = static_cast<DType>(t->type());
  if (t->name() != nullptr) info.name = t->name()->c_str();
  if (const auto* shape = t->shape()) {
    info.shape.rank = static_cast<int32_t>(shape->size());
    for (flatbuffers::uoffset_t d = 0; d < shape->size(); ++d) info.shape.dims[d] = shape->Get(d);
  }
  info.bytes = static_cast<size_t>(info.shape.num_elements()) * dtype_size(info.type);
  info.is_variable = t->is_variable();
  Span<const uint8_t> data;
  (void)buffer_bytes(model_->buffers()->Get(t->buffer()), bytes_, &data);
  if (!data.empty()) info.constant_data = data.data();
  if (const auto* q = t->quantization()) {
    if (q->scale() != nullptr && q->scale()->size() > 0 && q->zero_point() != nullptr) {
      info.quant.count = q->scale()->size();
      info.quant.axis = info.shape.rank == 1 ? 0 : q->quantized_dimension();
      info.quant.scales = q->scale()->data();
      info.quant.zero_points = q->zero_point()->data();
      info.quant.scale = q->scale()->Get(0);
      info.quant.zero_point = static_cast<int32_t>(q->zero_point()->Get(0));
    }
  }
  return info;
}

OpInfo Model::op(size_t index) const {
  const fb::Operator* op = subgraph_->operators()->Get(static_cast<flatbuffers::uoffset_t>(index));
  const fb::OperatorCode* code = model_->operator_codes()->Get(op->opcode_index());
  OpInfo info;
  // Schema 3a: the op code is the larger of the deprecated byte field and the int32 field;
  // most converters fill only the byte field, leaving builtin_code at 0 (ADD).
  const int32_t deprecated = code->deprecated_builtin_code();
  const int32_t builtin = static_cast<int32_t>(code->builtin_code());
  info.code = deprecated > builtin ? deprecated : builtin;
  if (code->custom_code() != nullptr) info.custom_code = code->custom_code()->c_str();
  info.version = code->version();
  info.inputs = span_of(op->inputs());
  info.outputs = span_of(op->outputs());
  info.options_type = static_cast<uint8_t>(op->builtin_options_type());
  // Only tables of a type this schema knows were checked by the verifier; hide the rest.
  const bool known = info.options_type != 0 &&
                     fb::EnumNameBuiltinOptions(op->builtin_options_type())[0] != '\0';
  info.options = known ? op->builtin_options() : nullptr;
  if (!known) info.options_type = 0;
  if (op->custom_options() != nullptr) info.custom_options = span_of(op->custom_options());
  return info;
}

}  // namespace chorus::runtime
