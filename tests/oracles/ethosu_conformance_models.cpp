// Writes the conformance suite's one-operator models (tests/runtime/ethosu_conformance_ops.hpp)
// as .tflite files for Vela: tools/oracles/ethosu_conformance_vectors.py runs it, compiles each
// file with the vela CLI for the six configurations and packs what Vela wrote.
//
//   ethosu_conformance_models FIRST COUNT OUT_DIR
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "ethosu_conformance_ops.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s FIRST COUNT OUT_DIR\n", argv[0]);
    return 2;
  }
  const uint32_t first = static_cast<uint32_t>(std::strtoul(argv[1], nullptr, 10));
  const uint32_t count = static_cast<uint32_t>(std::strtoul(argv[2], nullptr, 10));
  const std::string dir = argv[3];
  std::map<std::string, int> kinds;
  int written = 0, skipped = 0;
  for (uint32_t i = first; i < first + count; ++i) {
    chorus::test::SingleOpModel m;
    chorus::test::ConformanceOp op;
    std::string error;
    if (!chorus::test::build_conformance_op(i, &m, &op) || !m.load(&error)) {
      ++skipped;
      continue;
    }
    char name[64];
    std::snprintf(name, sizeof name, "/op_%05u.tflite", i);
    FILE* f = std::fopen((dir + name).c_str(), "wb");
    if (f == nullptr || std::fwrite(m.bytes().data(), 1, m.bytes().size(), f) != m.bytes().size()) {
      std::fprintf(stderr, "cannot write %s%s\n", dir.c_str(), name);
      return 1;
    }
    std::fclose(f);
    ++kinds[op.kind];
    ++written;
  }
  std::printf("%d models written, %d indices without a valid model:", written, skipped);
  for (const auto& k : kinds) std::printf(" %s %d", k.first.c_str(), k.second);
  std::printf("\n");
  return 0;
}
