// Every file in configs/ is a host config and passes check-config against the plugins this build
// ships, with the environment variables it references set (as an admin would set them). The
// deployment examples in deploy/ (the Kubernetes manifest, the systemd unit) name the host
// config they run on a "# host config: <dir>/<file>" line; that file must be one of the host
// configs checked here (deploy/sidecar.yaml, whose secrets are files, is checked with them in
// place), and the example must carry what it is there for (probes, a read-only root filesystem
// with the state on a volume, secrets as files; hardening).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace chost::integration {
namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A Kubernetes manifest has a top-level apiVersion; a host config never does (the host schema
// refuses unknown keys).
bool is_kubernetes_manifest(const std::string& text) {
  return text.rfind("apiVersion:", 0) == 0 || text.find("\napiVersion:") != std::string::npos;
}

// The file named by "# host config: <dir>/<file>" (relative to the repository), or empty.
std::string referenced_host_config(const std::string& text) {
  const std::string marker = "# host config: ";
  const size_t at = text.find(marker);
  if (at == std::string::npos) return "";
  const size_t start = at + marker.size();
  return text.substr(start, text.find('\n', start) - start);
}

// sidecar.yaml reads its secrets as files beside it and its plugins from where the image puts
// them: checked in a copy with those files present and the plugin folder pointed at this build.
CommandResult check_sidecar(const TempDir& dir, const std::filesystem::path& path) {
  std::string yaml = slurp(path);
  const std::string plugins = "plugin_dirs: [/usr/lib/connector-host/plugins]";
  const size_t at = yaml.find(plugins);
  EXPECT_NE(at, std::string::npos) << "sidecar.yaml's plugin_dirs changed; adapt this test";
  if (at != std::string::npos) {
    yaml.replace(at, plugins.size(), std::string("plugin_dirs: [") + PLUGIN_OUTPUT_DIR + "]");
  }
  std::filesystem::create_directories(dir.path() / "sidecar" / "secrets");
  dir.write("sidecar/host.yaml", yaml);
  for (const auto& [name, value] :
       {std::pair<const char*, const char*>{"master-key",
                                            "00112233445566778899aabbccddeeff"
                                            "00112233445566778899aabbccddeeff"},
        {"admin-token", "sidecar-admin-token-0123"},
        {"notify-url", "https://hooks.example.com/connector-host"},
        {"notify-secret", "sidecar-notify-secret-0123"},
        {"sf-client-id", "3MVG9example"},
        {"sf-client-secret", "example-secret"}}) {
    dir.write(std::string("sidecar/secrets/") + name, value);
  }
  return run_host_command(dir.path(),
                          {"check-config", "-c", (dir.path() / "sidecar" / "host.yaml").string()},
                          "check-sidecar");
}

TEST(ShippedConfigsTest, EveryFileInConfigsPassesCheckConfig) {
  // The shipped files point at the dev preset's plugin folder (../build/dev/plugins).
  const std::filesystem::path expected =
      std::filesystem::path(SHIPPED_CONFIGS_DIR).parent_path() / "build" / "dev" / "plugins";
  if (std::filesystem::path(PLUGIN_OUTPUT_DIR).lexically_normal() != expected.lexically_normal()) {
    GTEST_SKIP() << "this build's plugins are in " << PLUGIN_OUTPUT_DIR << ", not " << expected;
  }
  set_shipped_config_env();
  TempDir dir;
  std::set<std::string> host_configs;  // checked
  std::set<std::string> referenced;    // by the deployment examples
  int examples = 0;
  std::vector<std::filesystem::path> files;
  for (const char* dir : {SHIPPED_CONFIGS_DIR, SHIPPED_DEPLOY_DIR}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir))
      files.push_back(entry.path());
  }
  for (const std::filesystem::path& path : files) {
    const bool in_configs = path.parent_path() == std::filesystem::path(SHIPPED_CONFIGS_DIR);
    // As the deployment examples name it: configs/<file> or deploy/<file>.
    const std::string file =
        std::string(in_configs ? "configs/" : "deploy/") + path.filename().string();
    const std::string text = slurp(path);
    if (in_configs) {
      EXPECT_EQ(path.extension(), ".yaml") << file << ": configs/ holds host configs only";
      EXPECT_FALSE(is_kubernetes_manifest(text)) << file << ": deployment examples go to deploy/";
    }
    if (path.extension() == ".service") {
      ++examples;
      referenced.insert(referenced_host_config(text));
      for (const char* line :
           {"ExecStart=/usr/bin/connector-host run -c ", "ExecReload=/bin/kill -HUP $MAINPID",
            "StateDirectory=connector-host", "NoNewPrivileges=yes", "ProtectSystem=strict",
            "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=\n",
            "RestrictAddressFamilies=", "SystemCallFilter=@system-service"}) {
        EXPECT_NE(text.find(line), std::string::npos) << file << " lacks " << line;
      }
      continue;
    }
    if (path.extension() != ".yaml") continue;
    if (is_kubernetes_manifest(text)) {
      ++examples;
      referenced.insert(referenced_host_config(text));
      for (const char* line : {"path: /healthz", "path: /readyz", "readOnlyRootFilesystem: true",
                               "mountPath: /var/lib/connector-host",
                               "secretName:", "mountPath: /etc/connector-host/secrets"}) {
        EXPECT_NE(text.find(line), std::string::npos) << file << " lacks " << line;
      }
      continue;
    }
    host_configs.insert(file);
    CommandResult r =
        file == "deploy/sidecar.yaml"
            ? check_sidecar(dir, path)
            : run_host_command(dir.path(), {"check-config", "-c", path.string()}, "check");
    EXPECT_EQ(r.exit_code, 0) << path << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(": ok ("), std::string::npos) << r.out;
  }
  EXPECT_GE(host_configs.size(), 3u);  // configs/host.example.yaml, demo.yaml, deploy/sidecar.yaml
  EXPECT_GE(examples, 2);
  for (const std::string& f : referenced) {
    EXPECT_TRUE(host_configs.count(f))
        << "a deployment example runs " << f << ", which is not a checked host config";
  }
}

TEST(ShippedConfigsTest, TheSidecarConfigReadsEverySecretFromAFile) {
  const std::string yaml = slurp(std::filesystem::path(SHIPPED_DEPLOY_DIR) / "sidecar.yaml");
  EXPECT_EQ(yaml.find("${env:"), std::string::npos);
  for (const char* key :
       {"master_key: ${file:", "token: ${file:", "secret: ${file:", "client_secret: ${file:"}) {
    EXPECT_NE(yaml.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace chost::integration
