// YAML 1.2 core schema typing of a plain (unquoted) scalar: null, boolean, integer (decimal,
// 0o octal, 0x hex), float, else the string itself. A hand-written scanner, not std::regex:
// libstdc++'s regex matcher recurses once per character and a long scalar overflowed the stack.
#pragma once

#include <boost/json/value.hpp>

#include <string_view>

namespace chost::config {

// An integer that does not fit in 64 bits, and .inf / .nan (no JSON form), stay strings for the
// schema to judge.
boost::json::value resolve_plain_scalar(std::string_view s);

}  // namespace chost::config
