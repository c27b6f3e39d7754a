// Secret references and literal secrets: ${env:...} / ${file:...} resolution with positioned
// errors that never show a value, the literal_secrets policy, and redaction of x-secret values.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>

#include "chost/config/host_config.hpp"
#include "config_test_util.hpp"
#include "secret_refs.hpp"

namespace chost::config {
namespace {

using testing::error_lines;
using testing::FakePlugins;
using testing::TempDir;
using testing::warning_lines;
using Lines = std::vector<std::string>;

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("CHP_CFGTEST_KEY", "0123456789abcdef0123456789abcdef", 1);
    setenv("CHP_CFGTEST_TOKEN", "admin-token-value-123", 1);
    setenv("CHP_CFGTEST_SF_SECRET", "sf-secret-value", 1);
    setenv("CHP_CFGTEST_EMPTY", "", 1);
    unsetenv("CHP_CFGTEST_UNSET");
  }
  void TearDown() override {
    for (const char* n :
         {"CHP_CFGTEST_KEY", "CHP_CFGTEST_TOKEN", "CHP_CFGTEST_SF_SECRET", "CHP_CFGTEST_EMPTY"}) {
      unsetenv(n);
    }
  }
  LoadReport load(const std::string& yaml) {
    file_ = dir_.write("host.yaml", yaml).string();
    return load_config_report(file_, FakePlugins());
  }

  TempDir dir_;
  std::string file_;
};

