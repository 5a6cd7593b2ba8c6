// PAD and PADV2 through a one-op model: a hand-written int8 case (the output zero point fills
// the border), int64 paddings, PADV2's constant, ranks 1 to 5 against index arithmetic written
// out below, and prepare's refusals. Random cases against TFLM's own kernel are in
// cpu_tflm_vectors_test.cpp.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;
namespace fb = chorus::tflite;

struct PadCase {
  DType type = DType::kInt8;
  std::vector<int32_t> dims;
  std::vector<std::vector<int64_t>> pads;  // [before, after] per axis
  bool int64_pads = false;
  bool constant_pads = true;
  float scale = 0.5f;
  int64_t zp = 5;
  bool v2 = false;
  int64_t value = 0;       // PADV2's constant
  int64_t value_zp = 5;    // and its zero point
  std::vector<int32_t> out_dims;  // empty: dims + pads
};

template <class T>
bool run_pad(const PadCase& c, const std::vector<T>& in, std::vector<T>* out, std::string* error) {
  SingleOpModel m;
  const bool quantised = c.type != DType::kInt32;
  const int x = m.add_tensor(c.type, c.dims, quantised ? c.scale : 0.0f, quantised ? c.zp : 0);
  std::vector<int64_t> flat;
  for (const auto& p : c.pads) flat.insert(flat.end(), p.begin(), p.end());
  const int32_t rows = static_cast<int32_t>(c.pads.size());
  int p = 0;
  if (!c.constant_pads)
    p = m.add_tensor(DType::kInt32, {rows, 2});
  else if (c.int64_pads)
    p = m.add_const<int64_t>(DType::kInt64, {rows, 2}, flat);
  else
    p = m.add_const<int32_t>(DType::kInt32, {rows, 2}, std::vector<int32_t>(flat.begin(), flat.end()));
  std::vector<int32_t> out_dims = c.out_dims;
  if (out_dims.empty())
    for (size_t i = 0; i < c.dims.size(); ++i)
      out_dims.push_back(c.dims[i] + static_cast<int32_t>(c.pads[i][0] + c.pads[i][1]));
  std::vector<int32_t> inputs = {x, p};
  if (c.v2) inputs.push_back(m.add_const<T>(c.type, {1}, {static_cast<T>(c.value)}, quantised ? c.scale : 0.0f, c.value_zp));
  const int y = m.add_tensor(c.type, out_dims, quantised ? c.scale : 0.0f, quantised ? c.zp : 0);
  if (c.v2)
    m.set_op(OpCode::kPadV2, inputs, {y}, fb::BuiltinOptions::PadV2Options,
             [](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreatePadV2Options(fbb).Union(); });
  else
    m.set_op(OpCode::kPad, inputs, {y}, fb::BuiltinOptions::PadOptions,
             [](flatbuffers::FlatBufferBuilder& fbb) { return fb::CreatePadOptions(fbb).Union(); });
  std::vector<std::vector<uint8_t>> outputs;
  std::map<int, std::vector<uint8_t>> feed;
  feed[x] = to_bytes(in);
  if (!c.constant_pads) feed[p] = to_bytes(std::vector<int32_t>(flat.begin(), flat.end()));
  if (!m.run(feed, &outputs, error)) return false;
  *out = from_bytes<T>(outputs[0]);
  return true;
}

// Output element by element: inside the input's box it is the input element, else `value`.
template <class T>
std::vector<T> reference(const PadCase& c, const std::vector<T>& in, T value) {
  const size_t rank = c.dims.size();
  int32_t out_dims[5] = {}, o[5] = {};  // ranks up to 5
  size_t total = 1;
  for (size_t i = 0; i < rank; ++i) {
    out_dims[i] = c.dims[i] + static_cast<int32_t>(c.pads[i][0] + c.pads[i][1]);
    total *= static_cast<size_t>(out_dims[i]);
  }
  std::vector<T> out;
  for (size_t n = 0; n < total; ++n) {
    bool inside = true;
    size_t flat = 0;
    for (size_t d = 0; d < rank; ++d) {
      const int64_t i = o[d] - c.pads[d][0];
      inside = inside && i >= 0 && i < c.dims[d];
      flat = flat * static_cast<size_t>(c.dims[d]) + static_cast<size_t>(inside ? i : 0);
    }
    out.push_back(inside ? in[flat] : value);
    for (size_t d = rank; d-- > 0;) {
      if (++o[d] < out_dims[d]) break;
      o[d] = 0;
    }
  }
  return out;
}

