// RuntimeFixture and FakeTokenEndpoint.
#include "runtime_fixture.hpp"

#include "chost/runtime/host_callbacks.hpp"

namespace chost::runtime::testing {

Result<FakeHttpResponse> FakeTokenEndpoint::answer(const FakeHttp::Seen& req, const Clock& clock) {
  if (on_refresh && req.body.find("grant_type=refresh_token") != std::string::npos) {
    on_refresh();
  }
  std::lock_guard<std::mutex> lock(mu);
  if (next_status) return FakeHttpResponse{*next_status, "{\"error\":\"forced\"}"};
  if (req.body.find("grant_type=refresh_token") != std::string::npos) {
    // Only the newest refresh token is accepted; reusing a rotated one is rejected.
    if (req.body !=
        "grant_type=refresh_token&refresh_token=rt-" + std::to_string(serial) + token_tail) {
      return FakeHttpResponse{400, "{\"error\":\"invalid_grant\"}"};
    }
  }
  ++serial;
  std::string body = "{\"access_token\":\"at-" + std::to_string(serial) + token_tail +
                     "\",\"refresh_token\":\"rt-" + std::to_string(serial) + token_tail +
                     "\",\"instance_url\":\"https://na1.example\"";
  if (expires_in_ms > 0) {
    body += ",\"expires_at_ms\":" + std::to_string(clock.now_ms() + expires_in_ms);
  }
  return FakeHttpResponse{200, body + "}"};
}

RuntimeFixture::RuntimeFixture() {
  options.refresh_margin_ms = 5 * 60 * 1000;
  options.backoff = BackoffPolicy{1000, 8000, 0.5};
  fx.http.handler = [this](const FakeHttp::Seen& req) -> Result<FakeHttpResponse> {
    if (req.url.find("/token") != std::string::npos) return endpoint.answer(req, fx.clock);
    auto it = req.headers.find("authorization");
    const std::string bearer =
        it == req.headers.end() ? "" : it->second.substr(std::string("Bearer ").size());
    return FakeHttpResponse{api_status(bearer), "{}"};
  };
  manager = std::make_unique<ConnectionManager>(fx.services(), options, &board);
  plugin = std::make_unique<RawPlugin>(FAKE_CONNECTION_PLUGIN, host_callbacks());
}

RuntimeFixture::~RuntimeFixture() {
  manager.reset();
  instances.clear();
}

TestInstance& RuntimeFixture::make_instance(const std::string& name, const std::string& uses) {
  auto inst = std::make_unique<TestInstance>();
  inst->ctx = std::make_unique<InstanceContext>(name, fx.services(), &board, manager.get(), uses);
  CallState call(fx.clock, fx.clock.steady_ms() + 1000, nullptr);
  chp_instance* raw = nullptr;
  const std::string config =
      std::string(
          R"({"token_url":"https://login.example/token","api_url":"https://api.example/data")") +
      (token_in_connection ? R"(,"token_in_connection":true})" : "}");
  EXPECT_EQ(plugin->plugin()->create(inst->ctx->handle(), call.handle(),
                                     {config.data(), config.size()}, &raw),
            CHP_OK);
  inst->hooks = std::make_unique<RawInstance>(plugin->plugin(), raw);
  auto& ref = *inst;
  instances[name] = std::move(inst);
  return ref;
}

TestInstance& RuntimeFixture::make_connected(const std::string& name) {
  // Options may have been changed by the test after construction.
  manager = std::make_unique<ConnectionManager>(fx.services(), options, &board);
  TestInstance& inst = make_instance(name);
  EXPECT_TRUE(manager->add(name, credential(inst)));
  auto out = manager->authorize(name, R"({"step":"callback","code":"c0"})");
  EXPECT_TRUE(out) << (out ? "" : out.error().message);
  return inst;
}

HookOutcome RuntimeFixture::sync(TestInstance& inst, CancelFlag cancel, int64_t timeout_ms) {
  return run_hook(*inst.ctx, inst.gate, fx.clock.steady_ms() + timeout_ms, std::move(cancel),
                  [&](chp_call* call) { return inst.hooks->sync(call, R"({"reason":"manual"})"); });
}

}  // namespace chost::runtime::testing
