// Bit-exactness against the TFLM reference kernels: every shared golden model and seed,
// final outputs and every operator's output, and the stateful SVDF sequences.
#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "support/golden.hpp"
#include "support/op_runner.hpp"

namespace chorus::test {
namespace {

using namespace chorus::runtime;

const char* const kGoldenModels[] = {
    "ad01_int8",     "hello_world_int8", "keyword_scrambled", "keyword_scrambled_8bit", "kws_ref_model",
    "micro_speech_quantized", "person_detect", "pretrainedResnet_quant", "vww_96_int8",
};

class GoldenModel : public ::testing::TestWithParam<const char*> {};

TEST_P(GoldenModel, OutputsMatchReferenceForEverySeed) {
  const std::string stem = GetParam();
  int compared = 0;
  for (int seed = 1; seed <= 3; ++seed) {
    ModelRunner runner;
    ASSERT_TRUE(runner.open(stem));
    std::vector<uint8_t> input, expected;
    ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &input));
    ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &expected));
    ASSERT_EQ(input.size(), runner.input_bytes());
    ASSERT_EQ(expected.size(), runner.output_bytes());
    runner.set_input(input);
    Status s = runner.interpreter().invoke();
    ASSERT_TRUE(s.is_ok()) << s.message();
    const std::vector<uint8_t> out = runner.output();
    EXPECT_EQ(0, std::memcmp(expected.data(), out.data(), out.size()))
        << stem << " seed " << seed << ": " << first_difference(expected.data(), out.data(), out.size());
    ++compared;
  }
  std::printf("[ golden   ] %s: %d seeds' outputs compared bit for bit\n", stem.c_str(), compared);
  EXPECT_EQ(compared, 3);
}

TEST_P(GoldenModel, EveryOperatorOutputMatchesReference) {
  const std::string stem = GetParam();
  std::vector<IntermediateRow> rows;
  std::vector<uint8_t> input, intermediates;
  ASSERT_TRUE(read_intermediates_index(golden_path(stem, "intermediates_index.txt"), &rows));
  ASSERT_TRUE(read_bytes(golden_path(stem, "seed1.input.bin"), &input));
  ASSERT_TRUE(read_bytes(golden_path(stem, "seed1.intermediates.bin"), &intermediates));
  ModelRunner runner;
  ASSERT_TRUE(runner.open(stem));
  runner.set_input(input);
  Interpreter& interp = runner.interpreter();
  int compared = 0;
  for (size_t op = 0; op < runner.model().num_ops(); ++op) {
    ASSERT_EQ(interp.next_op(), op);
    Result<StepResult> r = interp.step();
    ASSERT_TRUE(r.is_ok()) << r.status().message();
    for (const IntermediateRow& row : rows) {
      if (row.op_index != static_cast<int>(op)) continue;
      ASSERT_LE(row.offset + row.bytes, intermediates.size());
      const uint8_t* actual = interp.tensor_data(static_cast<size_t>(row.tensor_index));
      ASSERT_NE(actual, nullptr);
      ASSERT_EQ(row.bytes, runner.model().tensor(static_cast<size_t>(row.tensor_index)).bytes);
      EXPECT_EQ(0, std::memcmp(intermediates.data() + row.offset, actual, row.bytes))
          << stem << " op " << op << " (" << row.op_name << ") tensor " << row.tensor_index << ": "
          << first_difference(intermediates.data() + row.offset, actual, row.bytes);
      ++compared;
    }
  }
  std::printf("[ golden   ] %s: %d operator outputs compared bit for bit\n", stem.c_str(), compared);
  EXPECT_EQ(compared, static_cast<int>(rows.size()));
}

