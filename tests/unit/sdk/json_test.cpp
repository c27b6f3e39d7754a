// The SDK's typed JSON field helpers: optional bool and number, with the class and the field
// named on a wrong type; bad hook input is PERMANENT by default, config keys are CONFIG.
#include <gtest/gtest.h>
#include <connector_host/sdk/config.hpp>
#include <connector_host/sdk/json.hpp>

#include <optional>
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
  } catch (const chp::PermanentError& e) {
    EXPECT_STREQ(e.what(), "'on' must be a boolean");
  }
  try {
    chp::optional_number(o, "ratio", 0, chp::ErrorClass::kPermanent, "sync input");
    FAIL();
  } catch (const chp::PermanentError& e) {
    EXPECT_STREQ(e.what(), "sync input: 'ratio' must be a number");
  }
}

// Found by the sdk_json fuzzer: a double far beyond int64 (1.7e78) was converted to int64 to
// see whether it is integral, which is undefined behaviour; now it is "must be an integer".
TEST(JsonHelpers, OptionalIntRefusesNumbersBeyondInt64) {
  const boost::json::object o = chp::parse_object(
      R"({"huge":1.7e78,"edge":9223372036854775808.0,"low":-9.3e18,"ok":4096.0,"min":-9223372036854775808.0})",
      chp::ErrorClass::kPermanent, "grant");
  for (const char* key : {"huge", "edge", "low"}) {
    try {
      (void)chp::optional_int(o, key, 0, chp::ErrorClass::kPermanent, "grant");
      FAIL() << key;
    } catch (const chp::PermanentError& e) {
      EXPECT_EQ(std::string(e.what()), std::string("grant: '") + key + "' must be an integer");
    }
  }
  EXPECT_EQ(chp::optional_int(o, "ok", 0), 4096);
  EXPECT_EQ(chp::optional_int(o, "min", 0), INT64_MIN);
}

// plugin_api.h: CONFIG means "fix the YAML". A hook input or an API answer of the wrong shape
// is not in the YAML, and retrying sees the same bytes: PERMANENT, unless the caller says so.
TEST(JsonHelpers, BadHookInputIsPermanentByDefaultAndConfigKeysAreConfig) {
  boost::json::object input{{"since", 5}, {"page", "x"}, {"flag", 1}, {"opts", "no"}};
  auto class_of = [](auto&& f) {
    try {
      f();
    } catch (const chp::Error& e) {
      return std::optional<chp::ErrorClass>(e.cls());
    }
    return std::optional<chp::ErrorClass>();
  };
  EXPECT_EQ(class_of([&] { chp::optional_string(input, "since"); }), chp::ErrorClass::kPermanent);
  EXPECT_EQ(class_of([&] { chp::require_string(input, "missing"); }), chp::ErrorClass::kPermanent);
  EXPECT_EQ(class_of([&] { chp::optional_int(input, "page", 0); }), chp::ErrorClass::kPermanent);
  EXPECT_EQ(class_of([&] { chp::optional_bool(input, "flag", false); }),
            chp::ErrorClass::kPermanent);
  EXPECT_EQ(class_of([&] { chp::optional_object(input, "opts"); }), chp::ErrorClass::kPermanent);

  EXPECT_EQ(class_of([&] { chp::config_optional_string(input, "since"); }),
            chp::ErrorClass::kConfig);
  EXPECT_EQ(class_of([&] { chp::config_require_string(input, "missing"); }),
            chp::ErrorClass::kConfig);
  EXPECT_EQ(class_of([&] { chp::config_optional_int(input, "page", 0); }),
            chp::ErrorClass::kConfig);
  EXPECT_EQ(class_of([&] { chp::config_optional_bool(input, "flag", false); }),
            chp::ErrorClass::kConfig);
  EXPECT_EQ(class_of([&] { chp::config_optional_number(input, "page", 0); }),
            chp::ErrorClass::kConfig);
  EXPECT_EQ(class_of([&] { chp::config_optional_object(input, "opts"); }),
            chp::ErrorClass::kConfig);
  try {
    chp::config_require_string(input, "missing", "auth");
    FAIL();
  } catch (const chp::ConfigError& e) {
    EXPECT_STREQ(e.what(), "auth: 'missing' is required and must be a non-empty string");
  }
}

}  // namespace
