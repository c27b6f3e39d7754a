// GET /v1.0/users/{id | userPrincipalName}, $select, $filter and the directory's 404 body.
#include "graph_test_fixture.h"

namespace chpeer::graph::testing {
namespace {

namespace json = boost::json;

TEST_F(GraphPeerTest, UserByIdAndByUserPrincipalNameReturnTheDefaultProperties) {
  std::string token = Token();
  HttpResult by_id = Get("/v1.0/users/" + std::string(kAlice), token);
  HttpResult by_upn = Get("/v1.0/users/alice@contoso.example", token);
  ASSERT_EQ(by_id.status, 200) << by_id.body;
  ASSERT_EQ(by_upn.status, 200) << by_upn.body;
  EXPECT_NE(by_id.Header("Content-Type").find("odata.metadata=minimal"), std::string::npos);
  json::value user = by_id.Json();
  EXPECT_EQ(Str(user, "@odata.context"), peer_->base_url() + "/v1.0/$metadata#users/$entity");
  EXPECT_EQ(Str(user, "id"), kAlice);
  EXPECT_EQ(Str(user, "userPrincipalName"), "alice@contoso.example");
  EXPECT_EQ(Str(user, "mail"), "alice@contoso.example");
  EXPECT_EQ(Str(user, "displayName"), "Alice Adams");
  EXPECT_EQ(Str(user, "jobTitle"), "Account Executive");
  EXPECT_TRUE(user.at("businessPhones").is_array());
  EXPECT_FALSE(user.as_object().contains("accountEnabled"));
  EXPECT_EQ(Str(by_upn.Json(), "id"), kAlice);
}

TEST_F(GraphPeerTest, UserSelectReturnsOnlyTheSelectedProperties) {
  HttpResult r =
      Get("/v1.0/users/dave@contoso.example?$select=displayName,accountEnabled", Token());
  ASSERT_EQ(r.status, 200) << r.body;
  json::object user = r.Json().as_object();
  EXPECT_EQ(user.size(), 3u) << r.body;  // @odata.context + 2
  EXPECT_EQ(user.at("accountEnabled").as_bool(), false);
  EXPECT_EQ(Str(user, "@odata.context"),
            peer_->base_url() + "/v1.0/$metadata#users(displayName,accountEnabled)/$entity");
}

TEST_F(GraphPeerTest, UnknownUserIsRequestResourceNotFound) {
  HttpResult r = Get("/v1.0/users/nobody@contoso.example", Token());
  EXPECT_EQ(r.status, 404);
  json::value error = r.Json().at("error");
  EXPECT_EQ(Str(error, "code"), "Request_ResourceNotFound");
  EXPECT_EQ(Str(error, "message"),
            "Resource 'nobody@contoso.example' does not exist or one of its queried "
            "reference-property objects are not present.");
  EXPECT_FALSE(Str(error.at("innerError"), "request-id").empty());
}

TEST_F(GraphPeerTest, UsersFilterByMail) {
  std::string token = Token();
  HttpResult r =
      Get("/v1.0/users?$filter=" + PercentEncode("mail eq 'bob.brown@contoso.example'"), token);
  ASSERT_EQ(r.status, 200) << r.body;
  json::array value = r.Json().at("value").as_array();
  ASSERT_EQ(value.size(), 1u);
  EXPECT_EQ(Str(value[0], "id"), kBob);
  HttpResult all = Get("/v1.0/users", token);
  EXPECT_EQ(all.Json().at("value").as_array().size(), 4u);
  EXPECT_EQ(Get("/v1.0/users?$filter=" + PercentEncode("startswith(mail,'b')"), token).status, 400);
}

TEST_F(GraphPeerTest, MeIsRejectedForAppOnlyTokens) {
  HttpResult r = Get("/v1.0/me/messages", Token());
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Str(r.Json().at("error"), "code"), "BadRequest");
}

}  // namespace
}  // namespace chpeer::graph::testing
