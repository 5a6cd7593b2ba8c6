#include "chorus/tools/scenario.hpp"

#include <tinyxml2.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>

#include "chorus/module/host/input_file.hpp"
#include "chorus/tools/file.hpp"

namespace chorus::tools {
namespace {

// A value as it may appear in a one-line error: control characters escaped, long values cut.
std::string quoted(const char* text) {
  std::string out = "\"";
  size_t n = 0;
  for (const char* c = text; *c != '\0'; ++c, ++n) {
    if (n == 40) {
      out += "...";
      break;
    }
    const unsigned char u = static_cast<unsigned char>(*c);
    if (u < 0x20 || u == 0x7F) {
      char esc[8];
      std::snprintf(esc, sizeof(esc), "\\x%02X", u);
      out += esc;
    } else {
      out += *c;
    }
  }
  return out + "\"";
}

// Plain decimal: digits with at most one fractional part (no sign, hex, exponent or blank).
bool plain_decimal(const char* t, bool fraction) {
  if (*t == '\0') return false;
  bool digits = false, dot = false;
  for (const char* c = t; *c != '\0'; ++c) {
    if (*c >= '0' && *c <= '9') {
      digits = true;
    } else if (*c == '.' && fraction && !dot && digits) {
      dot = true;
      digits = false;
    } else {
      return false;
    }
  }
  return digits;
}

std::string where(const std::string& path, const tinyxml2::XMLElement* e) {
  return path + ":" + std::to_string(e->GetLineNum()) + ": <" + e->Name() + ">";
}

std::string shown(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%g", v);
  return b;
}

// A plain decimal number in [min, max]; whole numbers only unless `fraction`.
bool number(const std::string& path, const tinyxml2::XMLElement* e, const char* attr, double min, double max, double* out,
            std::string* error, bool fraction = true) {
  const char* text = e->Attribute(attr);
  if (text == nullptr) return true;
  errno = 0;
  char* end = nullptr;
  const double v = plain_decimal(text, fraction) ? std::strtod(text, &end) : 0;
  if (!plain_decimal(text, fraction) || *end != '\0' || errno != 0 || !std::isfinite(v) || v < min || v > max) {
    *error = where(path, e) + ": " + attr + "=" + quoted(text) + " is not " + (fraction ? "a decimal number" : "a whole number") +
             " from " + shown(min) + " to " + shown(max);
    return false;
  }
  *out = v;
  return true;
}

bool only_attributes(const std::string& path, const tinyxml2::XMLElement* e, const std::set<std::string>& allowed,
                     std::string* error) {
  for (const tinyxml2::XMLAttribute* a = e->FirstAttribute(); a != nullptr; a = a->Next())
    if (!allowed.count(a->Name())) {
      *error = where(path, e) + ": unknown attribute '" + a->Name() + "'";
      return false;
    }
  return true;
}

std::string directory_of(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? std::string(".") : path.substr(0, slash);
}

os::TimeNs ms_to_ns(double ms) { return static_cast<os::TimeNs>(std::llround(ms * 1e6)); }

}  // namespace

std::unique_ptr<Scenario> load_scenario(const std::string& path, std::string* error) {
  std::vector<uint8_t> bytes;
  if (!read_file(path, &bytes, error, kMaxXmlBytes)) return nullptr;
  return parse_scenario(std::string(bytes.begin(), bytes.end()), path, error);
}

std::unique_ptr<Scenario> parse_scenario(const std::string& text, const std::string& path, std::string* error) {
  tinyxml2::XMLDocument doc;
  if (doc.Parse(text.data(), text.size()) != tinyxml2::XML_SUCCESS) {
    *error = host::xml_failure(path, text, doc.ErrorID(), doc.ErrorLineNum());
    return nullptr;
  }
  const tinyxml2::XMLElement* root = doc.RootElement();
  if (root == nullptr || std::string(root->Name()) != "scenario") {
    *error = path + ": the root element must be <scenario>";
    return nullptr;
  }
  if (!only_attributes(path, root, {"name", "duration_s"}, error)) return nullptr;
  auto s = std::make_unique<Scenario>();
  s->path = path;
  s->name = root->Attribute("name") ? root->Attribute("name") : "scenario";
  bool printable = !s->name.empty() && s->name.size() <= 64;
  for (char c : s->name) printable = printable && static_cast<unsigned char>(c) >= 0x20 && c != 0x7F;
  if (!printable) {
    *error = where(path, root) + ": name=" + quoted(s->name.c_str()) + ": 1 to 64 printable characters";
    return nullptr;
  }
  if (!number(path, root, "duration_s", 0.001, 86400, &s->duration_s, error)) return nullptr;
  const std::string dir = directory_of(path);
  std::set<std::string> names;
  for (const tinyxml2::XMLElement* e = root->FirstChildElement(); e != nullptr; e = e->NextSiblingElement()) {
    if (std::string(e->Name()) != "pipeline") {
      *error = where(path, e) + ": unknown element (a scenario holds <pipeline> elements)";
      return nullptr;
    }
    if (!only_attributes(path, e,
                         {"name", "model", "period_ms", "deadline_ms", "phase_ms", "level", "priority", "overload", "npu",
                          "input_seed"},
                         error))
      return nullptr;
    ScenarioPipeline p;
    p.line = e->GetLineNum();
    if (e->Attribute("name") == nullptr || e->Attribute("period_ms") == nullptr) {
      *error = where(path, e) + ": 'name' and 'period_ms' are required";
      return nullptr;
    }
    p.name = e->Attribute("name");
    bool name_ok = !p.name.empty() && p.name.size() <= 32;
    for (char c : p.name) name_ok = name_ok && c > 0x20 && c < 0x7F;
    if (!name_ok) {
      *error = where(path, e) + ": name=" + quoted(p.name.c_str()) + ": 1 to 32 printable characters, no blanks";
      return nullptr;
    }
    if (!names.insert(p.name).second) {
      *error = where(path, e) + ": a pipeline named '" + p.name + "' already exists";
      return nullptr;
    }
    if (const char* m = e->Attribute("model")) {
      p.model = m[0] == '/' ? std::string(m) : dir + "/" + m;
      std::string why;
      if (!check_input_file(p.model, kMaxModelBytes, &why)) {
        *error = where(path, e) + ": model " + quoted(m) + ": " + why.substr(why.find(": ") == std::string::npos ? 0 : why.rfind(": ") + 2);
        return nullptr;
      }
    }
    double period = 0, deadline = 0, phase = 0, level = -1, priority = -1, seed = 1;
    if (!number(path, e, "period_ms", 0.001, 3600000, &period, error) ||
        !number(path, e, "deadline_ms", 0.001, 3600000, &deadline, error) ||
        !number(path, e, "phase_ms", 0, 3600000, &phase, error) || !number(path, e, "priority", 0, 255, &priority, error, false) ||
        !number(path, e, "input_seed", 0, 4294967295.0, &seed, error, false))
      return nullptr;
    const char* lv = e->Attribute("level");
    if (lv != nullptr && std::string(lv) != "auto" &&
        !number(path, e, "level", 0, sched::Scheduler::kMaxLevels - 1, &level, error, false))
      return nullptr;
    if (deadline > period) {
      *error = where(path, e) + ": deadline_ms " + std::to_string(deadline) + " exceeds period_ms " + std::to_string(period) +
               " (the analysis assumes deadline <= period)";
      return nullptr;
    }
    p.period = ms_to_ns(period);
    p.deadline = deadline > 0 ? ms_to_ns(deadline) : 0;
    p.phase = ms_to_ns(phase);
    p.level = static_cast<int>(level);
    p.priority = static_cast<int>(priority);
    p.input_seed = static_cast<uint32_t>(seed);
    if (const char* o = e->Attribute("overload")) {
      const std::string v = o;
      if (v == "skip") p.overload = sched::OverloadPolicy::kSkip;
      else if (v == "drop-oldest") p.overload = sched::OverloadPolicy::kDropOldest;
      else {
        *error = where(path, e) + ": overload=" + quoted(o) + " must be skip or drop-oldest";
        return nullptr;
      }
    }
    if (const char* n = e->Attribute("npu")) {
      const std::string v = n;
      if (v != "true" && v != "false") {
        *error = where(path, e) + ": npu=" + quoted(n) + " must be true or false";
        return nullptr;
      }
      p.npu = v == "true";
    }
    for (const tinyxml2::XMLElement* c = e->FirstChildElement(); c != nullptr; c = c->NextSiblingElement()) {
      if (std::string(c->Name()) != "features") {
        *error = where(path, c) + ": unknown element (a pipeline holds one <features>)";
        return nullptr;
      }
      if (p.feature_steps != 0) {
        *error = where(path, c) + ": a second <features> (a pipeline holds one)";
        return nullptr;
      }
      if (!p.model.empty()) {
        *error = where(path, c) + ": <features> stands in for a pipeline without a model; pipeline '" + p.name +
                 "' has one (its input is filled from input_seed)";
        return nullptr;
      }
      if (!only_attributes(path, c, {"steps", "cycles", "stands_for"}, error)) return nullptr;
      double steps = 1, cycles = 0;
      if (!number(path, c, "steps", 1, 64, &steps, error, false) || !number(path, c, "cycles", 1, 1e10, &cycles, error, false))
        return nullptr;
      if (c->Attribute("cycles") == nullptr) {
        *error = where(path, c) + ": 'cycles' is required";
        return nullptr;
      }
      p.feature_steps = static_cast<uint32_t>(steps);
      p.feature_cycles = static_cast<uint64_t>(cycles);
      if (c->Attribute("stands_for")) p.feature_note = c->Attribute("stands_for");
    }
    if (p.model.empty() && p.feature_steps == 0) {
      *error = where(path, e) + ": pipeline '" + p.name + "' has neither a model nor <features>";
      return nullptr;
    }
    s->pipelines.push_back(p);
  }
  if (s->pipelines.empty()) {
    *error = path + ": the scenario has no pipeline";
    return nullptr;
  }
  size_t fixed = 0;
  for (const ScenarioPipeline& p : s->pipelines) fixed += p.level >= 0 ? 1 : 0;
  if (fixed != 0 && fixed != s->pipelines.size()) {
    for (const ScenarioPipeline& p : s->pipelines)
      if (p.level < 0) {
        *error = path + ":" + std::to_string(p.line) + ": <pipeline> '" + p.name +
                 "' has no level while others have one: give every pipeline a level, or none (the search chooses)";
        return nullptr;
      }
  }
  if (s->pipelines.size() > sched::Scheduler::kMaxPipelines) {
    *error = path + ": " + std::to_string(s->pipelines.size()) + " pipelines; at most " +
             std::to_string(sched::Scheduler::kMaxPipelines);
    return nullptr;
  }
  return s;
}

}  // namespace chorus::tools
