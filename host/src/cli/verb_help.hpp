// Help metadata per verb, beside the command table (commands.cpp): one worked example each for
// `<verb> --help`, and the options that `completion bash` offers. Kept apart from the table so a
// new verb is one row in each, and a verb without a row still works (no example, file
// completion).
#pragma once

#include <cstdio>
#include <span>
#include <string_view>

namespace chost::cli {

struct VerbHelp {
  const char* verb;
  const char* example;  // a whole command line with a short comment
  const char* options;  // space-separated, for shell completion
};

std::span<const VerbHelp> verb_help();

// `usage: <usage>` and the verb's example on stdout, for `<verb> --help`.
void print_verb_help(std::string_view verb, const char* usage);

}  // namespace chost::cli
