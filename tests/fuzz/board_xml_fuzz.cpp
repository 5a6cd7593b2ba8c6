// libFuzzer target: arbitrary bytes as a board description. Whatever parses must also lay
// out and emit every artefact (header, devicetree, linker fragment, reports) without a
// crash, a leak or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/tools/board_emit.hpp"
#include "chorus/tools/board_layout.hpp"
#include "chorus/tools/board_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > (1u << 20)) return 0;  // load_board refuses these before parsing
  std::string error;
  const std::string xml(reinterpret_cast<const char*>(data), size);
  std::unique_ptr<chorus::board::host::BoardDescription> board = chorus::board::host::parse_board(xml, "fuzz.xml", &error);
  if (!board) return 0;
  chorus::tools::BoardLayout layout;
  if (!chorus::tools::build_layout(*board, std::vector<chorus::tools::ModelNeeds>{}, &layout, &error)) return 0;
  (void)chorus::tools::emit_board_header(layout, "fuzz");
  (void)chorus::tools::emit_board_dts(layout, "fuzz");
  (void)chorus::tools::emit_board_ld(layout, "fuzz");
  (void)chorus::tools::board_report_text(layout);
  (void)chorus::tools::board_report_json(layout);
  (void)chorus::tools::board_report_svg(layout);
  return 0;
}
