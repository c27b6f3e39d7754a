// Parses a YAML file into a Boost.JSON value plus the 1-based position of every value and
// mapping key, keyed by JSON Pointer, so that schema validation can report file:line:column.
//
// Scalars follow the YAML 1.2 core schema: a plain (unquoted) scalar becomes null, a boolean,
// an integer or a float when it spells one (`true`, `42`, `0x1f`, `1.5`, `~`); everything else,
// and every quoted scalar, stays a string ("true" in quotes is the string "true"). The JSON
// Schema then judges the types, so `enabled: yes` is an error rather than a surprise.
#pragma once

#include <boost/json/value.hpp>

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace chost::config {

struct YamlPos {
  int line = 0;  // 1-based; 0 = unknown
  int column = 0;
};

struct YamlProblem {
  YamlPos pos;
  std::string pointer;
  std::string message;
};

struct YamlDocument {
  boost::json::value root;
  std::unordered_map<std::string, YamlPos> value_pos;  // pointer -> where its value starts
  std::unordered_map<std::string, YamlPos> key_pos;    // pointer -> where its mapping key is
  std::vector<YamlProblem> problems;  // duplicate keys, non-scalar keys, or the parse error
  bool parsed = false;                // false: unreadable or not YAML; problems says why

  // Position of the value at `pointer`, or of its nearest ancestor that has one.
  YamlPos value_position(std::string pointer) const;
  // Position of the key of `pointer` when it is a mapping entry, else value_position.
  YamlPos key_position(const std::string& pointer) const;
};

// Never fails outright: an unreadable file or a syntax error leaves parsed == false with the
// reason (and its position, when there is one) in problems.
YamlDocument parse_yaml_file(const std::filesystem::path& path);
YamlDocument parse_yaml_string(const std::string& text);

}  // namespace chost::config
