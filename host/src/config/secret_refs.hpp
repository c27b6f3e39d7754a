// Secret references: a string value that is exactly `${env:NAME}` or `${file:PATH}` is replaced
// at load time by the environment variable or the file's content (trailing newlines trimmed),
// so that secrets live outside the YAML file. Relative file paths are relative to the YAML file.
// A secret file must be a regular file of at most kMaxSecretFileBytes of UTF-8 text: a reference
// to /dev/zero, a FIFO or a log file is refused instead of read until memory runs out.
#pragma once

#include <boost/json/value.hpp>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

namespace chost::config {

inline constexpr size_t kMaxSecretFileBytes = 64 * 1024;  // a PEM private key is ~3 KiB

struct SecretRefOutcome {
  std::unordered_set<std::string> resolved_pointers;  // values that came from a reference
  std::vector<std::string> secret_values;             // what they resolved to (for redaction)
  // Problems, by pointer: never contain a resolved value.
  std::vector<std::pair<std::string, std::string>> problems;
  std::unordered_set<std::string> failed_pointers;
};

// Walks `value` (whose pointer is `base_pointer`), resolving every reference in place. Strings
// that look like a reference but are not a whole, well-formed one are reported.
// The content of a secret file (trailing CR/LF trimmed), or nullopt with the reason in `why`
// (never the content).
std::optional<std::string> read_secret_file(const std::filesystem::path& path, std::string& why);

void resolve_secret_refs(boost::json::value& value, const std::string& base_pointer,
                         const std::filesystem::path& base_dir, SecretRefOutcome& out);

}  // namespace chost::config
