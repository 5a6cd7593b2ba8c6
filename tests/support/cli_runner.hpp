// Runs the chorus CLI (the CHORUS_CLI define of the test executable) as a user would:
// exit code and stdout+stderr together.
#pragma once

#include <array>
#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace chorus::test {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr together (run_cli_split: stdout only)
  std::string err;  // run_cli_split: stderr
};

inline CliRun run_command(const std::string& cmd) {
  CliRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CliRun run_cli(const std::string& cli, const std::string& args) { return run_command(cli + " " + args + " 2>&1"); }

// As run_cli, with stdout in `out` and stderr in `err`.
inline CliRun run_cli_split(const std::string& cli, const std::string& args, const std::string& err_path) {
  CliRun r = run_command(cli + " " + args + " 2>" + err_path);
  if (FILE* f = std::fopen(err_path.c_str(), "rb")) {
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) r.err.append(buf.data(), n);
    std::fclose(f);
  }
  return r;
}

}  // namespace chorus::test
