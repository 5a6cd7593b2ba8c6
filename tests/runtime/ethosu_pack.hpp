// Reading the vector packs of tests/data/ethosu (tools/oracles/ethosu_conformance_vectors.py,
// ethosu_tflm_vectors.py) and running one record's stream on the functional model, laid out as
// TFLM's ethos-u kernel lays it out (region 0 the constants, 1 the arena with the inputs and
// outputs at their offline-plan offsets, 2 the fast scratch).
#pragma once

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "chorus/runtime/ethosu/command_stream.hpp"
#include "chorus/runtime/ethosu/functional_npu.hpp"

namespace chorus::test {

struct EthosuRecord {
  uint32_t op = 0, config = 0, scratch = 0, fast = 0;
  std::vector<uint32_t> inputs, outputs;  // offline-plan offsets in the arena
  std::vector<uint8_t> payload, constants;
  std::vector<uint8_t> input, expected;   // CHTF packs: the input bytes and TFLM's output
  std::string kind;                        // CHTF packs
};

class PackReader {
 public:
  explicit PackReader(const std::vector<uint8_t>& b) : b_(b) {}
  bool u32(uint32_t* v) {
    if (at_ + 4 > b_.size()) return false;
    std::memcpy(v, b_.data() + at_, 4);
    at_ += 4;
    return true;
  }
  bool bytes(std::vector<uint8_t>* v) {
    uint32_t n;
    if (!u32(&n) || at_ + n > b_.size()) return false;
    v->assign(b_.begin() + static_cast<long>(at_), b_.begin() + static_cast<long>(at_ + n));
    at_ += n;
    return true;
  }
  bool at_end() const { return at_ == b_.size(); }
  bool list(std::vector<uint32_t>* v) {
    uint32_t n;
    if (!u32(&n) || n > 16) return false;
    v->resize(n);
    for (uint32_t& x : *v)
      if (!u32(&x)) return false;
    return true;
  }

 private:
  const std::vector<uint8_t>& b_;
  size_t at_ = 0;
};

// Reads a pack with magic "CHCF" (stream records) or "CHTF" (records with input, expected
// output and kind); empty on any inconsistency.
inline std::vector<EthosuRecord> read_ethosu_pack(const std::vector<uint8_t>& b, const char* magic) {
  std::vector<EthosuRecord> out;
  if (b.size() < 12 || std::memcmp(b.data(), magic, 4) != 0) return out;
  const bool tflm = std::memcmp(magic, "CHTF", 4) == 0;
  PackReader r(b);
  uint32_t m, version, count;
  if (!r.u32(&m) || !r.u32(&version) || !r.u32(&count)) return out;
  for (uint32_t i = 0; i < count; ++i) {
    EthosuRecord rec;
    if (!r.u32(&rec.op) || !r.u32(&rec.config) || !r.u32(&rec.scratch) || !r.u32(&rec.fast) || !r.list(&rec.inputs) ||
        !r.list(&rec.outputs) || !r.bytes(&rec.payload) || !r.bytes(&rec.constants) || rec.config >= 6)
      return {};
    if (tflm) {
      std::vector<uint8_t> kind;
      if (!r.bytes(&rec.input) || !r.bytes(&rec.expected) || !r.bytes(&kind)) return {};
      rec.kind.assign(kind.begin(), kind.end());
    }
    out.push_back(std::move(rec));
  }
  return out;
}

// Runs `rec`'s stream with `inputs` (one byte vector per graph input) at their offsets; the
// arena after the run in `arena`. The functional model's status.
inline Status run_ethosu_record(const EthosuRecord& rec, const std::vector<std::vector<uint8_t>>& inputs, size_t output_bytes,
                                std::vector<uint8_t>* arena) {
  using namespace runtime::ethosu;
  Result<DriverPayload> payload = parse_driver_payload(Span<const uint8_t>(rec.payload.data(), rec.payload.size()));
  if (!payload.is_ok()) return payload.status();
  size_t size = rec.scratch;
  for (size_t i = 0; i < rec.inputs.size() && i < inputs.size(); ++i) size = std::max(size, rec.inputs[i] + inputs[i].size());
  size = std::max(size, rec.outputs.empty() ? size_t{0} : rec.outputs[0] + output_bytes);
  arena->assign(size, 0);
  std::vector<uint8_t> fast(rec.fast, 0), flash = rec.constants;
  for (size_t i = 0; i < rec.inputs.size() && i < inputs.size(); ++i)
    std::memcpy(arena->data() + rec.inputs[i], inputs[i].data(), inputs[i].size());
  NpuMemory memory;
  memory.region[0] = NpuRegion{flash.data(), flash.size()};
  memory.region[1] = NpuRegion{arena->data(), arena->size()};
  memory.region[2] = NpuRegion{fast.data(), fast.size()};
  Result<FunctionalNpuNeeds> needs = FunctionalNpu::measure(*payload);
  if (!needs.is_ok()) return needs.status();
  std::vector<int16_t> stream(needs->stream + 1), weights(needs->weights + 1);
  std::vector<int32_t> ifm(needs->ifm + 1);
  FunctionalNpu npu(FunctionalNpuBuffers{stream.data(), stream.size(), weights.data(), weights.size(), ifm.data(), ifm.size()});
  return npu.run(*payload, memory);
}

}  // namespace chorus::test
