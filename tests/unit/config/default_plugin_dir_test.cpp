// default_plugin_dir(): the install layout's plugin folder, found from the running binary.
#include "chost/config/default_plugin_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace chost::config {
namespace {

TEST(DefaultPluginDirTest, IsThePluginFolderOfThePrefixTheRunningBinaryIsIn) {
  // This test binary plays the installed host: <dir>/test_config -> <dir>/../lib/...
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
  const std::filesystem::path expected =
      exe.parent_path().parent_path() / "lib" / "connector-host" / "plugins";
  EXPECT_EQ(default_plugin_dir(), expected.lexically_normal());
  EXPECT_TRUE(default_plugin_dir().is_absolute());
}

TEST(DefaultPluginDirTest, SubdirIsRelativeToThePrefix) {
  EXPECT_EQ(std::filesystem::path(installed_plugin_subdir()),
            std::filesystem::path("lib/connector-host/plugins"));
}

}  // namespace
}  // namespace chost::config
