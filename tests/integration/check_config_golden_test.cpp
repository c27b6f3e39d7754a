// check-config's whole output, byte for byte, for the shipped configs (configs/*.yaml) and for
// files full of mistakes (check_config_golden/*.yaml) against the shipped plugins: the messages
// are the host's interface to admins, so a change in the validator underneath (valijson) must
// not change a byte of them. Each <name>.out holds the exit code, stdout and stderr of
// `check-config` and `check-config --json`. CHP_GOLDEN_UPDATE=1 rewrites the .out files
// (review the diff: it is the change admins will see).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace chost::integration {
namespace {

namespace fs = std::filesystem;

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// The exit code and output of both forms, with this run's folders written as placeholders.
std::string transcript(const TempDir& dir, const std::string& name) {
  std::string out;
  for (const bool json : {false, true}) {
    std::vector<std::string> args = {"check-config", "-c", name};
    if (json) args.insert(args.begin() + 1, "--json");
    const CommandResult r = run_host_command(dir.path(), args, json ? "json" : "text");
    out += std::string("$ connector-host check-config") + (json ? " --json" : "") + " -c " + name +
           "\nexit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" +
           r.err;
  }
  replace_all(out, dir.path().string(), "<dir>");
  replace_all(out, PLUGIN_OUTPUT_DIR, "<plugins>");
  return out;
}

class CheckConfigGoldenTest : public ::testing::Test {
 protected:
  void SetUp() override { set_shipped_config_env(); }

  // Runs check-config on `text` saved as `name` and compares with golden file `golden`.
  void expect_golden(const std::string& name, std::string text, const fs::path& golden) {
    replace_all(text, "@PLUGIN_DIR@", PLUGIN_OUTPUT_DIR);
    replace_all(text, "plugin_dirs: [../build/dev/plugins]",
                std::string("plugin_dirs: [") + PLUGIN_OUTPUT_DIR + "]");
    TempDir dir;
    dir.write(name, text);
    const std::string got = transcript(dir, name);
    const char* update = std::getenv("CHP_GOLDEN_UPDATE");
    if (update != nullptr && std::string(update) == "1") {
      std::ofstream(golden, std::ios::binary) << got;
      return;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing (CHP_GOLDEN_UPDATE=1 writes it)";
    EXPECT_EQ(got, read_file(golden)) << name << " differs from " << golden;
  }
};

TEST_F(CheckConfigGoldenTest, ShippedConfigsPrintExactlyWhatTheyDid) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(SHIPPED_CONFIGS_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    expect_golden(name, read_file(entry.path()),
                  fs::path(CHECK_CONFIG_GOLDEN_DIR) / ("configs-" + name + ".out"));
    ++checked;
  }
  EXPECT_GE(checked, 2);  // host.example.yaml and demo.yaml at least
}

TEST_F(CheckConfigGoldenTest, MistakesPrintExactlyTheMessagesTheyDid) {
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(CHECK_CONFIG_GOLDEN_DIR)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string name = entry.path().filename().string();
    fs::path golden = entry.path();
    golden.replace_extension(".out");
    expect_golden(name, read_file(entry.path()), golden);
    ++checked;
  }
  EXPECT_GE(checked, 3);
}

}  // namespace
}  // namespace chost::integration