TEST_P(GoldenModel, SlicedOperatorsMatchReference) {
  // Every sliceable operator split into 3 bands (7 for the seed-2 run): one scheduler step
  // each. The bytes must not change.
  const std::string stem = GetParam();
  int compared = 0, sliced_ops = 0;
  for (int seed = 1; seed <= 2; ++seed) {
    ModelRunner runner;
    ASSERT_TRUE(runner.open(stem));
    std::vector<uint8_t> input, expected;
    ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".input.bin"), &input));
    ASSERT_TRUE(read_bytes(golden_path(stem, "seed" + std::to_string(seed) + ".output.bin"), &expected));
    std::vector<uint8_t> slices(runner.model().num_ops(), static_cast<uint8_t>(seed == 1 ? 3 : 7));
    runner.interpreter().set_slicing(Span<const uint8_t>(slices.data(), slices.size()));
    for (size_t op = 0; op < runner.model().num_ops(); ++op)
      if (runner.interpreter().slices_of(op) > 1) ++sliced_ops;
    runner.set_input(input);
    Status s = runner.interpreter().invoke();
    ASSERT_TRUE(s.is_ok()) << s.message();
    const std::vector<uint8_t> out = runner.output();
    EXPECT_EQ(0, std::memcmp(expected.data(), out.data(), out.size()))
        << stem << " seed " << seed << " sliced: " << first_difference(expected.data(), out.data(), out.size());
    ++compared;
  }
  std::printf("[ golden   ] %s: %d seeds compared with %d operator runs sliced\n", stem.c_str(), compared, sliced_ops);
  EXPECT_EQ(compared, 2);
  EXPECT_GT(sliced_ops, 0);  // the slicing took effect somewhere
}

