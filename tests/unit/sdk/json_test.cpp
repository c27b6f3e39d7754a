// The SDK's typed JSON field helpers: optional bool and number, with the class and the field
// named on a wrong type.
#include <gtest/gtest.h>
#include <connector_host/sdk/json.hpp>

#include <string>

namespace {

TEST(JsonHelpers, OptionalBoolAndNumberReadTheFieldOrTheFallback) {
  boost::json::object o{{"on", true}, {"ratio", 0.25}, {"count", 3}, {"none", nullptr}};
  EXPECT_TRUE(chp::optional_bool(o, "on", false));
  EXPECT_FALSE(chp::optional_bool(o, "missing", false));
  EXPECT_TRUE(chp::optional_bool(o, "none", true));
  EXPECT_DOUBLE_EQ(chp::optional_number(o, "ratio", 1.0), 0.25);
  EXPECT_DOUBLE_EQ(chp::optional_number(o, "count", 1.0), 3.0);
  EXPECT_DOUBLE_EQ(chp::optional_number(o, "missing", 1.5), 1.5);
}

TEST(JsonHelpers, AWrongTypeNamesTheFieldWithTheGivenClass) {
  boost::json::object o{{"on", "yes"}, {"ratio", "half"}};
  try {
    chp::optional_bool(o, "on", false);
    FAIL();
  } catch (const chp::ConfigError& e) {
    EXPECT_STREQ(e.what(), "'on' must be a boolean");
  }
  try {
    chp::optional_number(o, "ratio", 0, chp::ErrorClass::kPermanent, "sync input");
    FAIL();
  } catch (const chp::PermanentError& e) {
    EXPECT_STREQ(e.what(), "sync input: 'ratio' must be a number");
  }
}

}  // namespace
