// LineLogPort: JSON and text line shapes, redaction of registered secrets, level filtering.
#include "chost/app/line_log_port.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace chost::app {
namespace {

class LineLogPortTest : public ::testing::Test {
 protected:
  LineLogPort make(LineFormat format, runtime::LogLevel min) {
    return LineLogPort(format, min, *redactor_, runtime::system_clock(),
                       [this](const std::string& l) { lines_.push_back(l); });
  }
  std::unique_ptr<runtime::Redactor> redactor_ = runtime::make_substring_redactor();
  std::vector<std::string> lines_;
};

TEST_F(LineLogPortTest, JsonLinesCarryLevelConnectorAndMessage) {
  LineLogPort log = make(LineFormat::kJson, runtime::LogLevel::kInfo);
  log.log(runtime::LogLevel::kWarn, "sf", "said \"hi\"\n");
  ASSERT_EQ(lines_.size(), 1u);
  boost::json::object o = boost::json::parse(lines_[0]).as_object();
  EXPECT_EQ(o.at("level").as_string(), "warn");
  EXPECT_EQ(o.at("connector").as_string(), "sf");
  EXPECT_EQ(o.at("msg").as_string(), "said \"hi\"\n");
  EXPECT_TRUE(o.contains("ts"));
}

TEST_F(LineLogPortTest, TextLinesNameTheConnector) {
  const std::string line =
      LineLogPort::format_line(LineFormat::kText, runtime::LogLevel::kError, 0, "sf", "boom");
  EXPECT_EQ(line, "1970-01-01T00:00:00.000Z error [sf] boom");
  EXPECT_EQ(LineLogPort::format_line(LineFormat::kText, runtime::LogLevel::kInfo, 1500, "", "up"),
            "1970-01-01T00:00:01.500Z info up");
}

TEST_F(LineLogPortTest, RegisteredSecretsAreMaskedInBothFormats) {
  redactor_->add_secret("tok-very-secret-123");
  LineLogPort json = make(LineFormat::kJson, runtime::LogLevel::kInfo);
  LineLogPort text = make(LineFormat::kText, runtime::LogLevel::kInfo);
  json.log(runtime::LogLevel::kInfo, "c", "token is tok-very-secret-123");
  text.log(runtime::LogLevel::kInfo, "c", "token is tok-very-secret-123");
  ASSERT_EQ(lines_.size(), 2u);
  for (const std::string& l : lines_) {
    EXPECT_EQ(l.find("tok-very-secret-123"), std::string::npos) << l;
    EXPECT_NE(l.find("token is "), std::string::npos) << l;
  }
}

TEST_F(LineLogPortTest, LinesBelowTheLevelAreDropped) {
  LineLogPort log = make(LineFormat::kText, runtime::LogLevel::kWarn);
  log.log(runtime::LogLevel::kInfo, "", "dropped");
  log.log(runtime::LogLevel::kDebug, "", "dropped");
  log.log(runtime::LogLevel::kError, "", "kept");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("kept"), std::string::npos);
}

}  // namespace
}  // namespace chost::app
