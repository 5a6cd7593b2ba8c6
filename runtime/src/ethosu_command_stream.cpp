#include "chorus/runtime/ethosu/command_stream.hpp"

#include "chorus/runtime/ethosu/opcodes.hpp"

namespace chorus::runtime::ethosu {
namespace {

uint32_t le32(const uint8_t* p) { return uint32_t{p[0]} | (uint32_t{p[1]} << 8) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 24); }

// Driver actions (driver_actions.py DACommands): the tag's low byte.
constexpr uint32_t kDaReserved = 0x00, kDaConfig = 0x01, kDaCmdStream = 0x02, kDaReadApb = 0x03, kDaDumpShram = 0x04, kDaNop = 0x05;
constexpr uint32_t kFourccCop1 = 0x31504F43;  // "COP1"
constexpr uint32_t kModeMask = 0xC000, kModeCmd1 = 0x4000, kOpcodeMask = 0x03FF;

}  // namespace

Result<DriverPayload> parse_driver_payload(Span<const uint8_t> bytes) {
  const size_t words = bytes.size() / 4;
  if (bytes.size() % 4 != 0 || words < 1)
    return Status::error(StatusCode::kMalformedModel, "ethos-u command stream: %zu bytes, not whole 32-bit words", bytes.size());
  if (le32(bytes.data()) != kFourccCop1)
    return Status::error(StatusCode::kMalformedModel, "ethos-u command stream: starts with 0x%08x, not \"COP1\"", static_cast<unsigned>(le32(bytes.data())));
  DriverPayload p;
  bool config = false;
  for (size_t i = 1; i < words;) {
    const uint32_t tag = le32(bytes.data() + 4 * i);
    const uint32_t action = tag & 0xFF;
    if (action == kDaConfig) {
      if (i + 2 >= words)
        return Status::error(StatusCode::kMalformedModel, "ethos-u command stream: configuration at byte %zu runs past the end", 4 * i);
      const uint32_t cfg = le32(bytes.data() + 4 * (i + 1)), id = le32(bytes.data() + 4 * (i + 2));
      // config_r: MACS_PER_CC 3..0, CMD_STREAM_VERSION 7..4, SHRAM_SIZE 15..8, PRODUCT 31..28.
      // id_r: ARCH_PATCH_REV 19..16, ARCH_MINOR_REV 27..20, ARCH_MAJOR_REV 31..28.
      const uint32_t product = cfg >> 28;
      if (product > 1)
        return Status::error(StatusCode::kUnsupported, "ethos-u command stream: configuration product %u (0: Ethos-U55, 1: Ethos-U65)",
                             static_cast<unsigned>(product));
      p.u65 = product == 1;
      p.macs_per_cycle = 1u << (cfg & 0xF);
      p.cmd_stream_version = (cfg >> 4) & 0xF;
      p.shram_kb = (cfg >> 8) & 0xFF;
      p.arch_patch = (id >> 16) & 0xF;
      p.arch_minor = (id >> 20) & 0xFF;
      p.arch_major = id >> 28;
      config = true;
      i += 3;
    } else if (action == kDaNop) {
      ++i;
    } else if (action == kDaCmdStream) {
      if (!config)
        return Status::error(StatusCode::kMalformedModel, "ethos-u command stream: the command stream at byte %zu comes before any configuration",
                             4 * i);
      // Length in words: the parameter (bits 31..16) and the reserved byte (bits 15..8) as its top 8 bits.
      const size_t length = ((tag >> 16) & 0xFFFF) | (((tag >> 8) & 0xFF) << 16);
      if (i + 1 + length != words)
        return Status::error(StatusCode::kMalformedModel,
                             "ethos-u command stream: %zu command words declared at byte %zu, the payload holds %zu after it", length,
                             4 * i, words - i - 1);
      p.commands = bytes.data() + 4 * (i + 1);
      p.command_words = length;
      p.commands_offset = 4 * (i + 1);
      return p;
    } else {
      const char* name = action == kDaReserved ? "reserved" : action == kDaReadApb ? "READ_APB" : action == kDaDumpShram ? "DUMP_SHRAM" : "unknown";
      return Status::error(StatusCode::kUnsupported, "ethos-u command stream: driver action 0x%02x (%s) at byte %zu is not supported", static_cast<unsigned>(action),
                           name, 4 * i);
    }
  }
  return Status::error(StatusCode::kMalformedModel, "ethos-u command stream: no command stream after the header");
}

