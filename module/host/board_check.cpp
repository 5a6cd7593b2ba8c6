// The checks that relate a board's elements to each other (the XSD checks each element on
// its own). Every message names file, line, element and the numbers involved.
#include <cstdio>
#include <vector>

#include "chorus/module/host/board_xml.hpp"

namespace chorus::board::host {
namespace {

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llX", static_cast<unsigned long long>(v));
  return buf;
}

std::string range(const MemoryRegion& r) {
  return "[" + hex(r.base) + ", " + hex(region_end(r)) + ")";
}

bool power_of_two(uint64_t v) {
  return v != 0 && (v & (v - 1)) == 0;
}

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

class Checker {
 public:
  Checker(const BoardDescription& b, std::string* error) : b_(b), error_(error) {}

  bool run() { return cpu() && regions() && npu() && arena() && partitions() && sensors(); }

 private:
  bool fail(int line, const std::string& element, const std::string& message) {
    *error_ = b_.path + ":" + std::to_string(line) + ": element " + element + ": " + message;
    return false;
  }
  std::string memory_tag(size_t i) const { return std::string("<memory name=\"") + b_.regions[i].name + "\">"; }
  std::string partition_tag(size_t i) const { return std::string("<partition name=\"") + b_.partitions[i].name + "\">"; }
  uint64_t usable(uint8_t r) const { return b_.regions[r].size - b_.regions[r].reserved; }
  std::string npu_regions() const {
    std::string s;
    for (const MemoryRegion& r : b_.regions) {
      if (has_access(r, kAccessNpu)) s += std::string(s.empty() ? "" : ", ") + r.name;
    }
    return s.empty() ? "none" : s;
  }

  bool cpu() {
    const Cpu& c = b_.cpu;
    const std::string tag = "<cpu>";
    if (c.clock_hz == 0) return fail(b_.cpu_line, tag, "clock is 0 Hz");
    const bool m55_85 = c.core == Core::kCortexM55 || c.core == Core::kCortexM85;
    const bool no_dsp = c.core == Core::kCortexM0Plus || c.core == Core::kCortexM3;
    if ((c.features & kFeatureMve) && !m55_85) {
      return fail(b_.cpu_line, tag, std::string(core_name(c.core)) + " has no MVE (Helium); only cortex-m55 and cortex-m85 do");
    }
    if ((c.features & (kFeatureDsp | kFeatureFpu)) && no_dsp) {
      return fail(b_.cpu_line, tag, std::string(core_name(c.core)) + " has neither the DSP extension nor an FPU");
    }
    for (size_t k = 0; k < kOpKinds; ++k) {
      bool costs = false;
      for (size_t f = 0; f < kOpFeatures; ++f) costs = costs || c.cost.millicycles[k][f] > 0;
      if (!costs) {
        return fail(b_.cost_line, "<cost>",
                    std::string("<kind name='") + op_kind_name(static_cast<OpKind>(k)) +
                        "'> costs nothing; every operator costs something");
      }
    }
    return true;
  }

  bool regions() {
    for (size_t i = 0; i < b_.regions.size(); ++i) {
      const MemoryRegion& r = b_.regions[i];
      const int line = b_.region_lines[i];
      if (r.size == 0) return fail(line, memory_tag(i), "size is 0 bytes");
      if (region_end(r) > (uint64_t{1} << 32)) {
        return fail(line, memory_tag(i),
                    "base " + hex(r.base) + " + size " + std::to_string(r.size) + " = " + hex(region_end(r)) +
                        " runs past the 4 GiB address space");
      }
      if (r.base % 4 != 0) {
        return fail(line, memory_tag(i),
                    "base " + hex(r.base) + " is not 4-byte aligned (misaligned by " + std::to_string(r.base % 4) + " bytes)");
      }
      if (r.reserved > r.size) {
        return fail(line, memory_tag(i),
                    "reserved " + std::to_string(r.reserved) + " B exceeds the region's " + std::to_string(r.size) + " B");
      }
      for (size_t j = 0; j < i; ++j) {
        const MemoryRegion& o = b_.regions[j];
        const uint64_t lo = r.base > o.base ? r.base : o.base;
        const uint64_t hi = region_end(r) < region_end(o) ? region_end(r) : region_end(o);
        if (lo < hi) {
          return fail(line, memory_tag(i),
                      std::string("region '") + r.name + "' " + range(r) + " overlaps region '" + o.name + "' " + range(o) +
                          " (line " + std::to_string(b_.region_lines[j]) + ") by " + std::to_string(hi - lo) + " bytes");
        }
      }
    }
    return true;
  }

