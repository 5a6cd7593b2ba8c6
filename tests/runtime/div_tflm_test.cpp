// int8 DIV against TFLM, exhaustively: for each quantisation case every pair of int8 inputs
// (65 536, less the 256 whose divisor is at its zero point) goes through Chorus's DIV kernel
// as a one-operator model, and the output bytes are compared with what TFLM's reference
// kernel computed for them (tests/data/div_tflm/, written by tools/oracles/div_tflm.sh from a
// fetched tflite-micro tree: TFLM's QuantizeMultiplier and reference_ops::Div, nothing of
// Chorus). Pairs where TFLM's arithmetic is undefined (gemmlowp asserts a shift of at most
// 31; a release build shifts an int32 by 32 or more) are listed by the generator, run, and
// counted, not compared.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "kernel_test_model.hpp"

namespace chorus::test {
namespace {

using runtime::DType;
using runtime::OpCode;

struct Case {
  const char* name;
  float s1;
  int z1;
  float s2;
  int z2;
  float so;
  int zo;
};

const Case kCases[] = {
#include "../data/div_tflm/cases.inc"
};

std::vector<uint8_t> read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(DivTflm, EveryInt8PairMatchesTheTflmReference) {
  size_t compared = 0, undefined = 0, cases = 0;
  for (const Case& c : kCases) {
    const std::string dir = std::string(CHORUS_SOURCE_DIR) + "/tests/data/div_tflm/";
    const std::vector<uint8_t> expected = read_all(dir + c.name + ".bin");
    const std::vector<uint8_t> undefined_in_tflm = read_all(dir + c.name + ".undefined.bin");
    ASSERT_EQ(expected.size(), 65536u) << c.name;
    ASSERT_EQ(undefined_in_tflm.size(), 65536u) << c.name;
    std::vector<int8_t> xs, ys;
    std::vector<size_t> at;
    for (int x = -128; x <= 127; ++x) {
      for (int y = -128; y <= 127; ++y) {
        if (y == c.z2) continue;
        xs.push_back(static_cast<int8_t>(x));
        ys.push_back(static_cast<int8_t>(y));
        at.push_back(static_cast<size_t>((x + 128) * 256 + (y + 128)));
      }
    }
    const int32_t n = static_cast<int32_t>(xs.size());
    SingleOpModel m;
    const int a = m.add_tensor(DType::kInt8, {n}, c.s1, c.z1);
    const int b = m.add_tensor(DType::kInt8, {n}, c.s2, c.z2);
    const int out = m.add_tensor(DType::kInt8, {n}, c.so, c.zo);
    m.set_op(OpCode::kDiv, {a, b}, {out});
    std::vector<std::vector<uint8_t>> outputs;
    std::string error;
    ASSERT_TRUE(m.run({{a, to_bytes(xs)}, {b, to_bytes(ys)}}, &outputs, &error)) << c.name << ": " << error;
    ASSERT_EQ(outputs[0].size(), xs.size());
    size_t differ = 0;
    for (size_t i = 0; i < at.size(); ++i) {
      if (undefined_in_tflm[at[i]] != 0) {
        ++undefined;
        continue;
      }
      ++compared;
      if (outputs[0][i] != expected[at[i]] && ++differ <= 5)
        ADD_FAILURE() << c.name << ": " << int{xs[i]} << " / " << int{ys[i]} << " gives " << int{static_cast<int8_t>(outputs[0][i])}
                      << ", TFLM " << int{static_cast<int8_t>(expected[at[i]])};
    }
    EXPECT_EQ(differ, 0u) << c.name;
    ++cases;
  }
  EXPECT_EQ(cases, 6u);
  EXPECT_EQ(compared + undefined, 6u * 65280u);
  std::printf("compared %zu int8 DIV results with TFLM's over %zu cases (%zu pairs undefined in TFLM, run but not compared)\n",
              compared, cases, undefined);
}

}  // namespace
}  // namespace chorus::test
