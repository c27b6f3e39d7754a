// Secrets stay out of the admin server's logs: neither the bearer token nor an OAuth code
// from the callback's query appears in any log line, even at trace level.
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "server_fixture.hpp"

namespace chost::admin::testing {
namespace {

class AdminLoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_ = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(log_);
    auto logger = std::make_shared<spdlog::logger>("admin-test", sink);
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  void TearDown() override { spdlog::set_default_logger(previous_); }

  std::ostringstream log_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(AdminLoggingTest, NeverLogsTokenOrCode) {
  FakeAdminBackend backend;
  AdminOptions options;
  options.listen = "127.0.0.1:0";
  options.bearer_token = kToken;
  {
    AdminServer server(options, backend);
    ASSERT_TRUE(server.start().ok());
    ASSERT_TRUE(http_call(server.port(), "GET", "/api/v1/connectors", kToken));
    ASSERT_TRUE(http_call(server.port(), "GET", "/api/v1/connectors", "wrong-SECRETISH"));
    ASSERT_TRUE(http_call(
        server.port(), "GET",
        std::string("/oauth/callback?code=CODE-SECRET-42&state=") + FakeAdminBackend::kGoodState));
    backend.throw_on("connectors");
    ASSERT_TRUE(http_call(server.port(), "GET", "/api/v1/connectors", kToken));
    server.stop();
  }
  spdlog::default_logger()->flush();
  std::string log = log_.str();
  // The access log did run (so the checks below look at real output).
  EXPECT_NE(log.find("/oauth/callback"), std::string::npos);
  EXPECT_NE(log.find("threw"), std::string::npos);
  EXPECT_EQ(log.find(kToken), std::string::npos);
  EXPECT_EQ(log.find("SECRETISH"), std::string::npos);
  EXPECT_EQ(log.find("CODE-SECRET-42"), std::string::npos);
  EXPECT_EQ(log.find("fake failure"), std::string::npos);
}

}  // namespace
}  // namespace chost::admin::testing
