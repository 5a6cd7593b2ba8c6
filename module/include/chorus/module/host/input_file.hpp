// Host only: what every file-reading tool checks before it reads an input, and tinyxml2's
// errors in words. One place, so the CLI, the board loader and the scenario loader refuse
// the same inputs with the same one-line messages.
#pragma once

#include <cstdint>
#include <string>

namespace chorus::host {

// Whether `path` names a regular file of at most `max_bytes`; otherwise one clear line in
// `error` (missing, a directory, a device or FIFO, too large), and nothing is opened.
bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error);

// tinyxml2's error (its XMLError value) in words, without its enum names and codes.
const char* xml_error_words(int tinyxml2_error);

}  // namespace chorus::host
