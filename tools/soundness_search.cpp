// chorus_soundness_search: the analysis's adversary, run long. Generates seeded random task
// sets until --sets of them are accepted by the analysis, simulates each over its
// hyperperiod and at least --jobs jobs, and reports every violation (a miss, a skip, an
// unfinished job or a response above its bound) with the set that caused it.
// Usage: chorus_soundness_search [--sets N] [--first-seed S] [--jobs J] [--trace SEED]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "chorus/tools/soundness.hpp"

int main(int argc, char** argv) {
  uint32_t sets = 1000, first = 1;
  uint64_t min_jobs = 10000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--trace" && i + 1 < argc) {
      const uint32_t seed = static_cast<uint32_t>(std::strtoul(argv[++i], nullptr, 10));
      const chorus::tools::SoundnessCase c = chorus::tools::check_random_set(seed, min_jobs, stdout);
      std::printf("%s\n%s\n", c.description.c_str(), c.violation.c_str());
      return c.violated ? 3 : 0;
    }
    if ((a == "--sets" || a == "--first-seed" || a == "--jobs") && i + 1 < argc) {
      char* end = nullptr;
      const unsigned long long v = std::strtoull(argv[++i], &end, 10);
      if (*end != '\0' || v == 0 || v > 100000000ULL) {
        std::fprintf(stderr, "soundness: %s takes a positive whole number\n", a.c_str());
        return 2;
      }
      if (a == "--sets") sets = static_cast<uint32_t>(v);
      else if (a == "--first-seed") first = static_cast<uint32_t>(v);
      else min_jobs = v;
    } else {
      std::fprintf(stderr, "usage: chorus_soundness_search [--sets N] [--first-seed S] [--jobs J]\n");
      return 2;
    }
  }
  uint32_t accepted = 0, rejected = 0, violations = 0, with_npu = 0, fp = 0, edf = 0;
  uint64_t jobs = 0;
  std::vector<double> ratios;
  uint32_t seed = first;
  for (; accepted < sets; ++seed) {
    const chorus::tools::SoundnessCase c = chorus::tools::check_random_set(seed, min_jobs);
    if (!c.error.empty()) {
      std::fprintf(stderr, "soundness: seed %u could not be built: %s\n", seed, c.error.c_str());
      return 1;
    }
    if (!c.accepted) {
      ++rejected;
      continue;
    }
    ++accepted;
    (c.policy == "fp" ? fp : edf)++;
    if (c.npu_pipelines > 0) ++with_npu;
    jobs += c.jobs;
    ratios.insert(ratios.end(), c.ratios.begin(), c.ratios.end());
    if (c.violated) {
      ++violations;
      std::printf("VIOLATION %s\n%s\n", c.violation.c_str(), c.description.c_str());
    }
    if (accepted % 100 == 0)
      std::fprintf(stderr, "soundness: %u/%u accepted sets, %u violations\n", accepted, sets, violations);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("seeds %u..%u: %u accepted (%u EDF, %u FP, %u with NPU operators), %u rejected, %llu jobs, %u violations\n", first,
              seed - 1, accepted, edf, fp, with_npu, rejected, static_cast<unsigned long long>(jobs), violations);
  if (!ratios.empty())
    std::printf("bound / observed worst response: median %.2f, p90 %.2f, max %.2f over %zu pipelines\n", ratios[ratios.size() / 2],
                ratios[ratios.size() * 9 / 10], ratios.back(), ratios.size());
  return violations == 0 ? 0 : 3;
}
