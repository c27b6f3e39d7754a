// Tiny helpers for hand-rolled option parsing shared by the CLI verbs: `--name VALUE` and
// `--name=VALUE` forms, and a uniform usage-error message.
#pragma once

#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include "verb_help.hpp"

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

// Parses the arguments of a verb whose only option is `-c|--config FILE` (plus --help).
// Returns the exit code the verb must return now (help printed: 0; usage error: 2), or
// nullopt with `path` set.
inline std::optional<int> parse_config_only(const char* verb, const char* usage, int argc,
                                            char** argv, std::string& path) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help(verb, usage);
      return 0;
    }
    if (take_option(argc, argv, i, "-c", path, missing) ||
        take_option(argc, argv, i, "--config", path, missing)) {
      if (missing) {
        usage_error(verb, "-c needs a file", usage);
        return 2;
      }
    } else {
      usage_error(verb, "unexpected argument '" + std::string(arg) + "'", usage);
      return 2;
    }
  }
  if (path.empty()) {
    usage_error(verb, "-c FILE is required", usage);
    return 2;
  }
  return std::nullopt;
}

}  // namespace chost::cli
