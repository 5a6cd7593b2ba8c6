// What Vela puts in an `ethos-u` operator's command-stream input: the driver payload --
// "COP1", a configuration (which Ethos-U it was compiled for: U55 or U65 and its MACs per
// cycle), the architecture version, NOP padding to 16 bytes, then the register command
// stream (Arm Vela 3.10.0 driver_actions.py create_driver_payload; the words are
// little-endian) -- and a reader for the command stream itself: each command is one word
// (cmd0: opcode in bits 9..0, mode 00 in bits 15..14, a 16-bit parameter in bits 31..16) or
// two (cmd1: mode 01, then a 32-bit payload word) (register_command_stream_generator.py
// CommandStreamEmitter). Every error names the command and its byte offset. No heap.
#pragma once

#include <cstddef>
#include <cstdint>

#include "chorus/module/span.hpp"
#include "chorus/module/status.hpp"

namespace chorus::runtime::ethosu {

struct DriverPayload {
  bool u65 = false;              // config word PRODUCT: 0 Ethos-U55, 1 Ethos-U65
  uint32_t macs_per_cycle = 0;   // 1 << MACS_PER_CC
  uint32_t shram_kb = 0;         // SHRAM_SIZE
  uint32_t cmd_stream_version = 0;
  uint32_t arch_major = 0, arch_minor = 0, arch_patch = 0;  // ID word's ARCH_*_REV
  const uint8_t* commands = nullptr;  // the command stream: `command_words` little-endian words
  size_t command_words = 0;
  size_t commands_offset = 0;         // its byte offset in the payload
};

// Parses the driver payload. Errors: not "COP1", a configuration or command-stream tag
// missing or out of order, a length past the end, an unknown driver action.
Result<DriverPayload> parse_driver_payload(Span<const uint8_t> bytes);

// "ethos-u55-128", "ethos-u65-256", ...: the name Vela's --accelerator-config gives it.
const char* accelerator_name(const DriverPayload& payload);

struct Command {
  size_t offset = 0;       // bytes from the start of the command stream
  uint16_t opcode = 0;     // bits 9..0
  bool cmd1 = false;       // a 32-bit payload word follows
  uint16_t param = 0;      // bits 31..16
  uint32_t payload = 0;    // cmd1 only
};

// The name of a command (NPU_OP_CONV, NPU_SET_IFM_BASE0, ...), nullptr if unknown.
const char* command_name(uint16_t opcode, bool cmd1);

class CommandReader {
 public:
  explicit CommandReader(const DriverPayload& payload) : words_(payload.commands), count_(payload.command_words) {}
  // The next command into `command`: true, or false at the end of the stream. Errors: an
  // unknown opcode or mode, a cmd1 whose payload word is missing.
  Result<bool> next(Command* command);
  size_t position() const { return at_; }  // in words

 private:
  uint32_t word(size_t i) const;
  const uint8_t* words_;
  size_t count_;
  size_t at_ = 0;
};

// What a command stream does, counted: operations by kind, DMA transfers, register writes,
// and whether it ends with NPU_OP_STOP.
struct CommandSummary {
  size_t commands = 0;
  size_t conv = 0, depthwise = 0, pool = 0, elementwise = 0, dma = 0;
  size_t waits = 0;       // NPU_OP_DMA_WAIT / NPU_OP_KERNEL_WAIT
  size_t register_writes = 0;
  bool stops = false;
  size_t operations() const { return conv + depthwise + pool + elementwise; }
};
Result<CommandSummary> summarize(const DriverPayload& payload);

}  // namespace chorus::runtime::ethosu
