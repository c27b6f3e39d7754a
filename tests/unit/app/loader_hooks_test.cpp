// LoaderHooks with the real fake plugin: hooks reach the instance, a failed sync and a disable
// make the next hook re-create the instance, a successful or cancelled sync does not.
#include "chost/app/loader_hooks.hpp"

#include <gtest/gtest.h>

#include "app_test_support.hpp"
#include "chost/app/common_ports.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "chost/store/sqlite_store.hpp"

namespace chost::app {
namespace {

class LoaderHooksTest : public ::testing::Test {
 protected:
  LoaderHooksTest() {
    auto st = store::open_sqlite_store((dir_.path() / "s.db").string(), store::MasterKey::random());
    EXPECT_TRUE(st);
    store_ = std::move(*st);
    log_ = std::make_unique<CommonLogPort>();
    services_.store = store_.get();
    services_.log = log_.get();
    services_.redactor = &redactor_;
    services_.clock = &runtime::system_clock();
    services_.random = &runtime::system_random();
    auto lib = loader::PluginLibrary::load(FAKE_CONNECTION_PLUGIN, runtime::host_callbacks());
    EXPECT_TRUE(lib) << lib.error().message;
    library_ = *lib;
    ctx_ = std::make_unique<runtime::InstanceContext>("inst", services_, &board_, nullptr, "");
    hooks_ = std::make_unique<LoaderHooks>(library_, ctx_->handle(), "{}");
  }
  ~LoaderHooksTest() override {
    hooks_.reset();  // destroy the instance before its context
    ctx_.reset();
  }

  runtime::HookOutcome call(const std::function<chp_status_code(chp_call*)>& hook) {
    return runtime::run_hook(*ctx_, gate_, services_.clock->steady_ms() + 10000, nullptr, hook);
  }
  runtime::HookOutcome sync() {
    return call([&](chp_call* c) { return hooks_->sync(c, R"({"reason":"manual"})"); });
  }
  void set_mode(const std::string& mode) {
    auto txn = store_->begin("inst");
    ASSERT_TRUE(txn);
    ASSERT_TRUE((*txn)->put("mode", mode));
    ASSERT_TRUE((*txn)->commit());
  }

  testing::TempDir dir_;
  std::unique_ptr<store::StateStore> store_;
  runtime::Redactor redactor_;
  std::unique_ptr<CommonLogPort> log_;
  runtime::RuntimeServices services_;
  runtime::StatusBoard board_;
  std::shared_ptr<loader::PluginLibrary> library_;
  std::unique_ptr<runtime::InstanceContext> ctx_;
  runtime::HookGate gate_;
  std::unique_ptr<LoaderHooks> hooks_;
};

TEST_F(LoaderHooksTest, FirstHookCreatesTheInstanceOnce) {
  EXPECT_FALSE(hooks_->created());
  set_mode("commit");
  EXPECT_EQ(sync().status, CHP_OK);
  EXPECT_EQ(sync().status, CHP_OK);
  EXPECT_TRUE(hooks_->created());
  EXPECT_EQ(hooks_->creations_ForTest(), 1u);
}

TEST_F(LoaderHooksTest, FailedSyncRecreatesBeforeTheNextHook) {
  set_mode("no-such-mode");  // the fake plugin fails with a permanent error
  runtime::HookOutcome out = sync();
  EXPECT_EQ(out.status, CHP_ERR_PERMANENT);
  EXPECT_NE(out.error.find("boom"), std::string::npos);
  EXPECT_EQ(hooks_->creations_ForTest(), 1u);
  set_mode("commit");
  EXPECT_EQ(sync().status, CHP_OK);
  EXPECT_EQ(hooks_->creations_ForTest(), 2u);
  EXPECT_EQ(sync().status, CHP_OK);
  EXPECT_EQ(hooks_->creations_ForTest(), 2u);
}

TEST_F(LoaderHooksTest, DisableMakesTheNextHookStartFromAFreshInstance) {
  set_mode("commit");
  ASSERT_EQ(sync().status, CHP_OK);
  EXPECT_EQ(call([&](chp_call* c) { return hooks_->disable(c, "{}"); }).status, CHP_OK);
  EXPECT_EQ(hooks_->creations_ForTest(), 1u);
  ASSERT_EQ(sync().status, CHP_OK);
  EXPECT_EQ(hooks_->creations_ForTest(), 2u);
}

TEST_F(LoaderHooksTest, CreateFailureIsReturnedAsTheHookStatus) {
  // The fake plugin refuses a config that is not a JSON object.
  LoaderHooks bad(library_, ctx_->handle(), "[1]");
  runtime::HookOutcome out = call([&](chp_call* c) { return bad.sync(c, "{}"); });
  EXPECT_EQ(out.status, CHP_ERR_CONFIG);
  EXPECT_NE(out.error.find("config must be an object"), std::string::npos);
  EXPECT_FALSE(bad.created());
}

}  // namespace
}  // namespace chost::app
