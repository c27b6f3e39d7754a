// PluginLibrary::load on real shared objects: the good plugin and every bad case, each with
// its own one-line message naming the file; ABI minor compatibility; permission checks.
#include "chost/loader/plugin_library.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "loader_test_support.hpp"

namespace chost::loader {
namespace {

using testing::fake_host;
using testing::TempDir;

// Loads case `case_name` from a private copy and returns its error message ("" if it
// loaded), checking the message is one line that names the file.
std::string load_error(const TempDir& dir, std::string_view case_name,
                       const LoadOptions& options = {}) {
  const auto file = dir.add(case_name);
  auto lib = PluginLibrary::load(file, fake_host(), options);
  if (lib.ok()) return "";
  const std::string& m = lib.error().message;
  EXPECT_EQ(lib.error().cls, ErrorClass::kConfig);
  EXPECT_NE(m.find(file.string()), std::string::npos) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  return m;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(PluginLibrary, GoodPluginLoads) {
  TempDir dir;
  const auto file = dir.add("good");
  auto lib = PluginLibrary::load(file, fake_host());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  const auto& d = (*lib)->descriptor();
  EXPECT_EQ((*lib)->name(), "test-good");
  EXPECT_EQ((*lib)->path(), file);
  EXPECT_EQ((*lib)->host(), fake_host());
  EXPECT_EQ(d.version, "0.1.0");
  EXPECT_EQ(d.abi_major, CHP_ABI_MAJOR);
  EXPECT_EQ(d.abi_minor, CHP_ABI_MINOR);
  EXPECT_EQ(d.capabilities, CHP_CAP_PROVIDES_CONNECTION);
  EXPECT_NE(d.hooks.create, nullptr);
  EXPECT_NE(d.hooks.destroy, nullptr);
  EXPECT_TRUE(contains(d.config_schema_json, "\"label\""));
}

TEST(PluginLibrary, TextFileIsNotASharedObject) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "not_a_plugin"), "is not a shared object"));
}

TEST(PluginLibrary, ExecutableIsNotLoadable) {
  TempDir dir;
  const auto exe = dir.path() / "true.so";
  std::filesystem::copy_file("/bin/true", exe);
  ::chmod(exe.c_str(), 0755);
  auto lib = PluginLibrary::load(exe, fake_host());
  ASSERT_FALSE(lib.ok());
  EXPECT_TRUE(contains(lib.error().message, "plugin " + exe.string() + " cannot be loaded: "))
      << lib.error().message;
}

TEST(PluginLibrary, MissingFile) {
  TempDir dir;
  auto lib = PluginLibrary::load(dir.path() / "absent.so", fake_host());
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.error().message, "plugin " + (dir.path() / "absent.so").string() +
                                     " cannot be read: No such file or directory");
}

TEST(PluginLibrary, UnreadableFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads every file";
  TempDir dir;
  const auto file = dir.add("good");
  ::chmod(file.c_str(), 0);
  auto lib = PluginLibrary::load(file, fake_host());
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.error().message, "plugin " + file.string() + " cannot be read: Permission denied");
}

TEST(PluginLibrary, MissingEntrySymbol) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "no_entry"), "does not export chp_plugin_entry"));
}

TEST(PluginLibrary, EntryReturnsNull) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "null_descriptor"),
                       "chp_plugin_entry returned NULL: the plugin refused this host (ABI 1.6)"));
}

TEST(PluginLibrary, OtherMajorIsRefused) {
  TempDir dir;
  const std::string m = load_error(dir, "major2");
  EXPECT_EQ(m, "plugin " + (dir.path() / "major2.so").string() +
                   " was built for plugin ABI 2.0; this host implements 1.6");
}

TEST(PluginLibrary, NewerMinorIsRefusedByOlderHost) {
  TempDir dir;
  const std::string m = load_error(dir, "minor7");
  EXPECT_EQ(m, "plugin " + (dir.path() / "minor7.so").string() +
                   " was built for plugin ABI 1.7; this host implements 1.6 \u2014 upgrade the "
                   "host");
}

