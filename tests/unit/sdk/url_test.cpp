// URL/query/form encoding helpers and the JSON field accessors.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/form.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/json.hpp>

namespace {

using chp::http::SpaceEncoding;

TEST(Url, EncodesEverythingButUnreserved) {
  EXPECT_EQ(chp::http::url_encode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(chp::http::url_encode("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
  EXPECT_EQ(chp::http::url_encode("a b+", SpaceEncoding::kPlus), "a+b%2B");
}

TEST(Url, DecodeRoundTripsAndRejectsMalformedEscapes) {
  EXPECT_EQ(chp::http::url_decode("a%20b%2Fc"), "a b/c");
  EXPECT_EQ(chp::http::url_decode("a+b%2B", SpaceEncoding::kPlus), "a b+");
  EXPECT_EQ(chp::http::url_decode("a+b"), "a+b");
  EXPECT_FALSE(chp::http::url_decode("bad%2").has_value());
  EXPECT_FALSE(chp::http::url_decode("bad%zz").has_value());
  EXPECT_FALSE(chp::http::url_decode("%").has_value());
  std::string all;
  for (int c = 0; c < 256; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(chp::http::url_decode(chp::http::url_encode(all)), all);
}

TEST(Url, AppendQueryPicksSeparatorAndKeepsFragment) {
  EXPECT_EQ(chp::http::append_query("https://h/p", {{"q", "a b"}, {"n", "1"}}),
            "https://h/p?q=a%20b&n=1");
  EXPECT_EQ(chp::http::append_query("https://h/p?x=1", {{"y", "2"}}), "https://h/p?x=1&y=2");
  EXPECT_EQ(chp::http::append_query("https://h/p?", {{"y", "2"}}), "https://h/p?y=2");
  EXPECT_EQ(chp::http::append_query("https://h/p#frag", {{"y", "2"}}), "https://h/p?y=2#frag");
  EXPECT_EQ(chp::http::append_query("https://h/p", {}), "https://h/p");
}

TEST(FormBody, BuildsUrlEncodedSecretPost) {
  chp::http::FormBody form;
  form.add("grant_type", "refresh_token").add("refresh_token", "a/b c");
  EXPECT_EQ(form.str(), "grant_type=refresh_token&refresh_token=a%2Fb+c");
  chp::http::Request req = form.to_post("https://login/token");
  EXPECT_EQ(req.method, "POST");
  EXPECT_TRUE(req.body_is_secret);
  EXPECT_EQ(req.body, form.str());
  EXPECT_EQ(req.headers.at(0).second, "application/x-www-form-urlencoded");
}

TEST(Json, ParseObjectThrowsRequestedClassWithoutEchoingText) {
  try {
    chp::parse_object("{\"secret\":", chp::ErrorClass::kConfig, "config");
    FAIL();
  } catch (const chp::Error& e) {
    EXPECT_EQ(e.cls(), chp::ErrorClass::kConfig);
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos);
  }
  EXPECT_THROW(chp::parse_object("[]", chp::ErrorClass::kPermanent, "x"), chp::PermanentError);
}

TEST(Json, FieldAccessorsNameTheField) {
  boost::json::object o =
      boost::json::parse(R"({"s":"v","e":"","n":3,"d":2.0,"f":1.5})").as_object();
  EXPECT_EQ(chp::require_string(o, "s"), "v");
  EXPECT_EQ(chp::optional_string(o, "missing"), std::nullopt);
  EXPECT_EQ(chp::optional_int(o, "n", 0), 3);
  EXPECT_EQ(chp::optional_int(o, "d", 0), 2);
  EXPECT_EQ(chp::optional_int(o, "missing", 9), 9);
  try {
    chp::require_string(o, "e");
    FAIL();
  } catch (const chp::PermanentError& e) {
    EXPECT_NE(std::string(e.what()).find("'e'"), std::string::npos);
  }
  EXPECT_THROW(chp::optional_int(o, "f", 0), chp::PermanentError);
  EXPECT_THROW(chp::optional_string(o, "n"), chp::PermanentError);
}

}  // namespace
