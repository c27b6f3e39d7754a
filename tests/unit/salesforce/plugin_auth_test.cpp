// The salesforce plugin's authorize / refresh / disable hooks through the ABI adapter, with
// FakeHost playing the host and scripted HTTP playing Salesforce's OAuth endpoints.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/oauth/pkce.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "salesforce_connector.hpp"
#include "sf_config.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;
using sfplugin::SalesforceConnector;

constexpr const char* kWebConfig =
    R"({"login_url":"https://login.example.com","client_id":"ck","client_secret":"cs",
        "revoke_on_disable":true,"objects":[]})";

std::map<std::string, std::string> form_of(const std::string& body) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t amp = body.find('&', pos);
    std::string pair = body.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
    std::size_t eq = pair.find('=');
    if (eq != std::string::npos) {
      out[*chp::http::url_decode(pair.substr(0, eq), chp::http::SpaceEncoding::kPlus)] =
          *chp::http::url_decode(pair.substr(eq + 1), chp::http::SpaceEncoding::kPlus);
    }
    if (amp == std::string::npos) break;
    pos = amp + 1;
  }
  return out;
}

std::string query_param(const std::string& url, const std::string& name) {
  return form_of(url.substr(url.find('?') + 1))[name];
}

FakeHttpResponse ok_json(std::string body) {
  return FakeHttpResponse{CHP_OK, 200, {}, std::move(body)};
}

FakeHttpResponse userinfo(const std::string& username, const std::string& user_type) {
  return ok_json(R"({"user_id":"005U","organization_id":"00DO","preferred_username":")" + username +
                 R"(","name":"Some One","user_type":")" + user_type + R"("})");
}

bool is_organization_query(const std::string& url) {
  return url.starts_with("https://org.example.com/services/data/") &&
         url.find("/query?q=") != std::string::npos &&
         query_param(url, "q").find("FROM Organization") != std::string::npos;
}

// The Organization row as Salesforce's REST query answers it.
FakeHttpResponse organization(bool is_sandbox) {
  return ok_json(
      std::string(R"({"totalSize":1,"done":true,"records":[{"attributes":)") +
      R"({"type":"Organization","url":"/services/data/v62.0/sobjects/Organization/00DO"},)" +
      R"("IsSandbox":)" + (is_sandbox ? "true" : "false") +
      R"(,"OrganizationType":"Enterprise Edition"}]})");
}

constexpr const char* kTokenBody =
    R"({"access_token":"AT","refresh_token":"RT2","instance_url":"https://org.example.com",
        "id":"https://login.example.com/id/00DO/005U","token_type":"Bearer",
        "issued_at":"1700000000000","signature":"sig"})";

// The public parts are stored in clear and shown to admins: no token may be there, under any
// of the names the SDK treats as secret, nor as a value anywhere in them.
void expect_no_token_in_public_parts(const boost::json::object& out) {
  for (const char* part : {"connection", "identity"}) {
    const boost::json::object& obj = out.at(part).as_object();
    for (std::string_view key : chp::kSecretGrantKeys) {
      EXPECT_FALSE(obj.contains(key)) << part << " holds " << key;
    }
    std::string text = boost::json::serialize(obj);
    for (const char* token : {"\"AT\"", "\"AT3\"", "\"RT1\"", "\"RT2\""}) {
      EXPECT_EQ(text.find(token), std::string::npos) << part << ": " << text;
    }
  }
}

class AuthTest : public ::testing::Test {
 protected:
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<SalesforceConnector>(), host_};
};

