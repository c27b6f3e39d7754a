// JSON Pointer (RFC 6901) helpers used to tie validation results back to YAML positions and to
// print field paths the way admins write them (`config.scopes[2]`).
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace chost::config {

// `base` + "/" + escaped `token`.
std::string pointer_append(std::string_view base, std::string_view token);
std::string pointer_append(std::string_view base, size_t index);

// Unescaped tokens of a pointer ("" -> {}).
std::vector<std::string> pointer_tokens(std::string_view pointer);

// The pointer one level up ("" stays "").
std::string pointer_parent(std::string_view pointer);

// "/connectors/0/config/scopes/2" -> "connectors[0].config.scopes[2]". Tokens made only of
// digits are shown as indexes.
std::string pointer_to_path(std::string_view pointer);

// The value a pointer names, or nullptr.
boost::json::value* pointer_find(boost::json::value& root, std::string_view pointer);
const boost::json::value* pointer_find(const boost::json::value& root, std::string_view pointer);

}  // namespace chost::config
