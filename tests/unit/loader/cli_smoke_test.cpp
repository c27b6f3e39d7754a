// Smoke tests of the connector-host binary: --version, --help, unknown verbs, `plugins`
// and `plugin-info` on private copies of the test plugins; checks output and exit codes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "loader_test_support.hpp"

namespace chost::loader {
namespace {

using testing::TempDir;

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs the binary with `args`, stdout and stderr captured through files (no pipes, so no
// deadlock on large output).
RunResult run_cli(std::vector<std::string> args) {
  TempDir io;
  const auto out_path = io.path() / "out";
  const auto err_path = io.path() / "err";
  args.insert(args.begin(), CHOST_CLI_BINARY);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const pid_t pid = ::fork();
  if (pid == 0) {
    const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out_fd < 0 || err_fd < 0) ::_exit(126);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  RunResult r;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  }
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(Cli, Version) {
  const auto r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "connector-host " CHOST_VERSION " (plugin ABI 1.6)\n");
}

TEST(Cli, HelpListsCommands) {
  const auto r = run_cli({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(contains(r.out, "usage: connector-host"));
  EXPECT_TRUE(contains(r.out, "  plugins "));
  EXPECT_TRUE(contains(r.out, "  plugin-info "));
}

TEST(Cli, UnknownVerbOrNoVerbIsAUsageError) {
  auto r = run_cli({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "unknown command 'frobnicate'"));
  EXPECT_TRUE(contains(r.err, "usage: connector-host"));
  EXPECT_TRUE(r.out.empty());
  r = run_cli({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(contains(r.err, "usage: connector-host"));
}

TEST(Cli, PluginsListsGoodOnesAndFailsOnBadOnes) {
  TempDir dir;
  dir.add("good");
  dir.add("major2");
  auto r = run_cli({"plugins", "--plugin-dir", dir.path().string()});
  EXPECT_EQ(r.exit_code, 1);
  std::istringstream lines(r.out);
  std::string header;
  std::string row;
  std::getline(lines, header);
  std::getline(lines, row);
  EXPECT_TRUE(header.starts_with("NAME")) << r.out;
  EXPECT_TRUE(contains(header, "CAPABILITIES"));
  EXPECT_TRUE(row.starts_with("test-good")) << r.out;
  EXPECT_TRUE(contains(row, " 0.1.0 "));
  EXPECT_TRUE(contains(row, " 1.6 "));
  EXPECT_TRUE(contains(row, "provides-connection"));
  EXPECT_TRUE(contains(row, (dir.path() / "good.so").string()));
  EXPECT_EQ(r.err, "error: plugin " + (dir.path() / "major2.so").string() +
                       " was built for plugin ABI 2.0; this host implements 1.6\n");

  std::filesystem::remove(dir.path() / "major2.so");
  r = run_cli({"plugins", "--plugin-dir=" + dir.path().string()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, PluginsWithoutPluginDirReadsTheInstallLayoutsFolder) {
  // The build tree has no <prefix>/lib/connector-host/plugins beside the binary's folder; the
  // installed case is tests/package.
  const auto r = run_cli({"plugins"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "lib/connector-host/plugins does not exist")) << r.err;
}

TEST(Cli, PluginInfoShowsDescriptorAndPrettySchema) {
  TempDir dir;
  const auto file = dir.add("good");
  const auto r = run_cli({"plugin-info", file.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "name:         test-good\n"));
  EXPECT_TRUE(contains(r.out, "version:      0.1.0\n"));
  EXPECT_TRUE(contains(r.out, "capabilities: provides-connection\n"));
  EXPECT_TRUE(contains(r.out, "hooks:        create authorize refresh disable sync destroy\n"));
  EXPECT_TRUE(contains(r.out,
                       "config schema:\n{\n  \"type\": \"object\",\n  \"properties\": {\n"
                       "    \"label\": {\n      \"type\": \"string\"\n    }\n  },\n"
                       "  \"required\": []\n}\n"))
      << r.out;
}

TEST(Cli, PluginInfoOnBadFileFails) {
  TempDir dir;
  const auto file = dir.add("not_a_plugin");
  const auto r = run_cli({"plugin-info", file.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: plugin " + file.string() + " is not a shared object (no ELF header)\n");
  EXPECT_TRUE(r.out.empty());
}

}  // namespace
}  // namespace chost::loader
