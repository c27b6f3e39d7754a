// The CHP_DECLARE_PLUGIN adapter: descriptor contents, exception-to-status mapping for every
// error class, bad JSON input, config refusal and the disable/sync guard.
#include <gtest/gtest.h>
#include <connector_host/sdk/sdk.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <stdexcept>
#include <string>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;
using chp::testing::HookResult;
using chp::testing::PluginUnderTest;

constexpr const char kSchema[] = R"({"type":"object","properties":{"mode":{"type":"string"}}})";

int g_live_instances = 0;

// Throws whatever `input.throw` names, so each mapping is exercised by the real adapter.
class ThrowingConnector : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{"throwing", "1.2.3", "test connector", kSchema,
                                         CHP_CAP_PROVIDES_CONNECTION};

  ThrowingConnector(chp::Context& ctx, const boost::json::object& config) : ctx_(ctx) {
    if (chp::config_optional_string(config, "mode") == "bad")
      throw chp::ConfigError("'mode' is bad");
    if (chp::config_optional_string(config, "mode") == "boom")
      throw std::runtime_error("ctor boom");
    ++g_live_instances;
  }
  ~ThrowingConnector() override { --g_live_instances; }

  void authorize(chp::Call& call, const boost::json::object& input) override { act(call, input); }
  void sync(chp::Call& call, const boost::json::object& input) override { act(call, input); }
  void disable(chp::Call& call, const boost::json::object& input) override {
    ++disables;
    act(call, input);
  }

  int disables = 0;

 private:
  void act(chp::Call& call, const boost::json::object& input) {
    std::string what =
        chp::optional_string(input, "throw", chp::ErrorClass::kPermanent).value_or("");
    if (what == "transient") throw chp::TransientError("try later");
    if (what == "transient_later") throw chp::TransientError("quota used up", 90'000);
    if (what == "auth") throw chp::AuthRevokedError("grant revoked");
    if (what == "config") throw chp::ConfigError("bad field");
    if (what == "permanent") throw chp::PermanentError("gone");
    if (what == "cancelled") throw chp::CancelledError("stopped");
    if (what == "std") throw std::out_of_range("index 7");
    if (what == "int") throw 42;
    if (what == "token") ctx_.connection_token(call);
    if (what == "token_wrapped") {
      try {
        ctx_.connection_token(call);
      } catch (const chp::TransientError&) {
        throw chp::TransientError("no session for the export");
      }
    }
    call.set_output(boost::json::object{{"echo", input}});
  }

  chp::Context& ctx_;
};

class PluginAdapterTest : public ::testing::Test {
 protected:
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<ThrowingConnector>(), host_};
};

TEST_F(PluginAdapterTest, DescriptorCarriesInfoAndAbiVersion) {
  const chp_plugin* d = plugin_.plugin();
  EXPECT_EQ(d->struct_size, sizeof(chp_plugin));
  EXPECT_EQ(d->abi_major, CHP_ABI_MAJOR);
  EXPECT_EQ(d->abi_minor, CHP_ABI_MINOR);
  EXPECT_STREQ(d->name, "throwing");
  EXPECT_STREQ(d->version, "1.2.3");
  EXPECT_STREQ(d->config_schema_json, kSchema);
  EXPECT_EQ(d->capabilities, CHP_CAP_PROVIDES_CONNECTION);
}

TEST_F(PluginAdapterTest, EntryRefusesMissingHostTable) {
  EXPECT_EQ(chp::detail::PluginAdapter<ThrowingConnector>::entry(nullptr, CHP_ABI_VERSION_CURRENT),
            nullptr);
}

TEST_F(PluginAdapterTest, MapsEachErrorClassToItsStatusWithMessage) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  struct Case {
    const char* thrown;
    chp_status_code status;
    const char* message;
  };
  for (const Case& c :
       {Case{"transient", CHP_ERR_TRANSIENT, "try later"},
        Case{"auth", CHP_ERR_AUTH_REVOKED, "grant revoked"},
        Case{"config", CHP_ERR_CONFIG, "bad field"}, Case{"permanent", CHP_ERR_PERMANENT, "gone"},
        Case{"cancelled", CHP_ERR_CANCELLED, "stopped"}}) {
    HookResult r = plugin_.sync(std::string(R"({"throw":")") + c.thrown + "\"}");
    EXPECT_EQ(r.status, c.status) << c.thrown;
    EXPECT_EQ(r.error, c.message) << c.thrown;
  }
}

