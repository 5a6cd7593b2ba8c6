#include "chorus/tools/board_layout.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "chorus/module/host/identifiers.hpp"
#include "chorus/tools/model_session.hpp"

namespace chorus::tools {
namespace {

using board::ItemKind;
using board::kNoRegion;

uint64_t align_up(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

// An area's symbol: the shared identifier policy (chorus/module/host/identifiers.hpp).
std::string symbol_of(const std::string& text, size_t limit) {
  return host::mangle_identifier(text, limit);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

}  // namespace

std::string hex32(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%08llX", static_cast<unsigned long long>(v));
  return buf;
}

std::string human_bytes(uint64_t bytes) {
  char buf[64];
  if (bytes >= 1024ull * 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%llu B (%.1f GiB)", static_cast<unsigned long long>(bytes),
                  static_cast<double>(bytes) / 1073741824.0);
  } else if (bytes >= 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%llu B (%.1f MiB)", static_cast<unsigned long long>(bytes),
                  static_cast<double>(bytes) / 1048576.0);
  } else if (bytes >= 1024) {
    std::snprintf(buf, sizeof buf, "%llu B (%.1f KiB)", static_cast<unsigned long long>(bytes),
                  static_cast<double>(bytes) / 1024.0);
  } else {
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  }
  return buf;
}

bool parse_model_specs(const std::string& text, std::vector<ModelSpec>* out, std::string* error) {
  out->clear();
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string entry = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? text.size() + 1 : comma + 1;
    if (entry.empty()) {
      *error = "--models has an empty entry in '" + text + "'";
      return false;
    }
    ModelSpec spec;
    std::vector<std::string> parts;
    for (size_t p = 0;;) {
      const size_t colon = entry.find(':', p);
      parts.push_back(entry.substr(p, colon == std::string::npos ? std::string::npos : colon - p));
      if (colon == std::string::npos) break;
      p = colon + 1;
    }
    spec.path = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) {
      const std::string& part = parts[i];
      if (part == "cpu" || part == "npu") {
        spec.target = part == "cpu" ? ModelTarget::kCpu : ModelTarget::kNpu;
      } else if (!part.empty() && part.size() <= 3 && part.find_first_not_of("0123456789") == std::string::npos &&
                 std::stoi(part) <= 255 && spec.level < 0) {
        spec.level = std::stoi(part);
      } else {
        *error = "--models entry '" + entry + "': '" + part + "' is neither a level (0-255) nor cpu/npu";
        return false;
      }
    }
    if (spec.path.empty()) {
      *error = "--models entry '" + entry + "' has no path";
      return false;
    }
    out->push_back(spec);
  }
  return true;
}

runtime::KernelVariant kernel_variant_for(const board::Cpu& cpu) {
  if (cpu.features & board::kFeatureMve) return runtime::KernelVariant::kArmMve;
  if (cpu.features & board::kFeatureDsp) return runtime::KernelVariant::kArmDsp;
  return runtime::KernelVariant::kPortable;
}

bool measure_models(const std::vector<ModelSpec>& specs, bool board_has_npu, std::vector<ModelNeeds>* out, std::string* error,
                    runtime::KernelVariant variant) {
  out->clear();
  for (size_t i = 0; i < specs.size(); ++i) {
    const ModelSpec& spec = specs[i];
    ModelSession session;
    if (!session.load(spec.path, error)) return false;
    if (!session.plan(runtime::PlanOptions(), error, variant)) {
      *error = spec.path + ": " + *error;
      return false;
    }
    if (spec.target == ModelTarget::kNpu && !board_has_npu) {
      *error = spec.path + ": asked for the NPU (:npu) but the board has no <npu>";
      return false;
    }
    ModelNeeds m;
    m.path = spec.path;
    // The identifier `chorus embed` gives the same file: the ld fragment keeps the weights
    // by it (.chorus_weights.<name>).
    m.name = host::model_identifier(spec.path);
    for (const ModelNeeds& other : *out) {
      if (lower(other.name) == lower(m.name)) {
        *error = spec.path + " and " + other.path + " both have the identifier '" + m.name +
                 "' (artefacts name a model by its file name, mangled); rename one";
        return false;
      }
    }
    m.level = spec.level >= 0 ? spec.level : static_cast<int>(i);
    m.npu = spec.target == ModelTarget::kNpu || (spec.target == ModelTarget::kAuto && board_has_npu);
    const RamReport ram = session.ram();
    m.weight_bytes = session.weight_bytes();
    m.model_bytes = session.file_bytes();
    m.activation_bytes = ram.activation_bytes;
    m.persistent_bytes = ram.persistent_bytes;
    m.scratch_bytes = ram.scratch_bytes;
    m.object_bytes = ram.object_bytes;
    out->push_back(m);
  }
  return true;
}

