// Proof by adversary: seeded random task sets (tools/lib/src/soundness.cpp) that the
// analysis accepts are simulated by the scheduler over their hyperperiod; none may miss a
// deadline, skip or leave a job unfinished, or respond above its bound.
// scripts/soundness-search.sh runs the same search longer (--sets 10000).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>

#include "chorus/tools/soundness.hpp"

namespace chorus::test {
namespace {

TEST(Soundness, FiveHundredAcceptedRandomSetsKeepEveryPromise) {
  constexpr uint32_t kWanted = 500;
  uint32_t accepted = 0, rejected = 0, with_npu = 0, violations = 0;
  uint64_t jobs = 0;
  std::vector<double> ratios;
  for (uint32_t seed = 1; accepted < kWanted && seed < 20 * kWanted; ++seed) {
    const tools::SoundnessCase c = tools::check_random_set(seed);
    ASSERT_TRUE(c.error.empty()) << "seed " << seed << ": " << c.error << "\n" << c.description;
    if (!c.accepted) {
      ++rejected;
      continue;
    }
    ++accepted;
    if (c.npu_pipelines > 0) ++with_npu;
    jobs += c.jobs;
    ratios.insert(ratios.end(), c.ratios.begin(), c.ratios.end());
    if (c.violated) {
      ++violations;
      ADD_FAILURE() << c.violation << "\n" << c.description;
    }
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("[ soundness ] %u accepted sets (%u with NPU operators), %u rejected, %llu jobs simulated, %u violations\n",
              accepted, with_npu, rejected, static_cast<unsigned long long>(jobs), violations);
  if (!ratios.empty())
    std::printf("[ soundness ] bound / observed worst response: median %.2f, p90 %.2f, max %.2f over %zu pipelines\n",
                ratios[ratios.size() / 2], ratios[ratios.size() * 9 / 10], ratios.back(), ratios.size());
  EXPECT_EQ(accepted, kWanted);
  EXPECT_EQ(violations, 0u);
}

}  // namespace
}  // namespace chorus::test