const char* accelerator_name(const DriverPayload& p) {
  if (p.u65) return p.macs_per_cycle == 256 ? "ethos-u65-256" : p.macs_per_cycle == 512 ? "ethos-u65-512" : "ethos-u65-?";
  switch (p.macs_per_cycle) {
    case 32: return "ethos-u55-32";
    case 64: return "ethos-u55-64";
    case 128: return "ethos-u55-128";
    case 256: return "ethos-u55-256";
    default: return "ethos-u55-?";
  }
}

const char* command_name(uint16_t opcode, bool cmd1) {
  if (cmd1) {
    for (const OpcodeName& n : kCmd1Names)
      if (n.opcode == opcode) return n.name;
  } else {
    for (const OpcodeName& n : kCmd0Names)
      if (n.opcode == opcode) return n.name;
  }
  return nullptr;
}

uint32_t CommandReader::word(size_t i) const { return le32(words_ + 4 * i); }

Result<bool> CommandReader::next(Command* c) {
  if (at_ >= count_) return false;
  const uint32_t w = word(at_);
  c->offset = 4 * at_;
  c->opcode = static_cast<uint16_t>(w & kOpcodeMask);
  c->param = static_cast<uint16_t>(w >> 16);
  const uint32_t mode = w & kModeMask;
  if (mode != 0 && mode != kModeCmd1)
    return Status::error(StatusCode::kUnsupported, "ethos-u command 0x%08x at byte %zu: mode %u (0: cmd0, 1: cmd1)", static_cast<unsigned>(w), c->offset, static_cast<unsigned>(mode >> 14));
  if ((w & 0x3C00) != 0)
    return Status::error(StatusCode::kUnsupported, "ethos-u command 0x%08x at byte %zu: reserved bits 13..10 set", static_cast<unsigned>(w), c->offset);
  c->cmd1 = mode == kModeCmd1;
  if (command_name(c->opcode, c->cmd1) == nullptr)
    return Status::error(StatusCode::kUnsupported, "ethos-u command 0x%08x at byte %zu: %s opcode 0x%03x is not an Ethos-U55/U65 command", static_cast<unsigned>(w),
                         c->offset, c->cmd1 ? "cmd1" : "cmd0", static_cast<unsigned>(c->opcode));
  if (c->cmd1) {
    if (at_ + 1 >= count_)
      return Status::error(StatusCode::kMalformedModel, "ethos-u command %s at byte %zu: its payload word is past the end of the stream",
                           command_name(c->opcode, true), c->offset);
    c->payload = word(at_ + 1);
    at_ += 2;
  } else {
    c->payload = 0;
    at_ += 1;
  }
  return true;
}

Result<CommandSummary> summarize(const DriverPayload& payload) {
  CommandSummary s;
  CommandReader reader(payload);
  Command c;
  for (;;) {
    Result<bool> more = reader.next(&c);
    if (!more.is_ok()) return more.status();
    if (!*more) break;
    ++s.commands;
    if (c.cmd1) {
      ++s.register_writes;
      continue;
    }
    switch (static_cast<Cmd0>(c.opcode)) {
      case Cmd0::kOpConv: ++s.conv; break;
      case Cmd0::kOpDepthwise: ++s.depthwise; break;
      case Cmd0::kOpPool: ++s.pool; break;
      case Cmd0::kOpElementwise: ++s.elementwise; break;
      case Cmd0::kOpDmaStart: ++s.dma; break;
      case Cmd0::kOpDmaWait:
      case Cmd0::kOpKernelWait: ++s.waits; break;
      case Cmd0::kOpStop: s.stops = true; break;
      case Cmd0::kOpIrq:
      case Cmd0::kOpPmuMask: break;
      default: ++s.register_writes; break;
    }
  }
  return s;
}

}  // namespace chorus::runtime::ethosu