TEST_F(AuthTest, WebServerFlowWithPkceEndToEnd) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  auto start = plugin_.authorize(R"({"step":"start","redirect_uri":"http://127.0.0.1:8080/cb"})");
  ASSERT_TRUE(start.ok()) << start.error;
  boost::json::object out = boost::json::parse(start.output).as_object();
  std::string url(out.at("authorize_url").as_string());
  std::string state(out.at("state").as_string());
  EXPECT_TRUE(url.starts_with("https://login.example.com/services/oauth2/authorize?"));
  EXPECT_EQ(query_param(url, "state"), state);
  EXPECT_EQ(query_param(url, "code_challenge_method"), "S256");
  EXPECT_EQ(query_param(url, "redirect_uri"), "http://127.0.0.1:8080/cb");
  auto pending = host_.state_value(std::string(SalesforceConnector::kPendingAuthPrefix) + state);
  ASSERT_TRUE(pending);
  std::string verifier(boost::json::parse(*pending).at("code_verifier").as_string());
  EXPECT_EQ(query_param(url, "code_challenge"), chp::oauth::pkce_challenge_s256(verifier));

  host_.set_http_handler([&](const FakeHttpRequest& req) {
    if (req.url == "https://login.example.com/services/oauth2/token") {
      auto form = form_of(req.body);
      EXPECT_EQ(form["grant_type"], "authorization_code");
      EXPECT_EQ(form["code"], "the-code");
      EXPECT_EQ(form["code_verifier"], verifier);
      EXPECT_EQ(form["client_secret"], "cs");
      EXPECT_EQ(req.flags & CHP_HTTP_BODY_IS_SECRET, CHP_HTTP_BODY_IS_SECRET);
      return ok_json(kTokenBody);
    }
    // One more request than before the environment was shown: the Organization query.
    if (is_organization_query(req.url)) return organization(true);
    EXPECT_EQ(req.url, "https://org.example.com/services/oauth2/userinfo");
    return userinfo("alice@example.com", "STANDARD");
  });
  auto cb = plugin_.authorize(R"({"step":"callback","code":"the-code","state":")" + state +
                              R"(","redirect_uri":"http://127.0.0.1:8080/cb"})");
  ASSERT_TRUE(cb.ok()) << cb.error;
  boost::json::object creds = boost::json::parse(cb.output).as_object();
  EXPECT_EQ(creds.at("credentials").at("refresh_token").as_string(), "RT2");
  EXPECT_EQ(creds.at("credentials").at("access_token").as_string(), "AT");
  EXPECT_EQ(creds.at("connection").at("instance_url").as_string(), "https://org.example.com");
  EXPECT_EQ(creds.at("connection").at("issued_at_ms").as_int64(), 1700000000000);
  // The whole identity from userinfo, not just the ids of the id URL, and the environment from
  // Organization.IsSandbox.
  EXPECT_EQ(creds.at("identity"),
            (boost::json::object{{"user_id", "005U"},
                                 {"username", "alice@example.com"},
                                 {"display_name", "Some One"},
                                 {"org_id", "00DO"},
                                 {"environment", "sandbox"},
                                 {"organization_type", "Enterprise Edition"}}));
  expect_no_token_in_public_parts(creds);
  ASSERT_EQ(creds.at("warnings").as_array().size(),
            1u);  // alice is a person, not an integration user
  EXPECT_FALSE(host_.state_value(std::string(SalesforceConnector::kPendingAuthPrefix) + state));

  // The state is single-use: a replayed callback never reaches the token endpoint.
  std::size_t before = host_.http_requests().size();
  auto replay =
      plugin_.authorize(R"({"step":"callback","code":"the-code","state":")" + state + "\"}");
  EXPECT_EQ(replay.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(replay.error.find("OAuth state"), std::string::npos);
  EXPECT_EQ(host_.http_requests().size(), before);
  for (const auto& line : host_.logs()) {
    EXPECT_EQ(line.message.find("RT2"), std::string::npos);
    EXPECT_EQ(line.message.find(verifier), std::string::npos);
  }
}

TEST_F(AuthTest, MalformedAuthorizeInputNamesTheField) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  auto r = plugin_.authorize(R"({"step":"callback","state":"s"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(r.error.find("'code'"), std::string::npos) << r.error;
  r = plugin_.authorize(R"({"step":"start"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(r.error.find("'redirect_uri'"), std::string::npos) << r.error;
  r = plugin_.authorize(R"({"step":"resume"})");
  EXPECT_NE(r.error.find("'step'"), std::string::npos) << r.error;
  r = plugin_.refresh(R"({"credentials":{"refresh_token":7}})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_NE(r.error.find("'refresh_token'"), std::string::npos) << r.error;
  EXPECT_TRUE(host_.http_requests().empty());
}

TEST_F(AuthTest, CallbackWithUnknownStateIsRefused) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  auto r = plugin_.authorize(R"({"step":"callback","code":"c","state":"forged"})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_PERMANENT));
  EXPECT_TRUE(host_.http_requests().empty());
}

TEST_F(AuthTest, RefreshKeepsRotatedTokenOrTheOldOne) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  bool rotate = true;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    auto form = form_of(req.body);
    EXPECT_EQ(form["grant_type"], "refresh_token");
    EXPECT_EQ(form["refresh_token"], "RT1");
    return ok_json(rotate ? kTokenBody
                          : R"({"access_token":"AT3","instance_url":"https://org.example.com",
                                "id":"https://login.example.com/id/00DO/005U"})");
  });
  auto r = plugin_.refresh(R"({"credentials":{"refresh_token":"RT1","client_id":"ck"}})");
  ASSERT_TRUE(r.ok()) << r.error;
  auto out = boost::json::parse(r.output);
  EXPECT_EQ(out.at("credentials").at("refresh_token").as_string(), "RT2");
  EXPECT_EQ(out.at("credentials").at("access_token").as_string(), "AT");
  // Only what the id URL says; the absent username/display name mean "unchanged" to the host.
  EXPECT_EQ(out.at("identity"), (boost::json::object{{"user_id", "005U"}, {"org_id", "00DO"}}));
  expect_no_token_in_public_parts(out.as_object());
  EXPECT_EQ(host_.http_requests().size(), 1u);  // no userinfo call on refresh

  rotate = false;
  r = plugin_.refresh(R"({"credentials":{"refresh_token":"RT1"}})");
  ASSERT_TRUE(r.ok()) << r.error;
  out = boost::json::parse(r.output);
  EXPECT_EQ(out.at("credentials").at("refresh_token").as_string(), "RT1");
  EXPECT_EQ(out.at("credentials").at("access_token").as_string(), "AT3");
  expect_no_token_in_public_parts(out.as_object());
}