  bool npu() {
    for (size_t i = 0; i < b_.regions.size(); ++i) {
      if (has_access(b_.regions[i], kAccessNpu) && !b_.has_npu) {
        return fail(b_.region_lines[i], memory_tag(i), "access includes npu but the board has no <npu>");
      }
    }
    if (!b_.has_npu) return true;
    const Npu& n = b_.npu;
    const std::string tag = std::string("<npu type=\"") + npu_type_name(n.type) + "\">";
    if (n.macs_per_cycle == 0 || n.clock_hz == 0) return fail(b_.npu_line, tag, "macs-per-cycle and clock must be above 0");
    if (!power_of_two(n.command_stream_alignment) || !power_of_two(n.tensor_alignment)) {
      return fail(b_.npu_line, tag,
                  "command-alignment " + std::to_string(n.command_stream_alignment) + " and tensor-alignment " +
                      std::to_string(n.tensor_alignment) + " must be powers of two");
    }
    if (n.reachable_regions == 0) return fail(b_.npu_line, tag, "no <memory> lists npu in its access: the NPU reaches nothing");
    return true;
  }

  bool arena() {
    const std::string tag = "<arena>";
    const int line = b_.arena_line;
    if (!power_of_two(b_.arena_alignment)) {
      return fail(line, tag, "alignment " + std::to_string(b_.arena_alignment) + " is not a power of two");
    }
    uint64_t capacity = 0;
    std::string names;
    for (uint8_t r : b_.arena_regions) {
      const MemoryRegion& m = b_.regions[r];
      if (m.kind == MemoryKind::kFlash) {
        return fail(line, tag, std::string("region '") + m.name + "' is flash; the arena needs RAM");
      }
      if (!has_access(m, kAccessCpu)) return fail(line, tag, std::string("region '") + m.name + "' is not reachable by the CPU");
      capacity += usable(r);
      names += std::string(names.empty() ? "'" : ", '") + m.name + "'";
    }
    if (b_.arena_size > capacity) {
      const bool one = b_.arena_regions.size() == 1;
      return fail(line, tag,
                  "size " + std::to_string(b_.arena_size) + " B is larger than its region" + (one ? " " : "s ") + names + " (" +
                      std::to_string(capacity) + " B usable" + (one ? "" : " together") + ") by " +
                      std::to_string(b_.arena_size - capacity) + " B");
    }
    const MemoryRegion& w = b_.regions[b_.weights_region];
    if (!has_access(w, kAccessCpu))
      return fail(line, tag, std::string("weights region '") + w.name + "' is not reachable by the CPU");
    return true;
  }

  bool partitions() {
    const uint64_t align = b_.arena_alignment;
    uint64_t total = 0;
    std::vector<uint64_t> per_region(b_.regions.size(), 0);
    for (size_t i = 0; i < b_.partitions.size(); ++i) {
      const Partition& p = b_.partitions[i];
      const int line = b_.partition_lines[i];
      const std::string tag = partition_tag(i);
      for (size_t j = 0; j < i; ++j) {
        if (b_.partitions[j].level == p.level) {
          return fail(line, tag,
                      "level " + std::to_string(p.level) + " already has partition '" + b_.partitions[j].name + "' (line " +
                          std::to_string(b_.partition_lines[j]) + "); one partition per level");
        }
      }
      if (p.size == 0) return fail(line, tag, "size is 0 bytes");
      if (p.size % align != 0) {
        return fail(line, tag,
                    "size " + std::to_string(p.size) + " is misaligned: not a multiple of the arena alignment " +
                        std::to_string(align) + " (next multiple " + std::to_string(align_up(p.size, align)) + ")");
      }
      bool in_arena = p.region == kNoRegion;
      for (uint8_t r : b_.arena_regions) in_arena = in_arena || r == p.region;
      if (!in_arena) {
        return fail(line, tag, std::string("region '") + b_.regions[p.region].name + "' is not one of the arena's regions");
      }
      if (p.npu && !b_.has_npu) return fail(line, tag, "npu=\"true\" but the board has no <npu>");
      if (p.npu && p.region != kNoRegion && !has_access(b_.regions[p.region], kAccessNpu)) {
        return fail(line, tag,
                    "level " + std::to_string(p.level) + " holds NPU work but region '" + b_.regions[p.region].name +
                        "' is not reachable by the NPU (the NPU reaches: " + npu_regions() + ")");
      }
      if (p.npu && p.region == kNoRegion) {
        bool reachable = false;
        for (uint8_t r : b_.arena_regions) reachable = reachable || has_access(b_.regions[r], kAccessNpu);
        if (!reachable) {
          return fail(line, tag,
                      "level " + std::to_string(p.level) +
                          " holds NPU work but none of the arena's regions is reachable by the NPU (the NPU reaches: " +
                          npu_regions() + ")");
        }
      }
      if (p.npu && p.size % b_.npu.tensor_alignment != 0) {
        return fail(line, tag,
                    "size " + std::to_string(p.size) + " is misaligned for the NPU: not a multiple of its tensor alignment " +
                        std::to_string(b_.npu.tensor_alignment));
      }
      total += p.size;
      if (p.region != kNoRegion) {
        per_region[p.region] += p.size;
        if (per_region[p.region] > usable(p.region)) {
          return fail(line, tag,
                      std::string("partitions fixed in region '") + b_.regions[p.region].name + "' need " +
                          std::to_string(per_region[p.region]) + " B, it has " + std::to_string(usable(p.region)) +
                          " B usable: over capacity by " + std::to_string(per_region[p.region] - usable(p.region)) + " B");
        }
      }
    }
    uint64_t capacity = 0;
    for (uint8_t r : b_.arena_regions) capacity += usable(r);
    const uint64_t budget = b_.arena_size != 0 ? b_.arena_size : capacity;
    if (total > budget) {
      return fail(b_.arena_line, "<arena>",
                  "fixed partitions need " + std::to_string(total) + " B, the arena has " + std::to_string(budget) +
                      " B: over capacity by " + std::to_string(total - budget) + " B");
    }
    return true;
  }