bool build_layout(const board::host::BoardDescription& desc, const std::vector<ModelNeeds>& models, BoardLayout* out,
                  std::string* error) {
  *out = BoardLayout{};
  out->board = &desc;
  out->models = models;
  const uint64_t align = desc.arena_alignment;
  // Symbols are unique ignoring case (devicetree node names are lower-cased) and with their
  // "_end" forms: the ld fragment defines __chorus_<symbol> and __chorus_<symbol>_end, so
  // partitions "a" and "a_end" must not both define __chorus_a_end.
  std::set<std::string> taken;
  auto unique_symbol = [&taken](std::string s) {
    auto free = [&taken](const std::string& c) {
      const std::string low = lower(c);
      return taken.count(low) == 0 && taken.count(low + "_end") == 0;
    };
    std::string candidate = s;
    for (int n = 2; !free(candidate); ++n) candidate = s + "_" + std::to_string(n);
    taken.insert(lower(candidate));
    taken.insert(lower(candidate) + "_end");
    return candidate;
  };

  // Partitions: one per level, from the models and the XML's fixed partitions.
  std::map<int, LayoutItem> levels;
  for (size_t i = 0; i < desc.partitions.size(); ++i) {
    const board::Partition& p = desc.partitions[i];
    LayoutItem& item = levels[p.level];
    item.label = std::string("partition ") + p.name + " (level " + std::to_string(p.level) + ")";
    item.symbol = unique_symbol(symbol_of(p.name, 24));
    item.level = p.level;
    item.npu = p.npu;
    item.fixed = true;
    item.bytes = p.size;
    item.placed.region = p.region;
  }
  for (const ModelNeeds& m : models) {
    LayoutItem& item = levels[m.level];
    const uint64_t need = align_up(m.activation_bytes, align);
    item.models.push_back(m.name);
    item.npu = item.npu || m.npu;
    if (item.fixed) {
      if (need > item.bytes) {
        size_t index = 0;
        while (desc.partitions[index].level != m.level) ++index;
        *error = desc.path + ":" + std::to_string(desc.partition_lines[index]) + ": element <partition name=\"" +
                 desc.partitions[index].name + "\">: level " + std::to_string(m.level) + " is fixed at " +
                 std::to_string(item.bytes) + " B but " + m.name + " needs " + std::to_string(need) +
                 " B of activations: short by " + std::to_string(need - item.bytes) + " B";
        return false;
      }
      if (m.npu && !desc.partitions.empty()) {
        for (size_t pi = 0; pi < desc.partitions.size(); ++pi) {
          const board::Partition& p = desc.partitions[pi];
          if (p.level == m.level && p.region != kNoRegion && !board::has_access(desc.regions[p.region], board::kAccessNpu)) {
            *error = desc.path + ":" + std::to_string(desc.partition_lines[pi]) + ": element <partition name=\"" + p.name +
                     "\">: level " + std::to_string(m.level) + " is fixed in region '" + desc.regions[p.region].name +
                     "', which the NPU cannot reach, but " + m.name + " runs on the NPU";
            return false;
          }
        }
      }
    } else {
      item.level = m.level;
      item.label = "level " + std::to_string(m.level);
      item.bytes = static_cast<uint32_t>(std::max<uint64_t>(item.bytes, need));
      item.placed.region = kNoRegion;
    }
  }
  for (auto& [level, item] : levels) {
    if (item.symbol.empty()) item.symbol = unique_symbol("level" + std::to_string(level));
    item.kind = ItemKind::kPartition;
    if (item.bytes > 0) out->items.push_back(item);
  }

  // Per-model persistent areas, the shared scratch area, then weights.
  uint64_t scratch = 0;
  std::vector<std::string> scratch_users;
  for (const ModelNeeds& m : models) {
    out->per_model_bytes +=
        align_up(m.activation_bytes, align) + align_up(m.persistent_bytes, align) + align_up(m.scratch_bytes, align);
    if (m.scratch_bytes > 0) scratch_users.push_back(m.name);
    scratch = std::max<uint64_t>(scratch, align_up(m.scratch_bytes, align));
    if (m.persistent_bytes == 0) continue;
    LayoutItem item;
    item.label = "persistent " + m.name;
    item.symbol = unique_symbol("persistent_" + symbol_of(m.name, 28));
    item.kind = ItemKind::kPersistent;
    item.level = m.level;
    item.models = {m.name};
    item.bytes = static_cast<uint32_t>(align_up(m.persistent_bytes, align));
    out->items.push_back(item);
  }
  if (scratch > 0) {
    LayoutItem item;
    item.label = "scratch";
    item.symbol = unique_symbol("scratch");
    item.kind = ItemKind::kScratch;
    item.models = scratch_users;
    item.bytes = static_cast<uint32_t>(scratch);
    out->items.push_back(item);
  }
  for (const ModelNeeds& m : models) {
    LayoutItem item;
    item.label = "weights " + m.name;
    item.symbol = unique_symbol("weights_" + symbol_of(m.name, 28));
    item.kind = ItemKind::kWeights;
    item.models = {m.name};
    // The firmware places the whole model file (`chorus embed`'s array: the flatbuffer with
    // its graph and metadata, not only the constant tensors).
    item.bytes = static_cast<uint32_t>(m.model_bytes);
    item.placed.region = desc.weights_region;
    if (item.bytes > 0) out->items.push_back(item);
  }
  for (const board::Sensor& s : desc.sensors) {
    LayoutItem item;
    item.label = std::string("sensor ") + s.name;
    item.symbol = unique_symbol(std::string("sensor_") + s.name);
    item.kind = ItemKind::kSensorBuffer;
    item.bytes = s.buffer_bytes;
    item.placed.region = s.buffer_region;
    out->items.push_back(item);
  }

  if (out->items.size() > board::kMaxPlacementItems) {
    *error = desc.path + ": " + std::to_string(out->items.size()) + " areas to place (" + std::to_string(desc.partitions.size()) +
             " partitions, " + std::to_string(models.size()) + " models, " + std::to_string(desc.sensors.size()) +
             " sensors); placement handles at most " + std::to_string(board::kMaxPlacementItems);
    return false;
  }
  std::vector<board::PlacementRequest> requests;
  for (const LayoutItem& item : out->items) {
    requests.push_back({item.label.c_str(), item.kind, static_cast<uint8_t>(item.level < 0 ? 0 : item.level), item.bytes,
                        item.npu, item.placed.region});
  }
  std::vector<board::PlacedItem> placed(requests.size());
  const board::Board view = desc.view();
  Status s = board::place(view, Span<const board::PlacementRequest>(requests.data(), requests.size()),
                          Span<board::PlacedItem>(placed.data(), placed.size()), &out->summary);
  if (!s.is_ok()) {
    // The arena element says where areas may go: the line to change.
    *error = desc.path + ":" + std::to_string(desc.arena_line) + ": element <arena>: " + s.message();
    return false;
  }
  for (size_t i = 0; i < placed.size(); ++i) out->items[i].placed = placed[i];
  out->arena_bytes = out->summary.arena_bytes;
  return true;
}

}  // namespace chorus::tools
