// LoadContext (see load_context.hpp).
#include "load_context.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "json_pointer.hpp"

namespace chost::config {

namespace json = boost::json;

std::string LoadContext::connector_name(size_t index) const {
  const json::value* name =
      pointer_find(doc.root, pointer_append(pointer_append("/connectors", index), "name"));
  if (name && name->is_string()) return std::string(name->get_string());
  return "";
}

void LoadContext::report(Severity severity, const std::string& pointer, bool at_key,
                         std::string message) {
  Diagnostic d;
  d.severity = severity;
  YamlPos pos = at_key ? doc.key_position(pointer) : doc.value_position(pointer);
  d.where = {file_label, pos.line, pos.column};
  d.message = std::move(message);
  std::vector<std::string> tokens = pointer_tokens(pointer);
  std::string name;
  if (tokens.size() >= 2 && tokens[0] == "connectors" && !tokens[1].empty() &&
      std::all_of(tokens[1].begin(), tokens[1].end(),
                  [](unsigned char c) { return c >= '0' && c <= '9'; }) &&
      tokens[1].size() < 9) {
    name = connector_name(std::stoul(tokens[1]));
  }
  if (!name.empty()) {
    d.connector = name;
    std::string rest;
    for (size_t i = 2; i < tokens.size(); ++i) rest = pointer_append(rest, tokens[i]);
    d.field = pointer_to_path(rest);
  } else {
    d.field = pointer_to_path(pointer);
  }
  diagnostics.push_back(std::move(d));
}

bool LoadContext::has_errors() const {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

}  // namespace chost::config
