// PACK through a one-op model: a hand-written case on each axis of a 2-D input, and prepare's
// refusals. Random cases against TFLM's own kernel are in cpu_tflm_vectors_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
namespace fb = chorus::tflite;

bool run_pack(int32_t values_count, int32_t axis, const std::vector<std::vector<int32_t>>& shapes, std::vector<int32_t> out_shape,
              std::vector<int8_t>* out, std::string* error) {
  SingleOpModel m;
  std::vector<int32_t> inputs;
  std::map<int, std::vector<uint8_t>> feed;
  int8_t next = 0;
  for (const auto& shape : shapes) {
    const int t = m.add_tensor(DType::kInt8, shape, 0.5f, 0);
    inputs.push_back(t);
    size_t n = 1;
    for (int32_t d : shape) n *= static_cast<size_t>(d);
    std::vector<int8_t> v(n);
    for (int8_t& x : v) x = next++;  // input i holds the next n integers
    feed[t] = to_bytes(v);
  }
  const int y = m.add_tensor(DType::kInt8, out_shape, 0.5f, 0);
  m.set_op(OpCode::kPack, inputs, {y}, fb::BuiltinOptions::PackOptions,
           [=](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreatePackOptions(fbb, values_count, axis).Union(); });
  std::vector<std::vector<uint8_t>> outputs;
  if (!m.run(feed, &outputs, error)) return false;
  *out = from_bytes<int8_t>(outputs[0]);
  return true;
}

TEST(PackKernel, StacksAlongEachAxis) {
  // Inputs a = {0, 1, 2; 3, 4, 5} and b = {6, 7, 8; 9, 10, 11}, each [2, 3].
  std::vector<int8_t> out;
  std::string error;
  ASSERT_TRUE(run_pack(2, 0, {{2, 3}, {2, 3}}, {2, 2, 3}, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  ASSERT_TRUE(run_pack(2, 1, {{2, 3}, {2, 3}}, {2, 2, 3}, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int8_t>{0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11}));
  ASSERT_TRUE(run_pack(2, 2, {{2, 3}, {2, 3}}, {2, 3, 2}, &out, &error)) << error;
  EXPECT_EQ(out, (std::vector<int8_t>{0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
  ASSERT_TRUE(run_pack(2, -1, {{2, 3}, {2, 3}}, {2, 3, 2}, &out, &error)) << error;  // -1: the new last axis
  EXPECT_EQ(out, (std::vector<int8_t>{0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}));
}

TEST(PackKernel, RefusesWhatDoesNotStack) {
  std::vector<int8_t> out;
  std::string error;
  EXPECT_FALSE(run_pack(3, 0, {{2, 3}, {2, 3}}, {2, 2, 3}, &out, &error));
  EXPECT_NE(error.find("values_count 3 but 2 inputs"), std::string::npos) << error;
  EXPECT_FALSE(run_pack(2, 0, {{2, 3}, {3, 2}}, {2, 2, 3}, &out, &error));
  EXPECT_NE(error.find("input 1's shape differs"), std::string::npos) << error;
  EXPECT_FALSE(run_pack(2, 3, {{2, 3}, {2, 3}}, {2, 2, 3}, &out, &error));
  EXPECT_NE(error.find("axis 3 is outside"), std::string::npos) << error;
  EXPECT_FALSE(run_pack(2, 0, {{2, 3}, {2, 3}}, {2, 3, 2}, &out, &error));
  EXPECT_NE(error.find("output dimension 1 is 3, expected 2"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
