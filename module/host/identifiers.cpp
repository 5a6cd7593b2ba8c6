#include "chorus/module/host/identifiers.hpp"

#include <cstdio>
#include <cstring>

namespace chorus::host {
namespace {

// C++ keywords and alternative tokens ([lex.key], [lex.digraph]; C++20's co_*, concept,
// consteval, constinit, char8_t and requires included: the header must stay valid there).
const char* const kCppKeywords[] = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch", "char",
    "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr", "constinit",
    "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete", "do", "double",
    "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto", "if", "inline",
    "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator", "or", "or_eq",
    "private", "protected", "public", "register", "reinterpret_cast", "requires", "return", "short", "signed", "sizeof",
    "static", "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local", "throw", "true", "try",
    "typedef", "typeid", "typename", "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor",
    "xor_eq",
};

// Macros of <stdint.h> and <stddef.h> that are not of the INT*/UINT* families matched below.
const char* const kHeaderMacros[] = {
    "NULL",       "offsetof",       "SIZE_MAX",  "PTRDIFF_MIN", "PTRDIFF_MAX", "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX",
    "WCHAR_MIN",  "WCHAR_MAX",      "WINT_MIN",  "WINT_MAX",
};

// GNU ld linker script keywords (binutils ld/ldlex.l), all upper case.
const char* const kLdKeywords[] = {
    "ABSOLUTE", "ADDR", "ALIGN", "ALIGNOF", "ALIGN_WITH_INPUT", "AS_NEEDED", "ASCIZ", "ASSERT", "AT", "BLOCK", "BYTE",
    "CONSTANT", "CONSTRUCTORS", "COPY", "CREATE_OBJECT_SYMBOLS", "DATA_SEGMENT_ALIGN", "DATA_SEGMENT_END",
    "DATA_SEGMENT_RELRO_END", "DEFINED", "DSECT", "ENTRY", "EXCLUDE_FILE", "EXTERN", "FILL", "FLOAT",
    "FORCE_COMMON_ALLOCATION", "FORCE_GROUP_ALLOCATION", "GROUP", "HIDDEN", "HLL", "INCLUDE", "INFO",
    "INHIBIT_COMMON_ALLOCATION", "INPUT", "INPUT_SECTION_FLAGS", "INSERT", "KEEP", "LD_FEATURE", "LENGTH", "LINKER_VERSION",
    "LOADADDR", "LOG2CEIL", "LONG", "MAP", "MAX", "MEMORY", "MIN", "NEXT", "NOCROSSREFS", "NOCROSSREFS_TO", "NOFLOAT",
    "NOLOAD", "ONLY_IF_RO", "ONLY_IF_RW", "ORIGIN", "OUTPUT", "OUTPUT_ARCH", "OUTPUT_FORMAT", "OVERLAY", "PHDRS", "PROVIDE",
    "PROVIDE_HIDDEN", "QUAD", "READONLY", "REGION_ALIAS", "REVERSE", "SEARCH_DIR", "SECTIONS", "SEGMENT_START", "SHORT",
    "SIZEOF", "SIZEOF_HEADERS", "SORT", "SORT_BY_ALIGNMENT", "SORT_BY_INIT_PRIORITY", "SORT_BY_NAME", "SORT_NONE", "SPECIAL",
    "SQUAD", "STARTUP", "SUBALIGN", "SYSLIB", "TARGET", "TYPE", "VERSION",
};

bool starts_with(const std::string& s, const char* prefix) {
  return s.compare(0, std::strlen(prefix), prefix) == 0;
}

bool ends_with(const std::string& s, const char* suffix) {
  const size_t n = std::strlen(suffix);
  return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

// INT8_MIN, UINT_LEAST16_MAX, INTMAX_C, UINTPTR_MAX, ...: the <stdint.h> limit and constant macros.
bool stdint_macro(const std::string& s) {
  if (!starts_with(s, "INT") && !starts_with(s, "UINT")) return false;
  return ends_with(s, "_MIN") || ends_with(s, "_MAX") || ends_with(s, "_C");
}

std::string upper(std::string s) {
  for (char& c : s) c = (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return s;
}

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace

const char* reserved_identifier_reason(const std::string& name) {
  for (const char* k : kCppKeywords)
    if (name == k) return "a C++ keyword";
  for (const char* m : kHeaderMacros)
    if (name == m) return "a macro of <stdint.h> or <stddef.h>";
  if (stdint_macro(name)) return "a macro of <stdint.h>";
  const std::string up = upper(name);
  for (const char* k : kLdKeywords)
    if (up == k) return "a GNU ld script keyword (region names are upper-cased in the ld fragment)";
  if (name.find("__") != std::string::npos) return "reserved in C++ (it contains \"__\")";
  if (name.size() >= 2 && name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z') return "reserved in C++ (\"_\" then a capital)";
  return nullptr;
}

const char* reserved_region_reason(const std::string& name) {
  const std::string low = lower(name);
  if (low == "arena" || low == "npu") return "used by the generated devicetree (labels chorus_arena and chorus_npu)";
  return reserved_identifier_reason(name);
}

std::string mangle_identifier(const std::string& text, size_t limit) {
  if (limit < 8) limit = 8;
  std::string s;
  for (char c : text) {
    const bool keep = is_letter(c) || (c >= '0' && c <= '9');
    const char out = keep ? c : '_';
    if (out == '_' && !s.empty() && s.back() == '_') continue;
    s += out;
  }
  if (s.empty() || !is_letter(s[0])) s = (s.empty() || s[0] != '_') ? "m_" + s : "m" + s;
  if (s.size() > limit) s.resize(limit);
  if (reserved_identifier_reason(s) != nullptr) {
    // No keyword or macro ends in '_', and the collapse above left no "__": a trailing '_'
    // (after a cut, "__" would follow) becomes the suffix itself.
    if (s.size() >= limit) s.resize(limit - 1);
    if (s.back() != '_') s += '_';
  }
  return s;
}

std::string model_identifier(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = base.find_last_of('.');
  if (dot != std::string::npos && dot > 0) base.resize(dot);
  return mangle_identifier(base);
}

std::string comment_text(const std::string& text, size_t limit) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (out.size() >= limit) {
      out += "...";
      break;
    }
    const auto c = static_cast<unsigned char>(text[i]);
    const bool closes_comment = c == '/' && i > 0 && text[i - 1] == '*';
    if (c >= 0x20 && c < 0x7F && c != '\\' && !closes_comment) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(c));
      out += buf;
    }
  }
  return out;
}

}  // namespace chorus::host