TEST_F(AuthTest, RefreshWithDeadGrantIsAuthRevokedWithSalesforceText) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{
        CHP_OK,
        400,
        {},
        R"({"error":"invalid_grant","error_description":"expired access/refresh token"})"};
  });
  auto r = plugin_.refresh(R"({"credentials":{"refresh_token":"RT1"}})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
  EXPECT_NE(r.error.find("invalid_grant: expired access/refresh token"), std::string::npos);
  EXPECT_EQ(r.error.find("RT1"), std::string::npos);

  auto none = plugin_.refresh(R"({"credentials":{}})");
  EXPECT_EQ(none.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
}

// Salesforce's answer while another request with the same refresh token is processed is an
// invalid_grant, but no dead grant: the refresh reports a conflict (the host re-reads the
// stored grant), never auth_revoked, and sends nothing more.
TEST_F(AuthTest, TokenRequestAlreadyBeingProcessedIsAConflictNotARevokedGrant) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  host_.set_http_handler([](const FakeHttpRequest&) {
    return FakeHttpResponse{
        CHP_OK,
        400,
        {},
        R"({"error":"invalid_grant","error_description":"token request is already being processed"})"};
  });
  auto r = plugin_.refresh(R"({"credentials":{"refresh_token":"RT1"}})");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFLICT)) << r.error;
  EXPECT_NE(r.error.find("token request is already being processed"), std::string::npos) << r.error;
  EXPECT_EQ(r.error.find("RT1"), std::string::npos);
  EXPECT_EQ(host_.http_requests().size(), 1u);
}

TEST_F(AuthTest, DisableRevokesAndTreatsAlreadyRevokedAsDone) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(kWebConfig)).ok());
  host_.seed_state("checkpoint/Account", "2024-01-01T00:00:00.000+0000");
  host_.set_http_handler([](const FakeHttpRequest& req) {
    EXPECT_EQ(req.url, "https://login.example.com/services/oauth2/revoke");
    EXPECT_EQ(form_of(req.body)["token"], "RT1");
    return FakeHttpResponse{
        CHP_OK, 400, {}, R"({"error":"invalid_token","error_description":"invalid token"})"};
  });
  auto r = plugin_.disable(R"({"credentials":{"refresh_token":"RT1"}})");
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(host_.http_requests().size(), 1u);
  EXPECT_TRUE(host_.state_value("checkpoint/Account"));  // checkpoints are kept
}

std::string write_test_key() {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::string path = (std::filesystem::temp_directory_path() /
                      ("sf_test_key_" + std::to_string(::getpid()) + ".pem"))
                         .string();
  FILE* f = std::fopen(path.c_str(), "w");
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  return path;
}

