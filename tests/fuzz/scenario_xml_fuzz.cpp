// libFuzzer target: arbitrary bytes as a scenario file (tools/lib/src/scenario.cpp).
// Anything is either a scenario or one error line, never a crash or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "chorus/tools/scenario.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;  // load_scenario refuses these before parsing
  std::string error;
  const std::unique_ptr<chorus::tools::Scenario> s =
      // Named as the sample scenario, so the seed's relative model paths resolve.
      chorus::tools::parse_scenario(std::string(reinterpret_cast<const char*>(data), size),
                                    CHORUS_SOURCE_DIR "/samples/multi_model/scenario.xml", &error);
  if (!s && (error.empty() || error.find('\n') != std::string::npos)) __builtin_trap();  // one line, always
  return 0;
}
