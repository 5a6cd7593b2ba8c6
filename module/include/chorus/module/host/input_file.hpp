// Host only: what every file-reading tool checks before it reads an input, and tinyxml2's
// errors in words. One place, so the CLI, the board loader and the scenario loader refuse
// the same inputs with the same one-line messages.
#pragma once

#include <cstdint>
#include <string>

namespace chorus::host {

// Whether `path` names a regular file of at most `max_bytes` (or the override below);
// otherwise one clear line in `error` (missing, a directory, a device or FIFO, too large),
// and nothing is opened.
bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error);

// A process-wide limit that replaces every input's default (1 MiB for board and scenario
// XML, 64 MiB for models, ...): the CLI's --max-input-bytes. 0 restores the defaults.
void set_max_input_bytes(uint64_t bytes);
// The limit in force for an input whose default is `default_bytes`.
uint64_t max_input_bytes(uint64_t default_bytes);

// tinyxml2's error (its XMLError value) in words, without its enum names and codes.
const char* xml_error_words(int tinyxml2_error);

// Why `text` cannot be parsed as XML at all, with `path:line: ` in front: "empty file", or
// binary data (a NUL byte: tinyxml2 would stop there and call it an empty document). Then
// the parser's own error (`tinyxml2_error`, at `line`; line 0 is left out). One line.
std::string xml_failure(const std::string& path, const std::string& text, int tinyxml2_error, int line);

// A message made safe for one line on a terminal: control characters (newline, escape ...)
// as \xNN, and every quoted value ('...' or "...") longer than 80 bytes cut to its first
// 80 with the number of bytes left out. What the CLI prints for every error.
std::string error_text(const std::string& message);

}  // namespace chorus::host
