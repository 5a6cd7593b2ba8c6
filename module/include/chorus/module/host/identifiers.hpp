// Host only: the one identifier policy of every generated artefact -- the board header
// (C++), the devicetree overlay, the ld fragment (`chorus board --emit header|dts|ld`) and
// the embedded model source (`chorus embed`). Names from a board XML are validated (the
// author chose them: an error names the rule); names derived from file names are mangled
// the same way everywhere, so `embed` puts a model's weights in the input section the ld
// fragment keeps. Collisions after mangling are the callers' to report (they know which
// inputs collided).
#pragma once

#include <cstddef>
#include <string>

namespace chorus::host {

// Why `name` cannot be used where it would be emitted, or nullptr when it can. Checked:
//  - C++ keywords and alternative tokens (alignas .. xor_eq, C++20's included), as the
//    header makes namespaces and the embed source makes symbols of names;
//  - the macros the header's includes (<stdint.h>, <stddef.h>) define: NULL, offsetof,
//    INT8_MIN .. UINTMAX_C, SIZE_MAX, ...;
//  - GNU ld script keywords (ORIGIN, LENGTH, NOLOAD, MEMORY, ...), compared in upper case
//    since the ld fragment upper-cases region names;
//  - names C++ reserves to the implementation (containing "__", or "_" then a capital).
const char* reserved_identifier_reason(const std::string& name);

// Names the artefacts themselves use for a region label (chorus_<name>): "arena", "npu".
const char* reserved_region_reason(const std::string& name);

// `text` as an identifier: letters, digits and '_' kept, every other byte '_', runs of '_'
// collapsed to one, a leading non-letter prefixed with "m_", a reserved word suffixed with
// "_" (so never reserved), cut to `limit` characters (at least 8).
std::string mangle_identifier(const std::string& text, size_t limit = 64);

// The identifier of a model file: its name without directory and last extension, mangled
// ("models/hello-v2.tflite" -> "hello_v2"). `chorus embed`'s default --name and the board
// layout's weights section use this one function.
std::string model_identifier(const std::string& path);

// `text` made safe inside any comment of the artefacts (// in C++, /* */ in dts and ld):
// printable ASCII kept, every other byte (newline, escape, backslash, non-ASCII) as \xNN,
// "*/" broken as "*\x2f", and cut to `limit` characters with "..." appended.
std::string comment_text(const std::string& text, size_t limit = 200);

}  // namespace chorus::host
