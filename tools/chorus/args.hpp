// Command-line parsing for the chorus CLI: positionals, `--flag`, `--key value`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace chorus::cli {

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;               // the last value of each option
  std::map<std::string, std::vector<std::string>> repeated;  // every value, in order
  bool has(const std::string& name) const { return options.count(name) != 0; }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
  }
};

// Parses argv[start..]; unknown options and missing values are errors.
bool parse_args(int argc, char** argv, int start, const std::set<std::string>& flags, const std::set<std::string>& valued,
                Args* out, std::string* error);

// Parses a non-negative integer option; false with an error message when malformed.
bool parse_count(const std::string& text, const std::string& what, long long min, long long max, long long* out,
                 std::string* error);

// Parses --clock-mhz: a frequency in MHz from 0.01 to 4000, as whole hertz.
bool parse_clock_mhz(const std::string& text, uint32_t* hz, std::string* error);

// Prints "chorus <command>: <message>" to stderr (one line: control characters escaped,
// long values cut) and returns the exit code of a bad input, 1.
int fail(const std::string& command, const std::string& message);
// The same for a usage error (unknown option, missing or malformed argument): exit code 2.
int usage_error(const std::string& command, const std::string& message);

int cmd_info(int argc, char** argv);
int cmd_plan(int argc, char** argv);
int cmd_infer(int argc, char** argv);
int cmd_sim(int argc, char** argv);
int cmd_board(int argc, char** argv);
int cmd_listen(int argc, char** argv);
int cmd_embed(int argc, char** argv);
int cmd_replay(int argc, char** argv);

}  // namespace chorus::cli
