#include "chorus/module/host/input_file.hpp"

#include <sys/stat.h>
#include <tinyxml2.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace chorus::host {

namespace {
uint64_t g_max_input_bytes = 0;
}  // namespace

void set_max_input_bytes(uint64_t bytes) { g_max_input_bytes = bytes; }
uint64_t max_input_bytes(uint64_t default_bytes) { return g_max_input_bytes != 0 ? g_max_input_bytes : default_bytes; }

bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error) {
  max_bytes = max_input_bytes(max_bytes);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  if (S_ISDIR(st.st_mode)) {
    *error = path + ": is a directory, not a file";
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = path + ": is not a regular file (a device, FIFO or socket)";
    return false;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    *error = path + ": " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(max_bytes) +
             " allowed (--max-input-bytes raises the limit)";
    return false;
  }
  return true;
}

const char* xml_error_words(int e) {
  switch (static_cast<tinyxml2::XMLError>(e)) {
    case tinyxml2::XML_ERROR_EMPTY_DOCUMENT: return "empty document";
    case tinyxml2::XML_ERROR_PARSING_ATTRIBUTE: return "malformed or repeated attribute";
    case tinyxml2::XML_ERROR_MISMATCHED_ELEMENT: return "an element is closed by another element's end tag";
    case tinyxml2::XML_ERROR_PARSING_ELEMENT: return "malformed element";
    case tinyxml2::XML_ERROR_PARSING_COMMENT: return "malformed comment";
    case tinyxml2::XML_ERROR_PARSING_TEXT: return "malformed text";
    case tinyxml2::XML_ELEMENT_DEPTH_EXCEEDED: return "elements nested too deeply";
    default: return "not well-formed XML";
  }
}

std::string xml_failure(const std::string& path, const std::string& text, int tinyxml2_error, int line) {
  if (text.empty()) return path + ": empty file, not XML";
  const size_t nul = text.find('\0');
  if (nul != std::string::npos)
    return path + ": binary data (a NUL byte at offset " + std::to_string(nul) + "), not XML";
  return path + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": malformed XML: " + xml_error_words(tinyxml2_error);
}

std::string error_text(const std::string& message) {
  constexpr size_t kMaxQuoted = 80;
  std::string out;
  char quote = 0;      // the quote character of the value being copied, or 0
  size_t quoted = 0;   // bytes of it so far
  size_t dropped = 0;  // bytes of it left out
  auto flush_dropped = [&]() {
    if (dropped > 0) out += "...(" + std::to_string(dropped) + " more bytes)";
    dropped = 0;
  };
  char prev = ' ';
  for (char c : message) {
    const bool may_open = prev == ' ' || prev == '=' || prev == '(' || prev == '[' || prev == ',' || prev == ':';
    prev = c;
    if (quote != 0 && c == quote) {
      flush_dropped();
      quote = 0;
      out += c;
      continue;
    }
    if (quote == 0 && may_open && (c == '\'' || c == '"')) {  // not the apostrophe of "model's"
      quote = c;
      quoted = 0;
      out += c;
      continue;
    }
    if (quote != 0 && quoted++ >= kMaxQuoted) {
      ++dropped;
      continue;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(u));
      out += buf;
    } else {
      out += c;
    }
  }
  flush_dropped();
  return out;
}

}  // namespace chorus::host
