// chorus::System, the one assembly (issue 13): from the board and pipeline specs to a running
// scheduler. Its areas must be where `chorus board` (tools::build_layout) puts them for the
// same models and levels, its models must compute the reference bytes in the areas it
// placed, and its analysis must be the one the scheduler's own step plans give.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "chorus/module/host/board_xml.hpp"
#include "chorus/scheduler/system.hpp"
#include "chorus/tools/board_layout.hpp"
#include "chorus/tools/file.hpp"
#include "support/golden.hpp"
#include "support/golden_stage.hpp"

namespace chorus {
namespace {

using os::TimeNs;
constexpr TimeNs kMs = 1000000;

using Golden = test::GoldenCheck;

struct Rig {
  std::unique_ptr<board::host::BoardDescription> desc;
  board::Board board;
  std::vector<tools::AlignedBytes> models;
  std::vector<std::unique_ptr<Golden>> checks;
  std::vector<PipelineSpec> specs;
  std::vector<std::vector<uint8_t>> region_bytes;
  std::vector<RegionMemory> memory;
  std::vector<uint8_t> workspace = std::vector<uint8_t>(1 << 20);
  std::vector<uint32_t> offsets = std::vector<uint32_t>(4096);
  os::VirtualClock clock;

  explicit Rig(const std::string& board_name) {
    std::string error;
    desc = board::host::load_board(std::string(CHORUS_SOURCE_DIR) + "/dts/boards/" + board_name + ".xml", &error);
    EXPECT_TRUE(desc) << error;
    board = desc->view();
    // Host buffers for the regions the arena and the sensors use.
    region_bytes.resize(board.num_regions);
    for (size_t r = 0; r < board.num_regions; ++r) {
      bool used = false;
      for (size_t k = 0; k < board.arena.num_regions; ++k) used = used || board.arena.regions[k] == r;
      for (size_t s = 0; s < board.num_sensors; ++s) used = used || board.sensors[s].buffer_region == r;
      if (!used) continue;
      region_bytes[r].assign(board.regions[r].size, 0);
      memory.push_back(RegionMemory{static_cast<uint8_t>(r), region_bytes[r].data(), region_bytes[r].size()});
    }
  }
  void add(const char* stem, TimeNs period, int level = -1) {
    models.emplace_back();
    ASSERT_TRUE(test::read_model_file(stem, &models.back()));
    std::vector<uint8_t> in, out;
    ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed1.input.bin"), &in));
    ASSERT_TRUE(test::read_bytes(test::golden_path(stem, "seed1.output.bin"), &out));
    checks.push_back(std::make_unique<Golden>(in, out));
    PipelineSpec s;
    s.config.name = stem;
    s.config.period = period;
    s.config.features = checks.back().get();
    s.config.post = checks.back().get();
    s.level = static_cast<int16_t>(level);
    specs.push_back(s);
  }
  // Jobs a pipeline completes by `end` when it misses no deadline (each deadline is its
  // period, so every job released before end - period ends by end; one released in the
  // last period may or may not): releases at 0, P, 2P, ... before `end`.
  int jobs_released_before(size_t i, TimeNs end) const {
    const TimeNs p = specs[i].config.period;
    return static_cast<int>((end + p - 1) / p);
  }
  // Every job released before end - period has completed and been compared.
  void expect_every_job_checked(TimeNs end) const {
    for (size_t i = 0; i < checks.size(); ++i) {
      const int released = jobs_released_before(i, end);
      const int certain = jobs_released_before(i, end - specs[i].config.period);
      EXPECT_GE(checks[i]->checked, certain) << specs[i].config.name;
      EXPECT_LE(checks[i]->checked, released) << specs[i].config.name;
      EXPECT_EQ(checks[i]->mismatches, 0) << specs[i].config.name;
    }
  }
  SystemConfig config() {
    for (size_t i = 0; i < specs.size(); ++i) specs[i].model = models[i].span();
    SystemConfig c;
    c.board = &board;
    c.clock = &clock;
    c.virtual_clock = &clock;
    c.memory = Span<const RegionMemory>(memory.data(), memory.size());
    c.workspace = Span<uint8_t>(workspace.data(), workspace.size());
    c.tensor_offsets = Span<uint32_t>(offsets.data(), offsets.size());
    return c;
  }
};

// Three shared models with golden vectors on Corstone-300, CPU only: every job computes the
// reference output in the areas the system placed.
TEST(System, RunsTheModelsBitExactInItsPlacedAreas) {
  Rig rig("mps3_an547");
  rig.add("micro_speech_quantized", 100 * kMs);
  rig.add("kws_ref_model", 200 * kMs);
  rig.add("ad01_int8", 1000 * kMs);
  System system;
  const Status s = system.build(rig.config(), Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_TRUE(system.plan().schedulable);
  ASSERT_EQ(system.scheduler().num_pipelines(), 3u);
  ASSERT_TRUE(system.scheduler().run_until(2000 * kMs).is_ok());
  // 20 + 10 + 2 jobs released; each is compared when it completes.
  rig.expect_every_job_checked(2000 * kMs);
  int vectors = 0;
  for (const auto& c : rig.checks) vectors += c->checked;
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(system.scheduler().metrics(i).deadline_misses, 0u);
  std::printf("[ system   ] %d golden outputs compared bit for bit\n", vectors);
}

// The areas are where `chorus board` puts them for the same models and levels: the same
// placement requests in the same order.
TEST(System, PlacesItsAreasWhereChorusBoardDoes) {
  for (const char* board_name : {"mps3_an547", "stm32f746g_disco"}) {
    SCOPED_TRACE(board_name);
    Rig rig(board_name);
    rig.add("micro_speech_quantized", 100 * kMs, 0);
    rig.add("kws_ref_model", 200 * kMs, 1);
    rig.add("ad01_int8", 1000 * kMs, 1);
    System system;
    const Status s = system.build(rig.config(), Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
    ASSERT_TRUE(s.is_ok()) << s.message();
    std::vector<tools::ModelSpec> model_specs;
    for (const char* stem : {"micro_speech_quantized", "kws_ref_model", "ad01_int8"}) {
      tools::ModelSpec m;
      m.path = test::model_path(stem);
      m.target = tools::ModelTarget::kCpu;
      model_specs.push_back(m);
    }
    model_specs[0].level = 0;
    model_specs[1].level = 1;
    model_specs[2].level = 1;
    std::vector<tools::ModelNeeds> needs;
    std::string error;
    ASSERT_TRUE(tools::measure_models(model_specs, rig.desc->has_npu, &needs, &error)) << error;
    tools::BoardLayout layout;
    ASSERT_TRUE(tools::build_layout(*rig.desc, needs, &layout, &error)) << error;
    const Span<const System::Area> areas = system.areas();
    ASSERT_EQ(areas.size(), layout.items.size());
    for (size_t a = 0; a < areas.size(); ++a) {
      SCOPED_TRACE(layout.items[a].label);
      EXPECT_EQ(areas[a].kind, layout.items[a].kind);
      EXPECT_EQ(areas[a].placed.region, layout.items[a].placed.region);
      EXPECT_EQ(areas[a].placed.address, layout.items[a].placed.address);
      EXPECT_EQ(areas[a].placed.bytes, layout.items[a].placed.bytes);
    }
    EXPECT_EQ(system.placement().arena_bytes, layout.arena_bytes);
  }
}

// The analysis the system ran is the one of the scheduler it built (same step plans).
TEST(System, ItsAnalysisIsTheSchedulersOwn) {
  Rig rig("mps3_an547");
  rig.add("micro_speech_quantized", 100 * kMs);
  rig.add("kws_ref_model", 50 * kMs);
  System system;
  ASSERT_TRUE(system.build(rig.config(), Span<const PipelineSpec>(rig.specs.data(), rig.specs.size())).is_ok());
  std::vector<sched::AnalysisTask> tasks;
  for (uint32_t i = 0; i < 2; ++i) tasks.push_back(sched::analysis_task(system.scheduler(), i));
  const sched::AnalysisResult r = sched::analyse(Span<const sched::AnalysisTask>(tasks.data(), tasks.size()), sched::Policy::kEdf);
  for (uint32_t i = 0; i < 2; ++i) EXPECT_EQ(r.response[i], system.plan().search.analysis.response[i]) << i;
}

// The firmware's mode: the board header's areas are already placed (kArenaAreas); the system
// uses them as they are, and refuses models that do not fit them.
// A board whose arena is placed as the generated header lists it (System::areas of a planner).
struct PlacedView {
  std::vector<board::Partition> placed;
  std::vector<board::Buffer> sensors;
  board::Board view;
  PlacedView(const System& planner, const board::Board& board) : view(board) {
    for (const System::Area& a : planner.areas()) {
      board::Partition p{"area", board::AreaKind::kPartition, a.level, a.placed.bytes, a.placed.region, false, a.placed.address};
      if (a.kind == board::ItemKind::kPersistent) p.kind = board::AreaKind::kPersistent;
      if (a.kind == board::ItemKind::kScratch) p.kind = board::AreaKind::kScratch;
      if (a.kind == board::ItemKind::kSensorBuffer)
        sensors.push_back(board::Buffer{"mic", a.placed.region, a.placed.address, a.placed.bytes});
      if (a.kind == board::ItemKind::kPartition || a.kind == board::ItemKind::kPersistent || a.kind == board::ItemKind::kScratch)
        placed.push_back(p);
    }
    view.arena.partitions = placed.data();
    view.arena.num_partitions = placed.size();
  }
};

TEST(System, UsesAnAlreadyPlacedArena) {
  Rig rig("mps3_an547");
  rig.add("micro_speech_quantized", 100 * kMs, 0);
  rig.add("kws_ref_model", 200 * kMs, 1);
  System planner;
  ASSERT_TRUE(planner.build(rig.config(), Span<const PipelineSpec>(rig.specs.data(), rig.specs.size())).is_ok());
  PlacedView pv(planner, rig.board);
  std::vector<board::Partition>& placed = pv.placed;
  std::vector<board::Buffer>& sensors = pv.sensors;
  board::Board& view = pv.view;
  SystemConfig c = rig.config();
  c.board = &view;
  c.placed_areas = true;
  c.sensor_buffers = Span<const board::Buffer>(sensors.data(), sensors.size());
  System system;
  const Status s = system.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  ASSERT_TRUE(s.is_ok()) << s.message();
  ASSERT_EQ(system.areas().size(), planner.areas().size() - 2);  // no weights areas: the linker placed them
  for (const System::Area& a : system.areas()) {
    bool found = false;
    for (const System::Area& b : planner.areas()) found = found || (a.placed.address == b.placed.address && a.kind == b.kind);
    EXPECT_TRUE(found) << a.placed.address;
  }
  EXPECT_EQ(system.sensor_buffer(0).size(), 4096u);
  ASSERT_TRUE(system.scheduler().run_until(1000 * kMs).is_ok());
  rig.expect_every_job_checked(1000 * kMs);
  // An area too small for its model (a header generated for other models) is refused.
  placed[0].size = 64;
  System small;
  const Status refused = small.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  EXPECT_NE(std::string(refused.message()).find("regenerate the header"), std::string::npos) << refused.message();
}

// An RTOS links its own RAM: the placed arena runs in windows of one buffer, sized from the
// placement alone (placed_bytes), far smaller than the regions.
TEST(System, RunsAPlacedArenaInWindowsOfItsOwnMemory) {
  Rig rig("mps3_an547");
  rig.add("micro_speech_quantized", 100 * kMs, 0);
  rig.add("kws_ref_model", 200 * kMs, 1);
  System planner;
  ASSERT_TRUE(planner.build(rig.config(), Span<const PipelineSpec>(rig.specs.data(), rig.specs.size())).is_ok());
  PlacedView pv(planner, rig.board);
  const size_t bytes = placed_bytes(pv.view, pv.sensors.data(), pv.sensors.size());
  uint64_t areas = 0;
  for (const System::Area& a : planner.areas())
    if (a.kind != board::ItemKind::kWeights) areas += a.placed.bytes;
  EXPECT_GE(bytes, areas);
  EXPECT_LT(bytes, areas + 2 * 16 + 4096);  // two regions used (dtcm, isram): their areas plus alignment
  std::vector<uint8_t> buffer(bytes + 16);
  uint8_t* aligned = buffer.data() + (16 - reinterpret_cast<uintptr_t>(buffer.data()) % 16) % 16;
  RegionMemory windows[board::kMaxRegions];
  const size_t n = placed_memory(pv.view, Span<const board::Buffer>(pv.sensors.data(), pv.sensors.size()),
                                 Span<uint8_t>(aligned, bytes), Span<RegionMemory>(windows, board::kMaxRegions));
  ASSERT_EQ(n, 2u);
  // DTCM's window starts after its 64 KiB kept for the application; ISRAM's (the microphone
  // ring) at its base.
  for (size_t i = 0; i < n; ++i) EXPECT_GE(windows[i].from, pv.view.regions[windows[i].region].reserved);
  EXPECT_EQ(windows[0].from, 64u * 1024);
  SystemConfig c = rig.config();
  c.board = &pv.view;
  c.placed_areas = true;
  c.sensor_buffers = Span<const board::Buffer>(pv.sensors.data(), pv.sensors.size());
  c.memory = Span<const RegionMemory>(windows, n);
  System system;
  const Status s = system.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  ASSERT_TRUE(s.is_ok()) << s.message();
  ASSERT_EQ(system.sensor_buffer(0).size(), 4096u);
  EXPECT_GE(system.sensor_buffer(0).data(), aligned);
  EXPECT_LE(system.sensor_buffer(0).data() + 4096, aligned + bytes);
  ASSERT_TRUE(system.scheduler().run_until(1000 * kMs).is_ok());
  rig.expect_every_job_checked(1000 * kMs);
  // A window that starts past an area leaves that area without memory.
  windows[0].from += 16;
  System missing;
  const Status refused = missing.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  EXPECT_FALSE(refused.is_ok());
}

TEST(System, ErrorsNameWhatIsWrong) {
  Rig rig("mps3_an547");
  rig.add("kws_ref_model", 100 * kMs);
  SystemConfig c = rig.config();
  c.workspace = Span<uint8_t>(rig.workspace.data(), 16);
  System system;
  Status s = system.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  EXPECT_NE(std::string(s.message()).find("pipeline 'kws_ref_model': the planner needs"), std::string::npos) << s.message();
  c = rig.config();
  c.memory = Span<const RegionMemory>();  // the host has no memory at the board's addresses... unless told
  c.tensor_offsets = Span<uint32_t>(rig.offsets.data(), 3);
  s = system.build(c, Span<const PipelineSpec>(rig.specs.data(), rig.specs.size()));
  EXPECT_NE(std::string(s.message()).find("tensor offsets needed"), std::string::npos) << s.message();
  std::vector<uint8_t> garbage(64, 0x42);
  rig.specs[0].model = Span<const uint8_t>(garbage.data(), garbage.size());
  SystemConfig g = rig.config();
  g.memory = Span<const RegionMemory>(rig.memory.data(), rig.memory.size());
  PipelineSpec bad = rig.specs[0];
  bad.model = Span<const uint8_t>(garbage.data(), garbage.size());
  s = system.build(g, Span<const PipelineSpec>(&bad, 1));
  EXPECT_NE(std::string(s.message()).find("pipeline 'kws_ref_model': "), std::string::npos) << s.message();
}

}  // namespace
}  // namespace chorus