// ABI 1.5: a TransientError that carries a delay hands it to the scheduler through
// call_set_retry_after; one without a delay leaves the scheduler's backoff alone.
TEST_F(PluginAdapterTest, ATransientErrorWithADelayTellsTheSchedulerWhenToRetry) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  FakeCall later;
  HookResult r = plugin_.sync(R"({"throw":"transient_later"})", &later);
  EXPECT_EQ(r.status, CHP_ERR_TRANSIENT);
  EXPECT_EQ(r.error, "quota used up");
  EXPECT_EQ(later.retry_after_ms(), 90'000u);
  FakeCall plain;
  EXPECT_EQ(plugin_.sync(R"({"throw":"transient"})", &plain).status, CHP_ERR_TRANSIENT);
  EXPECT_EQ(plain.retry_after_ms(), 0u);
}

TEST_F(PluginAdapterTest, ForeignExceptionsBecomePermanent) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  HookResult std_ex = plugin_.authorize(R"({"throw":"std"})");
  EXPECT_EQ(std_ex.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(std_ex.error.find("index 7"), std::string::npos) << std_ex.error;
  HookResult unknown = plugin_.authorize(R"({"throw":"int"})");
  EXPECT_EQ(unknown.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_FALSE(unknown.error.empty());
}

TEST_F(PluginAdapterTest, SuccessSetsOutputAndNoError) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.has_error);
  EXPECT_EQ(boost::json::parse(r.output), boost::json::parse(R"({"echo":{"reason":"manual"}})"));
}

TEST_F(PluginAdapterTest, BadJsonInputIsPermanentAndNeverReachesConnector) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  for (const char* bad : {"{", "[1]", "null", "nope"}) {
    HookResult r = plugin_.sync(bad);
    EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT)) << bad;
    EXPECT_NE(r.error.find("hook input"), std::string::npos) << r.error;
    EXPECT_TRUE(r.output.empty());
  }
}

TEST_F(PluginAdapterTest, EmptyInputIsAnEmptyObject) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  EXPECT_TRUE(plugin_.sync("").ok());
}

TEST_F(PluginAdapterTest, ConfigFailuresAreConfigErrorsAndCreateNothing) {
  EXPECT_EQ(plugin_.create("{nope").status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_EQ(plugin_.create("[]").status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  HookResult bad = plugin_.create(R"({"mode":"bad"})");
  EXPECT_EQ(bad.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_EQ(bad.error, "'mode' is bad");
  HookResult boom = plugin_.create(R"({"mode":"boom"})");
  EXPECT_EQ(boom.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_FALSE(plugin_.created());
  EXPECT_EQ(g_live_instances, 0);
}

TEST_F(PluginAdapterTest, DestroyFreesTheConnector) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  EXPECT_EQ(g_live_instances, 1);
  plugin_.destroy();
  EXPECT_EQ(g_live_instances, 0);
}

TEST_F(PluginAdapterTest, DisableIsIdempotentAndBlocksSyncUntilAuthorized) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  EXPECT_TRUE(plugin_.disable("{}").ok());
  EXPECT_TRUE(plugin_.disable("{}").ok());
  HookResult refused = plugin_.sync("{}");
  EXPECT_EQ(refused.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(refused.error.find("disabled"), std::string::npos);
  ASSERT_TRUE(plugin_.authorize("{}").ok());
  EXPECT_TRUE(plugin_.sync("{}").ok());
}

TEST_F(PluginAdapterTest, FailedDisableCanBeRetried) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  EXPECT_EQ(plugin_.disable(R"({"throw":"transient"})").status,
            static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  EXPECT_TRUE(plugin_.sync("{}").ok()) << "a failed disable leaves the instance enabled";
  EXPECT_TRUE(plugin_.disable("{}").ok());
}

TEST_F(PluginAdapterTest, UnimplementedHooksArePermanent) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  HookResult r = plugin_.refresh("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(r.error.find("not supported"), std::string::npos);
}

// The host attached the real reason to the call before returning the failure; the adapter
// must not overwrite it with the SDK's "connection token failed".
TEST_F(PluginAdapterTest, FailedConnectionTokenKeepsTheHostsReason) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  host_.fail_connection_token(CHP_ERR_TRANSIENT,
                              "connection sf-org: refresh failed, retrying in 30 s: HTTP 503");
  HookResult r = plugin_.sync(R"({"throw":"token"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  EXPECT_EQ(r.error, "connection sf-org: refresh failed, retrying in 30 s: HTTP 503");

  host_.set_connection_token(std::nullopt);
  r = plugin_.sync(R"({"throw":"token"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
  EXPECT_EQ(r.error, "FakeHost: connection is not connected");
}

// A connector that catches the failure and throws its own error reports its own message.
TEST_F(PluginAdapterTest, ConnectorsOwnErrorReplacesTheHostsReason) {
  ASSERT_TRUE(plugin_.create("{}").ok());
  host_.fail_connection_token(CHP_ERR_TRANSIENT, "refresh failed");
  HookResult r = plugin_.sync(R"({"throw":"token_wrapped"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_TRANSIENT));
  EXPECT_EQ(r.error, "no session for the export");
}

}  // namespace
