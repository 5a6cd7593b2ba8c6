// Loading real models, and refusing broken ones with a clear error and never a crash.
#include <gtest/gtest.h>

#include "kernels.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/interpreter.hpp"
#include "chorus/runtime/memory_plan.hpp"
#include "chorus/runtime/model.hpp"
#include "support/golden.hpp"
#include "tflite_subset_generated.h"

namespace chorus::test {
namespace {

using namespace chorus::runtime;
namespace fb = chorus::tflite;

const char* const kAllModels[] = {
    "ad01_int8", "audio_preprocessor_float", "audio_preprocessor_int8", "hello_world_int8", "keyword_scrambled",
    "keyword_scrambled_8bit", "kws_ref_model", "micro_speech_quantized", "model_ToyCar_quant_fullint_micro", "person_detect",
    "person_detect_vela", "pretrainedResnet_large_int8", "pretrainedResnet_quant", "str_ww_ref_model", "vww_96_int8",
};

// A mutable, 16-byte-aligned copy of a model file.
struct ModelCopy {
  tools::AlignedBytes bytes;
  explicit ModelCopy(const tools::AlignedBytes& original) : bytes(original.size()) {
    std::memcpy(bytes.data(), original.data(), original.size());
  }
  const fb::Model* root() const { return fb::GetModel(bytes.data()); }
  // Address inside the copy of a pointer obtained from root().
  template <class T>
  uint8_t* at(const T* p) {
    return const_cast<uint8_t*>(reinterpret_cast<const uint8_t*>(p));
  }
  Result<Model> load() const { return Model::load(bytes.span()); }
};

// Where a table's field is stored (nullptr when it holds its default).
template <class T>
const uint8_t* field_address(const T* table, flatbuffers::voffset_t field) {
  return reinterpret_cast<const flatbuffers::Table*>(table)->GetAddressOf(field);
}

template <class T>
void poke(uint8_t* where, T value) {
  std::memcpy(where, &value, sizeof(T));
}

// Loads, and if that succeeds plans, prepares and runs: none of it may crash.
bool load_and_run(Span<const uint8_t> bytes, std::string* why) {
  Result<Model> model = Model::load(bytes);
  if (!model.is_ok()) {
    *why = model.status().message();
    return false;
  }
  std::vector<uint32_t> offsets(model->num_tensors());
  std::vector<uint8_t> ws(plan_workspace_bytes(*model));
  Result<MemoryPlan> plan = plan_memory(*model, Span<uint32_t>(offsets.data(), offsets.size()), Span<uint8_t>(ws.data(), ws.size()));
  if (!plan.is_ok()) {
    *why = plan.status().message();
    return false;
  }
  Result<ArenaNeeds> needs = Interpreter::measure(*model, *plan);
  if (!needs.is_ok()) {
    *why = needs.status().message();
    return false;
  }
  if (needs->total() > (size_t{64} << 20)) {
    *why = "arena too large to try";
    return false;
  }
  tools::AlignedBytes arena(needs->total() + 16);
  Interpreter interp;
  Status s = interp.init(*model, *plan, arena.mutable_span());
  if (!s.is_ok()) {
    *why = s.message();
    return false;
  }
  s = interp.invoke();
  if (!s.is_ok()) *why = s.message();
  return s.is_ok();
}

TEST(ModelLoad, EverySharedModelVerifiesAndListsItsOps) {
  int loaded = 0;
  for (const char* stem : kAllModels) {
    tools::AlignedBytes file;
    ASSERT_TRUE(read_model_file(stem, &file));
    Result<Model> model = Model::load(file.span(), LoadOptions{nullptr});
    ASSERT_TRUE(model.is_ok()) << stem << ": " << model.status().message();
    EXPECT_GT(model->num_tensors(), 0u) << stem;
    EXPECT_EQ(model->inputs().size(), 1u) << stem;
    ++loaded;
  }
  std::printf("[ models   ] %d shared models verified\n", loaded);
}

TEST(ModelLoad, OpCodeIsTheLargerOfTheTwoFields) {
  // kws_ref_model sets only deprecated_builtin_code; builtin_code reads 0 (ADD).
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("kws_ref_model", &file));
  const fb::Model* raw = fb::GetModel(file.data());
  ASSERT_EQ(static_cast<int>(raw->operator_codes()->Get(0)->builtin_code()), 0);
  Result<Model> model = Model::load(file.span());
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  EXPECT_STREQ(model->op(0).name(), "CONV_2D");
  EXPECT_STREQ(model->op(1).name(), "DEPTHWISE_CONV_2D");
  EXPECT_STREQ(model->op(9).name(), "AVERAGE_POOL_2D");
  EXPECT_STREQ(model->op(12).name(), "SOFTMAX");
}

TEST(ModelLoad, UnsupportedCustomOpsFailWithNameAndIndex) {
  // The signal ops are supported now: rename the first one's custom code in a copy.
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("audio_preprocessor_int8", &file));
  const char kName[] = "SignalWindow";
  uint8_t* at = std::search(file.data(), file.data() + file.size(), kName, kName + sizeof(kName) - 1);
  ASSERT_NE(at, file.data() + file.size());
  at[sizeof(kName) - 2] = 'Q';
  Result<Model> model = Model::load(file.span());
  ASSERT_FALSE(model.is_ok());
  EXPECT_EQ(model.status().code(), StatusCode::kUnsupported);
  EXPECT_STREQ(model.status().message(), "op 0 (SignalWindoQ): operator is not supported by this build");
}

