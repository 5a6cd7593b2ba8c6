// The Ethos-U driver payload and command-stream reader: the shared Vela-compiled
// person_detect (compiled with Vela's defaults, Ethos-U55-256: ../shared/VELA.md), and
// hand-built payloads for every refusal, each naming the command and its byte offset.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/opcodes.hpp"
#include "chorus/runtime/model.hpp"
#include "ethosu_test_stream.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

uint32_t cmd0(Cmd0 op, uint16_t param = 0) { return static_cast<uint32_t>(op) | (uint32_t{param} << 16); }
uint32_t cmd1(Cmd1 op) { return static_cast<uint32_t>(op) | 0x4000; }

TEST(EthosuCommandStream, ReadsAHandBuiltStream) {
  const std::vector<uint32_t> commands = {cmd0(Cmd0::kSetIfmPrecision, 1), cmd1(Cmd1::kSetIfmBase0), 0x1000, cmd0(Cmd0::kOpConv),
                                          cmd0(Cmd0::kOpDmaStart), cmd0(Cmd0::kOpDmaWait), cmd0(Cmd0::kOpPool), cmd0(Cmd0::kOpStop, 0xFFFF)};
  const std::vector<uint8_t> bytes = words_to_bytes(payload(commands));
  Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(bytes.data(), bytes.size()));
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_FALSE(p->u65);
  EXPECT_EQ(p->macs_per_cycle, 128u);
  EXPECT_EQ(p->shram_kb, 24u);
  EXPECT_EQ(p->arch_major, 1u);
  EXPECT_EQ(p->arch_patch, 6u);
  EXPECT_EQ(p->commands_offset, 32u);  // 4 header words, 3 NOPs, the tag
  EXPECT_EQ(p->command_words, commands.size());
  EXPECT_STREQ(accelerator_name(*p), "ethos-u55-128");
  CommandReader reader(*p);
  Command c;
  ASSERT_TRUE(*reader.next(&c));
  EXPECT_EQ(c.opcode, 0x105);
  EXPECT_EQ(c.param, 1);
  EXPECT_FALSE(c.cmd1);
  ASSERT_TRUE(*reader.next(&c));
  EXPECT_TRUE(c.cmd1);
  EXPECT_EQ(c.payload, 0x1000u);
  EXPECT_EQ(c.offset, 4u);
  EXPECT_STREQ(command_name(c.opcode, true), "NPU_SET_IFM_BASE0");
  ASSERT_TRUE(*reader.next(&c));
  EXPECT_EQ(c.offset, 12u);  // after the payload word
  EXPECT_STREQ(command_name(c.opcode, false), "NPU_OP_CONV");
  Result<CommandSummary> s = summarize(*p);
  ASSERT_TRUE(s.is_ok());
  EXPECT_EQ(s->commands, 7u);
  EXPECT_EQ(s->conv, 1u);
  EXPECT_EQ(s->pool, 1u);
  EXPECT_EQ(s->dma, 1u);
  EXPECT_EQ(s->waits, 1u);
  EXPECT_EQ(s->register_writes, 2u);
  EXPECT_TRUE(s->stops);
  const std::vector<uint8_t> u65 = words_to_bytes(payload({cmd0(Cmd0::kOpStop)}, 9, 1));
  EXPECT_STREQ(accelerator_name(*parse_driver_payload(Span<const uint8_t>(u65.data(), u65.size()))), "ethos-u65-512");
}

std::string refusal(const std::vector<uint32_t>& words) {
  const std::vector<uint8_t> bytes = words_to_bytes(words);
  Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(bytes.data(), bytes.size()));
  if (!p.is_ok()) return p.status().message();
  Result<CommandSummary> s = summarize(*p);
  return s.is_ok() ? "" : s.status().message();
}

TEST(EthosuCommandStream, RefusalsNameTheCommandAndItsOffset) {
  EXPECT_EQ(refusal({0x12345678}), "ethos-u command stream: starts with 0x12345678, not \"COP1\"");
  EXPECT_EQ(refusal({0x31504F43, 0x01}), "ethos-u command stream: configuration at byte 4 runs past the end");
  EXPECT_EQ(refusal({0x31504F43, 0x02}), "ethos-u command stream: the command stream at byte 4 comes before any configuration");
  EXPECT_EQ(refusal({0x31504F43, 0x03}), "ethos-u command stream: driver action 0x03 (READ_APB) at byte 4 is not supported");
  std::vector<uint32_t> longer = payload({cmd0(Cmd0::kOpStop)});
  longer.pop_back();
  EXPECT_EQ(refusal(longer), "ethos-u command stream: 1 command words declared at byte 28, the payload holds 0 after it");
  EXPECT_EQ(refusal(payload({cmd0(Cmd0::kOpConv), 0x0004})),
            "ethos-u command 0x00000004 at byte 4: cmd0 opcode 0x004 is not an Ethos-U55/U65 command");
  EXPECT_EQ(refusal(payload({cmd1(Cmd1::kSetDma0Len)})),
            "ethos-u command NPU_SET_DMA0_LEN at byte 0: its payload word is past the end of the stream");
  EXPECT_EQ(refusal(payload({0x8002})), "ethos-u command 0x00008002 at byte 0: mode 2 (0: cmd0, 1: cmd1)");
  EXPECT_EQ(refusal(payload({0x0402})), "ethos-u command 0x00000402 at byte 0: reserved bits 13..10 set");
  EXPECT_EQ(refusal(payload({}, 7, 3)), "ethos-u command stream: configuration product 3 (0: Ethos-U55, 1: Ethos-U65)");
}

// The shared person_detect_vela.tflite: one ethos-u operator, compiled for Vela's default
// Ethos-U55-256; every command of its stream is a known one and it ends with NPU_OP_STOP.
TEST(EthosuCommandStream, ReadsTheSharedVelaModel) {
  tools::AlignedBytes file;
  ASSERT_TRUE(test::read_model_file("person_detect_vela", &file));
  Result<Model> model = Model::load(file.span(), LoadOptions{nullptr});
  ASSERT_TRUE(model.is_ok()) << model.status().message();
  ASSERT_TRUE(model->is_vela_compiled());
  Result<DriverPayload> p = parse_driver_payload(model->vela_command_stream());
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  EXPECT_STREQ(accelerator_name(*p), "ethos-u55-256");
  Result<CommandSummary> s = summarize(*p);
  ASSERT_TRUE(s.is_ok()) << s.status().message();
  EXPECT_TRUE(s->stops);
  EXPECT_GT(s->operations(), 0u);
  // The last command is the stop.
  CommandReader reader(*p);
  Command c, last;
  size_t n = 0;
  while (*reader.next(&c)) {
    last = c;
    ++n;
  }
  EXPECT_EQ(n, s->commands);
  EXPECT_EQ(last.opcode, static_cast<uint16_t>(Cmd0::kOpStop));
  EXPECT_FALSE(last.cmd1);
  std::printf("[ ethos-u  ] person_detect_vela: %s, %zu commands, %zu operations (%zu conv, %zu depthwise, %zu pool, %zu elementwise), "
              "%zu DMA\n",
              accelerator_name(*p), s->commands, s->operations(), s->conv, s->depthwise, s->pool, s->elementwise, s->dma);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
