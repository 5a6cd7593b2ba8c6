// Status: 16 bytes, static messages without formatting, formatted messages from the text
// pool valid until the pool has been written round, prefixes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chorus/module/status.hpp"

namespace chorus {
namespace {

TEST(Status, IsSmall) {
  EXPECT_LE(sizeof(Status), 16u);  // was a 161-byte inline message
  EXPECT_TRUE(Status::ok().is_ok());
  EXPECT_STREQ(Status::ok().message(), "");
}

TEST(Status, FixedMessagesAreTheLiteralItself) {
  static const char kText[] = "the NPU is busy";
  const Status s = Status::fixed(StatusCode::kFailedPrecondition, kText);
  EXPECT_FALSE(s.is_ok());
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(), kText);  // the same pointer: nothing copied
  EXPECT_EQ(Status::fixed(StatusCode::kOk, "x").code(), StatusCode::kInternal);  // an error is never ok
}

TEST(Status, FormattedMessages) {
  const Status s = Status::error(StatusCode::kOutOfRange, "op %d (%s): %zu bytes", 7, "CONV_2D", size_t{4096});
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_STREQ(s.message(), "op 7 (CONV_2D): 4096 bytes");
  Status copy = s;
  EXPECT_STREQ(copy.message(), "op 7 (CONV_2D): 4096 bytes");
  // A message longer than the capacity is cut, never overflowed.
  const std::string longer(400, 'x');
  const Status cut = Status::error(StatusCode::kInternal, "%s", longer.c_str());
  EXPECT_EQ(std::string(cut.message()), std::string(Status::kMessageCapacity - 1, 'x'));
}

TEST(Status, PrefixAddsContextToErrorsOnly) {
  Status s = Status::error(StatusCode::kMalformedModel, "tensor %d has no buffer", 3);
  s.prefix("model '%s': ", "kws");
  EXPECT_STREQ(s.message(), "model 'kws': tensor 3 has no buffer");
  s.prefix("load: ");
  EXPECT_STREQ(s.message(), "load: model 'kws': tensor 3 has no buffer");
  Status fixed = Status::fixed(StatusCode::kUnsupported, "no NPU");
  fixed.prefix("op %d: ", 2);
  EXPECT_STREQ(fixed.message(), "op 2: no NPU");
  Status ok = Status::ok();
  ok.prefix("never: ");
  EXPECT_TRUE(ok.is_ok());
  EXPECT_STREQ(ok.message(), "");
}

TEST(Status, APooledTextLastsUntilThePoolComesRound) {
  const Status first = Status::error(StatusCode::kInternal, "first error");
  // 63 later errors (the host pool has 64 slots) keep it.
  std::vector<Status> later;
  for (int i = 0; i < 63; ++i) later.push_back(Status::error(StatusCode::kInternal, "later %d", i));
  EXPECT_STREQ(first.message(), "first error");
  EXPECT_STREQ(later[62].message(), "later 62");
  // The 64th comes round to its slot: the first text is gone, and says so.
  later.push_back(Status::error(StatusCode::kInternal, "later 63"));
  EXPECT_STREQ(first.message(), "(the text of this error was overwritten by later errors)");
  EXPECT_EQ(first.code(), StatusCode::kInternal);  // the code stays
  EXPECT_STREQ(later[1].message(), "later 1");
}

}  // namespace
}  // namespace chorus