TEST(PluginLibrary, MinorCompatibilityWithNewerHosts) {
  TempDir dir;
  // Built for 1.0 (a 1.0-sized descriptor), loaded by this (1.6) host.
  EXPECT_EQ(load_error(dir, "minor0"), "");
  EXPECT_EQ(load_error(dir, "minor7", LoadOptions{.host_abi = CHP_ABI_VERSION(1, 7)}), "");
  // A 1.0 plugin in a 1.6 host: loads, and is still recorded as a 1.0 plugin.
  auto lib = PluginLibrary::load(dir.add("minor0"), fake_host(),
                                 LoadOptions{.host_abi = CHP_ABI_VERSION(1, 7)});
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  EXPECT_EQ((*lib)->descriptor().abi_minor, 0);
}

TEST(PluginLibrary, StructTooSmall) {
  TempDir dir;
  const std::string m = load_error(dir, "struct_small");
  EXPECT_TRUE(contains(m, "declares a descriptor of " + std::to_string(offsetof(chp_plugin, sync)) +
                              " bytes; plugin ABI 1.6 needs at least " +
                              std::to_string(offsetof(chp_plugin, validate))))
      << m;
}

TEST(PluginLibrary, NullRequiredHook) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "null_hook"), "(test-good) has a NULL `sync` hook"));
}

TEST(PluginLibrary, BadName) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "bad_name"),
                       "has an invalid name \"Bad_Name\": it must match [a-z][a-z0-9-]*"));
}

TEST(PluginLibrary, BadSchema) {
  TempDir dir;
  EXPECT_TRUE(contains(load_error(dir, "bad_schema"), "(test-good) has an invalid config schema"));
}

// JSON, but no schema the host can use: refused at load (so `plugins` and `plugin-info` say why),
// with the plugin's name and the JSON pointer of each bad keyword.
TEST(PluginLibrary, SchemaWithBadKeywordsIsRefusedWithTheirPointers) {
  TempDir dir;
  const std::string m = load_error(dir, "bad_keywords");
  EXPECT_TRUE(contains(m,
                       "(test-good) has an invalid config schema: at /properties/n/type: 'type' "
                       "must name string, integer, number, boolean, object, array or null; got "
                       "\"strnig\"; at /properties/n/minimum: 'minimum' must be a number"))
      << m;
}

TEST(PluginLibrary, GroupOrWorldWritableFileIsRefusedUnlessAllowed) {
  for (mode_t mode : {0775, 0757}) {
    TempDir dir;
    const auto file = dir.add("good");
    ::chmod(file.c_str(), mode);
    auto lib = PluginLibrary::load(file, fake_host());
    ASSERT_FALSE(lib.ok());
    EXPECT_EQ(lib.error().message,
              "plugin " + file.string() +
                  " is writable by group or others; refusing to load it (fix its permissions "
                  "or set allow_world_writable)");
    EXPECT_TRUE(
        PluginLibrary::load(file, fake_host(), LoadOptions{.allow_world_writable = true}).ok());
  }
}

TEST(PluginLibrary, WritableDirectoryIsRefusedUnlessAllowed) {
  TempDir dir;
  const auto file = dir.add("good");
  ::chmod(dir.path().c_str(), 0777);
  auto lib = PluginLibrary::load(file, fake_host());
  ASSERT_FALSE(lib.ok());
  EXPECT_TRUE(contains(lib.error().message,
                       "is in directory " + dir.path().string() + " writable by group or others"))
      << lib.error().message;
  EXPECT_TRUE(
      PluginLibrary::load(file, fake_host(), LoadOptions{.allow_world_writable = true}).ok());
}

TEST(PluginLibrary, SymlinkIsCheckedAtItsTarget) {
  TempDir safe;
  TempDir open_dir;
  const auto target = open_dir.add("good");
  ::chmod(open_dir.path().c_str(), 0777);
  const auto link = safe.path() / "link.so";
  std::filesystem::create_symlink(target, link);
  auto lib = PluginLibrary::load(link, fake_host());
  ASSERT_FALSE(lib.ok());
  EXPECT_TRUE(contains(lib.error().message, "writable by group or others"));
}

}  // namespace
}  // namespace chost::loader
