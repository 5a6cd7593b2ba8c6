// Chorus's reading of Vela output against Vela's own disassembly: every shared model Vela
// compiles, for all six Ethos-U configurations (tests/data/vela, tools/oracles/vela_vectors.sh).
// The configuration comes from each stream's configuration word, never from a flag; the
// command counts must equal what Vela printed for the same streams.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

std::string vela_dir() { return std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela"; }

TEST(EthosuVelaVectors, EveryStreamReadsAsVelaPrintedIt) {
  std::ifstream csv(vela_dir() + "/vela_commands.csv");
  ASSERT_TRUE(csv) << vela_dir() << "/vela_commands.csv";
  std::string line;
  size_t rows = 0, streams_read = 0, commands_read = 0;
  while (std::getline(csv, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("config,", 0) == 0) continue;
    std::stringstream ss(line);
    std::string config, model_name, cell;
    std::getline(ss, config, ',');
    std::getline(ss, model_name, ',');
    std::vector<size_t> want;
    while (std::getline(ss, cell, ',')) want.push_back(static_cast<size_t>(std::stoul(cell)));
    ASSERT_EQ(want.size(), 8u) << line;
    SCOPED_TRACE(config + " " + model_name);
    tools::AlignedBytes file;
    std::string error;
    ASSERT_TRUE(tools::read_file(vela_dir() + "/" + config + "/" + model_name + "_vela.tflite", &file, &error)) << error;
    Result<Model> model = Model::load(file.span(), LoadOptions{nullptr});
    ASSERT_TRUE(model.is_ok()) << model.status().message();
    size_t streams = 0, stops = 0;
    CommandSummary total;
    for (size_t i = 0; i < model->num_ops(); ++i) {
      const OpInfo op = model->op(i);
      if (op.code != static_cast<int32_t>(OpCode::kCustom) || op.custom_code == nullptr || std::string(op.custom_code) != "ethos-u") continue;
      const TensorInfo cmd = model->tensor(static_cast<size_t>(op.inputs[0]));
      Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(cmd.constant_data, cmd.bytes));
      ASSERT_TRUE(p.is_ok()) << "op " << i << ": " << p.status().message();
      EXPECT_STREQ(accelerator_name(*p), config.c_str()) << "op " << i;
      Result<CommandSummary> s = summarize(*p);
      ASSERT_TRUE(s.is_ok()) << "op " << i << ": " << s.status().message();
      ++streams;
      total.commands += s->commands;
      total.conv += s->conv;
      total.depthwise += s->depthwise;
      total.pool += s->pool;
      total.elementwise += s->elementwise;
      total.dma += s->dma;
      stops += s->stops ? 1 : 0;
    }
    EXPECT_EQ(streams, want[0]);
    EXPECT_EQ(total.commands, want[1]);
    EXPECT_EQ(total.conv, want[2]);
    EXPECT_EQ(total.depthwise, want[3]);
    EXPECT_EQ(total.pool, want[4]);
    EXPECT_EQ(total.elementwise, want[5]);
    EXPECT_EQ(total.dma, want[6]);
    EXPECT_EQ(stops, want[7]);  // each stream ends with NPU_OP_STOP
    ++rows;
    streams_read += streams;
    commands_read += total.commands;
  }
  EXPECT_EQ(rows, 6u * 12);  // six configurations x the twelve models Vela compiles
  std::printf("[ ethos-u  ] %zu Vela outputs, %zu command streams, %zu commands read as Vela printed them\n", rows, streams_read,
              commands_read);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
