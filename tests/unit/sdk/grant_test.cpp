// The credential-hook payloads of grant.hpp: the grant codec round-trips, tokens can never be
// written to (or read from) the public connection part, the typed inputs name the offending
// field, and Call's typed setters write the wire shapes of plugin_api.h.
#include <gtest/gtest.h>
#include <connector_host/sdk/sdk.hpp>
#include <connector_host/testing/fake_call.hpp>
#include <connector_host/testing/fake_host.hpp>

#include <string>
#include <variant>

namespace {

using chp::testing::FakeCall;
using chp::testing::FakeHost;

chp::Grant full_grant() {
  chp::Grant g;
  g.credentials = {{"access_token", "AT"}, {"refresh_token", "RT"}, {"client_id", "ck"}};
  g.connection = {{"instance_url", "https://org.example.com"}, {"token_type", "Bearer"}};
  g.identity.user_id = "005U";
  g.identity.username = "integration@example.com";
  g.identity.display_name = "Integration User";
  g.identity.org_id = "00DO";
  g.identity.extra = {{"email", "int@example.com"}};
  g.expires_at_ms = 1700000360000;
  g.warnings = {"first", "second"};
  return g;
}

// Parses the error message a call to `f` throws as chp::PermanentError.
template <typename F>
std::string permanent_message(F&& f) {
  try {
    f();
  } catch (const chp::PermanentError& e) {
    return e.what();
  }
  return "<no PermanentError>";
}

TEST(GrantCodec, RoundTripsEveryField) {
  chp::Grant g = full_grant();
  boost::json::object wire = chp::to_json(g);
  EXPECT_EQ(chp::grant_from_json(wire), g);
  EXPECT_EQ(chp::grant_from_json(boost::json::serialize(wire)), g);
}

TEST(GrantCodec, WritesTheDocumentedWireShape) {
  boost::json::value wire = chp::to_json(full_grant());
  EXPECT_EQ(wire, boost::json::parse(R"({
      "credentials":{"access_token":"AT","refresh_token":"RT","client_id":"ck"},
      "connection":{"instance_url":"https://org.example.com","token_type":"Bearer"},
      "identity":{"email":"int@example.com","user_id":"005U",
                  "username":"integration@example.com","display_name":"Integration User",
                  "org_id":"00DO"},
      "expires_at_ms":1700000360000,
      "warnings":["first","second"]})"));
}

TEST(GrantCodec, LeavesOutUnknownExpiryAndEmptyIdentityMembers) {
  chp::Grant g;
  g.credentials = {{"access_token", "AT"}};
  g.identity.user_id = "005U";  // a refresh that only learns part of the identity
  boost::json::object wire = chp::to_json(g);
  EXPECT_FALSE(wire.contains("expires_at_ms"));
  EXPECT_EQ(wire.at("identity"), (boost::json::object{{"user_id", "005U"}}));
  EXPECT_EQ(wire.at("warnings"), boost::json::array{});
  EXPECT_EQ(chp::grant_from_json(wire), g);
}

TEST(GrantCodec, NamedIdentityFieldsWinOverExtra) {
  chp::Grant g;
  g.identity.user_id = "005U";
  g.identity.extra = {{"user_id", "spoofed"}, {"locale", "en_US"}};
  boost::json::object identity = chp::to_json(g).at("identity").as_object();
  EXPECT_EQ(identity.at("user_id"), "005U");
  EXPECT_EQ(identity.at("locale"), "en_US");
}

TEST(GrantCodec, RefusesEveryTokenInThePublicConnection) {
  for (std::string_view key : chp::kSecretGrantKeys) {
    chp::Grant g = full_grant();
    g.connection[key] = "leaked";
    std::string message = permanent_message([&] { chp::to_json(g); });
    EXPECT_NE(message.find("'" + std::string(key) + "'"), std::string::npos) << message;
    EXPECT_NE(message.find("credentials"), std::string::npos) << message;
    EXPECT_EQ(message.find("leaked"), std::string::npos) << "the secret is echoed: " << message;
  }
}

TEST(GrantCodec, RefusesTokensInIdentityExtra) {
  chp::Grant g = full_grant();
  g.identity.extra["id_token"] = "eyJ...";
  EXPECT_THROW(chp::to_json(g), chp::PermanentError);
}

TEST(GrantCodec, ParsingRefusesTokensInConnectionToo) {
  std::string message = permanent_message(
      [] { chp::grant_from_json(R"({"credentials":{},"connection":{"access_token":"AT"}})"); });
  EXPECT_NE(message.find("'access_token'"), std::string::npos) << message;
}

TEST(GrantCodec, ParseErrorsNameTheField) {
  EXPECT_NE(
      permanent_message([] { chp::grant_from_json(R"({"connection":{}})"); }).find("'credentials'"),
      std::string::npos);
  EXPECT_NE(permanent_message([] {
              chp::grant_from_json(R"({"credentials":{},"expires_at_ms":"soon"})");
            }).find("'expires_at_ms'"),
            std::string::npos);
  EXPECT_NE(permanent_message([] {
              chp::grant_from_json(R"({"credentials":{},"warnings":[1]})");
            }).find("'warnings'"),
            std::string::npos);
  EXPECT_NE(permanent_message([] {
              chp::grant_from_json(R"({"credentials":{},"identity":{"username":5}})");
            }).find("'username'"),
            std::string::npos);
  EXPECT_NE(permanent_message([] { chp::grant_from_json("not json"); }).find("grant"),
            std::string::npos);
}

TEST(AuthorizeInput, ParsesStartAndCallback) {
  chp::AuthorizeInput start = chp::parse_authorize_input(
      boost::json::parse(R"({"step":"start","redirect_uri":"http://127.0.0.1/cb"})").as_object());
  ASSERT_TRUE(std::holds_alternative<chp::AuthorizeStart>(start));
  EXPECT_EQ(std::get<chp::AuthorizeStart>(start).redirect_uri, "http://127.0.0.1/cb");

  // No step at all is a start without a redirect (non-interactive flows).
  chp::AuthorizeInput bare = chp::parse_authorize_input(boost::json::object{});
  ASSERT_TRUE(std::holds_alternative<chp::AuthorizeStart>(bare));
  EXPECT_TRUE(std::get<chp::AuthorizeStart>(bare).redirect_uri.empty());

  chp::AuthorizeInput cb = chp::parse_authorize_input(
      boost::json::parse(R"({"step":"callback","code":"C","state":"S","redirect_uri":"R"})")
          .as_object());
  ASSERT_TRUE(std::holds_alternative<chp::AuthorizeCallback>(cb));
  const auto& callback = std::get<chp::AuthorizeCallback>(cb);
  EXPECT_EQ(callback.code, "C");
  EXPECT_EQ(callback.state, "S");
  EXPECT_EQ(callback.redirect_uri, "R");
}

TEST(AuthorizeInput, ErrorsNameTheField) {
  auto message_for = [](const char* json) {
    return permanent_message(
        [&] { chp::parse_authorize_input(boost::json::parse(json).as_object()); });
  };
  EXPECT_NE(message_for(R"({"step":"callback","state":"S"})").find("'code'"), std::string::npos);
  EXPECT_NE(message_for(R"({"step":"callback","code":"C"})").find("'state'"), std::string::npos);
  EXPECT_NE(message_for(R"({"step":"callback","code":"C","state":""})").find("'state'"),
            std::string::npos);
  EXPECT_NE(message_for(R"({"step":"start","redirect_uri":7})").find("'redirect_uri'"),
            std::string::npos);
  std::string unknown = message_for(R"({"step":"finish"})");
  EXPECT_NE(unknown.find("'step'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("finish"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("authorize input"), std::string::npos) << unknown;
}

TEST(CredentialsInput, ParsesAndToleratesAbsentCredentials) {
  chp::CredentialsInput in = chp::parse_credentials_input(
      boost::json::parse(R"({"credentials":{"refresh_token":"RT","empty":""}})").as_object());
  EXPECT_EQ(in.credential("refresh_token"), "RT");
  EXPECT_EQ(in.credential("empty"), std::nullopt);
  EXPECT_EQ(in.credential("missing"), std::nullopt);
  EXPECT_TRUE(chp::parse_credentials_input(boost::json::object{}).credentials.empty());
}

TEST(CredentialsInput, ErrorsNameTheField) {
  std::string message = permanent_message([] {
    chp::parse_credentials_input(boost::json::parse(R"({"credentials":"RT"})").as_object());
  });
  EXPECT_NE(message.find("'credentials'"), std::string::npos) << message;
  chp::CredentialsInput in =
      chp::parse_credentials_input(boost::json::parse(R"({"credentials":{"rt":1}})").as_object());
  message = permanent_message([&] { in.credential("rt"); });
  EXPECT_NE(message.find("'rt'"), std::string::npos) << message;
}

TEST(CallTypedOutput, SetGrantWritesTheGrantAndRefusesALeak) {
  FakeCall fake;
  chp::Call call(FakeHost::table(), fake.get());
  call.set_grant(full_grant());
  ASSERT_TRUE(fake.has_output());
  EXPECT_EQ(chp::grant_from_json(fake.output()), full_grant());

  FakeCall leaking;
  chp::Call leaking_call(FakeHost::table(), leaking.get());
  chp::Grant bad = full_grant();
  bad.connection["refresh_token"] = "RT";
  EXPECT_THROW(leaking_call.set_grant(bad), chp::PermanentError);
  EXPECT_FALSE(leaking.has_output());  // nothing half-written reaches the host
}

TEST(CallTypedOutput, SetAuthorizeRedirectWritesUrlAndState) {
  FakeCall fake;
  chp::Call call(FakeHost::table(), fake.get());
  call.set_authorize_redirect("https://login.example.com/authorize?x=1", "st");
  EXPECT_EQ(boost::json::parse(fake.output()),
            boost::json::parse(
                R"({"authorize_url":"https://login.example.com/authorize?x=1","state":"st"})"));
}

}  // namespace
