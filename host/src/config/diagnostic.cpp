// How a Diagnostic is printed (the format check-config shows and load_config errors carry).
#include <algorithm>

#include "chost/config/host_config.hpp"

namespace chost::config {

std::string Diagnostic::to_string() const {
  std::string out = where.file;
  if (where.line > 0) {
    out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column);
  }
  out += severity == Severity::kError ? ": error: " : ": warning: ";
  if (!connector.empty()) out += "connector '" + connector + "': ";
  if (!field.empty()) out += field + ": ";
  out += message;
  return out;
}

bool LoadReport::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

}  // namespace chost::config
