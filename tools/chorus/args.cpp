#include "args.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>

#include "chorus/module/host/input_file.hpp"

namespace chorus::cli {

bool parse_args(int argc, char** argv, int start, const std::set<std::string>& flags, const std::set<std::string>& valued,
                Args* out, std::string* error) {
  for (int i = start; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string name = a.substr(2), value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      }
      if (name == "max-input-bytes") {  // every command: replaces the input size limits
        if (!inline_value) {
          if (i + 1 >= argc) {
            *error = "option --max-input-bytes needs a value";
            return false;
          }
          value = argv[++i];
        }
        long long bytes = 0;
        if (!parse_count(value, "--max-input-bytes", 1, 1LL << 40, &bytes, error)) return false;
        host::set_max_input_bytes(static_cast<uint64_t>(bytes));
        continue;
      }
      if (flags.count(name)) {
        if (inline_value) {
          *error = "option --" + name + " takes no value";
          return false;
        }
        out->options[name] = "true";
      } else if (valued.count(name)) {
        if (!inline_value) {
          if (i + 1 >= argc) {
            *error = "option --" + name + " needs a value";
            return false;
          }
          value = argv[++i];
        }
        out->options[name] = value;
        out->repeated[name].push_back(value);
      } else {
        *error = "unknown option --" + name + " (see --help)";
        return false;
      }
    } else if (a == "-h") {
      out->options["help"] = "true";
    } else {
      out->positional.push_back(a);
    }
  }
  return true;
}

bool parse_count(const std::string& text, const std::string& what, long long min, long long max, long long* out,
                 std::string* error) {
  errno = 0;
  char* end = nullptr;
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < min || v > max) {
    *error = what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got '" + text + "'";
    return false;
  }
  *out = v;
  return true;
}

bool parse_clock_mhz(const std::string& text, uint32_t* hz, std::string* error) {
  char* end = nullptr;
  const double mhz = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || !(mhz >= 0.01) || mhz > 4000) {
    *error = "--clock-mhz must be a frequency in MHz (0.01 to 4000)";
    return false;
  }
  *hz = static_cast<uint32_t>(mhz * 1e6);
  return true;
}

int fail(const std::string& command, const std::string& message) {
  // One line whatever the message echoes: control characters escaped, long values cut.
  std::fprintf(stderr, "chorus %s: %s\n", command.c_str(), host::error_text(message).c_str());
  return 1;
}

int usage_error(const std::string& command, const std::string& message) {
  fail(command, message);
  return 2;
}

}  // namespace chorus::cli
