// XML -> BoardDescription. Reads elements and attributes strictly (unknown or missing ones
// are errors with file and line), then hands the result to check_board() for the checks
// that relate elements to each other.
#include "chorus/module/host/board_xml.hpp"

#include <tinyxml2.h>

#include <strings.h>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "board_numbers.hpp"
#include "chorus/module/host/identifiers.hpp"
#include "chorus/module/host/input_file.hpp"

namespace chorus::board::host {
namespace {

// A partition's name becomes its area's symbol (__chorus_<name> and __chorus_<name>_end in
// the ld fragment, a node in the overlay): it must not take a generated area's symbol.
const char* partition_name_reason(const std::string& name) {
  auto starts = [&name](const char* p) { return name.compare(0, std::strlen(p), p) == 0; };
  if (starts("weights_") || starts("persistent_") || starts("sensor_") || name == "scratch")
    return "reserved: weights_*, persistent_*, sensor_* and scratch name generated areas";
  if (name.size() > 5 && starts("level") && name.find_first_not_of("0123456789", 5) == std::string::npos)
    return "reserved: level<N> names a generated level partition";
  if (name.size() >= 4 && name.compare(name.size() - 4, 4, "_end") == 0)
    return "reserved: the ld fragment defines __chorus_<name>_end for every area";
  return chorus::host::reserved_identifier_reason(name);
}

using tinyxml2::XMLElement;

constexpr uint64_t k4GiB = uint64_t{1} << 32;

template <class Enum, size_t N>
bool lookup(const char* text, const Enum (&values)[N], const char* (*name_of)(Enum), Enum* out) {
  for (Enum v : values) {
    if (std::strcmp(text, name_of(v)) == 0) {
      *out = v;
      return true;
    }
  }
  return false;
}

template <class Enum, size_t N>
std::string spellings(const Enum (&values)[N], const char* (*name_of)(Enum)) {
  std::string s;
  for (Enum v : values) s += std::string(s.empty() ? "" : ", ") + name_of(v);
  return s;
}

constexpr Core kCores[] = {Core::kCortexM0Plus, Core::kCortexM3,  Core::kCortexM4, Core::kCortexM7,
                           Core::kCortexM33,    Core::kCortexM55, Core::kCortexM85};
constexpr OpKind kOpKindValues[] = {OpKind::kConv, OpKind::kDepthwise, OpKind::kFullyConnected,
                                    OpKind::kSvdf, OpKind::kPool, OpKind::kElementwise, OpKind::kOther};
constexpr MemoryKind kKinds[] = {MemoryKind::kFlash, MemoryKind::kSram, MemoryKind::kItcm, MemoryKind::kDtcm, MemoryKind::kPsram};
constexpr NpuType kNpuTypes[] = {NpuType::kEthosU55, NpuType::kEthosU65, NpuType::kEthosU85};
constexpr SensorType kSensorTypes[] = {SensorType::kMicrophone, SensorType::kRadar, SensorType::kAccelerometer};
constexpr Bus kBuses[] = {Bus::kI2c, Bus::kSpi, Bus::kI2s, Bus::kPdm, Bus::kUart, Bus::kAdc};

class Reader {
 public:
  Reader(BoardDescription* out, std::string* error) : b_(out), error_(error) {}

  bool read(const XMLElement* root);

 private:
  std::string where(const XMLElement* e) const {
    std::string tag = std::string("<") + e->Name();
    if (const char* n = e->Attribute("name")) tag += std::string(" name=\"") + n + "\"";
    return b_->path + ":" + std::to_string(e->GetLineNum()) + ": element " + tag + ">";
  }
  bool fail(const XMLElement* e, const std::string& message) {
    *error_ = where(e) + ": " + message;
    return false;
  }

  // Every attribute must be known; every required one present.
  bool attributes(const XMLElement* e, std::initializer_list<const char*> required, std::initializer_list<const char*> optional) {
    for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a != nullptr; a = a->Next()) {
      bool known = false;
      for (const char* n : required) known = known || std::strcmp(n, a->Name()) == 0;
      for (const char* n : optional) known = known || std::strcmp(n, a->Name()) == 0;
      if (!known) {
        std::string list;
        for (const char* n : required) list += std::string(list.empty() ? "" : ", ") + n;
        for (const char* n : optional) list += std::string(list.empty() ? "" : ", ") + n;
        return fail(e, std::string("unknown attribute '") + a->Name() + "' (known: " + list + ")");
      }
    }
    for (const char* n : required) {
      if (e->Attribute(n) == nullptr) return fail(e, std::string("missing required attribute '") + n + "'");
    }
    return true;
  }

