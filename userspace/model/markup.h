// Text placed in HTML or SVG (XML) output: the report's pages and charts and
// the profiler's flame graph escape names and messages the same way.
#pragma once

#include <string>
#include <string_view>

namespace kpulse::model {

// Escapes &, <, >, " and ' so the text is safe in element content and in
// quoted attributes.
std::string escape_markup(std::string_view s);

}  // namespace kpulse::model
