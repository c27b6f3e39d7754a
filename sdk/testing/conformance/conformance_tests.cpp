// The conformance suite every connector plugin must pass: descriptor shape, config schema,
// config refusal, lifecycle, disable semantics and robustness against garbage input. Each
// test creates its own FakeHost and instance, so failures stay independent.
#include <connector_host/plugin_api.h>
#include <gtest/gtest.h>
#include <connector_host/testing/fake_call.hpp>
#include <connector_host/testing/fake_host.hpp>
#include <connector_host/testing/plugin_under_test.hpp>

#include <boost/json.hpp>
#include <chost/config/plugin_schema.hpp>
#include <cstring>
#include <regex>
#include <string>
#include <vector>

#include "conformance.hpp"

namespace chp::conformance {
namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::HookResult;
using chp::testing::PluginUnderTest;

const chp_plugin& plugin() { return *target().plugin; }

bool is_hook_status(chp_status_code s) {
  return s == CHP_OK || s == CHP_ERR_TRANSIENT || s == CHP_ERR_AUTH_REVOKED ||
         s == CHP_ERR_CONFIG || s == CHP_ERR_PERMANENT || s == CHP_ERR_CANCELLED;
}

// A failed hook must say why: the message is what an admin sees.
void expect_refused_with_message(const HookResult& r, const std::string& what) {
  EXPECT_NE(r.status, static_cast<chp_status_code>(CHP_OK)) << what;
  EXPECT_TRUE(is_hook_status(r.status)) << what << ": status " << r.status;
  EXPECT_TRUE(r.has_error && !r.error.empty()) << what << ": no error message attached";
}

TEST(Descriptor, HeaderAndVersions) {
  const chp_plugin& p = plugin();
  EXPECT_EQ(p.abi_major, CHP_ABI_MAJOR);
  EXPECT_LE(p.abi_minor, CHP_ABI_MINOR) << "plugin built for a newer ABI than this runner";
  // A 1.0 plugin fills in at least every 1.0 member.
  EXPECT_TRUE(CHP_HAS_MEMBER(&p, chp_plugin, destroy)) << "struct_size " << p.struct_size;
}

TEST(Descriptor, StringsAndHooksPresent) {
  const chp_plugin& p = plugin();
  ASSERT_NE(p.name, nullptr);
  ASSERT_NE(p.version, nullptr);
  ASSERT_NE(p.description, nullptr);
  ASSERT_NE(p.config_schema_json, nullptr);
  EXPECT_TRUE(std::regex_match(p.name, std::regex("[a-z][a-z0-9-]*"))) << p.name;
  EXPECT_TRUE(std::regex_match(p.version, std::regex(R"(\d+\.\d+\.\d+([-+][0-9A-Za-z.+-]*)?)")))
      << "version is not semver: " << p.version;
  EXPECT_GT(std::strlen(p.description), 0u);
  EXPECT_NE(p.create, nullptr);
  EXPECT_NE(p.authorize, nullptr);
  EXPECT_NE(p.refresh, nullptr);
  EXPECT_NE(p.disable, nullptr);
  EXPECT_NE(p.sync, nullptr);
  EXPECT_NE(p.destroy, nullptr);
}

TEST(Descriptor, CapabilitiesAreKnownBits) {
  constexpr std::uint64_t kKnown = CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_USES_CONNECTION |
                                   CHP_CAP_SUBJECTS | CHP_CAP_INTERACTIVE_AUTHORIZE |
                                   CHP_CAP_WRITE_BACK | CHP_CAP_CHECKS_CONNECTION;
  EXPECT_EQ(plugin().capabilities & ~kKnown, 0u);
  EXPECT_FALSE((plugin().capabilities & CHP_CAP_CHECKS_CONNECTION) &&
               !(plugin().capabilities & CHP_CAP_USES_CONNECTION))
      << "only a connector that uses a connection checks it (ABI 1.3 check_connection)";
  EXPECT_FALSE((plugin().capabilities & CHP_CAP_PROVIDES_CONNECTION) &&
               (plugin().capabilities & CHP_CAP_USES_CONNECTION))
      << "a connector either provides or uses a connection";
}

TEST(Schema, IsJsonSchemaOfAnObject) {
  boost::system::error_code ec;
  boost::json::value schema = boost::json::parse(plugin().config_schema_json, ec);
  ASSERT_FALSE(ec) << "config_schema_json is not valid JSON: " << ec.message();
  ASSERT_TRUE(schema.is_object());
  const boost::json::object& obj = schema.as_object();
  const boost::json::value* type = obj.if_contains("type");
  ASSERT_NE(type, nullptr) << "schema has no \"type\"";
  EXPECT_EQ(*type, boost::json::value("object"));
  const boost::json::value* props = obj.if_contains("properties");
  ASSERT_NE(props, nullptr) << "schema has no \"properties\"";
  EXPECT_TRUE(props->is_object());
  if (const boost::json::value* req = obj.if_contains("required")) {
    ASSERT_TRUE(req->is_array());
    for (const boost::json::value& name : req->as_array()) {
      ASSERT_TRUE(name.is_string());
      EXPECT_TRUE(props->as_object().contains(name.as_string()))
          << "required property " << name << " is not declared";
    }
  }
}

// The host refuses to load a plugin whose schema it cannot use (a misspelt type, a minimum that is
// not a number, a "$ref" to nothing): each problem names the JSON pointer of the keyword.
TEST(Schema, IsUsableByTheHost) {
  const std::vector<std::string> problems =
      chost::config::plugin_schema_problems(plugin().config_schema_json);
  std::string all;
  for (const std::string& p : problems) all += "\n  " + p;
  EXPECT_TRUE(problems.empty()) << "plugin '" << plugin().name
                                << "' has a config schema the host refuses:" << all;
}

TEST(Config, ValidConfigIsAccepted) {
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  HookResult r = p.create(target().config_json);
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_OK)) << r.error;
  EXPECT_EQ(host.open_transactions(), 0u);
}

