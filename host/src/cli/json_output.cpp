// `--json` documents of the CLI verbs (see json_output.hpp).
#include "json_output.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "chost/loader/plugin_descriptor.hpp"

namespace chost::cli {

namespace json = boost::json;

namespace {

json::array error_messages(const loader::PluginRegistry& registry) {
  json::array out;
  for (const auto& e : registry.errors()) out.emplace_back(e.message);
  return out;
}

// capability_names() joins with commas; scripts get one array element per capability.
json::array capability_array(uint64_t capabilities) {
  json::array caps;
  const std::string names = loader::capability_names(capabilities);
  for (std::size_t start = 0; start < names.size();) {
    const std::size_t comma = std::min(names.find(',', start), names.size());
    if (comma > start) caps.emplace_back(names.substr(start, comma - start));
    start = comma + 1;
  }
  return caps;
}

std::string abi_text(const loader::PluginDescriptor& d) {
  return std::to_string(d.abi_major) + "." + std::to_string(d.abi_minor);
}

std::string diagnostic_path(const config::Diagnostic& d) {
  if (d.connector.empty()) return d.field;
  std::string path = "connectors." + d.connector;
  if (!d.field.empty()) path += "." + d.field;
  return path;
}

}  // namespace

bool take_flag(int& argc, char** argv, std::string_view flag) {
  bool found = false;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (argv[i] == flag) {
      found = true;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return found;
}

std::string check_config_json(const std::string& file,
                              const std::vector<config::Diagnostic>& diagnostics, bool ok,
                              std::size_t connectors, const loader::PluginRegistry& registry) {
  json::array diags;
  for (const config::Diagnostic& d : diagnostics) {
    diags.emplace_back(json::object{
        {"file", d.where.file},
        {"line", d.where.line},
        {"column", d.where.column},
        {"severity", d.severity == config::Severity::kError ? "error" : "warning"},
        {"path", diagnostic_path(d)},
        {"message", d.message},
    });
  }
  const json::object doc{
      {"file", file},
      {"ok", ok},
      {"connectors", connectors},
      {"plugins", registry.plugins().size()},
      {"plugin_errors", error_messages(registry)},
      {"diagnostics", std::move(diags)},
  };
  return json::serialize(doc);
}

std::string plugins_json(const loader::PluginRegistry& registry) {
  json::array plugins;
  for (const auto& lib : registry.plugins()) {
    const auto& d = lib->descriptor();
    plugins.emplace_back(json::object{
        {"name", d.name},
        {"version", d.version},
        {"abi", abi_text(d)},
        {"capabilities", capability_array(d.capabilities)},
        {"file", lib->path().string()},
    });
  }
  const json::object doc{{"plugins", std::move(plugins)}, {"errors", error_messages(registry)}};
  return json::serialize(doc);
}

std::string plugin_info_json(const loader::PluginLibrary& library) {
  const loader::PluginDescriptor& d = library.descriptor();
  json::array hooks;
  for (const std::string& h : loader::hook_names(d.hooks)) hooks.emplace_back(h);
  boost::system::error_code ec;
  json::value schema = json::parse(d.config_schema_json, ec);
  if (ec) schema = nullptr;
  const json::object doc{
      {"name", d.name},
      {"version", d.version},
      {"description", d.description},
      {"abi", abi_text(d)},
      {"descriptor_size_bytes", d.struct_size_bytes},
      {"capabilities", capability_array(d.capabilities)},
      {"hooks", std::move(hooks)},
      {"file", library.path().string()},
      {"config_schema", std::move(schema)},
  };
  return json::serialize(doc);
}

}  // namespace chost::cli
