// TRANSPOSE: output axis i is input axis perm[i]. Checked against plainly written index
// arithmetic for every permutation of a 4-D tensor (int8 and int32 elements), a 6-D case,
// the NCHW-to-NHWC transpose PyTorch exports start with, and the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>

#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;

// out[i0..] = in[idx] with idx[perm[i]] = i_i, written out directly.
template <typename T>
std::vector<T> reference(const std::vector<int32_t>& dims, const std::vector<int32_t>& perm, const std::vector<T>& in) {
  const size_t rank = dims.size();
  std::vector<int32_t> out_dims(rank);
  for (size_t i = 0; i < rank; ++i) out_dims[i] = dims[static_cast<size_t>(perm[i])];
  std::vector<T> out;
  std::vector<int32_t> o(rank, 0);
  for (size_t n = 0; n < in.size(); ++n) {
    std::vector<int32_t> idx(rank);
    for (size_t i = 0; i < rank; ++i) idx[static_cast<size_t>(perm[i])] = o[i];
    size_t flat = 0;
    for (size_t d = 0; d < rank; ++d) flat = flat * static_cast<size_t>(dims[d]) + static_cast<size_t>(idx[d]);
    out.push_back(in[flat]);
    for (size_t d = rank; d-- > 0;) {
      if (++o[d] < out_dims[d]) break;
      o[d] = 0;
    }
  }
  return out;
}

template <typename T>
bool run_transpose(DType type, const std::vector<int32_t>& dims, const std::vector<int32_t>& perm, const std::vector<int32_t>& out_dims,
                   const std::vector<T>& in, std::vector<T>* out, std::string* error) {
  SingleOpModel m;
  const int x = m.add_tensor(type, dims);
  const int p = m.add_const<int32_t>(DType::kInt32, {static_cast<int32_t>(perm.size())}, perm);
  const int y = m.add_tensor(type, out_dims);
  m.set_op(OpCode::kTranspose, {x, p}, {y});
  std::vector<std::vector<uint8_t>> outputs;
  if (!m.run({{x, to_bytes(in)}}, &outputs, error)) return false;
  *out = from_bytes<T>(outputs[0]);
  return true;
}

std::vector<int32_t> permuted(const std::vector<int32_t>& dims, const std::vector<int32_t>& perm) {
  std::vector<int32_t> d(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) d[i] = dims[static_cast<size_t>(perm[i])];
  return d;
}

TEST(TransposeKernel, EveryPermutationOfFourAxesMovesEveryElement) {
  const std::vector<int32_t> dims = {2, 3, 4, 5};
  std::vector<int32_t> v32(2 * 3 * 4 * 5);
  std::iota(v32.begin(), v32.end(), 0);
  std::vector<int8_t> v8(v32.size());
  for (size_t i = 0; i < v8.size(); ++i) v8[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 256) - 128);
  std::vector<int32_t> perm = {0, 1, 2, 3};
  size_t permutations = 0, elements = 0;
  do {
    std::string error;
    std::vector<int32_t> out32;
    ASSERT_TRUE(run_transpose(DType::kInt32, dims, perm, permuted(dims, perm), v32, &out32, &error)) << error;
    EXPECT_EQ(out32, reference(dims, perm, v32));
    std::vector<int8_t> out8;
    ASSERT_TRUE(run_transpose(DType::kInt8, dims, perm, permuted(dims, perm), v8, &out8, &error)) << error;
    EXPECT_EQ(out8, reference(dims, perm, v8));
    ++permutations;
    elements += out32.size() + out8.size();
  } while (std::next_permutation(perm.begin(), perm.end()));
  EXPECT_EQ(permutations, 24u);
  std::printf("transpose: %zu permutations, %zu elements compared\n", permutations, elements);
}

TEST(TransposeKernel, NchwToNhwcAndSixAxes) {
  // PyTorch's input layout to TFLite's: [1, 3, 4, 5] -> [1, 4, 5, 3].
  const std::vector<int32_t> nchw = {1, 3, 4, 5};
  std::vector<int8_t> in(60);
  std::iota(in.begin(), in.end(), 0);
  std::vector<int8_t> out;
  std::string error;
  ASSERT_TRUE(run_transpose(DType::kInt8, nchw, {0, 2, 3, 1}, {1, 4, 5, 3}, in, &out, &error)) << error;
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 20);  // channel 1 of pixel (0, 0)
  EXPECT_EQ(out[2], 40);
  EXPECT_EQ(out[3], 1);   // channel 0 of pixel (0, 1)
  const std::vector<int32_t> six = {2, 1, 3, 2, 2, 3}, perm6 = {5, 3, 0, 4, 2, 1};
  std::vector<int16_t> v(72);
  std::iota(v.begin(), v.end(), -30);
  std::vector<int16_t> out16;
  ASSERT_TRUE(run_transpose(DType::kInt16, six, perm6, permuted(six, perm6), v, &out16, &error)) << error;
  EXPECT_EQ(out16, reference(six, perm6, v));
}

TEST(TransposeKernel, RefusesWhatIsNotAPermutationOrDisagrees) {
  const std::vector<int8_t> in(6, 1);
  std::vector<int8_t> out;
  std::string error;
  EXPECT_FALSE(run_transpose(DType::kInt8, {2, 3}, {0, 0}, {2, 2}, in, &out, &error));
  EXPECT_NE(error.find("not a permutation"), std::string::npos) << error;
  EXPECT_FALSE(run_transpose(DType::kInt8, {2, 3}, {1, 2}, {3, 2}, in, &out, &error));
  EXPECT_NE(error.find("not a permutation"), std::string::npos) << error;
  EXPECT_FALSE(run_transpose(DType::kInt8, {2, 3}, {1, 0}, {2, 3}, in, &out, &error));
  EXPECT_NE(error.find("output dimension 0 is 2"), std::string::npos) << error;
  EXPECT_FALSE(run_transpose(DType::kInt8, {2, 3}, {1, 0, 2}, {3, 2}, in, &out, &error));
  EXPECT_NE(error.find("perm has 3 values"), std::string::npos) << error;
  // perm must be constant.
  SingleOpModel m;
  const int x = m.add_tensor(DType::kInt8, {2, 3});
  const int p = m.add_tensor(DType::kInt32, {2});
  const int y = m.add_tensor(DType::kInt8, {3, 2});
  m.set_op(OpCode::kTranspose, {x, p}, {y});
  std::vector<std::vector<uint8_t>> outputs;
  EXPECT_FALSE(m.run({}, &outputs, &error));
  EXPECT_NE(error.find("perm must be a constant"), std::string::npos) << error;
}

}  // namespace
}  // namespace chorus::test