TEST(ModelLoad, VelaModelLoadsWithTheEthosUKernelAndIsRefusedWithoutIt) {
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("person_detect_vela", &file));
  Result<Model> structure = Model::load(file.span(), LoadOptions{nullptr});
  ASSERT_TRUE(structure.is_ok()) << structure.status().message();
  EXPECT_TRUE(structure->is_vela_compiled());
  EXPECT_EQ(structure->vela_command_stream().size(), 8168u);  // tensor 1, _split_1_command_stream
  EXPECT_EQ(structure->vela_constants().size(), 260480u);     // tensor 2, _split_1_flash
  EXPECT_EQ(reinterpret_cast<uintptr_t>(structure->vela_command_stream().data()) % 16, 0u);
  EXPECT_EQ(structure->offline_offsets().size(), structure->num_tensors());
  // The builtin resolver has the functional model's ethos-u kernel.
  Result<Model> loaded = Model::load(file.span());
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().message();
  // A resolver without it (an image built for a board with no NPU) refuses the model.
  static const Kernel kNoNpu[] = {kernels::kConv2d, kernels::kSoftmax};
  static const OpResolver kNoNpuResolver(kNoNpu, 2);
  Result<Model> model = Model::load(file.span(), LoadOptions{&kNoNpuResolver});
  ASSERT_FALSE(model.is_ok());
  EXPECT_NE(std::string(model.status().message()).find("Vela"), std::string::npos) << model.status().message();
  EXPECT_NE(std::string(model.status().message()).find("op 0 (ethos-u)"), std::string::npos) << model.status().message();
}

TEST(ModelLoad, MisalignedModelIsRefused) {
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("hello_world_int8", &file));
  std::vector<uint8_t> shifted(file.size() + 32);
  uint8_t* base = shifted.data() + (16 - reinterpret_cast<uintptr_t>(shifted.data()) % 16) % 16 + 4;
  std::memcpy(base, file.data(), file.size());
  Result<Model> model = Model::load(Span<const uint8_t>(base, file.size()));
  ASSERT_FALSE(model.is_ok());
  EXPECT_NE(std::string(model.status().message()).find("not 16-byte aligned"), std::string::npos) << model.status().message();
}

TEST(ModelLoad, EmptyAndTinyInputsAreRefused) {
  EXPECT_FALSE(Model::load(Span<const uint8_t>()).is_ok());
  alignas(16) uint8_t junk[16] = {1, 2, 3, 4, 'T', 'F', 'L', '3'};
  Result<Model> m = Model::load(Span<const uint8_t>(junk, sizeof(junk)));
  ASSERT_FALSE(m.is_ok());
  EXPECT_EQ(m.status().code(), StatusCode::kMalformedModel);
}