  // Every child element must be one of `allowed`.
  bool children(const XMLElement* e, std::initializer_list<const char*> allowed) {
    for (const XMLElement* c = e->FirstChildElement(); c != nullptr; c = c->NextSiblingElement()) {
      bool known = false;
      std::string list;
      for (const char* n : allowed) {
        known = known || std::strcmp(n, c->Name()) == 0;
        list += std::string(list.empty() ? "" : ", ") + n;
      }
      if (!known) {
        return fail(c, std::string("unknown element inside <") + e->Name() + "> (expected " +
                           (list.empty() ? std::string("no child elements") : "one of: " + list) + ")");
      }
    }
    return true;
  }

  bool number(const XMLElement* e, const char* attr, NumberKind kind, uint64_t max, uint64_t* out) {
    const char* text = e->Attribute(attr);
    std::string why;
    if (!parse_number(text, kind, out, &why)) {
      return fail(e, std::string("attribute ") + attr + "='" + text + "' is not " + why);
    }
    if (*out > max) {
      return fail(e, std::string("attribute ") + attr + "='" + text + "' is " + std::to_string(*out) + ", above the limit " +
                         std::to_string(max));
    }
    return true;
  }
  template <class T>
  bool number_as(const XMLElement* e, const char* attr, NumberKind kind, uint64_t max, T* out) {
    uint64_t v = 0;
    if (!number(e, attr, kind, max, &v)) return false;
    *out = static_cast<T>(v);
    return true;
  }
  template <class T>
  bool optional_number(const XMLElement* e, const char* attr, NumberKind kind, uint64_t max, T* out) {
    return e->Attribute(attr) == nullptr || number_as(e, attr, kind, max, out);
  }

  bool boolean(const XMLElement* e, const char* attr, bool fallback, bool* out) {
    const char* t = e->Attribute(attr);
    if (t == nullptr) {
      *out = fallback;
    } else if (std::strcmp(t, "true") == 0) {
      *out = true;
    } else if (std::strcmp(t, "false") == 0) {
      *out = false;
    } else {
      return fail(e, std::string("attribute ") + attr + "='" + t + "' is not true or false");
    }
    return true;
  }

  bool identifier(const XMLElement* e, const char* attr, std::string* out) {
    const std::string t = e->Attribute(attr);
    bool ok = !t.empty() && t.size() <= kMaxNameLength && std::isalpha(static_cast<unsigned char>(t[0]));
    for (char c : t) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_');
    if (!ok) {
      return fail(e, std::string("attribute ") + attr + "='" + t + "' must be a letter then letters, digits or _, at most " +
                         std::to_string(kMaxNameLength) + " characters");
    }
    *out = t;
    return true;
  }

  template <class Enum, size_t N>
  bool enumerated(const XMLElement* e, const char* attr, const Enum (&values)[N], const char* (*name_of)(Enum), Enum* out) {
    const char* t = e->Attribute(attr);
    if (lookup(t, values, name_of, out)) return true;
    return fail(e, std::string("attribute ") + attr + "='" + t + "' is not one of: " + spellings(values, name_of));
  }

  bool cpu(const XMLElement* e);
  bool memory(const XMLElement* e);
  bool npu(const XMLElement* e);
  bool sensor(const XMLElement* e);
  bool arena(const XMLElement* e);
  bool partition(const XMLElement* e);
  uint8_t region_named(const XMLElement* e, const char* attr, const std::string& name);