INSTANTIATE_TEST_SUITE_P(SharedModels, GoldenModel, ::testing::ValuesIn(kGoldenModels),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

// The SVDF models over five invokes on one interpreter: state carried across invokes.
class SvdfSequence : public ::testing::TestWithParam<const char*> {};

TEST_P(SvdfSequence, StateAndOutputsMatchReferenceOverFiveInvokes) {
  const std::string stem = GetParam();
  std::vector<IntermediateRow> rows;
  ASSERT_TRUE(read_intermediates_index(golden_path(stem, "sequence_intermediates_index.txt"), &rows));
  ModelRunner runner;
  ASSERT_TRUE(runner.open(stem));
  Interpreter& interp = runner.interpreter();
  int outputs = 0, tensors = 0;
  for (int k = 1; k <= 5; ++k) {
    const std::string prefix = "sequence.invoke" + std::to_string(k);
    std::vector<uint8_t> input, expected, intermediates;
    ASSERT_TRUE(read_bytes(golden_path(stem, prefix + ".input.bin"), &input));
    ASSERT_TRUE(read_bytes(golden_path(stem, prefix + ".output.bin"), &expected));
    ASSERT_TRUE(read_bytes(golden_path(stem, prefix + ".intermediates.bin"), &intermediates));
    runner.set_input(input);
    for (size_t op = 0; op < runner.model().num_ops(); ++op) {
      Result<StepResult> r = interp.step();
      ASSERT_TRUE(r.is_ok()) << r.status().message();
      for (const IntermediateRow& row : rows) {
        if (row.op_index != static_cast<int>(op) || row.op_name == "SVDF_STATE") continue;
        const uint8_t* actual = interp.tensor_data(static_cast<size_t>(row.tensor_index));
        EXPECT_EQ(0, std::memcmp(intermediates.data() + row.offset, actual, row.bytes))
            << stem << " invoke " << k << " op " << op << " tensor " << row.tensor_index << ": "
            << first_difference(intermediates.data() + row.offset, actual, row.bytes);
        ++tensors;
      }
    }
    for (const IntermediateRow& row : rows) {
      if (row.op_name != "SVDF_STATE") continue;
      const uint8_t* actual = interp.tensor_data(static_cast<size_t>(row.tensor_index));
      EXPECT_EQ(0, std::memcmp(intermediates.data() + row.offset, actual, row.bytes))
          << stem << " invoke " << k << " SVDF state tensor " << row.tensor_index << ": "
          << first_difference(intermediates.data() + row.offset, actual, row.bytes);
      ++tensors;
    }
    const std::vector<uint8_t> out = runner.output();
    ASSERT_EQ(out.size(), expected.size());
    EXPECT_EQ(0, std::memcmp(expected.data(), out.data(), out.size())) << stem << " invoke " << k;
    ++outputs;
  }
  std::printf("[ golden   ] %s: %d sequence outputs and %d operator outputs/states compared bit for bit\n", stem.c_str(),
              outputs, tensors);
  EXPECT_EQ(outputs, 5);
}

INSTANTIATE_TEST_SUITE_P(SharedModels, SvdfSequence, ::testing::Values("keyword_scrambled", "keyword_scrambled_8bit"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

// Every builtin op of every golden model run alone, fed from the reference's own
// intermediates, so each kernel is checked independently of the ones before it. This is
// how the builtin ops that occur only inside the audio preprocessors are tested; the
// signal custom ops have their own suite (signal_golden_test.cpp).
class OpInIsolation : public ::testing::TestWithParam<const char*> {};

TEST_P(OpInIsolation, BuiltinOpsMatchReferenceOneByOne) {
  const std::string stem = GetParam();
  tools::AlignedBytes file;
  ASSERT_TRUE(read_model_file(stem, &file));
  Result<Model> model = Model::load(file.span(), LoadOptions{nullptr});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  std::vector<IntermediateRow> rows;
  std::vector<uint8_t> input, intermediates;
  ASSERT_TRUE(read_intermediates_index(golden_path(stem, "intermediates_index.txt"), &rows));
  ASSERT_TRUE(read_bytes(golden_path(stem, "seed1.input.bin"), &input));
  ASSERT_TRUE(read_bytes(golden_path(stem, "seed1.intermediates.bin"), &intermediates));
  std::map<int, std::vector<uint8_t>> bytes;
  bytes[model->inputs()[0]] = input;
  for (const IntermediateRow& row : rows)
    bytes[row.tensor_index] = std::vector<uint8_t>(intermediates.begin() + static_cast<long>(row.offset),
                                                   intermediates.begin() + static_cast<long>(row.offset + row.bytes));
  int compared = 0, builtin_outputs = 0;
  for (size_t op = 0; op < model->num_ops(); ++op) {
    const OpInfo info = model->op(op);
    if (info.code == static_cast<int32_t>(OpCode::kCustom)) continue;
    builtin_outputs += static_cast<int>(info.outputs.size());
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    if (!run_single_op(*model, op, bytes, &outputs, &error)) {
      ADD_FAILURE() << stem << " op " << op << " (" << info.name() << "): " << error;
      continue;
    }
    for (size_t o = 0; o < info.outputs.size(); ++o) {
      const std::vector<uint8_t>& expected = bytes.at(info.outputs[o]);
      ASSERT_EQ(expected.size(), outputs[o].size());
      EXPECT_EQ(0, std::memcmp(expected.data(), outputs[o].data(), expected.size()))
          << stem << " op " << op << " (" << info.name() << "): "
          << first_difference(expected.data(), outputs[o].data(), expected.size());
      ++compared;
    }
  }
  std::printf("[ golden   ] %s: %d builtin operator outputs compared bit for bit\n", stem.c_str(), compared);
  EXPECT_GT(builtin_outputs, 0);
  EXPECT_EQ(compared, builtin_outputs);  // every builtin operator's every output
}

const char* const kIsolationModels[] = {
    "audio_preprocessor_int8", "audio_preprocessor_float", "ad01_int8", "hello_world_int8", "keyword_scrambled",
    "keyword_scrambled_8bit", "kws_ref_model", "micro_speech_quantized", "person_detect", "pretrainedResnet_quant", "vww_96_int8",
};

INSTANTIATE_TEST_SUITE_P(SharedModels, OpInIsolation, ::testing::ValuesIn(kIsolationModels),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

}  // namespace
}  // namespace chorus::test