TEST(ModelLoad, TruncatedModelsFailCleanly) {
  int tried = 0, refused = 0;
  for (const char* stem : {"hello_world_int8", "micro_speech_quantized", "keyword_scrambled_8bit", "kws_ref_model"}) {
    tools::AlignedBytes file;
    ASSERT_TRUE(read_model_file(stem, &file));
    std::vector<size_t> cuts;
    for (size_t c = 0; c < 64 && c < file.size(); ++c) cuts.push_back(c);
    for (size_t k = 1; k < 200; ++k) cuts.push_back(file.size() * k / 200);
    for (size_t c = 1; c <= 16; ++c) cuts.push_back(file.size() - c);
    for (size_t cut : cuts) {
      tools::AlignedBytes part(cut);
      std::memcpy(part.data(), file.data(), cut);
      std::string why;
      if (!load_and_run(part.span(), &why)) ++refused;
      ++tried;
    }
  }
  std::printf("[ malformed] %d truncated models tried, %d refused with an error, none crashed\n", tried, refused);
  // Measured: every truncation (1116 of 1116) is refused; no margin: one that loads is a bug.
  EXPECT_EQ(refused, tried);
  EXPECT_EQ(tried, 1116);
}

TEST(ModelLoad, FlippedBytesFailCleanlyOrRun) {
  int tried = 0, refused = 0;
  uint32_t state = 12345;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  for (const char* stem : {"hello_world_int8", "micro_speech_quantized", "keyword_scrambled_8bit", "ad01_int8"}) {
    tools::AlignedBytes file;
    ASSERT_TRUE(read_model_file(stem, &file));
    // The structure (root, vtables, offsets, vectors' lengths) sits mostly outside the
    // weight buffers; flip anywhere, but weight bytes alone rarely matter.
    for (int i = 0; i < 400; ++i) {
      ModelCopy copy(file);
      const size_t at = next() % file.size();
      copy.bytes.data()[at] ^= static_cast<uint8_t>(1u << (next() % 8)) | static_cast<uint8_t>(next() & 0x80);
      std::string why;
      if (!load_and_run(copy.bytes.span(), &why)) ++refused;
      ++tried;
    }
  }
  std::printf("[ malformed] %d byte-flipped models tried, %d refused with an error, the rest ran; none crashed\n", tried, refused);
  EXPECT_EQ(tried, 4 * 400);
}

TEST(ModelLoad, RootOffsetOutsideTheBufferIsRefused) {
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file("micro_speech_quantized", &file));
  ModelCopy copy(file);
  poke<uint32_t>(copy.bytes.data(), 0xFFFFFF00u);
  Result<Model> m = copy.load();
  ASSERT_FALSE(m.is_ok());
  EXPECT_NE(std::string(m.status().message()).find("verification failed"), std::string::npos) << m.status().message();
}

class ModelMutation : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(read_model_file("kws_ref_model", &file_)); }
  std::string load_error(const ModelCopy& copy) {
    Result<Model> m = copy.load();
    return m.is_ok() ? std::string("(loaded)") : std::string(m.status().message());
  }
  tools::AlignedBytes file_;
};

TEST_F(ModelMutation, ZeroScaleNamesTheTensor) {
  ModelCopy copy(file_);
  const fb::Tensor* t = copy.root()->subgraphs()->Get(0)->tensors()->Get(0);
  poke<float>(copy.at(t->quantization()->scale()->data()), 0.0f);
  EXPECT_NE(load_error(copy).find("tensor 0 '"), std::string::npos) << load_error(copy);
  EXPECT_NE(load_error(copy).find("scale 0 is not finite and > 0"), std::string::npos) << load_error(copy);
}

TEST_F(ModelMutation, ShapeThatDisagreesWithItsBufferIsRefused) {
  ModelCopy copy(file_);
  // Find a constant tensor and double its first dimension.
  const auto* tensors = copy.root()->subgraphs()->Get(0)->tensors();
  for (size_t i = 0; i < tensors->size(); ++i) {
    const fb::Tensor* t = tensors->Get(static_cast<flatbuffers::uoffset_t>(i));
    const auto* buf = copy.root()->buffers()->Get(t->buffer());
    if (buf->data() == nullptr || buf->data()->size() == 0) continue;
    poke<int32_t>(copy.at(t->shape()->data()), t->shape()->Get(0) * 2);
    const std::string err = load_error(copy);
    EXPECT_NE(err.find("buffer holds"), std::string::npos) << err;
    EXPECT_NE(err.find("shape needs"), std::string::npos) << err;
    return;
  }
  FAIL() << "no constant tensor found";
}