  BoardDescription* b_;
  std::string* error_;
  std::vector<std::string> sensor_regions_;
  std::vector<std::string> partition_regions_;
  std::string arena_weights_;
  const XMLElement* arena_element_ = nullptr;
};

bool Reader::cpu(const XMLElement* e) {
  if (!attributes(e, {"core", "clock"}, {"features", "icache", "dcache"}) || !children(e, {"cost"})) return false;
  Cpu& c = b_->cpu;
  b_->cpu_line = e->GetLineNum();
  if (!enumerated(e, "core", kCores, core_name, &c.core)) return false;
  if (!number_as(e, "clock", NumberKind::kFrequency, k4GiB - 1, &c.clock_hz)) return false;
  if (!optional_number(e, "icache", NumberKind::kSize, k4GiB - 1, &c.icache_bytes)) return false;
  if (!optional_number(e, "dcache", NumberKind::kSize, k4GiB - 1, &c.dcache_bytes)) return false;
  if (const char* f = e->Attribute("features")) {
    std::istringstream words(f);
    for (std::string w; words >> w;) {
      if (w == "fpu")
        c.features |= kFeatureFpu;
      else if (w == "dsp")
        c.features |= kFeatureDsp;
      else if (w == "mve")
        c.features |= kFeatureMve;
      else
        return fail(e, "attribute features has '" + w + "' (known: fpu, dsp, mve)");
    }
  }
  const XMLElement* cost = e->FirstChildElement("cost");
  if (cost == nullptr) return fail(e, "missing required element <cost>");
  if (cost->NextSiblingElement("cost") != nullptr) return fail(cost->NextSiblingElement("cost"), "only one <cost> allowed");
  b_->cost_line = cost->GetLineNum();
  if (!attributes(cost, {"lanes"}, {"step", "margin"}) || !children(cost, {"kind"})) return false;
  c.cost.margin_permille = 0;
  if (!optional_number(cost, "margin", NumberKind::kMilli, 1000, &c.cost.margin_permille)) return false;
  if (!number_as(cost, "lanes", NumberKind::kCount, 64, &c.cost.lanes)) return false;
  if (c.cost.lanes == 0) return fail(cost, "attribute lanes='0': a vector step has at least one lane");
  c.cost.cycles_per_step = 0;
  if (!optional_number(cost, "step", NumberKind::kCount, 1000000000, &c.cost.cycles_per_step)) return false;
  bool seen[kOpKinds] = {};
  for (const XMLElement* k = cost->FirstChildElement("kind"); k != nullptr; k = k->NextSiblingElement("kind")) {
    if (!attributes(k, {"name"}, {"op", "mac", "vector", "row", "output", "channel", "byte", "gather", "tap"}) || !children(k, {})) return false;
    OpKind kind{};
    if (!enumerated(k, "name", kOpKindValues, op_kind_name, &kind)) return false;
    const size_t i = static_cast<size_t>(kind);
    if (seen[i]) return fail(k, "this kind is given twice (each kind once)");
    seen[i] = true;
    for (size_t f = 0; f < kOpFeatures; ++f) {
      const char* attr = op_feature_name(static_cast<OpFeature>(f));
      c.cost.millicycles[i][f] = 0;
      // Non-negative: a feature costs something or nothing (tools/calibrate_costs.cpp fits so).
      if (!optional_number(k, attr, NumberKind::kMilli, 1000000000, &c.cost.millicycles[i][f])) return false;
    }
  }
  for (size_t i = 0; i < kOpKinds; ++i) {
    if (!seen[i]) {
      return fail(cost, std::string("missing <kind name='") + op_kind_name(static_cast<OpKind>(i)) +
                            "'> (every kind is charged: conv, depthwise, fully-connected, svdf, pool, elementwise, other)");
    }
  }
  return true;
}

bool Reader::memory(const XMLElement* e) {
  if (!attributes(e, {"name", "base", "size", "kind", "access", "speed"}, {"cacheable", "reserved"}) || !children(e, {})) {
    return false;
  }
  MemoryRegion r{};
  std::string name;
  if (!identifier(e, "name", &name)) return false;
  if (const char* why = chorus::host::reserved_region_reason(name))
    return fail(e, "region name '" + name + "' is " + why + "; choose another");
  if (name.size() > 9 && strcasecmp(name.c_str() + name.size() - 9, "_reserved") == 0)
    return fail(e, "region name '" + name + "' ends in _reserved, which the ld fragment gives a region's reserved start; choose another");
  for (const MemoryRegion& other : b_->regions) {
    // Case-insensitive: the linker fragment upper-cases region names.
    if (strcasecmp(name.c_str(), other.name) == 0) {
      return fail(e, "region name '" + name + "' is used twice (names are compared ignoring case)");
    }
  }
  r.name = b_->keep(name);
  if (!number_as(e, "base", NumberKind::kSize, k4GiB - 1, &r.base)) return false;
  if (!number_as(e, "size", NumberKind::kSize, k4GiB - 1, &r.size)) return false;
  if (!enumerated(e, "kind", kKinds, memory_kind_name, &r.kind)) return false;
  if (!number_as(e, "speed", NumberKind::kCount, 1000, &r.speed)) return false;
  if (!optional_number(e, "reserved", NumberKind::kSize, k4GiB - 1, &r.reserved)) return false;
  if (!boolean(e, "cacheable", false, &r.cacheable)) return false;
  std::istringstream words(e->Attribute("access"));
  for (std::string w; words >> w;) {
    if (w == "cpu")
      r.access |= kAccessCpu;
    else if (w == "npu")
      r.access |= kAccessNpu;
    else if (w == "dma")
      r.access |= kAccessDma;
    else
      return fail(e, "attribute access has '" + w + "' (known: cpu, npu, dma)");
  }
  if (r.access == 0) return fail(e, "attribute access is empty: name at least one of cpu, npu, dma");
  b_->regions.push_back(r);
  b_->region_lines.push_back(e->GetLineNum());
  return true;
}

bool Reader::npu(const XMLElement* e) {
  if (!attributes(e, {"type", "macs-per-cycle", "clock", "command-alignment", "tensor-alignment"}, {"base", "irq"}) ||
      !children(e, {})) {
    return false;
  }
  Npu& n = b_->npu;
  n.irq = -1;
  b_->has_npu = true;
  b_->npu_line = e->GetLineNum();
  if (!enumerated(e, "type", kNpuTypes, npu_type_name, &n.type)) return false;
  if (!number_as(e, "macs-per-cycle", NumberKind::kCount, 65536, &n.macs_per_cycle)) return false;
  if (!number_as(e, "clock", NumberKind::kFrequency, k4GiB - 1, &n.clock_hz)) return false;
  if (!optional_number(e, "base", NumberKind::kSize, k4GiB - 1, &n.base_address)) return false;
  if (!number_as(e, "command-alignment", NumberKind::kSize, 1u << 20, &n.command_stream_alignment)) return false;
  if (!number_as(e, "tensor-alignment", NumberKind::kSize, 1u << 20, &n.tensor_alignment)) return false;
  return e->Attribute("irq") == nullptr || number_as(e, "irq", NumberKind::kCount, 495, &n.irq);
}

bool Reader::sensor(const XMLElement* e) {
  if (!attributes(e, {"name", "type", "bus", "rate", "buffer", "region"}, {"bus-clock", "boot-ms", "reset-pin", "i2s-order"}) ||
      !children(e, {}))
    return false;
  Sensor s{};
  s.reset_pin = -1;
  std::string name;
  if (!identifier(e, "name", &name)) return false;
  for (const Sensor& other : b_->sensors) {
    if (strcasecmp(name.c_str(), other.name) == 0)
      return fail(e, "sensor name '" + name + "' is used twice (names are compared ignoring case)");
  }
  s.name = b_->keep(name);
  if (!enumerated(e, "type", kSensorTypes, sensor_type_name, &s.type)) return false;
  if (!enumerated(e, "bus", kBuses, bus_name, &s.bus)) return false;
  if (!number_as(e, "rate", NumberKind::kFrequency, k4GiB - 1, &s.rate_hz)) return false;
  if (!number_as(e, "buffer", NumberKind::kSize, k4GiB - 1, &s.buffer_bytes)) return false;
  if (!optional_number(e, "bus-clock", NumberKind::kFrequency, k4GiB - 1, &s.bus_hz)) return false;
  if (!optional_number(e, "boot-ms", NumberKind::kCount, 60000, &s.boot_ms)) return false;
  if (e->Attribute("reset-pin") != nullptr) {
    uint32_t pin = 0;
    if (!number_as(e, "reset-pin", NumberKind::kCount, 65535, &pin)) return false;
    s.reset_pin = static_cast<int32_t>(pin);
  }
  if (const char* order = e->Attribute("i2s-order")) {
    if (std::strcmp(order, "high-first") == 0) {
      s.i2s_order = I2sHalfOrder::kHighFirst;
    } else if (std::strcmp(order, "low-first") == 0) {
      s.i2s_order = I2sHalfOrder::kLowFirst;
    } else {
      return fail(e, std::string("i2s-order must be high-first or low-first, not '") + order + "'");
    }
  }
  sensor_regions_.push_back(e->Attribute("region"));
  b_->sensors.push_back(s);
  b_->sensor_lines.push_back(e->GetLineNum());
  return true;
}

bool Reader::partition(const XMLElement* e) {
  if (!attributes(e, {"name", "level", "size"}, {"region", "npu"}) || !children(e, {})) return false;
  Partition p{};
  std::string name;
  if (!identifier(e, "name", &name)) return false;
  for (const Partition& other : b_->partitions) {
    if (strcasecmp(name.c_str(), other.name) == 0)
      return fail(e, "partition name '" + name + "' is used twice (names are compared ignoring case)");
  }
  if (const char* why = partition_name_reason(name)) return fail(e, "partition name '" + name + "' is " + why);
  p.name = b_->keep(name);
  p.kind = AreaKind::kPartition;
  p.region = kNoRegion;
  if (!number_as(e, "level", NumberKind::kCount, 255, &p.level)) return false;
  if (!number_as(e, "size", NumberKind::kSize, k4GiB - 1, &p.size)) return false;
  if (!boolean(e, "npu", false, &p.npu)) return false;
  partition_regions_.push_back(e->Attribute("region") ? e->Attribute("region") : "");
  b_->partitions.push_back(p);
  b_->partition_lines.push_back(e->GetLineNum());
  return true;
}

bool Reader::arena(const XMLElement* e) {
  if (!attributes(e, {"regions"}, {"size", "alignment", "weights"}) || !children(e, {"partition"})) return false;
  arena_element_ = e;
  b_->arena_line = e->GetLineNum();
  if (!optional_number(e, "size", NumberKind::kSize, k4GiB - 1, &b_->arena_size)) return false;
  if (!optional_number(e, "alignment", NumberKind::kSize, 1u << 20, &b_->arena_alignment)) return false;
  arena_weights_ = e->Attribute("weights") ? e->Attribute("weights") : "";
  for (const XMLElement* p = e->FirstChildElement("partition"); p != nullptr; p = p->NextSiblingElement("partition")) {
    if (!partition(p)) return false;
  }
  return true;
}

uint8_t Reader::region_named(const XMLElement* e, const char* attr, const std::string& name) {
  for (size_t i = 0; i < b_->regions.size(); ++i) {
    if (name == b_->regions[i].name) return static_cast<uint8_t>(i);
  }
  std::string known;
  for (const MemoryRegion& r : b_->regions) known += std::string(known.empty() ? "" : ", ") + r.name;
  fail(e, std::string("attribute ") + attr + " names region '" + name + "', which is not a <memory> (regions: " + known + ")");
  return kNoRegion;
}

bool Reader::read(const XMLElement* root) {
  if (std::strcmp(root->Name(), "board") != 0) return fail(root, "the root element must be <board>");
  if (!attributes(root, {"name"}, {"vendor", "description"})) return false;
  if (!children(root, {"cpu", "memory", "npu", "sensor", "arena"})) return false;
  if (!identifier(root, "name", &b_->name)) return false;
  // The board header's namespace is chorus::boards::<name>.
  if (const char* why = chorus::host::reserved_identifier_reason(b_->name))
    return fail(root, "board name '" + b_->name + "' is " + why + "; choose another");
  b_->vendor = root->Attribute("vendor") ? root->Attribute("vendor") : "";
  b_->description = root->Attribute("description") ? root->Attribute("description") : "";

  const char* singles[] = {"cpu", "npu", "arena"};
  for (const char* s : singles) {
    const XMLElement* first = root->FirstChildElement(s);
    if (first != nullptr && first->NextSiblingElement(s) != nullptr) {
      return fail(first->NextSiblingElement(s), std::string("only one <") + s + "> allowed");
    }
  }
  if (root->FirstChildElement("cpu") == nullptr) return fail(root, "missing required element <cpu>");
  if (root->FirstChildElement("memory") == nullptr) return fail(root, "missing required element <memory>");
  if (root->FirstChildElement("arena") == nullptr) return fail(root, "missing required element <arena>");
  if (!cpu(root->FirstChildElement("cpu"))) return false;
  for (const XMLElement* m = root->FirstChildElement("memory"); m != nullptr; m = m->NextSiblingElement("memory")) {
    if (!memory(m)) return false;
  }
  if (b_->regions.size() > kMaxRegions) {
    return fail(root, std::to_string(b_->regions.size()) + " <memory> regions; at most " + std::to_string(kMaxRegions));
  }
  if (const XMLElement* n = root->FirstChildElement("npu")) {
    if (!npu(n)) return false;
  }
  for (const XMLElement* s = root->FirstChildElement("sensor"); s != nullptr; s = s->NextSiblingElement("sensor")) {
    if (!sensor(s)) return false;
  }
  if (!arena(root->FirstChildElement("arena"))) return false;

  // Resolve region names now that every <memory> is known.
  const XMLElement* s = root->FirstChildElement("sensor");
  for (size_t i = 0; i < b_->sensors.size(); ++i, s = s->NextSiblingElement("sensor")) {
    if ((b_->sensors[i].buffer_region = region_named(s, "region", sensor_regions_[i])) == kNoRegion) return false;
  }
  std::istringstream words(arena_element_->Attribute("regions"));
  for (std::string w; words >> w;) {
    const uint8_t r = region_named(arena_element_, "regions", w);
    if (r == kNoRegion) return false;
    for (uint8_t seen : b_->arena_regions) {
      if (seen == r) return fail(arena_element_, "attribute regions lists '" + w + "' twice");
    }
    b_->arena_regions.push_back(r);
  }
  if (b_->arena_regions.empty()) return fail(arena_element_, "attribute regions is empty: name at least one <memory>");
  const XMLElement* p = arena_element_->FirstChildElement("partition");
  for (size_t i = 0; i < b_->partitions.size(); ++i, p = p->NextSiblingElement("partition")) {
    if (partition_regions_[i].empty()) continue;
    if ((b_->partitions[i].region = region_named(p, "region", partition_regions_[i])) == kNoRegion) return false;
  }
  if (!arena_weights_.empty()) {
    if ((b_->weights_region = region_named(arena_element_, "weights", arena_weights_)) == kNoRegion) return false;
  } else {
    for (size_t i = 0; i < b_->regions.size() && b_->weights_region == kNoRegion; ++i) {
      if (b_->regions[i].kind == MemoryKind::kFlash) b_->weights_region = static_cast<uint8_t>(i);
    }
    if (b_->weights_region == kNoRegion) {
      return fail(arena_element_, "no flash <memory> to hold the weights: name a region with weights=\"...\"");
    }
  }
  for (size_t i = 0; i < b_->regions.size(); ++i) {
    if (has_access(b_->regions[i], kAccessNpu)) b_->npu.reachable_regions |= 1u << i;
  }
  return true;
}

}  // namespace

