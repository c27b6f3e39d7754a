// RuntimeFixture: fakes + status board + connection manager + the fake plugin loaded through
// the raw ABI, with helpers to create instances and to play the OAuth token endpoint
// (FakeTokenEndpoint rotates refresh tokens and rejects reuse of a rotated one, like Salesforce).
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "chost/runtime/connection_manager.hpp"
#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/instance_context.hpp"
#include "chost/runtime/status.hpp"
#include "fakes.hpp"
#include "raw_plugin.hpp"

namespace chost::runtime::testing {

struct FakeTokenEndpoint {
  std::mutex mu;
  int serial = 0;                       // at-<serial> / rt-<serial> are the live pair
  std::optional<uint32_t> next_status;  // force a status for every request while set
  int64_t expires_in_ms = 0;            // 0: no expires_at_ms (Salesforce)
  std::function<void()> on_refresh;     // runs inside a refresh request (before answering)
  // Appended to every issued token. The redactor ignores values shorter than
  // log::kMinSecretChars, so tests of masking need tokens of a credential's length.
  std::string token_tail;

  Result<FakeHttpResponse> answer(const FakeHttp::Seen& req, const Clock& clock);
};

struct TestInstance {
  std::unique_ptr<InstanceContext> ctx;
  std::unique_ptr<RawInstance> hooks;
  HookGate gate;
};

// The instance as a provider's credential instance.
inline CredentialInstance credential(TestInstance& inst) {
  return CredentialInstance{inst.hooks.get(), inst.ctx.get(), &inst.gate};
}

class RuntimeFixture : public ::testing::Test {
 protected:
  RuntimeFixture();
  ~RuntimeFixture() override;

  // Creates an instance of the fake plugin; `uses` names a connection to borrow from.
  TestInstance& make_instance(const std::string& name, const std::string& uses = "");
  // The fake plugin files its access token under the public "connection" object.
  bool token_in_connection = false;
  // Creates a provider instance, registers it with the manager and authorizes it (at-1/rt-1).
  TestInstance& make_connected(const std::string& name);
  HookOutcome sync(TestInstance& inst, CancelFlag cancel = nullptr, int64_t timeout_ms = 60000);
  void set_mode(const std::string& ns, const std::string& mode) {
    fx.store.put_kv_ForTest(ns, "mode", mode);
  }
  size_t token_posts() const { return fx.http.count("/token"); }

  FakeServices fx;
  FakeTokenEndpoint endpoint;
  StatusBoard board;
  ConnectionOptions options;
  std::unique_ptr<ConnectionManager> manager;
  std::unique_ptr<RawPlugin> plugin;
  std::map<std::string, std::unique_ptr<TestInstance>> instances;
  // Answers for the API endpoint: bearer token -> status.
  std::function<uint32_t(const std::string& bearer)> api_status = [](const std::string&) {
    return 200u;
  };
};

}  // namespace chost::runtime::testing
