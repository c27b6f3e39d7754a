// chp-conformance: loads a connector plugin with dlopen and runs the conformance suite
// (conformance_tests.cpp) against it with an in-memory FakeHost.
//   chp-conformance --plugin FILE.so --config CONFIG.json [--gtest_*]
#include <dlfcn.h>

#include <connector_host/plugin_api.h>
#include <gtest/gtest.h>
#include <chost/config/plugin_schema.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "conformance.hpp"
#include "contract_printer.hpp"

namespace chp::conformance {
namespace {

Target g_target;

struct DlCloser {
  void operator()(void* handle) const noexcept { dlclose(handle); }
};
using Library = std::unique_ptr<void, DlCloser>;

int usage(const char* why) {
  std::fprintf(stderr,
               "chp-conformance: %s\nusage: chp-conformance --plugin FILE --config CONFIG.json "
               "[--gtest_*]\n",
               why);
  return 2;
}

}  // namespace

const Target& target() { return g_target; }

}  // namespace chp::conformance

int main(int argc, char** argv) {
  using chp::conformance::g_target;
  ::testing::InitGoogleTest(&argc, argv);  // strips --gtest_* flags

  std::string plugin_path;
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if ((arg == "--plugin" || arg == "--config") && i + 1 < argc) {
      (arg == "--plugin" ? plugin_path : config_path) = argv[++i];
    } else {
      return chp::conformance::usage("unknown or incomplete argument");
    }
  }
  if (plugin_path.empty() || config_path.empty()) {
    return chp::conformance::usage("--plugin and --config are required");
  }

  std::ifstream config_file(config_path, std::ios::binary);
  if (!config_file) return chp::conformance::usage("cannot read the --config file");
  std::ostringstream config;
  config << config_file.rdbuf();

  // RTLD_LOCAL like the host: the plugin must not rely on symbols leaking between plugins.
  chp::conformance::Library library(dlopen(plugin_path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!library) {
    std::fprintf(stderr, "chp-conformance: dlopen failed: %s\n", dlerror());
    return 1;
  }
  auto entry = reinterpret_cast<chp_plugin_entry_fn>(dlsym(library.get(), CHP_ENTRY_SYMBOL));
  if (entry == nullptr) {
    std::fprintf(stderr, "chp-conformance: %s does not export %s\n", plugin_path.c_str(),
                 CHP_ENTRY_SYMBOL);
    return 1;
  }
  g_target.plugin = entry(chp::testing::FakeHost::table(), CHP_ABI_VERSION_CURRENT);
  if (g_target.plugin == nullptr) {
    std::fprintf(stderr, "chp-conformance: %s returned no descriptor\n", CHP_ENTRY_SYMBOL);
    return 1;
  }
  g_target.plugin_path = plugin_path;
  g_target.config_json = config.str();
  if (chost::config::plugin_schema_problems(g_target.plugin->config_schema_json).empty()) {
    chost::config::CompletedConfig completed = chost::config::complete_plugin_config(
        g_target.plugin->config_schema_json, g_target.config_json);
    g_target.config_problems = std::move(completed.problems);
    if (g_target.config_problems.empty()) g_target.config_json = std::move(completed.json);
  }

  // /proc/self/exe: argv[0] may be a bare name found on PATH.
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  chp::conformance::install_contract_printer(ec ? std::string(argv[0]) : exe.string());
  int result = RUN_ALL_TESTS();
  g_target.plugin = nullptr;  // every instance is destroyed by now; unload after
  return result;
}