  // Bus clock cycles Chorus's drivers spend per sample (0: not modelled):
  //  - accelerometer on I2C (LIS3DH): one six-byte read of OUT_X_L..OUT_Z_H is START,
  //    address+W, sub-address, repeated START, address+R, 6 data bytes, STOP: 9 bytes of 9
  //    bits (8 + ACK) and 3 = 84; the FIFO_SRC_REG reads, two per service at the default
  //    watermark of 16 (42 bits each), add 5.25 a sample: 90 with rounding up;
  //  - accelerometer on SPI (IIS3DWB): one 7-byte FIFO word a sample (tag, X, Y, Z) = 56
  //    clocks, plus FIFO_STATUS1..2 (24) and the burst's address byte (8) a service, 32 over
  //    a 256-word watermark: 57 with rounding up;
  //  - microphone on I2S (ICS-43434): two 32-bit slots a frame (I2S standard, left and
  //    right) = 64 bit clocks a sample (the datasheet's BCLK = 64 x fs);
  //  - radar on SPI (BGT60TR13C): 12-bit samples in the burst read = 12 clocks a sample
  //    (the rate is in frames: 64 x 32 x 3 samples each), plus a 4-byte burst command a
  //    frame, which rounding up covers.
  static uint64_t bus_bits_per_sample(SensorType type, Bus bus) {
    if (type == SensorType::kAccelerometer && bus == Bus::kI2c) return 90;
    if (type == SensorType::kAccelerometer && bus == Bus::kSpi) return 57;
    if (type == SensorType::kMicrophone && bus == Bus::kI2s) return 64;
    if (type == SensorType::kRadar && bus == Bus::kSpi) return 64 * 32 * 3 * 12 + 32;
    return 0;
  }

  bool sensors() {
    for (size_t i = 0; i < b_.sensors.size(); ++i) {
      const Sensor& s = b_.sensors[i];
      const std::string tag = std::string("<sensor name=\"") + s.name + "\">";
      if (s.rate_hz == 0 || s.buffer_bytes == 0) return fail(b_.sensor_lines[i], tag, "rate and buffer must be above 0");
      const MemoryRegion& r = b_.regions[s.buffer_region];
      if (r.kind == MemoryKind::kFlash) {
        return fail(b_.sensor_lines[i], tag, std::string("buffer region '") + r.name + "' is flash; a ring buffer needs RAM");
      }
      if (s.buffer_bytes > usable(s.buffer_region)) {
        return fail(b_.sensor_lines[i], tag,
                    "buffer " + std::to_string(s.buffer_bytes) + " B is larger than region '" + r.name + "' (" +
                        std::to_string(usable(s.buffer_region)) + " B usable)");
      }
      // Sustained rate: what Chorus's driver for this kind of sensor moves over the stated
      // bus clock per sample must fit in it.
      const uint64_t bits = bus_bits_per_sample(s.type, s.bus);
      if (s.bus_hz != 0 && bits != 0 && uint64_t{s.rate_hz} * bits > s.bus_hz) {
        const char* unit = s.type == SensorType::kRadar ? "frame" : "sample";  // a radar's rate is in frames
        return fail(b_.sensor_lines[i], tag,
                    std::to_string(s.rate_hz) + " " + unit + "s a second need " + std::to_string(uint64_t{s.rate_hz} * bits) +
                        " bus clocks a second (" + std::to_string(bits) + " a " + unit + "); bus-clock " + std::to_string(s.bus_hz) +
                        " Hz carries at most " + std::to_string(s.bus_hz / bits) + " a second");
      }
    }
    return true;
  }

  const BoardDescription& b_;
  std::string* error_;
};

}  // namespace

bool check_board(const BoardDescription& board, std::string* error) {
  return Checker(board, error).run();
}

}  // namespace chorus::board::host
