// Every kind of broken board the loader rejects, each with the message a user sees: file,
// line, element and the numbers.
#include <gtest/gtest.h>

#include "board_test_util.hpp"
#include "chorus/module/host/board_xml.hpp"
#include "chorus/module/host/input_file.hpp"

namespace chorus::test {
namespace {

using board::host::parse_board;

// A valid board; each test breaks one thing. Line numbers matter to the tests.
const std::string kGood =
    "<?xml version=\"1.0\"?>\n"                                                                                           // 1
    "<board name=\"t\">\n"                                                                                                // 2
    "  <cpu core=\"cortex-m55\" clock=\"100MHz\" features=\"fpu dsp mve\">\n"                                             // 3
    "    <cost lanes=\"4\"><kind name=\"conv\" op=\"100\" mac=\"0.25\"/><kind name=\"depthwise\" op=\"100\" mac=\"0.5\"/>"
    "<kind name=\"fully-connected\" op=\"100\" mac=\"0.25\"/><kind name=\"svdf\" op=\"100\" mac=\"0.25\"/>"
    "<kind name=\"pool\" op=\"100\" mac=\"1\"/><kind name=\"elementwise\" op=\"100\" mac=\"1\"/><kind name=\"other\" op=\"100\" byte=\"0.125\"/></cost>\n"  // 4
    "  </cpu>\n"                                                                                                          // 5
    "  <memory name=\"flash\" base=\"0x00000000\" size=\"1M\" kind=\"flash\" access=\"cpu npu\" speed=\"20\"/>\n"         // 6
    "  <memory name=\"dtcm\" base=\"0x20000000\" size=\"64K\" kind=\"dtcm\" access=\"cpu\" speed=\"100\"/>\n"             // 7
    "  <memory name=\"sram\" base=\"0x21000000\" size=\"256K\" kind=\"sram\" access=\"cpu npu dma\" speed=\"60\"/>\n"     // 8
    "  <npu type=\"ethos-u55\" macs-per-cycle=\"128\" clock=\"100MHz\" base=\"0x40000000\" command-alignment=\"16\" "
    "tensor-alignment=\"16\"/>\n"                                                              // 9
    "  <arena regions=\"dtcm sram\" alignment=\"16\">\n"                                       // 10
    "    <partition name=\"audio\" level=\"0\" size=\"16K\" region=\"sram\" npu=\"true\"/>\n"  // 11
    "  </arena>\n"                                                                             // 12
    "</board>\n";                                                                              // 13

std::string error_of(const std::string& xml) {
  std::string error;
  auto board = parse_board(xml, "b.xml", &error);
  EXPECT_EQ(board, nullptr) << "expected the board to be rejected";
  return error;
}

TEST(BoardXml, TheTemplateIsValid) {
  std::string error;
  auto board = parse_board(kGood, "b.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  EXPECT_EQ(board->regions.size(), 3u);
  EXPECT_EQ(board->partitions[0].region, 2);
  EXPECT_EQ(board->weights_region, 0);  // the first flash region by default
  EXPECT_EQ(board->npu.reachable_regions, 0x5u);
}

TEST(BoardXml, MalformedXml) {
  EXPECT_EQ(error_of(replaced(kGood, "  </arena>\n", "")),
            "b.xml:10: malformed XML: an element is closed by another element's end tag");
}

TEST(BoardXml, EmptyAndBinaryFilesAreNamedAsSuch) {
  EXPECT_EQ(error_of(""), "b.xml: empty file, not XML");
  EXPECT_EQ(error_of(std::string("\x01\x02\0garbage", 10)), "b.xml: binary data (a NUL byte at offset 2), not XML");
  EXPECT_EQ(error_of("hello"), "b.xml:1: malformed XML: malformed text");
}

// What the CLI prints: one line, control characters escaped, a 1 MB value cut to 80 bytes.
TEST(BoardCliErrors, EchoedValuesAreEscapedAndCut) {
  const std::string ansi = replaced(kGood, "kind=\"sram\"", "kind=\"s\x1b[31mram\n\"");
  const std::string huge = replaced(kGood, "<memory name=\"dtcm\"", "<memory name=\"" + std::string(1000000, 'a') + "\"");
  for (const std::string& xml : {ansi, huge}) {
    const std::string path = temp_path("echo.xml");
    write_text(path, xml);
    ToolRun r = run(std::string(CHORUS_CLI) + " board " + path + " --emit header");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out.substr(0, 400);
    EXPECT_LT(r.out.size(), 600u) << r.out.substr(0, 400);
    EXPECT_NE(r.out.find(path + ":"), std::string::npos) << r.out.substr(0, 400);
  }
  EXPECT_EQ(host::error_text("name='" + std::string(100, 'x') + "' and \"model's\" \x1b"),
            "name='" + std::string(80, 'x') + "...(20 more bytes)' and \"model's\" \\x1b");
}

TEST(BoardXml, WhatIsNotABoardFileIsOneLineAndNeverRead) {
  std::string error;
  EXPECT_EQ(board::host::load_board("/tmp", &error), nullptr);
  EXPECT_EQ(error, "/tmp: is a directory, not a file");
  EXPECT_EQ(board::host::load_board("/dev/zero", &error), nullptr);  // would read without end
  EXPECT_EQ(error, "/dev/zero: is not a regular file (a device, FIFO or socket)");
  EXPECT_EQ(board::host::load_board("/nonexistent/b.xml", &error), nullptr);
  EXPECT_EQ(error, "/nonexistent/b.xml: No such file or directory");
}

TEST(BoardXml, UnknownElement) {
  EXPECT_EQ(error_of(replaced(kGood, "<memory name=\"dtcm\"", "<memroy name=\"dtcm\"")),
            "b.xml:7: element <memroy name=\"dtcm\">: unknown element inside <board> (expected one of: cpu, memory, npu, "
            "sensor, arena)");
}

TEST(BoardXml, UnknownAttribute) {
  EXPECT_EQ(error_of(replaced(kGood, "size=\"64K\"", "sise=\"64K\"")),
            "b.xml:7: element <memory name=\"dtcm\">: unknown attribute 'sise' (known: name, base, size, kind, access, "
            "speed, cacheable, reserved)");
}

TEST(BoardXml, MissingRequiredAttribute) {
  EXPECT_EQ(error_of(replaced(kGood, " size=\"64K\"", "")),
            "b.xml:7: element <memory name=\"dtcm\">: missing required attribute 'size'");
}

TEST(BoardXml, MissingRequiredElement) {
  const std::string xml =
      replaced(replaced(replaced(kGood, "  <arena regions=\"dtcm sram\" alignment=\"16\">\n", ""),
                        "    <partition name=\"audio\" level=\"0\" size=\"16K\" region=\"sram\" npu=\"true\"/>\n", ""),
               "  </arena>\n", "");
  EXPECT_EQ(error_of(xml), "b.xml:2: element <board name=\"t\">: missing required element <arena>");
}

TEST(BoardXml, BadNumber) {
  EXPECT_EQ(error_of(replaced(kGood, "size=\"64K\"", "size=\"64Q\"")),
            "b.xml:7: element <memory name=\"dtcm\">: attribute size='64Q' is not a size (decimal or 0x hex, optional K, "
            "M or G suffix)");
  EXPECT_EQ(error_of(replaced(kGood, "clock=\"100MHz\" features", "clock=\"fast\" features")),
            "b.xml:3: element <cpu>: attribute clock='fast' is not a frequency (whole number, optional Hz, kHz, MHz or GHz)");
  EXPECT_EQ(error_of(replaced(kGood, "op=\"100\" mac=\"0.25\"", "op=\"100\" mac=\"0.2505\"")),
            "b.xml:4: element <kind name=\"conv\">: attribute mac='0.2505' is not a decimal number with at most three decimals");
}

TEST(BoardXml, CostKinds) {
  // Every kind once; no negatives; a kind costs something; at least one lane.
  EXPECT_EQ(error_of(replaced(kGood, "<kind name=\"svdf\" op=\"100\" mac=\"0.25\"/>", "")),
            "b.xml:4: element <cost>: missing <kind name='svdf'> (every kind is charged: conv, depthwise, fully-connected, "
            "svdf, pool, elementwise, other)");
  EXPECT_EQ(error_of(replaced(kGood, "<kind name=\"svdf\"", "<kind name=\"conv\"")),
            "b.xml:4: element <kind name=\"conv\">: this kind is given twice (each kind once)");
  EXPECT_EQ(error_of(replaced(kGood, "<kind name=\"svdf\"", "<kind name=\"lstm\"")),
            "b.xml:4: element <kind name=\"lstm\">: attribute name='lstm' is not one of: conv, depthwise, fully-connected, svdf, "
            "pool, elementwise, other");
  EXPECT_EQ(error_of(replaced(kGood, "byte=\"0.125\"", "byte=\"-0.125\"")),
            "b.xml:4: element <kind name=\"other\">: attribute byte='-0.125' is not a decimal number with at most three decimals");
  EXPECT_EQ(error_of(replaced(kGood, "<kind name=\"other\" op=\"100\" byte=\"0.125\"/>", "<kind name=\"other\"/>")),
            "b.xml:4: element <cost>: <kind name='other'> costs nothing; every operator costs something");
  EXPECT_EQ(error_of(replaced(kGood, "lanes=\"4\"", "lanes=\"0\"")),
            "b.xml:4: element <cost>: attribute lanes='0': a vector step has at least one lane");
  EXPECT_EQ(error_of(replaced(kGood, " mac=\"0.5\"", " macs=\"0.5\"")).substr(0, 59),
            "b.xml:4: element <kind name=\"depthwise\">: unknown attribute");
}

TEST(BoardXml, NumberOutOfRange) {
  EXPECT_EQ(error_of(replaced(kGood, "speed=\"100\"", "speed=\"5000\"")),
            "b.xml:7: element <memory name=\"dtcm\">: attribute speed='5000' is 5000, above the limit 1000");
  EXPECT_EQ(error_of(replaced(kGood, "base=\"0x20000000\"", "base=\"0x120000000\"")),
            "b.xml:7: element <memory name=\"dtcm\">: attribute base='0x120000000' is 4831838208, above the limit 4294967295");
}

TEST(BoardXml, BadEnumeration) {
  EXPECT_EQ(error_of(replaced(kGood, "cortex-m55", "cortex-m99")),
            "b.xml:3: element <cpu>: attribute core='cortex-m99' is not one of: cortex-m0plus, cortex-m3, cortex-m4, "
            "cortex-m7, cortex-m33, cortex-m55, cortex-m85");
  EXPECT_EQ(error_of(replaced(kGood, "access=\"cpu npu dma\"", "access=\"cpu gpu\"")),
            "b.xml:8: element <memory name=\"sram\">: attribute access has 'gpu' (known: cpu, npu, dma)");
}

TEST(BoardXml, BadName) {
  EXPECT_EQ(error_of(replaced(kGood, "name=\"sram\" base", "name=\"s-ram\" base")),
            "b.xml:8: element <memory name=\"s-ram\">: attribute name='s-ram' must be a letter then letters, digits or _, "
            "at most 31 characters");
}

TEST(BoardXml, DuplicateRegionNameIgnoringCase) {
  EXPECT_EQ(error_of(replaced(kGood, "name=\"sram\" base", "name=\"DTCM\" base")),
            "b.xml:8: element <memory name=\"DTCM\">: region name 'DTCM' is used twice (names are compared ignoring case)");
}

TEST(BoardXml, UnknownRegionReference) {
  EXPECT_EQ(error_of(replaced(kGood, "regions=\"dtcm sram\"", "regions=\"dtcm isram\"")),
            "b.xml:10: element <arena>: attribute regions names region 'isram', which is not a <memory> (regions: flash, "
            "dtcm, sram)");
}

TEST(BoardXml, OverlappingRegions) {
  EXPECT_EQ(error_of(replaced(kGood, "base=\"0x21000000\"", "base=\"0x2000F000\"")),
            "b.xml:8: element <memory name=\"sram\">: region 'sram' [0x2000F000, 0x2004F000) overlaps region 'dtcm' "
            "[0x20000000, 0x20010000) (line 7) by 4096 bytes");
}

TEST(BoardXml, RegionPastFourGiB) {
  EXPECT_EQ(error_of(replaced(kGood, "base=\"0x21000000\" size=\"256K\"", "base=\"0xFFFF0000\" size=\"256K\"")),
            "b.xml:8: element <memory name=\"sram\">: base 0xFFFF0000 + size 262144 = 0x100030000 runs past the 4 GiB "
            "address space");
}

TEST(BoardXml, MisalignedRegionBase) {
  EXPECT_EQ(error_of(replaced(kGood, "base=\"0x21000000\"", "base=\"0x21000002\"")),
            "b.xml:8: element <memory name=\"sram\">: base 0x21000002 is not 4-byte aligned (misaligned by 2 bytes)");
}

TEST(BoardXml, MisalignedPartition) {
  EXPECT_EQ(error_of(replaced(kGood, "size=\"16K\"", "size=\"1000\"")),
            "b.xml:11: element <partition name=\"audio\">: size 1000 is misaligned: not a multiple of the arena alignment "
            "16 (next multiple 1008)");
}

TEST(BoardXml, MisalignedForTheNpu) {
  std::string xml = replaced(kGood, "tensor-alignment=\"16\"", "tensor-alignment=\"64\"");
  xml = replaced(xml, "size=\"16K\"", "size=\"1040\"");
  EXPECT_EQ(error_of(xml),
            "b.xml:11: element <partition name=\"audio\">: size 1040 is misaligned for the NPU: not a "
            "multiple of its tensor alignment 64");
}

TEST(BoardXml, AlignmentNotAPowerOfTwo) {
  EXPECT_EQ(error_of(replaced(kGood, "alignment=\"16\">", "alignment=\"24\">")),
            "b.xml:10: element <arena>: alignment 24 is not a power of two");
}

TEST(BoardXml, ArenaLargerThanItsRegions) {
  EXPECT_EQ(error_of(replaced(kGood, "alignment=\"16\">", "alignment=\"16\" size=\"400K\">")),
            "b.xml:10: element <arena>: size 409600 B is larger than its regions 'dtcm', 'sram' (327680 B usable "
            "together) by 81920 B");
  std::string one =
      replaced(kGood, "regions=\"dtcm sram\" alignment=\"16\">", "regions=\"sram\" alignment=\"16\" size=\"300K\">");
  EXPECT_EQ(error_of(one),
            "b.xml:10: element <arena>: size 307200 B is larger than its region 'sram' (262144 B usable) "
            "by 45056 B");
}

TEST(BoardXml, ReservedCountsAgainstTheArena) {
  std::string xml = replaced(kGood, "speed=\"60\"/>", "speed=\"60\" reserved=\"200K\"/>");
  xml = replaced(xml, "alignment=\"16\">", "alignment=\"16\" size=\"128K\">");
  EXPECT_EQ(error_of(xml),
            "b.xml:10: element <arena>: size 131072 B is larger than its regions 'dtcm', 'sram' (122880 B "
            "usable together) by 8192 B");
}

TEST(BoardXml, PartitionsOverCapacityInARegion) {
  const std::string xml =
      replaced(kGood, "    <partition name=\"audio\" level=\"0\" size=\"16K\" region=\"sram\" npu=\"true\"/>\n",
               "    <partition name=\"audio\" level=\"0\" size=\"160K\" region=\"sram\"/>\n"
               "    <partition name=\"radar\" level=\"1\" size=\"128K\" region=\"sram\"/>\n");
  EXPECT_EQ(error_of(xml),
            "b.xml:12: element <partition name=\"radar\">: partitions fixed in region 'sram' need 294912 B, "
            "it has 262144 B usable: over capacity by 32768 B");
}

TEST(BoardXml, PartitionsOverTheArenaBudget) {
  std::string xml = replaced(kGood, "alignment=\"16\">", "alignment=\"16\" size=\"40K\">");
  xml = replaced(xml, "    <partition name=\"audio\" level=\"0\" size=\"16K\" region=\"sram\" npu=\"true\"/>\n",
                 "    <partition name=\"audio\" level=\"0\" size=\"16K\"/>\n"
                 "    <partition name=\"radar\" level=\"1\" size=\"32K\"/>\n");
  EXPECT_EQ(error_of(xml),
            "b.xml:10: element <arena>: fixed partitions need 49152 B, the arena has 40960 B: over capacity "
            "by 8192 B");
}

TEST(BoardXml, NpuPartitionInMemoryTheNpuCannotReach) {
  EXPECT_EQ(error_of(replaced(kGood, "region=\"sram\" npu=\"true\"", "region=\"dtcm\" npu=\"true\"")),
            "b.xml:11: element <partition name=\"audio\">: level 0 holds NPU work but region 'dtcm' is not reachable by the "
            "NPU (the NPU reaches: flash, sram)");
  std::string none = replaced(kGood, "regions=\"dtcm sram\"", "regions=\"dtcm\"");
  none = replaced(none, " region=\"sram\" npu=\"true\"", " npu=\"true\"");
  EXPECT_EQ(error_of(none),
            "b.xml:11: element <partition name=\"audio\">: level 0 holds NPU work but none of the arena's "
            "regions is reachable by the NPU (the NPU reaches: flash, sram)");
}

TEST(BoardXml, NpuWithoutAnNpu) {
  std::string xml = kGood;
  const size_t at = xml.find("  <npu ");
  xml.erase(at, xml.find('\n', at) + 1 - at);
  EXPECT_EQ(error_of(xml), "b.xml:6: element <memory name=\"flash\">: access includes npu but the board has no <npu>");
}

TEST(BoardXml, OneNpuPartitionPerLevel) {
  const std::string xml =
      replaced(kGood, "    <partition name=\"audio\" level=\"0\" size=\"16K\" region=\"sram\" npu=\"true\"/>\n",
               "    <partition name=\"audio\" level=\"0\" size=\"16K\"/>\n"
               "    <partition name=\"radar\" level=\"0\" size=\"16K\"/>\n");
  EXPECT_EQ(error_of(xml),
            "b.xml:12: element <partition name=\"radar\">: level 0 already has partition 'audio' (line 11); "
            "one partition per level");
}

TEST(BoardXml, PartitionOutsideTheArena) {
  EXPECT_EQ(error_of(replaced(kGood, "region=\"sram\" npu=\"true\"", "region=\"flash\"")),
            "b.xml:11: element <partition name=\"audio\">: region 'flash' is not one of the arena's regions");
}

TEST(BoardXml, FlashArenaRegion) {
  EXPECT_EQ(error_of(replaced(kGood, "regions=\"dtcm sram\"", "regions=\"flash sram\"")),
            "b.xml:10: element <arena>: region 'flash' is flash; the arena needs RAM");
}

TEST(BoardXml, FeaturesTheCoreDoesNotHave) {
  EXPECT_EQ(error_of(replaced(kGood, "cortex-m55", "cortex-m4")),
            "b.xml:3: element <cpu>: cortex-m4 has no MVE (Helium); only cortex-m55 and cortex-m85 do");
  EXPECT_EQ(error_of(replaced(replaced(kGood, "cortex-m55", "cortex-m3"), "fpu dsp mve", "dsp")),
            "b.xml:3: element <cpu>: cortex-m3 has neither the DSP extension nor an FPU");
}

TEST(BoardXml, SensorBufferLargerThanItsRegion) {
  const std::string xml = replaced(kGood, "  <arena ",
                                   "  <sensor name=\"mic\" type=\"microphone\" bus=\"pdm\" rate=\"16000\" buffer=\"128K\" "
                                   "region=\"dtcm\"/>\n  <arena ");
  EXPECT_EQ(error_of(xml),
            "b.xml:10: element <sensor name=\"mic\">: buffer 131072 B is larger than region 'dtcm' "
            "(65536 B usable)");
}

// Sustained rate: the LIS3DH driver moves 90 bus clocks a sample over I2C (84 for the
// six-byte read, FIFO_SRC_REG reads at the watermark), so 1344 Hz needs more than 100 kHz.
TEST(BoardXml, ASensorRateTheBusCannotCarryIsRefused) {
  auto imu = [](const char* clock) {
    return replaced(kGood, "  <arena ",
                    std::string("  <sensor name=\"imu\" type=\"accelerometer\" bus=\"i2c\" rate=\"1344\" buffer=\"1K\" "
                                "region=\"dtcm\" bus-clock=\"") +
                        clock + "\" boot-ms=\"5\"/>\n  <arena ");
  };
  EXPECT_EQ(error_of(imu("100kHz")),
            "b.xml:10: element <sensor name=\"imu\">: 1344 samples a second need 120960 bus clocks a second (90 a sample); "
            "bus-clock 100000 Hz carries at most 1111 a second");
  std::string error;
  auto board = parse_board(imu("400kHz"), "b.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  EXPECT_EQ(board->sensors[0].bus_hz, 400000u);
  EXPECT_EQ(board->sensors[0].boot_ms, 5u);
  EXPECT_EQ(board->sensors[0].reset_pin, -1);
  // A microphone's I2S bit clock is 64 x fs: 1.024 MHz for 16 kHz.
  const std::string mic = "  <sensor name=\"mic\" type=\"microphone\" bus=\"i2s\" rate=\"16000\" buffer=\"4K\" region=\"dtcm\" ";
  EXPECT_NE(error_of(replaced(kGood, "  <arena ", mic + "bus-clock=\"1MHz\"/>\n  <arena ")).find("carries at most 15625"),
            std::string::npos);
  board = parse_board(replaced(kGood, "  <arena ", mic + "bus-clock=\"1024kHz\" i2s-order=\"high-first\"/>\n  <arena "), "b.xml",
                      &error);
  ASSERT_NE(board, nullptr) << error;
  EXPECT_EQ(board->sensors[0].i2s_order, board::I2sHalfOrder::kHighFirst);
  EXPECT_EQ(error_of(replaced(kGood, "  <arena ", mic + "i2s-order=\"middle\"/>\n  <arena ")),
            "b.xml:10: element <sensor name=\"mic\">: i2s-order must be high-first or low-first, not 'middle'");
}

// The radar's rate is in frames: 30 bursts of 64 x 32 x 3 12-bit samples and a 32-bit
// command need 2,212,800 SPI clocks a second. The driver-level stream on a model of the
// part agrees (bgt60tr13c_part_test: At30FramesASecondA2MHzSpiFallsBehindAnd2_5MHzKeepsUp).
TEST(BoardXml, ARadarFrameRateTheSpiCannotCarryIsRefused) {
  auto radar = [](const char* clock) {
    return replaced(kGood, "  <arena ",
                    std::string("  <sensor name=\"radar\" type=\"radar\" bus=\"spi\" rate=\"30\" buffer=\"32K\" "
                                "region=\"dtcm\" bus-clock=\"") +
                        clock + "\"/>\n  <arena ");
  };
  EXPECT_EQ(error_of(radar("2MHz")),
            "b.xml:10: element <sensor name=\"radar\">: 30 frames a second need 2212800 bus clocks a second (73760 a "
            "frame); bus-clock 2000000 Hz carries at most 27 a second");
  std::string error;
  auto board = parse_board(radar("2500kHz"), "b.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  EXPECT_EQ(board->sensors[0].bus_hz, 2500000u);
}

// A wideband accelerometer (IIS3DWB) on SPI at 26,667 samples a second: 57 clocks a sample
// (iis3dwb_part_test: At26667HzA2MHzSpiKeepsUpAnd1MHzFallsBehind).
TEST(BoardXml, AWidebandAccelerometerTheSpiCannotCarryIsRefused) {
  auto vib = [](const char* clock) {
    return replaced(kGood, "  <arena ",
                    std::string("  <sensor name=\"vib\" type=\"accelerometer\" bus=\"spi\" rate=\"26667\" buffer=\"8K\" "
                                "region=\"dtcm\" bus-clock=\"") +
                        clock + "\" boot-ms=\"10\"/>\n  <arena ");
  };
  EXPECT_EQ(error_of(vib("1MHz")),
            "b.xml:10: element <sensor name=\"vib\">: 26667 samples a second need 1520019 bus clocks a second (57 a "
            "sample); bus-clock 1000000 Hz carries at most 17543 a second");
  std::string error;
  auto board = parse_board(vib("2MHz"), "b.xml", &error);
  ASSERT_NE(board, nullptr) << error;
}

TEST(BoardXml, SecondCpu) {
  const std::string xml = replaced(kGood, "  <memory name=\"flash\"",
                                   "  <cpu core=\"cortex-m4\" clock=\"1\"><cost lanes=\"4\"/></cpu>\n  <memory name=\"flash\"");
  EXPECT_EQ(error_of(xml), "b.xml:6: element <cpu>: only one <cpu> allowed");
}

TEST(BoardXml, MissingFileIsAnError) {
  std::string error;
  EXPECT_EQ(board::host::load_board("/nonexistent/board.xml", &error), nullptr);
  EXPECT_EQ(error, "/nonexistent/board.xml: No such file or directory");
}

// The schema catches the per-element mistakes too, so editors and CI can check boards
// without building Chorus.
TEST(BoardXsd, RejectsWhatTheLoaderRejectsPerElement) {
  ASSERT_TRUE(have_tool("xmllint")) << "xmllint not found (Debian package libxml2-utils; scripts/setup.sh installs it)";
  const std::string xsd = boards_dir() + "/board.xsd";
  const std::string good = temp_path("xsd_good.xml");
  write_text(good, kGood);
  ToolRun ok = run("xmllint --noout --schema " + xsd + " " + good);
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  const std::pair<const char*, const char*> breaks[] = {
      {"<memory name=\"dtcm\"", "<memroy name=\"dtcm\""},   // unknown element
      {"size=\"64K\"", "sise=\"64K\""},                     // unknown attribute
      {" size=\"64K\"", ""},                                // missing required attribute
      {"size=\"64K\"", "size=\"64Q\""},                     // bad number
      {"cortex-m55", "cortex-m99"},                         // bad enumeration
      {"npu=\"true\"", "npu=\"1\""},                        // not true/false
      {"regions=\"dtcm sram\"", "regions=\"dtcm, sram\""},  // bad list
      {"region=\"sram\"", "region=\"isram\""},              // dangling reference
  };
  for (const auto& [from, to] : breaks) {
    const std::string bad = temp_path("xsd_bad.xml");
    write_text(bad, replaced(kGood, from, to));
    ToolRun r = run("xmllint --noout --schema " + xsd + " " + bad);
    EXPECT_NE(r.exit_code, 0) << "the XSD accepted: " << to << "\n" << r.out;
  }
}

}  // namespace
}  // namespace chorus::test
