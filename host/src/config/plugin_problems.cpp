// locate_plugin_problems(): a plugin's JSON Pointers -> file:line:column of the YAML keys.
#include "chost/config/plugin_problems.hpp"

#include <string>

#include "json_pointer.hpp"
#include "yaml_document.hpp"

namespace chost::config {
namespace {

// "/connectors/<i>" of the entry named `name`, or "" when there is none.
std::string connector_pointer(const YamlDocument& doc, const std::string& name) {
  const boost::json::object* root = doc.root.if_object();
  const boost::json::value* list = root != nullptr ? root->if_contains("connectors") : nullptr;
  if (list == nullptr || !list->is_array()) return "";
  const boost::json::array& entries = list->as_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const boost::json::object* entry = entries[i].if_object();
    const boost::json::value* n = entry != nullptr ? entry->if_contains("name") : nullptr;
    if (n != nullptr && n->is_string() && n->as_string() == name) {
      return pointer_append("/connectors", i);
    }
  }
  return "";
}

}  // namespace

std::vector<Diagnostic> locate_plugin_problems(const std::filesystem::path& path,
                                               const std::string& file_label,
                                               const std::vector<PluginProblem>& problems) {
  std::vector<Diagnostic> out;
  if (problems.empty()) return out;
  const YamlDocument doc = parse_yaml_file(path);
  for (const PluginProblem& p : problems) {
    Diagnostic d;
    d.severity = Severity::kError;
    d.where.file = file_label;
    d.connector = p.connector;
    d.field = pointer_to_path("/config" + p.pointer);
    d.message = p.message;
    const std::string entry = doc.parsed ? connector_pointer(doc, p.connector) : "";
    if (!entry.empty()) {
      const YamlPos pos = doc.key_position(entry + "/config" + p.pointer);
      d.where.line = pos.line;
      d.where.column = pos.column;
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace chost::config
