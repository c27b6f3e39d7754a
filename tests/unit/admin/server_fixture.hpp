// A started AdminServer on 127.0.0.1:0 over a FakeAdminBackend, shared by the admin tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "chost/admin/admin_server.hpp"
#include "fake_admin_backend.hpp"
#include "test_http.hpp"

namespace chost::admin::testing {

inline constexpr const char* kToken = "s3cret-admin-token";

class AdminServerTest : public ::testing::Test {
 protected:
  void SetUp() override { start(AdminOptions{}); }

  // Restarts with `options` (listen and token are filled in when empty).
  void start(AdminOptions options) {
    if (server_) server_->stop();
    if (options.bearer_token.empty()) options.bearer_token = kToken;
    options.listen = "127.0.0.1:0";
    server_ = std::make_unique<AdminServer>(options, backend_);
    auto started = server_->start();
    ASSERT_TRUE(started.ok()) << started.error().message;
  }

  std::optional<TestResponse> get(const std::string& target, const std::string& token = kToken) {
    return http_call(server_->port(), "GET", target, token);
  }
  std::optional<TestResponse> post(const std::string& target, const std::string& body = "",
                                   const std::string& token = kToken) {
    return http_call(server_->port(), "POST", target, token, body);
  }

  FakeAdminBackend backend_;
  std::unique_ptr<AdminServer> server_;
};

}  // namespace chost::admin::testing