TEST(Config, MalformedConfigRefusedAsConfigError) {
  for (const std::string bad : {"", "not json", "{\"unterminated\":", "[1,2,3]", "42", "null"}) {
    FakeHost host;
    PluginUnderTest p(&plugin(), host);
    HookResult r = p.create(bad);
    EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG)) << "config: " << bad;
    EXPECT_TRUE(r.has_error && !r.error.empty()) << "no message for config: " << bad;
    EXPECT_FALSE(p.created());
  }
}

// The host refuses a config its schema refuses before create() runs: the given one must pass.
TEST(Config, GivenConfigPassesTheSchema) {
  std::string all;
  for (const std::string& p : target().config_problems) all += "\n  " + p;
  EXPECT_TRUE(target().config_problems.empty()) << "the --config file is refused:" << all;
}

TEST(Config, MissingRequiredFieldsRefusedAsConfigError) {
  boost::json::value schema = boost::json::parse(plugin().config_schema_json);
  const boost::json::value* req = schema.as_object().if_contains("required");
  if (req == nullptr || !req->is_array() || req->as_array().empty()) {
    GTEST_SKIP() << "schema requires no field";
  }
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  HookResult r = p.create("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_TRUE(r.has_error && !r.error.empty());
}

TEST(Lifecycle, CreateDestroyRepeatedly) {
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(p.create(target().config_json).ok());
    p.destroy();
  }
  // Several live instances of one plugin side by side (one per configured connector).
  FakeHost other_host;
  PluginUnderTest a(&plugin(), host);
  PluginUnderTest b(&plugin(), other_host);
  EXPECT_TRUE(a.create(target().config_json).ok());
  EXPECT_TRUE(b.create(target().config_json).ok());
}

TEST(Disable, IsIdempotent) {
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  ASSERT_TRUE(p.create(target().config_json).ok());
  HookResult first = p.disable("{\"credentials\":{}}");
  EXPECT_EQ(first.status, static_cast<chp_status_code>(CHP_OK)) << first.error;
  HookResult second = p.disable("{\"credentials\":{}}");
  EXPECT_EQ(second.status, static_cast<chp_status_code>(CHP_OK)) << second.error;
  EXPECT_EQ(host.open_transactions(), 0u);
}

TEST(Disable, SyncAfterDisableRefusedCleanly) {
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  ASSERT_TRUE(p.create(target().config_json).ok());
  ASSERT_TRUE(p.disable("{}").ok());
  expect_refused_with_message(p.sync("{\"reason\":\"manual\"}"), "sync after disable");
  EXPECT_EQ(host.open_transactions(), 0u);
}

TEST(Robustness, GarbageInputReturnsAStatus) {
  const std::vector<std::string> garbage = {"{",    "not json", "[]",
                                            "null", "\"str\"",  std::string("\xff\xfe\x00\x01", 4)};
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  ASSERT_TRUE(p.create(target().config_json).ok());
  for (const std::string& input : garbage) {
    expect_refused_with_message(p.authorize(input), "authorize(garbage)");
    expect_refused_with_message(p.refresh(input), "refresh(garbage)");
    expect_refused_with_message(p.sync(input), "sync(garbage)");
  }
  EXPECT_EQ(host.open_transactions(), 0u) << "a hook left a transaction open";
}

TEST(Robustness, WrongShapedInputReturnsAStatus) {
  // Valid JSON objects with unexpected member types: the plugin must not crash or throw.
  const std::vector<std::string> inputs = {"{}",
                                           "{\"step\":42}",
                                           "{\"step\":\"callback\",\"code\":null,\"state\":[]}",
                                           "{\"credentials\":\"x\"}",
                                           "{\"credentials\":{\"refresh_token\":1}}",
                                           "{\"reason\":{}}"};
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  ASSERT_TRUE(p.create(target().config_json).ok());
  for (const std::string& input : inputs) {
    for (HookResult r : {p.authorize(input), p.refresh(input), p.sync(input)}) {
      EXPECT_TRUE(is_hook_status(r.status)) << input << ": status " << r.status;
      if (!r.ok()) {
        EXPECT_TRUE(r.has_error && !r.error.empty()) << input << ": no message";
      }
    }
  }
  EXPECT_EQ(host.open_transactions(), 0u) << "a hook left a transaction open";
}

TEST(Robustness, CancelledSyncReturnsAStatus) {
  FakeHost host;
  PluginUnderTest p(&plugin(), host);
  ASSERT_TRUE(p.create(target().config_json).ok());
  FakeCall call;
  call.cancel();
  HookResult r = p.sync("{\"reason\":\"schedule\"}", &call);
  EXPECT_TRUE(is_hook_status(r.status)) << "status " << r.status;
  EXPECT_EQ(host.open_transactions(), 0u);
}

}  // namespace
}  // namespace chp::conformance
