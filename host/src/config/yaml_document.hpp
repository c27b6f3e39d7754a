// Parses a YAML file into a Boost.JSON value plus the 1-based position of every value and
// mapping key, keyed by JSON Pointer, so that schema validation can report file:line:column.
//
// Scalars follow the YAML 1.2 core schema: a plain (unquoted) scalar becomes null, a boolean,
// an integer or a float when it spells one (`true`, `42`, `0x1f`, `1.5`, `~`); everything else,
// and every quoted scalar, stays a string ("true" in quotes is the string "true"). The JSON
// Schema then judges the types, so `enabled: yes` is an error rather than a surprise.
//
// The input is hostile until proven otherwise (a SIGHUP re-reads whatever the file now holds):
// every resource the parse can consume is bounded by the limits below, and each one exceeded is
// a problem at file:line:column, never a crash, a wedge or gigabytes of memory.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace chost::config {

// A configuration file is a small text file written by hand; these are far above any real one.
inline constexpr size_t kMaxConfigFileBytes = 4 * 1024 * 1024;
inline constexpr size_t kMaxScalarBytes = 64 * 1024;
// Nested mappings and sequences, the root counting as 1. A connector's `config:` (depth 4) can
// then nest 28 more levels: inside boost::json::parse's default depth limit the plugins use.
inline constexpr int kMaxNestingDepth = 32;
// Aliases (`*name`) copy their anchor's value: bounded in uses and in what the copies add up to,
// so a "billion laughs" file stops at the limit instead of growing exponentially.
inline constexpr size_t kMaxAliases = 1000;
inline constexpr size_t kMaxAliasExpansionBytes = 4 * 1024 * 1024;  // scalar bytes the copies add
// Every value in the document, aliases' copies included (a real file has a few hundred).
inline constexpr size_t kMaxValues = 100'000;

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
  // Duplicate keys, non-scalar keys, or the one error that stopped the parse (a syntax error,
  // a limit, NUL bytes, invalid UTF-8, a second document).
  std::vector<YamlProblem> problems;
  bool parsed = false;  // false: unreadable or not YAML; problems says why

  // Position of the value at `pointer`, or of its nearest ancestor that has one.
  YamlPos value_position(std::string pointer) const;
  // Position of the key of `pointer` when it is a mapping entry, else value_position.
  YamlPos key_position(const std::string& pointer) const;
};

// Never fails outright: an unreadable or oversized file or a syntax error leaves parsed == false
// with the reason (and its position, when there is one) in problems. Reads at most
// kMaxConfigFileBytes + 1 bytes, so /dev/zero is "too large", not a hang.
YamlDocument parse_yaml_file(const std::filesystem::path& path);
YamlDocument parse_yaml_string(const std::string& text);

}  // namespace chost::config
