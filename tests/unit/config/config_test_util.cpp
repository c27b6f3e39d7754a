// Shared helpers of the config tests (see config_test_util.hpp).
#include "config_test_util.hpp"

#include <connector_host/plugin_api.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace chost::config::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "chost-config-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  std::filesystem::path p = path_ / name;
  std::filesystem::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << text;
  return p;
}

PluginSchemaInfo FakeSalesforcePlugin() {
  return {"salesforce", R"({
    "type": "object",
    "additionalProperties": false,
    "required": ["client_id"],
    "properties": {
      "login_url": {"type": "string", "format": "uri", "default": "https://login.salesforce.com"},
      "client_id": {"type": "string", "minLength": 1},
      "client_secret": {"type": "string", "x-secret": true},
      "api_version": {"type": "string", "pattern": "^[0-9]+\\.0$", "default": "60.0"},
      "page_size_records": {"type": "integer", "minimum": 200, "maximum": 2000, "default": 2000},
      "objects": {"type": "array", "items": {"type": "string"}, "uniqueItems": true,
                  "default": ["Account"]}
    }
  })",
          CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_USES_CONNECTION};
}

PluginSchemaInfo FakeReportsPlugin() {
  return {"reports", R"({"type": "object", "properties": {"folder": {"type": "string"}}})",
          CHP_CAP_USES_CONNECTION};
}

std::vector<PluginSchemaInfo> FakePlugins() {
  return {FakeSalesforcePlugin(), FakeReportsPlugin()};
}

static std::vector<std::string> lines_of(const LoadReport& report, Severity severity) {
  std::vector<std::string> out;
  for (const Diagnostic& d : report.diagnostics) {
    if (d.severity == severity) out.push_back(d.to_string());
  }
  return out;
}

std::vector<std::string> error_lines(const LoadReport& report) {
  return lines_of(report, Severity::kError);
}

std::vector<std::string> warning_lines(const LoadReport& report) {
  return lines_of(report, Severity::kWarning);
}

}  // namespace chost::config::testing