TEST_F(AuthTest, JwtBearerAuthorizesInOneStep) {
  std::string key_path = write_test_key();
  std::string config = R"({"login_url":"https://login.example.com","client_id":"ck",
      "auth_flow":"jwt_bearer","username":"integration@example.com","private_key_file":")" +
                       key_path + "\"}";
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config)).ok());
  host_.set_http_handler([](const FakeHttpRequest& req) {
    if (req.url.ends_with("/token")) {
      auto form = form_of(req.body);
      EXPECT_EQ(form["grant_type"], "urn:ietf:params:oauth:grant-type:jwt-bearer");
      EXPECT_EQ(std::count(form["assertion"].begin(), form["assertion"].end(), '.'), 2);
      return ok_json(R"({"access_token":"AT","instance_url":"https://org.example.com",
                         "id":"https://login.example.com/id/00DO/005I","token_type":"Bearer"})");
    }
    if (is_organization_query(req.url)) return organization(false);
    return userinfo("integration@example.com", "STANDARD");
  });
  auto r = plugin_.authorize(R"({"step":"start","redirect_uri":"http://x"})");
  std::filesystem::remove(key_path);
  ASSERT_TRUE(r.ok()) << r.error;
  auto out = boost::json::parse(r.output);
  EXPECT_EQ(out.at("credentials").at("auth_flow").as_string(), "jwt_bearer");
  EXPECT_FALSE(out.at("credentials").as_object().contains("refresh_token"));
  EXPECT_EQ(out.at("credentials").at("access_token").as_string(), "AT");
  expect_no_token_in_public_parts(out.as_object());
  EXPECT_TRUE(out.at("warnings").as_array().empty());
  EXPECT_EQ(out.at("identity").at("environment").as_string(), "production");
}

// The grant is good even when the org will not say what it is: a warning, no guessed
// environment.
TEST_F(AuthTest, AnOrganizationQueryRefusedLeavesTheEnvironmentUnknownWithAWarning) {
  std::string key_path = write_test_key();
  ASSERT_TRUE(
      plugin_
          .create(sfplugin::sf_config(R"({"login_url":"https://login.example.com","client_id":"ck",
      "auth_flow":"jwt_bearer","username":"integration@example.com","private_key_file":")" +
                                      key_path + "\"}"))
          .ok());
  int organization_queries = 0;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    if (req.url.ends_with("/token")) {
      return ok_json(R"({"access_token":"AT","instance_url":"https://org.example.com",
                         "id":"https://login.example.com/id/00DO/005I","token_type":"Bearer"})");
    }
    if (is_organization_query(req.url)) {
      ++organization_queries;
      return FakeHttpResponse{
          CHP_OK,
          403,
          {},
          R"([{"message":"Insufficient privileges","errorCode":"INSUFFICIENT_ACCESS"}])"};
    }
    return userinfo("integration@example.com", "STANDARD");
  });
  auto r = plugin_.authorize(R"({"step":"start","redirect_uri":"http://x"})");
  std::filesystem::remove(key_path);
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(organization_queries, 1);
  auto out = boost::json::parse(r.output);
  EXPECT_FALSE(out.at("identity").as_object().contains("environment")) << out;
  ASSERT_EQ(out.at("warnings").as_array().size(), 1u) << out;
  const std::string warning(out.at("warnings").at(0).as_string());
  EXPECT_NE(warning.find("could not read the org's environment"), std::string::npos) << warning;
  EXPECT_NE(warning.find("INSUFFICIENT_ACCESS"), std::string::npos) << warning;
}

TEST_F(AuthTest, ConfigErrorsNameTheField) {
  auto r = plugin_.create(sfplugin::sf_config(R"({"client_id":"ck","auth_flow":"jwt_bearer"})"));
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_NE(r.error.find("username"), std::string::npos);
  r = plugin_.create(
      sfplugin::sf_config(R"({"client_id":"ck","objects":[{"name":"Acc ount","fields":[]}]})"));
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_NE(r.error.find("objects[0].name"), std::string::npos);
  r = plugin_.create(sfplugin::sf_config(
      R"({"client_id":"ck","objects":[{"name":"Account","fields":["Name; DROP"]}]})"));
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  r = plugin_.create(sfplugin::sf_config(R"({"client_id":"ck","auth_flow":"client_credentials"})"));
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG));
  EXPECT_NE(r.error.find("client_secret"), std::string::npos);
}

