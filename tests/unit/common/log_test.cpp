// Host logger: text and JSON lines, redaction in both, level gating, plain spdlog calls.
#include "chost/common/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <mutex>
#include <string>
#include <vector>

namespace chost::log {
namespace {

// Counts how often it is formatted, to prove disabled levels skip formatting.
struct Expensive {
  int* formatted;
};

}  // namespace
}  // namespace chost::log

template <>
struct fmt::formatter<chost::log::Expensive> : fmt::formatter<std::string_view> {
  auto format(const chost::log::Expensive& e, fmt::format_context& ctx) const {
    ++*e.formatted;
    return fmt::formatter<std::string_view>::format("expensive", ctx);
  }
};

namespace chost::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void use(Format format, Level level) {
    init({format, level, [this](std::string_view line) {
            std::lock_guard lock(mu_);
            lines_.emplace_back(line);
          }});
  }
  void TearDown() override {
    init({Format::kText, Level::kOff, {}});
    redactor().remove("tok-registered-42");
  }
  std::vector<std::string> lines() {
    std::lock_guard lock(mu_);
    return lines_;
  }

  std::mutex mu_;
  std::vector<std::string> lines_;
};

TEST_F(LogTest, TextLineHasLevelConnectorPrefixAndFields) {
  use(Format::kText, Level::kInfo);
  write(Level::kWarn, "sf", "slow page", {{"page", 3}, {"note", "two words"}});
  info("", "host {}", "started");
  auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_NE(got[0].find(" warn [sf] slow page page=3 note=\"two words\""), std::string::npos)
      << got[0];
  EXPECT_EQ(got[0].find('\n'), std::string::npos);
  EXPECT_NE(got[1].find(" info host started"), std::string::npos) << got[1];
  EXPECT_EQ(got[1].find('['), std::string::npos);
}

TEST_F(LogTest, JsonLinesAreValidJsonWithTheDocumentedMembers) {
  use(Format::kJson, Level::kDebug);
  write(Level::kInfo, "sf", "synced \"accounts\"\n\tdone \x01 \xff",
        {{"records", 120}, {"ratio", 0.5}, {"ok", true}, {"msg", "dup"}, {"who", "a\\b"}});
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(got[0], ec);
  ASSERT_FALSE(ec) << got[0];
  const auto& o = v.as_object();
  EXPECT_EQ(o.at("level").as_string(), "info");
  EXPECT_EQ(o.at("connector").as_string(), "sf");
  EXPECT_EQ(o.at("msg").as_string(), "synced \"accounts\"\n\tdone \x01 \xEF\xBF\xBD");
  EXPECT_EQ(o.at("records").as_int64(), 120);
  EXPECT_EQ(o.at("ratio").as_double(), 0.5);
  EXPECT_EQ(o.at("ok").as_bool(), true);
  EXPECT_EQ(o.at("field_msg").as_string(), "dup");
  EXPECT_EQ(o.at("who").as_string(), "a\\b");
  const std::string ts(o.at("ts").as_string());
  ASSERT_EQ(ts.size(), 24u) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts.back(), 'Z');
}

TEST_F(LogTest, RegisteredSecretsAndPatternsAreRedactedInTextLines) {
  use(Format::kText, Level::kInfo);
  redactor().add("tok-registered-42");
  info("sf", "using tok-registered-42 with Authorization: Bearer abc.def123");
  write(Level::kInfo, "sf", "posted", {{"body", "refresh_token=r-77&x=1"}});
  auto got = lines();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].find("tok-registered-42"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("abc.def123"), std::string::npos) << got[0];
  EXPECT_NE(got[0].find("using *** with Authorization: Bearer ***"), std::string::npos);
  EXPECT_EQ(got[1].find("r-77"), std::string::npos) << got[1];
  EXPECT_NE(got[1].find("body=\"refresh_token=***&x=1\""), std::string::npos) << got[1];
}

TEST_F(LogTest, RegisteredSecretsAndPatternsAreRedactedInJsonLines) {
  use(Format::kJson, Level::kInfo);
  redactor().add("tok-registered-42");
  write(Level::kError, "graph", R"(token reply {"access_token":"eyJ0eXAi.x"})",
        {{"header", "tok-registered-42"}});
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].find("eyJ0eXAi"), std::string::npos) << got[0];
  EXPECT_EQ(got[0].find("tok-registered-42"), std::string::npos) << got[0];
  boost::json::value v = boost::json::parse(got[0]);
  EXPECT_EQ(v.at("msg").as_string(), R"(token reply {"access_token":"***"})");
  EXPECT_EQ(v.at("header").as_string(), "***");
}

TEST_F(LogTest, DisabledLevelsAreNeitherFormattedNorWritten) {
  use(Format::kText, Level::kWarn);
  int formatted = 0;
  info("sf", "value {}", Expensive{&formatted});
  debug("sf", "value {}", Expensive{&formatted});
  EXPECT_EQ(formatted, 0);
  EXPECT_FALSE(enabled(Level::kInfo));
  EXPECT_TRUE(enabled(Level::kError));
  warn("sf", "value {}", Expensive{&formatted});
  EXPECT_EQ(formatted, 1);
  EXPECT_EQ(lines().size(), 1u);
}

TEST_F(LogTest, PlainSpdlogCallsGetTheSameFormatAndRedaction) {
  use(Format::kJson, Level::kInfo);
  spdlog::info("[rollworks] sent client_secret={}", "cs-9f8e7d");
  spdlog::debug("not written");
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  boost::json::value v = boost::json::parse(got[0]);
  EXPECT_EQ(v.at("connector").as_string(), "rollworks");
  EXPECT_EQ(v.at("msg").as_string(), "sent client_secret=***");
}

TEST_F(LogTest, TextLinesCannotBeSplitByNewlines) {
  use(Format::kText, Level::kInfo);
  info("sf", "line one\nfake 2026 error line");
  auto got = lines();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].find("line one\\nfake"), std::string::npos) << got[0];
}

TEST(LogLevel, ParsesNames) {
  Level l = Level::kOff;
  EXPECT_TRUE(parse_level("DEBUG", &l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_TRUE(parse_level("warning", &l));
  EXPECT_EQ(l, Level::kWarn);
  EXPECT_FALSE(parse_level("loud", &l));
  EXPECT_EQ(l, Level::kWarn);
}

}  // namespace
}  // namespace chost::log
