// libFuzzer target: arbitrary bytes as the command-stream input of an `ethos-u` operator
// (runtime/ethosu/command_stream.hpp). A payload is refused with a message or read to its
// end: every command known, offsets inside the stream.
#include <cstddef>
#include <cstdint>

#include "chorus/runtime/ethosu/command_stream.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chorus::runtime::ethosu;
  chorus::Result<DriverPayload> p = parse_driver_payload(chorus::Span<const uint8_t>(data, size));
  if (!p.is_ok()) return 0;
  if (p->commands_offset + 4 * p->command_words != size) __builtin_trap();
  CommandReader reader(*p);
  Command c;
  size_t n = 0;
  for (;;) {
    chorus::Result<bool> more = reader.next(&c);
    if (!more.is_ok() || !*more) break;
    if (c.offset >= 4 * p->command_words || command_name(c.opcode, c.cmd1) == nullptr) __builtin_trap();
    ++n;
  }
  chorus::Result<CommandSummary> s = summarize(*p);
  if (s.is_ok() && s->commands != n) __builtin_trap();
  return 0;
}
