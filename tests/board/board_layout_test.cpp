// The fixed model set (micro_speech_quantized, kws_ref_model, ad01_int8) on the shipped
// Corstone-300 board: partitions, persistent areas, scratch, weights and the bytes saved,
// against addresses worked out by hand.
#include <gtest/gtest.h>

#include <algorithm>

#include "board_test_util.hpp"
#include "chorus/tools/board_layout.hpp"

namespace chorus::test {
namespace {

using tools::BoardLayout;
using tools::LayoutItem;
using tools::ModelNeeds;

std::unique_ptr<board::host::BoardDescription> an547() {
  std::string error;
  auto b = board::host::load_board(boards_dir() + "/mps3_an547.xml", &error);
  EXPECT_NE(b, nullptr) << error;
  return b;
}

ModelNeeds needs(const char* name, int level, size_t weights, size_t act, size_t pers, size_t scratch) {
  ModelNeeds m;
  m.name = name;
  m.path = shared_model(name);
  m.level = level;
  m.npu = true;
  m.weight_bytes = weights;
  m.model_bytes = weights;  // the placed size (the whole file in real use)
  m.activation_bytes = act;
  m.persistent_bytes = pers;
  m.scratch_bytes = scratch;
  return m;
}

const LayoutItem& item(const BoardLayout& l, const std::string& label) {
  for (const LayoutItem& i : l.items) {
    if (i.label == label) return i;
  }
  ADD_FAILURE() << "no item '" << label << "'";
  static LayoutItem none;
  return none;
}

// Measured with `chorus plan` when this test was written: activations come from the planner,
// weights from the files; persistent and scratch depend on the kernels and may grow.
std::vector<ModelNeeds> fixed_set(int l0, int l1, int l2) {
  return {needs("micro_speech_quantized", l0, 16704, 5968, 336, 1280), needs("kws_ref_model", l1, 24376, 16000, 5856, 4096),
          needs("ad01_int8", l2, 270880, 768, 752, 0)};
}

TEST(BoardLayout, EachModelOnItsOwnLevel) {
  auto board = an547();
  ASSERT_NE(board, nullptr);
  BoardLayout l;
  std::string error;
  ASSERT_TRUE(tools::build_layout(*board, fixed_set(0, 1, 2), &l, &error)) << error;

  // The microphone ring (placed first) takes isram's first 4 KiB.
  EXPECT_EQ(item(l, "sensor mic").placed.address, 0x21000000u);
  // NPU levels in isram (dtcm is CPU-only), in level order, 16-byte aligned:
  // 0x21001000 + 5968 (0x1750) = 0x21002750; + 16000 (0x3E80) = 0x210065D0.
  EXPECT_EQ(item(l, "level 0").placed.address, 0x21001000u);
  EXPECT_EQ(item(l, "level 1").placed.address, 0x21002750u);
  EXPECT_EQ(item(l, "level 2").placed.address, 0x210065D0u);
  EXPECT_EQ(item(l, "level 0").bytes, 5968u);
  // CPU-only areas in dtcm after its 64 KiB reserved, largest first:
  // 5856 @ 0x20010000, scratch 4096 @ 0x200116E0, 752 @ 0x200126E0, 336 @ 0x200129D0.
  EXPECT_EQ(item(l, "persistent kws_ref_model").placed.address, 0x20010000u);
  EXPECT_EQ(item(l, "scratch").placed.address, 0x200116E0u);
  EXPECT_EQ(item(l, "scratch").bytes, 4096u);
  EXPECT_EQ(item(l, "persistent ad01_int8").placed.address, 0x200126E0u);
  EXPECT_EQ(item(l, "persistent micro_speech_quantized").placed.address, 0x200129D0u);
  // Weights in QSPI flash: 16704 = 0x4140; 0x28004140 + 24376 = 0x2800A078 -> 0x2800A080.
  EXPECT_EQ(item(l, "weights micro_speech_quantized").placed.address, 0x28000000u);
  EXPECT_EQ(item(l, "weights kws_ref_model").placed.address, 0x28004140u);
  EXPECT_EQ(item(l, "weights ad01_int8").placed.address, 0x2800A080u);
  // 5968 + 16000 + 768 + 5856 + 752 + 336 + 4096 = 33776; per model 7584 + 25952 + 1520 = 35056.
  EXPECT_EQ(l.arena_bytes, 33776u);
  EXPECT_EQ(l.per_model_bytes, 35056u);
  EXPECT_EQ(l.saved_bytes(), 1280u);  // only the scratch is shared
}

TEST(BoardLayout, ModelsSharingALevelShareItsPartition) {
  auto board = an547();
  ASSERT_NE(board, nullptr);
  BoardLayout l;
  std::string error;
  // micro_speech and ad01 never interleave (level 0); kws preempts them (level 1).
  ASSERT_TRUE(tools::build_layout(*board, fixed_set(0, 1, 0), &l, &error)) << error;
  EXPECT_EQ(item(l, "level 0").bytes, 5968u);  // max(5968, 768)
  EXPECT_EQ(item(l, "level 0").models, (std::vector<std::string>{"micro_speech_quantized", "ad01_int8"}));
  EXPECT_EQ(item(l, "level 1").placed.address, 0x21002750u);
  // 5968 + 16000 + 5856 + 752 + 336 + 4096 = 33008: saves the 768 of ad01 and 1280 of scratch.
  EXPECT_EQ(l.arena_bytes, 33008u);
  EXPECT_EQ(l.saved_bytes(), 2048u);
}

TEST(BoardLayout, CpuOnlyModelsMayUseTheFasterDtcm) {
  auto board = an547();
  ASSERT_NE(board, nullptr);
  std::vector<ModelNeeds> set = fixed_set(0, 1, 2);
  for (ModelNeeds& m : set) m.npu = false;
  BoardLayout l;
  std::string error;
  ASSERT_TRUE(tools::build_layout(*board, set, &l, &error)) << error;
  // All CPU-only, largest first into dtcm from 0x20010000: 16000, 5968, 5856, 4096, 768, 752, 336.
  EXPECT_EQ(item(l, "level 1").placed.address, 0x20010000u);
  EXPECT_EQ(item(l, "level 0").placed.address, 0x20013E80u);
  EXPECT_EQ(item(l, "persistent kws_ref_model").placed.address, 0x200155D0u);
  EXPECT_EQ(item(l, "scratch").placed.address, 0x20016CB0u);
  EXPECT_EQ(item(l, "level 2").placed.address, 0x20017CB0u);
}

TEST(BoardLayout, TooSmallAFixedPartitionIsAnError) {
  std::string xml = read_text(boards_dir() + "/mps3_an547.xml");
  xml = replaced(xml, "weights=\"qspi\"/>",
                 "weights=\"qspi\">\n    <partition name=\"keyword\" level=\"1\" size=\"8K\" region=\"isram\" npu=\"true\"/>\n"
                 "  </arena>");
  std::string error;
  auto board = board::host::parse_board(xml, "an547.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  BoardLayout l;
  EXPECT_FALSE(tools::build_layout(*board, fixed_set(0, 1, 2), &l, &error));
  EXPECT_EQ(error, "an547.xml:" + std::to_string(board->partition_lines[0]) +
                       ": element <partition name=\"keyword\">: level 1 is fixed at 8192 B but kws_ref_model needs 16000 B "
                       "of activations: short by 7808 B");
}

TEST(BoardLayout, AFixedPartitionBigEnoughIsUsedAsIs) {
  std::string xml = read_text(boards_dir() + "/mps3_an547.xml");
  xml = replaced(xml, "weights=\"qspi\"/>",
                 "weights=\"qspi\">\n    <partition name=\"keyword\" level=\"1\" size=\"32K\" region=\"isram\" npu=\"true\"/>\n"
                 "  </arena>");
  std::string error;
  auto board = board::host::parse_board(xml, "an547.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  BoardLayout l;
  ASSERT_TRUE(tools::build_layout(*board, fixed_set(0, 1, 2), &l, &error)) << error;
  const LayoutItem& k = item(l, "partition keyword (level 1)");
  EXPECT_EQ(k.bytes, 32768u);
  EXPECT_EQ(k.symbol, "keyword");
  EXPECT_EQ(k.placed.address, 0x21001000u);  // fixed-region areas go before the others
}

TEST(BoardLayout, DoesNotFitOnTheNano) {
  std::string error;
  auto board = board::host::load_board(boards_dir() + "/arduino_nano33_ble_sense.xml", &error);
  ASSERT_NE(board, nullptr) << error;
  std::vector<ModelNeeds> set = fixed_set(0, 1, 2);
  set[1].activation_bytes = 300 * 1024;  // a model far too big for 224 KiB of usable RAM
  for (ModelNeeds& m : set) m.npu = false;
  BoardLayout l;
  EXPECT_FALSE(tools::build_layout(*board, set, &l, &error));
  EXPECT_NE(error.find("level 1 needs 307200 B: 'ram' has "), std::string::npos) << error;
  EXPECT_NE(error.find("no region on the board could take it"), std::string::npos) << error;
}

TEST(BoardLayout, ParsesModelSpecs) {
  std::vector<tools::ModelSpec> specs;
  std::string error;
  ASSERT_TRUE(tools::parse_model_specs("a.tflite,b.tflite:2,c.tflite:1:cpu,d.tflite:npu", &specs, &error)) << error;
  ASSERT_EQ(specs.size(), 4u);
  EXPECT_EQ(specs[0].level, -1);
  EXPECT_EQ(specs[1].level, 2);
  EXPECT_EQ(specs[2].level, 1);
  EXPECT_EQ(specs[2].target, tools::ModelTarget::kCpu);
  EXPECT_EQ(specs[3].target, tools::ModelTarget::kNpu);
  EXPECT_FALSE(tools::parse_model_specs("a.tflite:x", &specs, &error));
  EXPECT_EQ(error, "--models entry 'a.tflite:x': 'x' is neither a level (0-255) nor cpu/npu");
  EXPECT_FALSE(tools::parse_model_specs("a.tflite,,b.tflite", &specs, &error));
  EXPECT_FALSE(tools::parse_model_specs("a.tflite:300", &specs, &error));
}

// The same set measured from the real files. Activations (planner) and weights (files) are
// fixed; persistent and scratch come from the kernels, so the expected CPU-side addresses
// are recomputed here from the measured sizes with the placement rule written out by hand.
TEST(BoardLayout, RealModelsMatchTheHandLayout) {
  auto board = an547();
  ASSERT_NE(board, nullptr);
  std::vector<tools::ModelSpec> specs(3);
  specs[0].path = shared_model("micro_speech_quantized");
  specs[1].path = shared_model("kws_ref_model");
  specs[2].path = shared_model("ad01_int8");
  std::vector<ModelNeeds> models;
  std::string error;
  ASSERT_TRUE(tools::measure_models(specs, true, &models, &error)) << error;
  EXPECT_EQ(models[0].activation_bytes, 5968u);
  EXPECT_EQ(models[1].activation_bytes, 16000u);
  EXPECT_EQ(models[2].activation_bytes, 768u);
  EXPECT_EQ(models[0].weight_bytes, 16704u);
  EXPECT_EQ(models[1].weight_bytes, 24376u);
  EXPECT_EQ(models[2].weight_bytes, 270880u);
  BoardLayout l;
  ASSERT_TRUE(tools::build_layout(*board, models, &l, &error)) << error;
  EXPECT_EQ(item(l, "level 0").placed.address, 0x21001000u);
  EXPECT_EQ(item(l, "level 1").placed.address, 0x21002750u);
  EXPECT_EQ(item(l, "level 2").placed.address, 0x210065D0u);

  auto al = [](size_t v) { return (v + 15) / 16 * 16; };
  struct Cpu {
    std::string label;
    size_t bytes;
  };
  std::vector<Cpu> cpu;
  size_t scratch = 0, baseline = 0;
  for (const ModelNeeds& m : models) {
    if (m.persistent_bytes) cpu.push_back({"persistent " + m.name, al(m.persistent_bytes)});
    scratch = std::max(scratch, al(m.scratch_bytes));
    baseline += al(m.activation_bytes) + al(m.persistent_bytes) + al(m.scratch_bytes);
  }
  if (scratch) cpu.push_back({"scratch", scratch});
  std::stable_sort(cpu.begin(), cpu.end(), [](const Cpu& a, const Cpu& b) { return a.bytes > b.bytes; });
  uint32_t at = 0x20010000;
  size_t arena = 5968 + 16000 + 768;
  for (const Cpu& c : cpu) {
    EXPECT_EQ(item(l, c.label).placed.address, at) << c.label;
    at += static_cast<uint32_t>(c.bytes);
    arena += c.bytes;
  }
  EXPECT_EQ(l.arena_bytes, arena);
  EXPECT_EQ(l.per_model_bytes, baseline);
}

}  // namespace
}  // namespace chorus::test
