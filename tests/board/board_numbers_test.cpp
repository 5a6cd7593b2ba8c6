// The number syntax of board XML (dts/boards/SCHEMA.md, "Numbers").
#include <gtest/gtest.h>

#include "board_numbers.hpp"

namespace chorus::test {
namespace {

using board::host::NumberKind;
using board::host::parse_number;

uint64_t parsed(const char* text, NumberKind kind) {
  uint64_t v = 0;
  std::string why;
  EXPECT_TRUE(parse_number(text, kind, &v, &why)) << text << ": " << why;
  return v;
}

bool rejects(const char* text, NumberKind kind) {
  uint64_t v = 0;
  std::string why;
  return !parse_number(text, kind, &v, &why) && !why.empty();
}

TEST(BoardNumbers, Sizes) {
  EXPECT_EQ(parsed("0", NumberKind::kSize), 0u);
  EXPECT_EQ(parsed("4096", NumberKind::kSize), 4096u);
  EXPECT_EQ(parsed("0x2004C000", NumberKind::kSize), 0x2004C000u);
  EXPECT_EQ(parsed("0X6a000", NumberKind::kSize), 0x6A000u);
  EXPECT_EQ(parsed("512K", NumberKind::kSize), 512u * 1024);
  EXPECT_EQ(parsed("5M", NumberKind::kSize), 5u << 20);
  EXPECT_EQ(parsed("2G", NumberKind::kSize), 2ull << 30);
  EXPECT_EQ(parsed("0x10K", NumberKind::kSize), 16u * 1024);
  EXPECT_TRUE(rejects("", NumberKind::kSize));
  EXPECT_TRUE(rejects("12Q", NumberKind::kSize));
  EXPECT_TRUE(rejects("1KB", NumberKind::kSize));
  EXPECT_TRUE(rejects("0x", NumberKind::kSize));
  EXPECT_TRUE(rejects("-4", NumberKind::kSize));
  EXPECT_TRUE(rejects(" 4", NumberKind::kSize));
  EXPECT_TRUE(rejects("99999999999999999999", NumberKind::kSize));  // overflows 64 bits
  EXPECT_TRUE(rejects("0xFFFFFFFFFFFFFFFFG", NumberKind::kSize));
}

TEST(BoardNumbers, Frequencies) {
  EXPECT_EQ(parsed("400MHz", NumberKind::kFrequency), 400000000u);
  EXPECT_EQ(parsed("32kHz", NumberKind::kFrequency), 32000u);
  EXPECT_EQ(parsed("16000", NumberKind::kFrequency), 16000u);
  EXPECT_EQ(parsed("1GHz", NumberKind::kFrequency), 1000000000u);
  EXPECT_TRUE(rejects("0x10", NumberKind::kFrequency));
  EXPECT_TRUE(rejects("400mhz", NumberKind::kFrequency));
  EXPECT_TRUE(rejects("1.5MHz", NumberKind::kFrequency));
}

TEST(BoardNumbers, CyclesInThousandths) {
  EXPECT_EQ(parsed("0.25", NumberKind::kMilli), 250u);
  EXPECT_EQ(parsed("4", NumberKind::kMilli), 4000u);
  EXPECT_EQ(parsed("3.5", NumberKind::kMilli), 3500u);
  EXPECT_EQ(parsed("0.125", NumberKind::kMilli), 125u);
  EXPECT_TRUE(rejects("0.2505", NumberKind::kMilli));
  EXPECT_TRUE(rejects("1.", NumberKind::kMilli));
  EXPECT_TRUE(rejects(".5", NumberKind::kMilli));
  EXPECT_TRUE(rejects("1K", NumberKind::kMilli));
  // The largest value and the first beyond it: the fraction must not wrap (it gave 0.383).
  EXPECT_EQ(parsed("18446744073709551.615", NumberKind::kMilli), UINT64_MAX);
  EXPECT_TRUE(rejects("18446744073709551.616", NumberKind::kMilli));
  EXPECT_TRUE(rejects("18446744073709551.999", NumberKind::kMilli));
  EXPECT_TRUE(rejects("18446744073709552", NumberKind::kMilli));
}

TEST(BoardNumbers, Counts) {
  EXPECT_EQ(parsed("128", NumberKind::kCount), 128u);
  EXPECT_EQ(parsed("0x38", NumberKind::kCount), 56u);
  EXPECT_TRUE(rejects("1K", NumberKind::kCount));
}

}  // namespace
}  // namespace chorus::test
