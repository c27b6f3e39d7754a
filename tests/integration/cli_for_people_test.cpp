// The CLI's output for people, against the real binary: every verb's --help has an example, the
// bash completion it generates works when bash sources it, and `status` colours states only on
// a terminal (a pty from forkpty) and never with NO_COLOR set.
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 20000;  // hang guard only

// The verbs `connector-host --help` lists.
std::vector<std::string> listed_verbs(const TempDir& dir) {
  CommandResult help = run_host_command(dir.path(), {"--help"}, "help");
  EXPECT_EQ(help.exit_code, 0);
  std::vector<std::string> verbs;
  const std::string list = help.out.substr(0, help.out.find("\n\nRun "));
  const std::regex row("\n  ([a-z-]+) +[a-z]");
  for (auto it = std::sregex_iterator(list.begin(), list.end(), row); it != std::sregex_iterator();
       ++it) {
    verbs.push_back((*it)[1]);
  }
  return verbs;
}

TEST(CliForPeopleTest, EveryVerbsHelpHasOneExample) {
  TempDir dir;
  const std::vector<std::string> verbs = listed_verbs(dir);
  ASSERT_GE(verbs.size(), 13u);
  for (const std::string& verb : verbs) {
    CommandResult r = run_host_command(dir.path(), {verb, "--help"}, "help-" + verb);
    EXPECT_EQ(r.exit_code, 0) << verb << r.err;
    EXPECT_EQ(r.out.rfind("usage: connector-host " + verb, 0), 0u) << r.out;
    const std::size_t at = r.out.find("\nexample:\n  ");
    ASSERT_NE(at, std::string::npos) << verb << "\n" << r.out;
    EXPECT_NE(r.out.find("connector-host " + verb, at), std::string::npos) << r.out;
  }
}

// What bash completes for `words` (the last one being completed) with the generated script.
std::string complete(const TempDir& dir, const std::string& words) {
  const std::string script =
      "source <(\"$1\" completion bash) || exit 9\n"
      "COMP_WORDS=(" +
      words +
      ")\n"
      "COMP_CWORD=$((${#COMP_WORDS[@]} - 1))\n"
      "_connector_host\n"
      "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
  HostProcess p(dir.path(), {"--norc", "-c", script, "bash", CONNECTOR_HOST_BIN}, "complete",
                "/bin/bash");
  EXPECT_EQ(p.wait_exit(kWaitMs), std::optional<int>(0)) << p.err();
  return p.out();
}

TEST(CliForPeopleTest, BashCompletionFromTheBinaryCompletesVerbsAndOptions) {
  TempDir dir;
  EXPECT_EQ(complete(dir, "connector-host sta"), "status\nstate\n");
  EXPECT_EQ(complete(dir, "connector-host statu"), "status\n");
  EXPECT_EQ(complete(dir, "connector-host check"), "check-config\n");
  EXPECT_EQ(complete(dir, "connector-host sync sf-org --js"), "--json\n");
  EXPECT_EQ(complete(dir, "connector-host authorize sf-org --redirect-p"), "--redirect-port\n");
  dir.write("host.yaml", "host: {}\n");
  EXPECT_EQ(complete(dir, "connector-host status -c ho"), "host.yaml\n");
  // Every listed verb is offered at the first word.
  const std::string all = complete(dir, "connector-host ''");
  for (const std::string& verb : listed_verbs(dir)) {
    EXPECT_NE(all.find(verb + "\n"), std::string::npos) << verb << "\n" << all;
  }
  CommandResult zsh = run_host_command(dir.path(), {"completion", "zsh"}, "zsh");
  EXPECT_EQ(zsh.exit_code, 2) << zsh.err;
  EXPECT_NE(zsh.err.find("only bash"), std::string::npos) << zsh.err;
}

TEST(CliForPeopleTest, StatusColoursStatesOnlyOnATerminalAndNeverWithNoColor) {
  TempDir dir;
  setenv("CHOST_IT_PEOPLE_KEY", std::string(64, 'a').c_str(), 1);
  dir.write("host.yaml", std::string("host:\n"
                                     "  state: { path: ./state/host.db }\n"
                                     "  master_key: \"${env:CHOST_IT_PEOPLE_KEY}\"\n"
                                     "  plugin_dirs: [") +
                             FAKE_PLUGIN_DIR +
                             "]\n"
                             "connectors:\n"
                             "  - name: conn\n"
                             "    plugin: fake-connection\n"
                             "    config: { token_url: \"http://127.0.0.1:9/token\" }\n");
  unsetenv("NO_COLOR");
  const std::string tty = run_on_pty(dir.path(), {"status", "-c", "host.yaml"}, kWaitMs);
  // The state word in yellow (waiting for an admin), the padding outside the colour.
  EXPECT_NE(tty.find("\033[33munauthorized\033[0m  "), std::string::npos) << tty;

  CommandResult piped = run_host_command(dir.path(), {"status", "-c", "host.yaml"}, "piped");
  EXPECT_EQ(piped.exit_code, 4) << piped.err;  // not authorized
  EXPECT_NE(piped.out.find("unauthorized"), std::string::npos) << piped.out;
  EXPECT_EQ(piped.out.find('\033'), std::string::npos) << piped.out;

  setenv("NO_COLOR", "1", 1);
  const std::string no_colour = run_on_pty(dir.path(), {"status", "-c", "host.yaml"}, kWaitMs);
  unsetenv("NO_COLOR");
  EXPECT_NE(no_colour.find("unauthorized"), std::string::npos) << no_colour;
  EXPECT_EQ(no_colour.find('\033'), std::string::npos) << no_colour;
}

}  // namespace
}  // namespace chost::integration