TEST_F(SecretsTest, EnvAndFileReferencesResolve) {
  dir_.write("secrets/sf", "file-secret-value\r\n\n");
  LoadReport r = load(
      "host:\n"
      "  master_key: ${env:CHP_CFGTEST_KEY}\n"
      "  admin: { token: \"${env:CHP_CFGTEST_TOKEN}\" }\n"
      "connectors:\n"
      "  - name: a\n"
      "    plugin: salesforce\n"
      "    config:\n"
      "      client_id: ${file:secrets/sf}\n"
      "      client_secret: ${env:CHP_CFGTEST_SF_SECRET}\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  const HostConfig& c = *r.config;
  EXPECT_EQ(c.host.master_key, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(c.host.admin.token, "admin-token-value-123");
  ASSERT_EQ(c.connectors.size(), 1u);
  const ConnectorConfig& a = c.connectors[0];
  EXPECT_NE(a.config_json.find(R"("client_id":"file-secret-value")"), std::string::npos);
  EXPECT_NE(a.config_json.find(R"("client_secret":"sf-secret-value")"), std::string::npos);
  // Referenced values and x-secret values are both redacted; defaults are not.
  EXPECT_EQ(
      a.config_json_redacted,
      R"({"client_id":"***","client_secret":"***","login_url":"https://login.salesforce.com",)"
      R"("api_version":"60.0","page_size_records":2000,"objects":["Account"]})");
  std::vector<std::string> expected = {"0123456789abcdef0123456789abcdef", "admin-token-value-123",
                                       "file-secret-value", "sf-secret-value"};
  EXPECT_EQ(c.secret_values, expected);
  EXPECT_TRUE(c.warnings.empty());
}

TEST_F(SecretsTest, MissingEnvVarAndUnreadableFileArePositionedAndValueFree) {
  Lines e = error_lines(
      load("host:\n"
           "  master_key: ${env:CHP_CFGTEST_UNSET}\n"
           "  admin: { token: \"${env:CHP_CFGTEST_EMPTY}\" }\n"
           "  state: { backend: postgres, url: \"${file:/nonexistent/pg-url}\" }\n"
           "connectors:\n"
           "  - name: a\n"
           "    plugin: salesforce\n"
           "    config: { client_id: \"${file:missing.txt}\", client_secret: \"${vault:x}\" }\n"));
  EXPECT_EQ(e, (Lines{file_ + ":2:15: error: host.master_key: environment variable "
                              "'CHP_CFGTEST_UNSET' is not set",
                      file_ + ":3:19: error: host.admin.token: environment variable "
                              "'CHP_CFGTEST_EMPTY' is empty",
                      file_ + ":4:36: error: host.state.url: cannot read secret file "
                              "'/nonexistent/pg-url': No such file or directory",
                      file_ +
                          ":8:26: error: connector 'a': config.client_id: cannot read secret "
                          "file '" +
                          (dir_.path() / "missing.txt").string() + "': No such file or directory",
                      file_ + ":8:64: error: connector 'a': config.client_secret: unknown secret "
                              "reference kind 'vault': use ${env:NAME} or ${file:PATH}"}));
}

TEST_F(SecretsTest, ReferenceMustBeTheWholeValue) {
  Lines e = error_lines(
      load("connectors:\n"
           "  - name: a\n"
           "    plugin: salesforce\n"
           "    config: { client_id: \"id-${env:CHP_CFGTEST_KEY}\", login_url: \"${env:X\" }\n"));
  EXPECT_EQ(e, (Lines{file_ + ":4:26: error: connector 'a': config.client_id: a secret reference "
                              "must be the whole value, e.g. \"${env:NAME}\"",
                      file_ + ":4:66: error: connector 'a': config.login_url: malformed secret "
                              "reference: use ${env:NAME} or ${file:PATH}"}));
}

TEST_F(SecretsTest, LiteralSecretsAreErrorsByDefault) {
  LoadReport r = load(
      "host:\n"
      "  master_key: 0123456789abcdef\n"
      "connectors:\n"
      "  - { name: a, plugin: salesforce, config: { client_id: x, client_secret: hunter2 } }\n");
  EXPECT_FALSE(r.config.has_value());
  Lines e = error_lines(r);
  EXPECT_EQ(e, (Lines{file_ + ":2:15: error: host.master_key: secret written literally in the "
                              "file: use \"${env:NAME}\" or \"${file:PATH}\" instead",
                      file_ + ":4:75: error: connector 'a': config.client_secret: secret written "
                              "literally in the file: use \"${env:NAME}\" or \"${file:PATH}\" "
                              "instead"}));
  for (const std::string& line : e) EXPECT_EQ(line.find("hunter2"), std::string::npos);
}

TEST_F(SecretsTest, LiteralSecretsAreWarningsWhenAllowedAndStillRedacted) {
  LoadReport r = load(
      "host:\n"
      "  literal_secrets: warn\n"
      "  admin: { token: literal-admin-token-1 }\n"
      "connectors:\n"
      "  - { name: a, plugin: salesforce, config: { client_id: x, client_secret: hunter2 } }\n");
  ASSERT_TRUE(r.config.has_value()) << ::testing::PrintToString(error_lines(r));
  Lines w = warning_lines(r);
  EXPECT_EQ(w, (Lines{file_ + ":3:19: warning: host.admin.token: secret written literally in the "
                              "file: use \"${env:NAME}\" or \"${file:PATH}\" instead",
                      file_ + ":5:75: warning: connector 'a': config.client_secret: secret written "
                              "literally in the file: use \"${env:NAME}\" or \"${file:PATH}\" "
                              "instead"}));
  EXPECT_EQ(r.config->warnings.size(), 2u);
  EXPECT_EQ(r.config->host.literal_secrets, LiteralSecretPolicy::kWarn);
  EXPECT_EQ(r.config->secret_values,
            (std::vector<std::string>{"hunter2", "literal-admin-token-1"}));
  const ConnectorConfig& a = r.config->connectors[0];
  EXPECT_NE(a.config_json.find("hunter2"), std::string::npos);
  EXPECT_EQ(a.config_json_redacted.find("hunter2"), std::string::npos);
  EXPECT_NE(a.config_json_redacted.find(R"("client_secret":"***")"), std::string::npos);
}

TEST_F(SecretsTest, WrongTypeOfASecretNeverShowsIt) {
  Lines e = error_lines(load(
      "host:\n"
      "  admin: { token: \"${env:CHP_CFGTEST_KEY}\", listen: \"${env:CHP_CFGTEST_TOKEN}\" }\n"));
  // listen is not x-secret, but its value came from a reference: still hidden.
  EXPECT_EQ(e, Lines{file_ + ":2:53: error: host.admin.listen: value does not match pattern "
                             "'^(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]]+):[0-9]{1,5}$'"});
}

TEST_F(SecretsTest, SecretFilesMustBeSmallRegularUtf8Files) {
  dir_.write("big", std::string(kMaxSecretFileBytes + 1, 'k'));
  dir_.write("binary", std::string("key\0\x01", 5));
  dir_.write("dir/placeholder", "x");
  ASSERT_EQ(mkfifo((dir_.path() / "fifo").c_str(), 0600), 0);
  Lines e = error_lines(
      load("host:\n"
           "  master_key: ${file:/dev/zero}\n"  // endless: read until memory ran out before
           "  admin: { token: \"${file:big}\" }\n"
           "  state: { backend: postgres, url: \"${file:fifo}\" }\n"  // open() would block
           "connectors:\n"
           "  - name: a\n"
           "    plugin: salesforce\n"
           "    config: { client_id: \"${file:binary}\", client_secret: \"${file:dir}\" }\n"));
  const std::string d = dir_.path().string() + "/";
  EXPECT_EQ(e, (Lines{file_ + ":2:15: error: host.master_key: cannot read secret file "
                              "'/dev/zero': is not a regular file",
                      file_ + ":3:19: error: host.admin.token: cannot read secret file '" + d +
                          "big': is larger than 65536 bytes",
                      file_ + ":4:36: error: host.state.url: cannot read secret file '" + d +
                          "fifo': is not a regular file",
                      file_ +
                          ":8:26: error: connector 'a': config.client_id: cannot read secret "
                          "file '" +
                          d + "binary': is not UTF-8 text",
                      file_ +
                          ":8:59: error: connector 'a': config.client_secret: cannot read "
                          "secret file '" +
                          d + "dir': is a directory"}));
}

TEST_F(SecretsTest, LongValuesThatLookLikeReferencesAreScannedNotRegexMatched) {
  // std::regex_match recursed once per character on these and overflowed the stack.
  const std::string tail(60'000, 'x');
  Lines e = error_lines(load("host:\n  master_key: \"${env:" + tail +
                             "}\"\n  admin: { token: \"${file:" + tail + "\" }\n"));
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0], file_ + ":2:15: error: host.master_key: environment variable '" +
                      tail.substr(0, 64) + "...' is not set");
  EXPECT_EQ(e[1], file_ +
                      ":3:19: error: host.admin.token: malformed secret reference: use "
                      "${env:NAME} or ${file:PATH}");
}

TEST_F(SecretsTest, CommandLineReferencesFollowTheSameRules) {
  const std::filesystem::path key = dir_.write("new.key", "0123abcd\n");
  EXPECT_EQ(resolve_secret_reference("${file:" + key.string() + "}").value(), "0123abcd");
  EXPECT_EQ(resolve_secret_reference("${env:CHP_CFGTEST_TOKEN}").value(), "admin-token-value-123");
  EXPECT_EQ(resolve_secret_reference("plain").value(), "plain");
  EXPECT_EQ(resolve_secret_reference("${file:/dev/zero}").error().message,
            "cannot read secret file '/dev/zero': is not a regular file");
  EXPECT_EQ(resolve_secret_reference("${env:CHP_CFGTEST_UNSET}").error().message,
            "environment variable 'CHP_CFGTEST_UNSET' is not set");
}

}  // namespace
}  // namespace chost::config