Board BoardDescription::view() const {
  Board b{};
  b.name = name.c_str();
  b.cpu = cpu;
  b.regions = regions.data();
  b.num_regions = regions.size();
  b.npu = has_npu ? &npu : nullptr;
  b.sensors = sensors.data();
  b.num_sensors = sensors.size();
  b.arena.regions = arena_regions.data();
  b.arena.num_regions = arena_regions.size();
  b.arena.size = arena_size;
  b.arena.alignment = arena_alignment;
  b.arena.partitions = partitions.data();
  b.arena.num_partitions = partitions.size();
  b.weights_region = weights_region;
  return b;
}

std::unique_ptr<BoardDescription> parse_board(const std::string& xml, const std::string& path, std::string* error) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    *error = chorus::host::xml_failure(path, xml, doc.ErrorID(), doc.ErrorLineNum());
    return nullptr;
  }
  if (doc.RootElement() == nullptr) {
    *error = path + ": no root element";
    return nullptr;
  }
  auto board = std::make_unique<BoardDescription>();
  board->path = path;
  Reader reader(board.get(), error);
  if (!reader.read(doc.RootElement()) || !check_board(*board, error)) return nullptr;
  return board;
}

std::unique_ptr<BoardDescription> load_board(const std::string& path, std::string* error) {
  // Only a regular file of at most 1 MiB is read: a directory, device or FIFO would
  // otherwise fail obscurely, read without end or block.
  if (!chorus::host::check_input_file(path, 1u << 20, error)) return nullptr;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open";
    return nullptr;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_board(text.str(), path, error);
}

}  // namespace chorus::board::host
