// Indented rendering of JSON for humans (plugin-info shows config schemas with it).
#pragma once

#include <string>
#include <string_view>

namespace chost::cli {

// `json` re-rendered with two-space indentation; returned unchanged if it does not parse.
std::string pretty_json(std::string_view json);

}  // namespace chost::cli
