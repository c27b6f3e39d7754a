// PluginRegistry: scanning directories with good and bad plugins together, duplicates,
// missing directories, lookup.
#include "chost/loader/plugin_registry.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "loader_test_support.hpp"

namespace chost::loader {
namespace {

using testing::fake_host;
using testing::TempDir;

TEST(PluginRegistry, BadPluginsDoNotStopGoodOnes) {
  TempDir dir;
  for (const char* c : {"bad_name", "good", "major2", "not_a_plugin", "null_hook", "no_entry"}) {
    dir.add(c);
  }
  std::ofstream(dir.path() / "README.txt") << "not scanned: wrong extension\n";
  std::filesystem::create_directory(dir.path() / "nested.so");  // not a file: skipped

  PluginRegistry registry;
  registry.scan({dir.path()}, fake_host());
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->name(), "test-good");
  ASSERT_NE(registry.find("test-good"), nullptr);
  EXPECT_EQ(registry.find("test-good")->path(), dir.path() / "good.so");
  EXPECT_EQ(registry.find("absent"), nullptr);

  // One error per bad file, in file-name order, each naming its file.
  std::vector<std::string> files;
  for (const auto& e : registry.errors()) {
    files.push_back(e.path.filename().string());
    EXPECT_NE(e.message.find(e.path.string()), std::string::npos) << e.message;
  }
  EXPECT_EQ(files, (std::vector<std::string>{"bad_name.so", "major2.so", "no_entry.so",
                                             "not_a_plugin.so", "null_hook.so"}));
}

TEST(PluginRegistry, DuplicateNameNamesBothFilesAndKeepsTheFirst) {
  TempDir dir;
  const auto dup = dir.add("duplicate");  // same plugin name as good.so, sorts first
  const auto good = dir.add("good");
  PluginRegistry registry;
  registry.scan({dir.path()}, fake_host());
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.find("test-good")->path(), dup);
  ASSERT_EQ(registry.errors().size(), 1u);
  EXPECT_EQ(registry.errors()[0].path, good);
  EXPECT_EQ(registry.errors()[0].message, "plugin name \"test-good\" is provided by both " +
                                              dup.string() + " and " + good.string() +
                                              "; ignoring the latter");
}

TEST(PluginRegistry, DuplicateAcrossDirectories) {
  TempDir first;
  TempDir second;
  first.add("good");
  second.add("good");
  second.add("minor7", "zz.so");  // refused by this host, unrelated to the duplicate
  PluginRegistry registry;
  registry.scan({first.path(), second.path()}, fake_host());
  ASSERT_EQ(registry.plugins().size(), 1u);
  EXPECT_EQ(registry.plugins()[0]->path().parent_path(), first.path());
  ASSERT_EQ(registry.errors().size(), 2u);
  EXPECT_NE(registry.errors()[0].message.find((first.path() / "good.so").string()),
            std::string::npos);
  EXPECT_NE(registry.errors()[0].message.find((second.path() / "good.so").string()),
            std::string::npos);
}

TEST(PluginRegistry, SameDirectoryTwiceIsScannedOnce) {
  TempDir dir;
  dir.add("good");
  PluginRegistry registry;
  registry.scan({dir.path(), dir.path() / "."}, fake_host());
  EXPECT_EQ(registry.plugins().size(), 1u);
  EXPECT_TRUE(registry.errors().empty());
}

TEST(PluginRegistry, MissingDirectoryIsAnErrorButOthersAreScanned) {
  TempDir dir;
  dir.add("good");
  PluginRegistry registry;
  registry.scan({dir.path() / "absent", dir.path()}, fake_host());
  EXPECT_EQ(registry.plugins().size(), 1u);
  ASSERT_EQ(registry.errors().size(), 1u);
  EXPECT_EQ(registry.errors()[0].message,
            "plugin directory " + (dir.path() / "absent").string() + " does not exist");
}

TEST(PluginRegistry, WritableDirectoryNeedsOverride) {
  TempDir dir;
  dir.add("good");
  ::chmod(dir.path().c_str(), 0777);
  PluginRegistry refused;
  refused.scan({dir.path()}, fake_host());
  EXPECT_TRUE(refused.plugins().empty());
  EXPECT_EQ(refused.errors().size(), 1u);

  PluginRegistry allowed;
  allowed.scan({dir.path()}, fake_host(), LoadOptions{.allow_world_writable = true});
  EXPECT_EQ(allowed.plugins().size(), 1u);
  EXPECT_TRUE(allowed.errors().empty());
}

}  // namespace
}  // namespace chost::loader
