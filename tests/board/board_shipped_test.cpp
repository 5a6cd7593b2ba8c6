// Every shipped board validates against the schema, loads, and says what its datasheet says.
#include <gtest/gtest.h>

#include "board_test_util.hpp"
#include "chorus/module/host/board_xml.hpp"

namespace chorus::test {
namespace {

using namespace chorus::board;

TEST(ShippedBoards, AllEightArePresent) {
  const std::vector<std::string> boards = shipped_boards();
  EXPECT_EQ(boards.size(), 8u);  // the seven of issue 3 and mps2_an386 (M4, the real-time firmware's QEMU board)
}

TEST(ShippedBoards, ValidateAgainstTheSchema) {
  ASSERT_TRUE(have_tool("xmllint")) << "xmllint not found (Debian package libxml2-utils; scripts/setup.sh installs it)";
  for (const std::string& path : shipped_boards()) {
    ToolRun r = run("xmllint --noout --schema " + boards_dir() + "/board.xsd " + path);
    EXPECT_EQ(r.exit_code, 0) << r.out;
  }
}

TEST(ShippedBoards, LoadAndPassEveryCheck) {
  for (const std::string& path : shipped_boards()) {
    std::string error;
    auto board = host::load_board(path, &error);
    EXPECT_NE(board, nullptr) << error;
  }
}

TEST(ShippedBoards, EveryFigureCitesItsSource) {
  // Each board names its sources in a comment ([X1] ...) and cites them next to figures.
  for (const std::string& path : shipped_boards()) {
    const std::string text = read_text(path);
    EXPECT_NE(text.find("Sources"), std::string::npos) << path;
    size_t memories = 0, cited = 0;
    for (size_t at = text.find("<memory "); at != std::string::npos; at = text.find("<memory ", at + 1)) {
      ++memories;
      const size_t comment = text.rfind("<!--", at);
      const size_t previous_element = text.rfind("/>", at);
      if (comment != std::string::npos && (previous_element == std::string::npos || comment > previous_element)) ++cited;
    }
    EXPECT_GT(memories, 0u) << path;
    EXPECT_EQ(cited, memories) << path << ": every <memory> needs a comment with its source right above it";
  }
}

std::unique_ptr<host::BoardDescription> load(const std::string& name) {
  std::string error;
  auto b = host::load_board(boards_dir() + "/" + name + ".xml", &error);
  EXPECT_NE(b, nullptr) << error;
  return b;
}

const MemoryRegion* region(const host::BoardDescription& b, const char* name) {
  for (const MemoryRegion& r : b.regions) {
    if (std::string(r.name) == name) return &r;
  }
  ADD_FAILURE() << "no region " << name;
  return nullptr;
}

TEST(ShippedBoards, CorstoneThreeHundredAsQemuModelsIt) {
  auto b = load("mps3_an547");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->cpu.core, Core::kCortexM55);
  EXPECT_EQ(b->cpu.clock_hz, 32000000u);
  EXPECT_EQ(b->cpu.features, kFeatureFpu | kFeatureDsp | kFeatureMve);
  EXPECT_EQ(region(*b, "itcm")->size, 512u * 1024);
  EXPECT_EQ(region(*b, "sram")->base, 0x01000000u);
  EXPECT_EQ(region(*b, "dtcm")->base, 0x20000000u);
  EXPECT_EQ(region(*b, "isram")->size, 4u << 20);
  EXPECT_EQ(region(*b, "qspi")->base, 0x28000000u);
  EXPECT_EQ(region(*b, "ddr")->size, 0x80000000u);
  EXPECT_FALSE(has_access(*region(*b, "dtcm"), kAccessNpu));
  ASSERT_TRUE(b->has_npu);
  EXPECT_EQ(b->npu.macs_per_cycle, 128u);
  EXPECT_EQ(b->npu.base_address, 0x48102000u);
  EXPECT_EQ(b->npu.irq, 56);
  // The M55 fit (SCHEMA.md "Cost coefficients"): 16 lanes, 10.406 cycles a conv vector step.
  EXPECT_EQ(b->cpu.cost.lanes, 16u);
  EXPECT_EQ(b->cpu.cost.millicycles[static_cast<size_t>(OpKind::kConv)][static_cast<size_t>(OpFeature::kVector)], 10406);
}

TEST(ShippedBoards, Mps2An385AsQemuModelsIt) {
  auto b = load("mps2_an385");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->cpu.core, Core::kCortexM3);
  EXPECT_EQ(b->cpu.clock_hz, 25000000u);
  EXPECT_EQ(b->cpu.features, 0);
  EXPECT_EQ(region(*b, "ssram1")->size, 4u << 20);
  EXPECT_EQ(region(*b, "blockram")->base, 0x01000000u);
  EXPECT_EQ(region(*b, "ssram23")->base, 0x20000000u);
  EXPECT_EQ(region(*b, "psram")->size, 16u << 20);
  EXPECT_FALSE(b->has_npu);
  EXPECT_STREQ(b->regions[b->weights_region].name, "ssram1");
}

TEST(ShippedBoards, Stm32f746Disco) {
  auto b = load("stm32f746g_disco");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->cpu.clock_hz, 216000000u);
  EXPECT_EQ(b->cpu.icache_bytes, 4096u);
  EXPECT_EQ(region(*b, "dtcm")->size, 64u * 1024);
  EXPECT_EQ(region(*b, "sram1")->base, 0x20010000u);
  EXPECT_EQ(region(*b, "sram1")->size, 240u * 1024);
  EXPECT_EQ(region(*b, "sram2")->base, 0x2004C000u);
  EXPECT_EQ(region(*b, "sdram")->size, 8u << 20);
}

TEST(ShippedBoards, NanoNrfAlifPsoc) {
  auto nano = load("arduino_nano33_ble_sense");
  ASSERT_NE(nano, nullptr);
  EXPECT_EQ(nano->cpu.core, Core::kCortexM4);
  EXPECT_EQ(region(*nano, "ram")->size, 256u * 1024);
  EXPECT_EQ(nano->sensors.size(), 2u);
  auto nrf = load("nrf5340dk_cpuapp");
  ASSERT_NE(nrf, nullptr);
  EXPECT_EQ(nrf->cpu.core, Core::kCortexM33);
  EXPECT_EQ(nrf->cpu.clock_hz, 128000000u);
  EXPECT_EQ(region(*nrf, "sram")->size, 512u * 1024);
  auto alif = load("alif_e7_hp");
  ASSERT_NE(alif, nullptr);
  EXPECT_EQ(alif->npu.macs_per_cycle, 256u);
  EXPECT_EQ(region(*alif, "sram0")->base, 0x02000000u);
  EXPECT_EQ(region(*alif, "sram1")->size, 2560u * 1024);
  auto psoc = load("psoc_edge_e84_ai");
  ASSERT_NE(psoc, nullptr);
  EXPECT_EQ(psoc->npu.macs_per_cycle, 128u);
  EXPECT_EQ(psoc->npu.base_address, 0u);  // not in the cited sources
  EXPECT_EQ(region(*psoc, "socmem")->size, 5u << 20);
  EXPECT_EQ(psoc->sensors[1].type, SensorType::kRadar);
}

}  // namespace
}  // namespace chorus::test
