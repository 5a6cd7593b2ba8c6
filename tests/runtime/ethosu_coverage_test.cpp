// Which Ethos-U commands and modes the functional model's checked vectors exercise: every
// command stream of the 72 Vela-compiled shared models (tests/data/vela), the conformance
// pack, the external-API vectors and the TFLM-judged pack (tests/data/ethosu), counted by opcode and by the modes of
// their operations. Each of these streams is compared byte for byte elsewhere (EthosuFunctionalNpu,
// VelaModel, EthosuConformance, EthosuApiVectors); this test prints the coverage table and
// fails if a mode the model implements is no longer exercised by any vector.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/opcodes.hpp"
#include "chorus/runtime/ethosu/register_state.hpp"
#include "chorus/runtime/model.hpp"
#include "chorus/tools/file.hpp"
#include "support/golden.hpp"

namespace chorus::runtime::ethosu {
namespace {

struct Coverage {
  std::map<std::string, size_t> commands;  // by name
  std::map<std::string, size_t> modes;     // operation features
  size_t streams = 0;

  void add(Span<const uint8_t> bytes) {
    Result<DriverPayload> p = parse_driver_payload(bytes);
    if (!p.is_ok()) return;
    ++streams;
    CommandReader reader(*p);
    RegisterState state;
    Command c;
    NpuOperation op;
    for (;;) {
      Result<bool> more = reader.next(&c);
      if (!more.is_ok() || !*more) break;
      const char* name = command_name(c.opcode, c.cmd1);
      ++commands[name != nullptr ? name : "?"];
      if (!c.cmd1 && c.opcode == static_cast<uint16_t>(Cmd0::kOpDmaStart)) {
        const DmaTransfer d = state.dma(c);
        ++modes[d.dst_internal ? "DMA into SHRAM (lookup table)" : "DMA between regions"];
        continue;
      }
      if (!state.apply(c, &op)) continue;
      static const char* const pool[] = {"MAX", "AVERAGE", "REDUCE_SUM"};
      static const char* const elementwise[] = {"MUL", "ADD", "SUB", "MIN", "MAX", "LRELU", "ABS", "CLZ", "SHR", "SHL"};
      static const char* const rounding[] = {"TFL", "TRUNCATE", "NATURAL", "?"};
      if (op.kind == Cmd0::kOpPool && op.mode < 3) ++modes[std::string("pool ") + pool[op.mode]];
      if (op.kind == Cmd0::kOpElementwise && op.mode < 10)
        ++modes[std::string("elementwise ") + elementwise[op.mode] + (op.ifm.bits == 32 ? " (32-bit)" : "")];
      if (op.kind == Cmd0::kOpConv) ++modes[op.part_kernel_first ? "conv part-kernel-first" : "conv depth-first"];
      if (op.kind == Cmd0::kOpDepthwise) ++modes["depthwise"];
      ++modes[std::string("rounding ") + rounding[op.rounding & 3]];
      ++modes[std::string("IFM ") + (op.ifm.layout == Layout::kNhcwb16 ? "NHCWB16" : "NHWC") + " " + std::to_string(op.ifm.bits) + "-bit"];
      ++modes[std::string("OFM ") + (op.ofm.layout == Layout::kNhcwb16 ? "NHCWB16" : "NHWC") + " " + std::to_string(op.ofm.bits) + "-bit"];
      if (op.ifm.tile_width0 < 0xFFFF && op.kind != Cmd0::kOpElementwise) {
        // Tiles in use: a second tile's base differs from the first.
        if (op.ifm.base[2] != 0 && op.ifm.base[2] != op.ifm.base[0]) ++modes["IFM in 2 or 4 tiles"];
      }
      if (op.kernel_width > 8 || op.kernel_height > 8) ++modes["kernel above 8 (sub-kernels)"];
      if (op.dilation_x > 1 || op.dilation_y > 1) ++modes["dilation 2"];
      if (op.stride_x > 1 || op.stride_y > 1) ++modes["stride above 1"];
      if (op.pad_top + op.pad_left + op.pad_bottom + op.pad_right > 0) ++modes["padding"];
      if ((op.activation & 0xFFF) >= 16)
        ++modes[op.ofm.bits == 32 ? "LUT, 32-bit entries" : (op.ofm.bits == 16 ? "LUT, 16-bit OFM (512 interpolated)" : "LUT, 8-bit entries")];
      if ((op.activation & 0xFFF) == 3) ++modes["built-in TANH (int16)"];
      if ((op.activation & 0xFFF) == 4) ++modes["built-in SIGMOID (int16)"];
      if (op.kind == Cmd0::kOpElementwise && op.mode <= 2 && op.op_to_scale != 0) ++modes["ADD/SUB one operand 32-bit scaled"];
      if (op.kind == Cmd0::kOpElementwise && (op.ifm2_broadcast & 7u)) ++modes["IFM2 broadcast"];
      if (op.kind == Cmd0::kOpElementwise && (op.ifm2_broadcast & 0x80u)) ++modes["IFM2 scalar"];
      if (op.kind == Cmd0::kOpElementwise && (op.ifm2_broadcast & 0x40u)) ++modes["operands reversed"];
      if (op.global_scale) ++modes["global OFM scale"];
      if (op.weight1_length != 0) ++modes["second core's weight stream (U65-512)"];
      if (op.ifm_upscale == 1) ++modes["IFM upscaled, nearest"];
      if (op.ifm_upscale == 2) ++modes["IFM upscaled, zero insertion (transpose)"];
    }
  }
};

void add_model(Coverage* cov, const std::string& path) {
  tools::AlignedBytes file;
  std::string error;
  if (!tools::read_file(path, &file, &error)) return;
  Result<Model> m = Model::load(file.span(), LoadOptions{nullptr});
  if (!m.is_ok()) return;
  for (size_t i = 0; i < m->num_ops(); ++i) {
    const OpInfo op = m->op(i);
    if (op.custom_code == nullptr || std::strcmp(op.custom_code, "ethos-u") != 0) continue;
    const TensorInfo cmd = m->tensor(static_cast<size_t>(op.inputs[0]));
    cov->add(Span<const uint8_t>(cmd.constant_data, cmd.bytes));
  }
}

// The payloads of a pack file: each record's payload starts with "COP1" and carries its length
// in the 4 bytes before it; found by scanning, the rest of each record is not needed here.
void add_pack(Coverage* cov, const std::string& path) {
  std::vector<uint8_t> b;
  if (!test::read_bytes(path, &b)) return;
  for (size_t i = 4; i + 8 <= b.size(); ++i) {
    if (std::memcmp(b.data() + i, "COP1", 4) != 0) continue;
    uint32_t n;
    std::memcpy(&n, b.data() + i - 4, 4);
    if (n % 4 != 0 || i + n > b.size()) continue;
    cov->add(Span<const uint8_t>(b.data() + i, n));
    i += n - 1;
  }
}

TEST(EthosuCoverage, TheVectorsExerciseEveryModeTheModelImplements) {
  Coverage cov;
  const std::string data = std::string(CHORUS_SOURCE_DIR) + "/tests/data";
  for (const char* config : {"ethos-u55-32", "ethos-u55-64", "ethos-u55-128", "ethos-u55-256", "ethos-u65-256", "ethos-u65-512"})
    for (const char* stem : {"ad01_int8", "hello_world_int8", "keyword_scrambled", "keyword_scrambled_8bit", "kws_ref_model",
                             "micro_speech_quantized", "model_ToyCar_quant_fullint_micro", "person_detect", "pretrainedResnet_large_int8",
                             "pretrainedResnet_quant", "str_ww_ref_model", "vww_96_int8"})
      add_model(&cov, data + "/vela/" + config + "/" + stem + "_vela.tflite");
  const size_t model_streams = cov.streams;
  add_pack(&cov, data + "/ethosu/conformance.pack");
  const size_t conformance_streams = cov.streams - model_streams;
  add_pack(&cov, data + "/ethosu/api_vectors.bin");
  const size_t api_streams = cov.streams - model_streams - conformance_streams;
  add_pack(&cov, data + "/ethosu/tflm_vectors.pack");
  std::printf("command streams: %zu (shared models %zu, conformance %zu, API %zu, TFLM-judged %zu)\n", cov.streams, model_streams,
              conformance_streams, api_streams, cov.streams - model_streams - conformance_streams - api_streams);
  std::printf("commands used (of %zu cmd0 and %zu cmd1 opcodes):\n", sizeof(kCmd0Names) / sizeof(kCmd0Names[0]),
              sizeof(kCmd1Names) / sizeof(kCmd1Names[0]));
  for (const auto& c : cov.commands) std::printf("  %-28s %zu\n", c.first.c_str(), c.second);
  std::printf("never used:");
  for (const OpcodeName& n : kCmd0Names)
    if (cov.commands.count(n.name) == 0) std::printf(" %s", n.name);
  for (const OpcodeName& n : kCmd1Names)
    if (cov.commands.count(n.name) == 0) std::printf(" %s", n.name);
  std::printf("\noperation modes:\n");
  for (const auto& m : cov.modes) std::printf("  %-40s %zu\n", m.first.c_str(), m.second);
  EXPECT_GT(model_streams, 72u);
  EXPECT_GT(conformance_streams, 12000u);
  for (const char* mode : {"pool MAX", "pool AVERAGE", "pool REDUCE_SUM", "elementwise MUL", "elementwise ADD", "elementwise SUB",
                           "elementwise MIN", "elementwise MAX", "elementwise ABS", "elementwise CLZ (32-bit)", "elementwise SHR (32-bit)",
                           "elementwise SHL (32-bit)", "elementwise MUL (32-bit)", "conv part-kernel-first", "conv depth-first", "depthwise",
                           "rounding TFL", "rounding TRUNCATE", "rounding NATURAL", "DMA between regions", "DMA into SHRAM (lookup table)",
                           "LUT, 8-bit entries", "LUT, 32-bit entries", "IFM in 2 or 4 tiles", "dilation 2", "kernel above 8 (sub-kernels)",
                           "ADD/SUB one operand 32-bit scaled", "IFM2 broadcast", "IFM2 scalar", "operands reversed",
                           "second core's weight stream (U65-512)", "IFM NHCWB16 8-bit", "OFM NHCWB16 8-bit", "IFM upscaled, nearest",
                           "IFM upscaled, zero insertion (transpose)", "built-in TANH (int16)", "built-in SIGMOID (int16)",
                           "LUT, 16-bit OFM (512 interpolated)"})
    EXPECT_GT(cov.modes[mode], 0u) << mode << " is no longer exercised by any vector";
}

}  // namespace
}  // namespace chorus::runtime::ethosu
