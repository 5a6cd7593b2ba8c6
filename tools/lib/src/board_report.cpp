#include "chorus/tools/board_report.hpp"

#include <cstdarg>
#include <cstdio>
#include <sstream>

#include "chorus/module/host/identifiers.hpp"
#include "chorus/tools/json.hpp"

namespace chorus::tools {
namespace {

using board::ItemKind;

std::string mhz(uint32_t hz) {
  char buf[32];
  if (hz % 1000000 == 0)
    std::snprintf(buf, sizeof buf, "%u MHz", hz / 1000000);
  else
    std::snprintf(buf, sizeof buf, "%.3f MHz", hz / 1e6);
  return buf;
}

std::string features(uint8_t f) {
  std::string s;
  if (f & board::kFeatureFpu) s += " fpu";
  if (f & board::kFeatureDsp) s += " dsp";
  if (f & board::kFeatureMve) s += " mve";
  return s.empty() ? "no fpu/dsp/mve" : s.substr(1);
}

std::string reach(uint8_t access) {
  std::string s;
  if (access & board::kAccessCpu) s += "cpu ";
  if (access & board::kAccessNpu) s += "npu ";
  if (access & board::kAccessDma) s += "dma ";
  return s.empty() ? s : s.substr(0, s.size() - 1);
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

std::string line(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string line(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return std::string(buf) + "\n";
}

}  // namespace

std::string board_report_text(const BoardLayout& layout) {
  const board::host::BoardDescription& d = *layout.board;
  std::string o;
  o += "board " + d.name + (d.description.empty() ? "" : " - " + host::comment_text(d.description)) + "\n";
  o += "  cpu  " + std::string(board::core_name(d.cpu.core)) + " @ " + mhz(d.cpu.clock_hz) + " (" + features(d.cpu.features) +
       ")\n";
  if (d.has_npu) {
    std::string reached;
    for (const board::MemoryRegion& r : d.regions) {
      if (board::has_access(r, board::kAccessNpu)) reached += (reached.empty() ? "" : ", ") + std::string(r.name);
    }
    o += "  npu  " + std::string(board::npu_type_name(d.npu.type)) + ", " + std::to_string(d.npu.macs_per_cycle) +
         " MACs/cycle @ " + mhz(d.npu.clock_hz) + ", reaches " + reached + "\n";
  }

  if (!layout.models.empty()) {
    o += "\nmodels\n";
    o += line("  %-26s %5s %6s %9s %11s %10s %8s %10s", "model", "level", "target", "weights", "activations", "persistent",
              "scratch", "own arena");
    for (const ModelNeeds& m : layout.models) {
      const uint64_t a = d.arena_alignment;
      auto al = [a](uint64_t v) { return (v + a - 1) / a * a; };
      o += line("  %-26s %5d %6s %9zu %11zu %10zu %8zu %10llu", m.name.c_str(), m.level, m.npu ? "npu" : "cpu", m.weight_bytes,
                m.activation_bytes, m.persistent_bytes, m.scratch_bytes,
                static_cast<unsigned long long>(al(m.activation_bytes) + al(m.persistent_bytes) + al(m.scratch_bytes)));
    }
  }

  o += "\nplacement\n";
  o += line("  %-34s %-9s %-10s %9s  %s", "area", "region", "address", "bytes", "serves");
  for (const LayoutItem& item : layout.items) {
    std::string label = item.label + (item.npu ? " [npu]" : "");
    o += line("  %-34s %-9s %-10s %9u  %s", label.c_str(), d.regions[item.placed.region].name, hex32(item.placed.address).c_str(),
              item.bytes, joined(item.models).c_str());
  }

  o += "\nregions\n";
  o += line("  %-9s %-6s %-10s %11s %11s %11s %5s  %s", "region", "kind", "base", "size", "used", "free", "speed", "reach");
  for (size_t i = 0; i < d.regions.size(); ++i) {
    const board::MemoryRegion& r = d.regions[i];
    const uint64_t used = layout.summary.region_used[i];
    o += line("  %-9s %-6s %-10s %11u %11llu %11llu %5u  %s", r.name, board::memory_kind_name(r.kind), hex32(r.base).c_str(),
              r.size, static_cast<unsigned long long>(used), static_cast<unsigned long long>(r.size - used), r.speed,
              reach(r.access).c_str());
  }
  o += "  (used includes the reserved bytes at each region's start)\n";

  uint64_t partitions = 0, persistent = 0, scratch = 0;
  for (const LayoutItem& item : layout.items) {
    if (item.kind == ItemKind::kPartition) partitions += item.bytes;
    if (item.kind == ItemKind::kPersistent) persistent += item.bytes;
    if (item.kind == ItemKind::kScratch) scratch += item.bytes;
  }
  const uint64_t padding = layout.arena_bytes - partitions - persistent - scratch;
  o += "\narena as placed      " + human_bytes(layout.arena_bytes) + ": partitions " + std::to_string(partitions) +
       " + persistent " + std::to_string(persistent) + " + scratch " + std::to_string(scratch) + " + padding " +
       std::to_string(padding) + "\n";
  if (!layout.models.empty()) {
    o += "one arena per model  " + human_bytes(layout.per_model_bytes) + "\n";
    const double pct = layout.per_model_bytes
                           ? 100.0 * static_cast<double>(layout.saved_bytes()) / static_cast<double>(layout.per_model_bytes)
                           : 0.0;
    char buf[64];
    std::snprintf(buf, sizeof buf, " (%.1f %%)", pct);
    o += "saved                " + human_bytes(layout.saved_bytes()) + buf + "\n";
    o += "  (levels share one activation partition each; one scratch area serves every level;\n"
         "   Model/Interpreter objects are static, outside the arena, on both sides)\n";
  }
  return o;
}

std::string board_report_json(const BoardLayout& layout) {
  const board::host::BoardDescription& d = *layout.board;
  JsonWriter j;
  j.begin_object().field("board", d.name).field("file", d.path);
  j.key("cpu").begin_object().field("core", board::core_name(d.cpu.core)).field("clock_hz", d.cpu.clock_hz);
  j.field("features", features(d.cpu.features)).end_object();
  if (d.has_npu) {
    j.key("npu").begin_object().field("type", board::npu_type_name(d.npu.type)).field("macs_per_cycle", d.npu.macs_per_cycle);
    j.field("clock_hz", d.npu.clock_hz).end_object();
  }
  j.key("models").begin_array();
  for (const ModelNeeds& m : layout.models) {
    j.begin_object().field("name", m.name).field("path", m.path).field("level", m.level).field("npu", m.npu);
    j.field("weight_bytes", static_cast<uint64_t>(m.weight_bytes))
        .field("activation_bytes", static_cast<uint64_t>(m.activation_bytes));
    j.field("persistent_bytes", static_cast<uint64_t>(m.persistent_bytes))
        .field("scratch_bytes", static_cast<uint64_t>(m.scratch_bytes));
    j.end_object();
  }
  j.end_array().key("placement").begin_array();
  for (const LayoutItem& item : layout.items) {
    j.begin_object().field("name", item.symbol).field("label", item.label).field("kind", board::item_kind_name(item.kind));
    if (item.kind == ItemKind::kPartition) j.field("level", item.level);
    j.field("npu", item.npu).field("region", d.regions[item.placed.region].name);
    j.field("address", static_cast<uint64_t>(item.placed.address)).field("bytes", static_cast<uint64_t>(item.bytes));
    j.key("models").begin_array();
    for (const std::string& m : item.models) j.value(m);
    j.end_array().end_object();
  }
  j.end_array().key("regions").begin_array();
  for (size_t i = 0; i < d.regions.size(); ++i) {
    const board::MemoryRegion& r = d.regions[i];
    j.begin_object()
        .field("name", r.name)
        .field("kind", board::memory_kind_name(r.kind))
        .field("base", static_cast<uint64_t>(r.base));
    j.field("size", static_cast<uint64_t>(r.size)).field("reserved", static_cast<uint64_t>(r.reserved));
    j.field("used", static_cast<uint64_t>(layout.summary.region_used[i]));
    j.field("free", static_cast<uint64_t>(r.size - layout.summary.region_used[i])).field("speed", r.speed);
    j.field("access", reach(r.access)).end_object();
  }
  j.end_array();
  j.field("arena_bytes", static_cast<uint64_t>(layout.arena_bytes));
  j.field("one_arena_per_model_bytes", static_cast<uint64_t>(layout.per_model_bytes));
  j.field("saved_bytes", static_cast<uint64_t>(layout.saved_bytes()));
  j.end_object();
  return j.str() + "\n";
}

}  // namespace chorus::tools
