// libFuzzer target: the config loader as check-config runs it. The input is the YAML file; it
// is written to a scratch directory and goes through load_host_section() and
// load_config_report() (size and depth bounds, YAML -> JSON typing, aliases, the host schema,
// each connector's plugin schema, ${env:..} / ${file:..} secret references, the store's
// master-key rule and the admin server's listen-address rule), then every diagnostic is
// formatted. Any input must end in a report (with file:line:col diagnostics), never a crash, a
// hang, UB or an exception. The scratch directory holds a secret file (secret.txt) and
// FUZZ_SECRET / CHP_MASTER_KEY are set, so references that resolve are reached too; the two
// plugin schemas use the keywords the shipped plugins use (x-secret, enum, pattern, defaults,
// nested objects, additionalProperties).
#include <connector_host/plugin_api.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "chost/config/host_config.hpp"
#include "chost/store/master_key.hpp"
#include "listen_address.hpp"

namespace {

const char kProviderSchema[] = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object", "required": ["client_id"], "additionalProperties": false,
  "properties": {
    "login_url": {"type": "string", "default": "https://login.salesforce.com"},
    "client_id": {"type": "string", "minLength": 1},
    "client_secret": {"type": "string", "x-secret": true},
    "auth_flow": {"type": "string", "enum": ["web_server", "jwt_bearer"], "default": "web_server"},
    "api_version": {"type": "string", "pattern": "^[0-9]+\\.[0-9]$", "default": "59.0"},
    "page_size_records": {"type": "integer", "minimum": 200, "maximum": 2000, "default": 2000},
    "threshold": {"type": "number", "exclusiveMinimum": 0, "maximum": 100, "default": 90},
    "objects": {"type": "array", "default": [], "items": {"type": "object",
      "required": ["name", "fields"], "additionalProperties": false, "properties": {
        "name": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}}}},
    "require": {"type": "object", "additionalProperties": {"type": "array",
      "items": {"type": "string", "enum": ["Read", "Create", "Edit"]}}}
  }})JSON";

const char kConsumerSchema[] = R"JSON({
  "$schema": "http://json-schema.org/draft-07/schema#",
  "type": "object", "additionalProperties": false,
  "properties": {
    "api_key": {"type": "string", "x-secret": true},
    "users": {"type": "array", "items": {"type": "string"}, "uniqueItems": true},
    "mode": {"oneOf": [{"const": "up"}, {"const": "down"}, {"type": "object",
      "required": ["every"], "properties": {"every": {"type": "string", "format": "x-duration"}}}]}
  }})JSON";

std::filesystem::path g_dir;
std::filesystem::path g_file;

chost::config::HostValueChecks value_checks() {
  chost::config::HostValueChecks c;
  c.master_key = [](const std::string& text) -> chost::Status {
    if (auto key = chost::store::parse_master_key(text); !key) return key.error();
    return {};
  };
  c.admin_listen = [](const std::string& text) -> chost::Status {
    if (auto address = chost::admin::parse_listen_address(text); !address) return address.error();
    return {};
  };
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char tmpl[] = "/tmp/chost-config-fuzz-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) std::abort();
  g_dir = tmpl;
  g_file = g_dir / "host.yaml";
  std::atexit([] {
    std::error_code ignored;
    std::filesystem::remove_all(g_dir, ignored);
  });
  std::ofstream(g_dir / "secret.txt") << "s3cr3t-from-a-file\n";
  std::filesystem::create_directory(g_dir / "plugins");
  setenv("FUZZ_SECRET", "s3cr3t-from-the-env", 1);
  setenv("CHP_MASTER_KEY", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  setenv("CHP_ADMIN_TOKEN", "fuzz-admin-token-0123456789", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  {
    std::ofstream out(g_file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  static const std::vector<chost::config::PluginSchemaInfo> plugins = {
      {"salesforce", kProviderSchema,
       CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_INTERACTIVE_AUTHORIZE | CHP_CAP_WRITE_BACK},
      {"mirror", kConsumerSchema, CHP_CAP_USES_CONNECTION | CHP_CAP_SUBJECTS}};
  static const chost::config::HostValueChecks checks = value_checks();

  (void)chost::config::load_host_section(g_file, checks);
  const chost::config::LoadReport report =
      chost::config::load_config_report(g_file, plugins, checks);
  // CHOST_FUZZ_PRINT=1 with one input file shows what check-config would print for it.
  static const bool print = std::getenv("CHOST_FUZZ_PRINT") != nullptr;
  for (const chost::config::Diagnostic& d : report.diagnostics) {
    const std::string line = d.to_string();
    if (print) std::printf("%s\n", line.c_str());
  }
  if (print && !report.has_errors())
    std::printf("ok (%zu connectors)\n", report.config->connectors.size());
  return 0;
}
