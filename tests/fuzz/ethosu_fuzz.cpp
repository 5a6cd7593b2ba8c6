// libFuzzer target for the Ethos-U path: arbitrary bytes as either
//  - a whole Vela-compiled .tflite ("TFL3" at byte 4): every ethos-u operator's stream is
//    run by the functional model on regions laid out from the model (its constant area, an
//    arena and a fast scratch sized by the model, capped), or
//  - the command-stream input of an `ethos-u` operator alone (runtime/ethosu/command_stream.hpp):
//    read to its end, then run on small empty regions.
// Either way: refused with a message or run to its end, never a crash, never a read or write
// outside a region (the sanitizers instrument the functional model, not only this harness).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"
#include "chorus/runtime/model.hpp"

namespace {

using namespace chorus::runtime::ethosu;

constexpr size_t kMaxBuffer = 1u << 20;      // values per working buffer
constexpr size_t kMaxRegion = 256u * 1024;   // bytes per region
constexpr uint64_t kWorkLimit = 1u << 22;    // per operation

void run_stream(const DriverPayload& p, NpuMemory& memory) {
  chorus::Result<FunctionalNpuNeeds> needs = FunctionalNpu::measure(p);
  if (!needs.is_ok()) return;
  if (needs->stream > kMaxBuffer || needs->weights > kMaxBuffer || needs->ifm > kMaxBuffer) return;
  std::vector<int16_t> stream(needs->stream), weights(needs->weights);
  std::vector<int32_t> ifm(needs->ifm);
  FunctionalNpu npu(FunctionalNpuBuffers{stream.data(), stream.size(), weights.data(), weights.size(), ifm.data(), ifm.size()});
  npu.set_work_limit(kWorkLimit);
  FunctionalNpuStats stats;
  (void)npu.run(p, memory, &stats);
}

void run_model(const uint8_t* data, size_t size) {
  // The loader wants 16-byte aligned bytes; the copy is also what a hostile DMA may write.
  std::vector<uint8_t> buffer(size + 16);
  uint8_t* bytes = buffer.data() + (16 - reinterpret_cast<uintptr_t>(buffer.data()) % 16) % 16;
  std::memcpy(bytes, data, size);
  chorus::Result<chorus::runtime::Model> m = chorus::runtime::Model::load(chorus::Span<const uint8_t>(bytes, size), {nullptr});
  if (!m.is_ok()) return;
  for (size_t i = 0; i < m->num_ops(); ++i) {
    const chorus::runtime::OpInfo op = m->op(i);
    if (op.custom_code == nullptr || std::strcmp(op.custom_code, "ethos-u") != 0 || op.inputs.size() < 2) continue;
    const chorus::runtime::TensorInfo cmd = m->tensor(static_cast<size_t>(op.inputs[0]));
    if (cmd.constant_data == nullptr) continue;
    chorus::Result<DriverPayload> p = parse_driver_payload(chorus::Span<const uint8_t>(cmd.constant_data, cmd.bytes));
    if (!p.is_ok()) continue;
    NpuMemory memory;
    std::vector<uint8_t> areas[kNpuRegions];
    for (size_t r = 0; r < kNpuRegions && r + 1 < op.inputs.size() + op.outputs.size(); ++r) {
      const size_t k = r + 1;
      const int32_t t = k < op.inputs.size() ? op.inputs[k] : op.outputs[k - op.inputs.size()];
      if (t < 0) continue;
      const chorus::runtime::TensorInfo ti = m->tensor(static_cast<size_t>(t));
      const size_t n = ti.bytes < kMaxRegion ? ti.bytes : kMaxRegion;
      areas[r].assign(n, 0);
      if (ti.constant_data != nullptr) std::memcpy(areas[r].data(), ti.constant_data, n);
      memory.region[r] = NpuRegion{areas[r].data(), areas[r].size()};
    }
    run_stream(*p, memory);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size >= 8 && std::memcmp(data + 4, "TFL3", 4) == 0) {
    run_model(data, size);
    return 0;
  }
  chorus::Result<DriverPayload> p = parse_driver_payload(chorus::Span<const uint8_t>(data, size));
  if (!p.is_ok()) return 0;
  if (p->commands_offset + 4 * p->command_words != size) __builtin_trap();
  CommandReader reader(*p);
  Command c;
  size_t n = 0;
  for (;;) {
    chorus::Result<bool> more = reader.next(&c);
    if (!more.is_ok() || !*more) break;
    if (c.offset >= 4 * p->command_words || command_name(c.opcode, c.cmd1) == nullptr) __builtin_trap();
    ++n;
  }
  chorus::Result<CommandSummary> s = summarize(*p);
  if (s.is_ok() && s->commands != n) __builtin_trap();
  std::vector<uint8_t> areas[3];
  NpuMemory memory;
  for (size_t r = 0; r < 3; ++r) {
    areas[r].assign(4096, 0);
    memory.region[r] = NpuRegion{areas[r].data(), areas[r].size()};
  }
  run_stream(*p, memory);
  return 0;
}