TEST(PadKernel, TheOutputZeroPointFillsTheBorder) {
  PadCase c;
  c.dims = {2, 3};
  c.pads = {{1, 0}, {0, 2}};
  std::vector<int8_t> out;
  std::string error;
  ASSERT_TRUE(run_pad<int8_t>(c, {1, 2, 3, 4, -5, 6}, &out, &error)) << error;
  const std::vector<int8_t> expected = {5, 5, 5, 5, 5,  //
                                        1, 2, 3, 5, 5,  //
                                        4, -5, 6, 5, 5};
  EXPECT_EQ(out, expected);
  c.int64_pads = true;  // the TFLite converter may write int64 paddings
  ASSERT_TRUE(run_pad<int8_t>(c, {1, 2, 3, 4, -5, 6}, &out, &error)) << error;
  EXPECT_EQ(out, expected);
}

TEST(PadKernel, EveryRankUpToFiveAndPadV2sConstant) {
  std::string error;
  size_t cases = 0, elements = 0;
  for (int rank = 1; rank <= 5; ++rank) {
    PadCase c;
    for (int d = 0; d < rank; ++d) {
      c.dims.push_back(1 + (d * 2 + rank) % 4);
      c.pads.push_back({(d + rank) % 3, (2 * d + 1) % 3});
    }
    size_t n = 1;
    for (int32_t d : c.dims) n *= static_cast<size_t>(d);
    std::vector<int8_t> in8(n);
    std::vector<int16_t> in16(n);
    std::vector<int32_t> in32(n);
    for (size_t i = 0; i < n; ++i) {
      in8[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 256) - 128);
      in16[i] = static_cast<int16_t>(static_cast<int>(i * 7919 % 65536) - 32768);
      in32[i] = static_cast<int32_t>(i * 2654435761u);
    }
    std::vector<int8_t> out8;
    ASSERT_TRUE(run_pad<int8_t>(c, in8, &out8, &error)) << error;
    EXPECT_EQ(out8, reference<int8_t>(c, in8, 5)) << "rank " << rank;
    c.type = DType::kInt16;
    c.zp = 0;
    std::vector<int16_t> out16;
    ASSERT_TRUE(run_pad<int16_t>(c, in16, &out16, &error)) << error;
    EXPECT_EQ(out16, reference<int16_t>(c, in16, 0)) << "rank " << rank;
    c.v2 = true;
    c.value = -1234;
    c.value_zp = 0;
    ASSERT_TRUE(run_pad<int16_t>(c, in16, &out16, &error)) << error;
    EXPECT_EQ(out16, reference<int16_t>(c, in16, -1234)) << "rank " << rank;
    c.type = DType::kInt32;
    c.value = -7;
    std::vector<int32_t> out32;
    ASSERT_TRUE(run_pad<int32_t>(c, in32, &out32, &error)) << error;
    EXPECT_EQ(out32, reference<int32_t>(c, in32, -7)) << "rank " << rank;
    cases += 4;
    elements += out8.size() + 2 * out16.size() + out32.size();
  }
  std::printf("pad: %zu cases, %zu output elements compared\n", cases, elements);
}

TEST(PadKernel, RefusesWhatTfliteDoesNotDefine) {
  std::string error;
  std::vector<int8_t> out;
  PadCase c;
  c.dims = {2, 3};
  c.pads = {{1, -1}, {0, 0}};
  c.out_dims = {2, 3};
  EXPECT_FALSE(run_pad<int8_t>(c, std::vector<int8_t>(6), &out, &error));
  EXPECT_NE(error.find("negative padding"), std::string::npos) << error;
  c.pads = {{1, 0}, {0, 0}};
  c.out_dims = {2, 3};
  EXPECT_FALSE(run_pad<int8_t>(c, std::vector<int8_t>(6), &out, &error));
  EXPECT_NE(error.find("output dimension 0 is 2"), std::string::npos) << error;
  c.out_dims.clear();
  c.constant_pads = false;
  EXPECT_FALSE(run_pad<int8_t>(c, std::vector<int8_t>(6), &out, &error));
  EXPECT_NE(error.find("paddings must be a constant"), std::string::npos) << error;
  c.constant_pads = true;
  c.v2 = true;
  c.value_zp = 4;  // PADV2's int8 constant must be quantised as the output
  EXPECT_FALSE(run_pad<int8_t>(c, std::vector<int8_t>(6), &out, &error));
  EXPECT_NE(error.find("output's scale and zero point"), std::string::npos) << error;
  PadCase six;
  six.dims = {1, 1, 1, 1, 1, 2};
  six.pads = {{0, 0}, {0, 0}, {0, 0}, {0, 0}, {0, 0}, {1, 1}};
  EXPECT_FALSE(run_pad<int8_t>(six, std::vector<int8_t>(2), &out, &error));
  EXPECT_NE(error.find("rank 6 is outside 1..5"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
