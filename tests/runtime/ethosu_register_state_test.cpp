// The register state decoded from Vela's command streams against what Vela's own listing
// says each operation is (tests/data/vela/vela_operations.csv, from
// --verbose-register-command-stream; tools/oracles/vela_vectors.sh): OFM shape and layout,
// zero points, kernel size, stride, dilation and padding, for every NPU operation of every
// shared model Vela compiles, in all six configurations.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/register_state.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "ethosu_test_stream.hpp"

namespace chorus::runtime::ethosu {
namespace {

// The bit fields no shared model exercises (strides above 2, dilation 2, part-kernel-first,
// 40-bit addresses, signed 16-bit zero points and activation bounds), in a hand-built stream
// written as Vela's generate_kernel / generate_ifm_precision / cmd1_with_address write them.
TEST(EthosuRegisterState, KernelStrideDilationAndAddressFields) {
  auto c0 = [](Cmd0 op, uint32_t param) { return static_cast<uint32_t>(op) | (param << 16); };
  auto c1 = [](Cmd1 op, uint32_t high) { return static_cast<uint32_t>(op) | 0x4000u | (high << 16); };
  // stride x 3 (bit 0 = 0, extension (3 - 1) >> 1 = 1 at bit 6), stride y 2 (bit 1), dilation
  // x 2 (bit 3), part-kernel-first (bit 2); a 3 x 2 kernel dilated in x: width extent 2 x 2.
  const uint32_t stride = 0u | (1u << 1) | (1u << 6) | (1u << 3) | (1u << 2);
  const std::vector<uint32_t> commands = {
      c0(Cmd0::kSetKernelStride, stride), c0(Cmd0::kSetKernelWidthM1, 2 * (3 - 1)), c0(Cmd0::kSetKernelHeightM1, 2 - 1),
      c0(Cmd0::kSetIfmZeroPoint, 0xFF80), c0(Cmd0::kSetOfmZeroPoint, 5), c0(Cmd0::kSetIfmPrecision, 1 | (1 << 6)),
      c0(Cmd0::kSetOfmPrecision, 1 | (1 << 1)), c0(Cmd0::kSetActivationMin, 0xFF80), c0(Cmd0::kSetActivationMax, 0x7F),
      c0(Cmd0::kSetOfmHeightM1, 3), c0(Cmd0::kSetOfmWidthM1, 4), c0(Cmd0::kSetOfmDepthM1, 15), c0(Cmd0::kSetIfmPadLeft, 2),
      c1(Cmd1::kSetIfmBase0, 0x12), 0x34567890, c1(Cmd1::kSetWeightLength, 0), 480, c0(Cmd0::kOpConv, 0),
      c0(Cmd0::kOpStop, 0xFFFF)};
  const std::vector<uint8_t> bytes = words_to_bytes(payload(commands));
  Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(bytes.data(), bytes.size()));
  ASSERT_TRUE(p.is_ok()) << p.status().message();
  std::vector<NpuOperation> ops;
  Result<size_t> n = for_each_operation(
      *p, [](void* user, const NpuOperation& o) { static_cast<std::vector<NpuOperation>*>(user)->push_back(o); }, &ops);
  ASSERT_TRUE(n.is_ok()) << n.status().message();
  ASSERT_EQ(ops.size(), 1u);
  const NpuOperation& op = ops[0];
  EXPECT_EQ(op.kind, Cmd0::kOpConv);
  EXPECT_EQ(op.stride_x, 3u);
  EXPECT_EQ(op.stride_y, 2u);
  EXPECT_EQ(op.dilation_x, 2u);
  EXPECT_EQ(op.dilation_y, 1u);
  EXPECT_TRUE(op.part_kernel_first);
  EXPECT_EQ(op.kernel_width, 3u);
  EXPECT_EQ(op.kernel_height, 2u);
  EXPECT_EQ(op.ifm.zero_point, -128);
  EXPECT_EQ(op.ofm.zero_point, 5);
  EXPECT_EQ(op.ifm.layout, Layout::kNhcwb16);
  EXPECT_TRUE(op.ifm.is_signed);
  EXPECT_EQ(op.ifm.bits, 8u);
  EXPECT_EQ(op.ofm.layout, Layout::kNhwc);
  EXPECT_EQ(op.ofm.bits, 16u);  // OFM precision bits 2..1 = 1
  EXPECT_EQ(op.activation_min, -128);
  EXPECT_EQ(op.activation_max, 127);
  EXPECT_EQ(op.ofm.height, 4u);
  EXPECT_EQ(op.ofm.width, 5u);
  EXPECT_EQ(op.ofm.depth, 16u);
  EXPECT_EQ(op.pad_left, 2u);
  EXPECT_EQ(op.ifm.base[0], 0x1234567890ull);  // bits 39..32 from the command word
  EXPECT_EQ(op.weight_length, 480u);
}

std::string vela_dir() { return std::string(CHORUS_SOURCE_DIR) + "/tests/data/vela"; }

std::vector<NpuOperation> decode(const std::string& config, const std::string& model_name) {
  std::vector<NpuOperation> ops;
  tools::AlignedBytes file;
  std::string error;
  EXPECT_TRUE(tools::read_file(vela_dir() + "/" + config + "/" + model_name + "_vela.tflite", &file, &error)) << error;
  Result<Model> model = Model::load(file.span(), LoadOptions{nullptr});
  EXPECT_TRUE(model.is_ok()) << model.status().message();
  if (!model.is_ok()) return ops;
  for (size_t i = 0; i < model->num_ops(); ++i) {
    const OpInfo op = model->op(i);
    if (op.code != static_cast<int32_t>(OpCode::kCustom) || op.custom_code == nullptr || std::string(op.custom_code) != "ethos-u") continue;
    const TensorInfo cmd = model->tensor(static_cast<size_t>(op.inputs[0]));
    Result<DriverPayload> p = parse_driver_payload(Span<const uint8_t>(cmd.constant_data, cmd.bytes));
    EXPECT_TRUE(p.is_ok());
    if (!p.is_ok()) continue;
    Result<size_t> n = for_each_operation(
        *p, [](void* user, const NpuOperation& o) { static_cast<std::vector<NpuOperation>*>(user)->push_back(o); }, &ops);
    EXPECT_TRUE(n.is_ok()) << n.status().message();
  }
  return ops;
}

TEST(EthosuRegisterState, EveryOperationIsWhatVelaSaysItEncoded) {
  std::ifstream csv(vela_dir() + "/vela_operations.csv");
  ASSERT_TRUE(csv) << vela_dir() << "/vela_operations.csv";
  std::map<std::string, std::vector<NpuOperation>> decoded;
  std::map<std::string, size_t> rows_per_model;
  std::string line;
  size_t compared = 0, with_kernel = 0;
  while (std::getline(csv, line)) {
    if (line.empty() || line[0] == '#' || line.rfind("config,", 0) == 0) continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    while (f.size() < 19) f.push_back("");
    const std::string key = f[0] + "/" + f[1];
    if (!decoded.count(key)) decoded[key] = decode(f[0], f[1]);
    const std::vector<NpuOperation>& ops = decoded[key];
    const size_t index = std::stoul(f[2]);
    ++rows_per_model[key];
    ASSERT_LT(index, ops.size()) << key << ": Vela lists more operations than the stream holds";
    const NpuOperation& op = ops[index];
    SCOPED_TRACE(key + " operation " + f[2]);
    EXPECT_EQ(op.ofm.height, std::stoul(f[3]));
    EXPECT_EQ(op.ofm.width, std::stoul(f[4]));
    EXPECT_EQ(op.ofm.depth, std::stoul(f[5]));
    EXPECT_EQ(op.ofm.layout == Layout::kNhcwb16 ? "NHCWB16" : "NHWC", f[6]);
    EXPECT_EQ(op.ifm.zero_point, std::stol(f[7]));
    EXPECT_EQ(op.ofm.zero_point, std::stol(f[8]));
    if (!f[9].empty()) {
      EXPECT_EQ(op.kernel_width, std::stoul(f[9]));
      EXPECT_EQ(op.kernel_height, std::stoul(f[10]));
      EXPECT_EQ(op.stride_x, std::stoul(f[11]));
      EXPECT_EQ(op.stride_y, std::stoul(f[12]));
      EXPECT_EQ(op.dilation_x, std::stoul(f[13]));
      EXPECT_EQ(op.dilation_y, std::stoul(f[14]));
      ++with_kernel;
    }
    if (!f[15].empty()) {
      EXPECT_EQ(op.pad_top, std::stoul(f[15]));
      EXPECT_EQ(op.pad_left, std::stoul(f[16]));
      EXPECT_EQ(op.pad_bottom, std::stoul(f[17]));
      EXPECT_EQ(op.pad_right, std::stoul(f[18]));
    }
    ++compared;
  }
  // Every operation of every stream is listed: as many rows as the streams hold.
  for (const auto& m : decoded) EXPECT_EQ(rows_per_model[m.first], m.second.size()) << m.first;
  EXPECT_EQ(decoded.size(), 6u * 12);
  std::printf("[ ethos-u  ] %zu NPU operations of 72 Vela outputs decoded as Vela listed them (%zu with a kernel)\n", compared,
              with_kernel);
}

}  // namespace
}  // namespace chorus::runtime::ethosu
