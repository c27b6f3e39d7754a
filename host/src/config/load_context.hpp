// LoadContext: the state one load_config() call shares between its steps: the parsed document
// and the diagnostics collected so far, with the logic that turns a JSON Pointer into
// "file:line:column: connector 'x': field" for every message.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "chost/config/host_config.hpp"
#include "yaml_document.hpp"

namespace chost::config {

struct LoadContext {
  std::string file_label;          // the path as the admin gave it
  std::filesystem::path base_dir;  // absolute directory of the file
  YamlDocument doc;
  std::vector<Diagnostic> diagnostics;

  void report(Severity severity, const std::string& pointer, bool at_key, std::string message);
  void error(const std::string& pointer, std::string message) {
    report(Severity::kError, pointer, false, std::move(message));
  }
  bool has_errors() const;

  // The connector's name when `index` names an entry with a string name, else "".
  std::string connector_name(size_t index) const;
};

}  // namespace chost::config