TEST_F(ModelMutation, HugeDimensionOverflowIsRefused) {
  ModelCopy copy(file_);
  const fb::Tensor* t = copy.root()->subgraphs()->Get(0)->tensors()->Get(0);
  for (flatbuffers::uoffset_t d = 0; d < t->shape()->size(); ++d) poke<int32_t>(copy.at(t->shape()->data() + d), 0x7fffffff);
  EXPECT_NE(load_error(copy).find("size overflows"), std::string::npos) << load_error(copy);
}

TEST_F(ModelMutation, NegativeDimensionIsRefused) {
  ModelCopy copy(file_);
  const fb::Tensor* t = copy.root()->subgraphs()->Get(0)->tensors()->Get(0);
  poke<int32_t>(copy.at(t->shape()->data() + 1), -1);
  EXPECT_NE(load_error(copy).find("dimension 1 is -1"), std::string::npos) << load_error(copy);
}

TEST_F(ModelMutation, OperatorInputIndexOutOfRangeIsRefused) {
  ModelCopy copy(file_);
  const fb::Operator* op = copy.root()->subgraphs()->Get(0)->operators()->Get(3);
  poke<int32_t>(copy.at(op->inputs()->data() + 1), 9999);
  EXPECT_NE(load_error(copy).find("op 3 (DEPTHWISE_CONV_2D): input 1: tensor index 9999 out of range"), std::string::npos)
      << load_error(copy);
}

TEST_F(ModelMutation, OptionalInputMinusOneIsAccepted) {
  // The bias of a convolution may be absent (-1): the model still loads.
  ModelCopy copy(file_);
  const fb::Operator* op = copy.root()->subgraphs()->Get(0)->operators()->Get(11);  // FULLY_CONNECTED
  ASSERT_EQ(op->inputs()->size(), 3u);
  poke<int32_t>(copy.at(op->inputs()->data() + 2), -1);
  Result<Model> m = copy.load();
  ASSERT_TRUE(m.is_ok()) << m.status().message();
  EXPECT_EQ(m->op(11).inputs[2], -1);
}

TEST_F(ModelMutation, UnsupportedBuiltinOpNamesItself) {
  ModelCopy copy(file_);
  const fb::OperatorCode* code = copy.root()->operator_codes()->Get(0);
  const uint8_t* field = field_address(code, fb::OperatorCode::VT_DEPRECATED_BUILTIN_CODE);
  ASSERT_NE(field, nullptr);
  poke<int8_t>(const_cast<uint8_t*>(field), 16);  // LSTM
  EXPECT_EQ(load_error(copy), "op 0 (LSTM): operator is not supported by this build");
}

TEST_F(ModelMutation, OptionsOfTheWrongTypeAreRefused) {
  ModelCopy copy(file_);
  const fb::Operator* op = copy.root()->subgraphs()->Get(0)->operators()->Get(0);
  const uint8_t* field = field_address(op, fb::Operator::VT_BUILTIN_OPTIONS_TYPE);
  ASSERT_NE(field, nullptr);
  poke<uint8_t>(const_cast<uint8_t*>(field), static_cast<uint8_t>(fb::BuiltinOptions::SoftmaxOptions));
  EXPECT_NE(load_error(copy).find("op 0 (CONV_2D): builtin options of type 9, expected 1"), std::string::npos)
      << load_error(copy);
}

TEST_F(ModelMutation, OperatorCodeIndexOutOfRangeIsRefused) {
  ModelCopy copy(file_);
  const fb::Operator* op = copy.root()->subgraphs()->Get(0)->operators()->Get(1);
  const uint8_t* field = field_address(op, fb::Operator::VT_OPCODE_INDEX);
  ASSERT_NE(field, nullptr);
  poke<uint32_t>(const_cast<uint8_t*>(field), 77);
  EXPECT_NE(load_error(copy).find("op 1: operator code index 77 out of range"), std::string::npos) << load_error(copy);
}

TEST_F(ModelMutation, ZeroPointOutOfRangeIsRefused) {
  ModelCopy copy(file_);
  const fb::Tensor* t = copy.root()->subgraphs()->Get(0)->tensors()->Get(0);
  ASSERT_EQ(t->type(), fb::TensorType::INT8);
  poke<int64_t>(copy.at(t->quantization()->zero_point()->data()), 300);
  EXPECT_NE(load_error(copy).find("zero point 0 out of range for INT8"), std::string::npos) << load_error(copy);
}

}  // namespace
}  // namespace chorus::test
