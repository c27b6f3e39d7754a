// Tiny helpers for hand-rolled option parsing shared by the CLI verbs: `--name VALUE` and
// `--name=VALUE` forms, and a uniform usage-error message.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace chost::cli {

// If argv[i] is `--name VALUE` or `--name=VALUE`, stores VALUE, advances i past it and
// returns true. Sets `missing` when the option is there without its value.
inline bool take_option(int argc, char** argv, int& i, std::string_view name, std::string& value,
                        bool& missing) {
  const std::string_view arg = argv[i];
  if (arg == name) {
    if (i + 1 >= argc) {
      missing = true;
      return true;
    }
    value = argv[++i];
    return true;
  }
  if (arg.size() > name.size() && arg.substr(0, name.size()) == name && arg[name.size()] == '=') {
    value = std::string(arg.substr(name.size() + 1));
    return true;
  }
  return false;
}

// Prints "connector-host <verb>: <message>" and the verb's usage line to stderr.
inline void usage_error(const char* verb, const std::string& message, const char* usage) {
  std::fprintf(stderr, "connector-host %s: %s\nusage: %s\n", verb, message.c_str(), usage);
}

}  // namespace chost::cli