// Salesforce's documented OAuth hosts: login, test (sandboxes), My Domains of production and
// sandbox orgs, Experience Cloud sites; every endpoint needs HTTPS.
TEST_F(AuthTest, SandboxAndMyDomainLoginUrlsAreTakenAndOthersRefusedNamingTheField) {
  for (const char* good :
       {"https://login.salesforce.com", "https://test.salesforce.com/",
        "https://acme.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com",
        "https://acme.my.site.com", "http://127.0.0.1:8443"}) {
    chp::ConfigProblems problems;
    SalesforceConnector::validate(boost::json::object{{"login_url", good}}, problems);
    EXPECT_TRUE(problems.empty()) << good << ": " << problems.items().front().message;
  }
  struct Bad {
    const char* url;
    const char* says;
  };
  for (const Bad& bad : {Bad{"login.salesforce.com", "must be an https URL"},
                         Bad{"http://acme.my.salesforce.com", "must use https"},
                         Bad{"https://acme.my.salesforce.com/services/oauth2/token", "no path"},
                         Bad{"https://acme.my.salesforce.com?x=1", "no path, query"},
                         Bad{"https://user:pw@acme.my.salesforce.com", "credentials"},
                         Bad{"https://acme.lightning.force.com", "My Domain login URL"},
                         Bad{"https://acme.my.salesforce-setup.com", "My Domain login URL"}}) {
    chp::ConfigProblems problems;
    SalesforceConnector::validate(boost::json::object{{"login_url", bad.url}}, problems);
    ASSERT_EQ(problems.items().size(), 1u) << bad.url;
    EXPECT_EQ(problems.items()[0].pointer, "/login_url");
    EXPECT_NE(problems.items()[0].message.find(bad.says), std::string::npos)
        << bad.url << ": " << problems.items()[0].message;
    EXPECT_EQ(problems.items()[0].message.find("pw@"), std::string::npos);
    // create() refuses the same, naming the field.
    auto r = plugin_.create(
        sfplugin::sf_config(std::string(R"({"client_id":"ck","login_url":")") + bad.url + "\"}"));
    EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_CONFIG)) << bad.url;
    EXPECT_NE(r.error.find("login_url"), std::string::npos) << r.error;
  }
  // check-config leaves ${env:..} references unresolved: they are checked at run time.
  chp::ConfigProblems problems;
  SalesforceConnector::validate(boost::json::object{{"login_url", "${env:SF_LOGIN_URL}"}},
                                problems);
  EXPECT_TRUE(problems.empty());
}

// A sandbox My Domain: the token goes to the login URL, every API call to the instance_url the
// token response names (which need not be the login host), and the JWT audience of a sandbox
// My Domain is test.salesforce.com.
TEST_F(AuthTest, APICallsGoToTheTokenResponsesInstanceUrlNotTheLoginUrl) {
  ASSERT_TRUE(plugin_
                  .create(sfplugin::sf_config(
                      R"({"login_url":"https://acme--uat.sandbox.my.salesforce.com",
                          "client_id":"ck","client_secret":"cs","auth_flow":"client_credentials"})"))
                  .ok());
  std::vector<std::string> urls;
  host_.set_http_handler([&](const FakeHttpRequest& req) {
    urls.push_back(req.url);
    if (req.url == "https://acme--uat.sandbox.my.salesforce.com/services/oauth2/token") {
      return ok_json(R"({"access_token":"AT","instance_url":"https://org.example.com",
                         "id":"https://test.salesforce.com/id/00DO/005U","token_type":"Bearer",
                         "issued_at":"1700000000000"})");
    }
    if (is_organization_query(req.url)) return organization(true);
    return userinfo("integration@example.com", "STANDARD");
  });
  auto r = plugin_.authorize(R"({"step":"start"})");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_EQ(urls[1], "https://org.example.com/services/oauth2/userinfo");
  EXPECT_TRUE(is_organization_query(urls[2])) << urls[2];
  EXPECT_EQ(boost::json::parse(r.output).at("connection").at("instance_url").as_string(),
            "https://org.example.com");
  EXPECT_EQ(chp::salesforce::default_jwt_audience("https://acme--uat.sandbox.my.salesforce.com"),
            "https://test.salesforce.com");
  EXPECT_EQ(chp::salesforce::default_jwt_audience("https://acme.my.salesforce.com"),
            "https://login.salesforce.com");
}

TEST(IntegrationUserHeuristic, NamesAndUserType) {
  chp::salesforce::UserInfo info;
  info.user_type = "STANDARD";
  info.username = "integration@acme.com";
  EXPECT_TRUE(sfplugin::looks_like_integration_user(info));
  info.username = "alice@acme.com";
  info.display_name = "Alice";
  EXPECT_FALSE(sfplugin::looks_like_integration_user(info));
  info.username = "svc-sync@acme.com";
  info.user_type = "PARTNER";
  EXPECT_FALSE(sfplugin::looks_like_integration_user(info));
}

}  // namespace
