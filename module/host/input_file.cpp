#include "chorus/module/host/input_file.hpp"

#include <sys/stat.h>
#include <tinyxml2.h>

#include <cerrno>
#include <cstring>

namespace chorus::host {

bool check_input_file(const std::string& path, uint64_t max_bytes, std::string* error) {
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
    *error = path + ": " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(max_bytes) + " allowed";
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

}  // namespace chorus::host
