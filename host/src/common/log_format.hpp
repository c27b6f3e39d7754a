// Internal to chost_common: the line formats of the host logger (text and JSON lines).
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>
#include <string_view>

#include "chost/common/log.hpp"

namespace chost::log::detail {

// Appends `text` as the body of a JSON string (no quotes): escapes quotes, backslashes and
// control characters, and replaces invalid UTF-8 with U+FFFD so every line parses.
void append_json_escaped(std::string& out, std::string_view text);

// "2026-01-31T12:34:56.789Z"
std::string format_timestamp(std::chrono::system_clock::time_point t);

// Formats a line whose message and field values have already been redacted.
std::string format_redacted_line(Format format, std::chrono::system_clock::time_point t,
                                 Level level, std::string_view connector, std::string_view message,
                                 const Field* fields, size_t field_count);

}  // namespace chost::log::detail
