#pragma once

#include <string>

#include <simdjson.h>

namespace Aq::LocalCloud::CompactJson
{
    // Appends `element` as compact JSON text, byte for byte what simdjson::minify(element) returns (the same
    // escapes, the same shortest form of doubles), but into a buffer the caller reuses: minify builds its text
    // a character at a time in a fresh vector and copies it into a fresh string, which was most of what
    // storing a JSON column cost.
    void append(std::string &out, simdjson::dom::element element);
}
