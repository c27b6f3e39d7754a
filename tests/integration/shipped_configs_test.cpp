// Every file in configs/ passes check-config against the plugins this build ships, with the
// environment variables it references set (as an admin would set them).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "host_process.hpp"

namespace chost::integration {
namespace {

TEST(ShippedConfigsTest, EveryFileInConfigsPassesCheckConfig) {
  // The shipped files point at the dev preset's plugin folder (../build/dev/plugins).
  const std::filesystem::path expected =
      std::filesystem::path(SHIPPED_CONFIGS_DIR).parent_path() / "build" / "dev" / "plugins";
  if (std::filesystem::path(PLUGIN_OUTPUT_DIR).lexically_normal() != expected.lexically_normal()) {
    GTEST_SKIP() << "this build's plugins are in " << PLUGIN_OUTPUT_DIR << ", not " << expected;
  }
  for (const auto& [name, value] :
       {std::pair<const char*, const char*>{"CHP_MASTER_KEY",
                                            "00112233445566778899aabbccddeeff"
                                            "00112233445566778899aabbccddeeff"},
        {"CHP_ADMIN_TOKEN", "shipped-config-admin-token"},
        {"SF_CLIENT_ID", "3MVG9example"},
        {"SF_CLIENT_SECRET", "example-secret"},
        {"GRAPH_CLIENT_ID", "11111111-2222-4333-8444-555555555555"},
        {"GRAPH_CLIENT_SECRET", "example-graph-secret"},
        {"ROLLWORKS_API_KEY", "example-rollworks-key"},
        {"DEMO_SF_LOGIN_URL", "http://127.0.0.1:9"},
        {"DEMO_SF_CLIENT_SECRET", "demo-consumer-secret"},
        {"DEMO_GRAPH_URL", "http://127.0.0.1:9"},
        {"DEMO_GRAPH_CLIENT_SECRET", "demo-graph-secret"},
        {"DEMO_RW_URL", "http://127.0.0.1:9"},
        {"DEMO_RW_API_KEY", "rwk_demo_0123456789abcdef"}}) {
    setenv(name, value, 1);
  }
  TempDir dir;
  int checked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SHIPPED_CONFIGS_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    ++checked;
    CommandResult r =
        run_host_command(dir.path(), {"check-config", "-c", entry.path().string()}, "check");
    EXPECT_EQ(r.exit_code, 0) << entry.path() << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find(": ok ("), std::string::npos) << r.out;
  }
  EXPECT_GE(checked, 2);
}

}  // namespace
}  // namespace chost::integration
