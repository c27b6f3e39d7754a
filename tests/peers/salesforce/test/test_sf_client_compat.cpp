// Where a widely used third-party Salesforce client found the peer unlike Salesforce's docs:
// external ids that are not unique, query cursors, the version resources, ?fields=, retrieve
// by POST, failed delete items, describe's childRelationships and describeGlobal keys, and the
// revoke error body.
#include "sf_test_client.h"
#include "sf_util.h"

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

class SfClientCompatTest : public SfPeerTest {
 protected:
  void SetUp() override {
    SfPeerTest::SetUp();
    token_ = ServiceToken();
  }
  HttpResult Send(const std::string& method, const std::string& path, const json::value& body) {
    return client_->SendJson(method, std::string(kApi) + path, body, token_);
  }
  HttpResult Get(const std::string& path, const std::vector<std::string>& extra = {}) {
    return client_->Get(path.starts_with("/services") ? path : std::string(kApi) + path, token_,
                        extra);
  }
  std::string Create(const json::object& account) {
    HttpResult r = Send("POST", "/sobjects/Account", account);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.status == 201 ? std::string(r.Json().at("id").as_string()) : "";
  }
  std::string token_;
};

TEST_F(SfClientCompatTest, AnExternalIdIsNotUniqueUnlessDeclaredAndTwoMatchesAnswer300) {
  // demo.json declares Account.External_Id__c as an External ID, not as Unique.
  std::string a = Create({{"Name", "One"}, {"External_Id__c", "SHARED-1"}});
  std::string b = Create({{"Name", "Two"}, {"External_Id__c", "SHARED-1"}});
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());

  HttpResult upsert =
      Send("PATCH", "/sobjects/Account/External_Id__c/SHARED-1", json::object{{"Name", "Three"}});
  ASSERT_EQ(upsert.status, 300) << upsert.body;
  json::array urls = upsert.Json().as_array();
  ASSERT_EQ(urls.size(), 2u);
  std::vector<std::string> got{std::string(urls[0].as_string()), std::string(urls[1].as_string())};
  std::sort(got.begin(), got.end());
  std::vector<std::string> want{std::string(kApi) + "/sobjects/Account/" + a,
                                std::string(kApi) + "/sobjects/Account/" + b};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
}

TEST_F(SfClientCompatTest, FinishedCursorsAreFreedAndOpenOnesOutliveOtherQueries) {
  client_->Control(
      "POST", "generate",
      json::object{{"sobject", "Account"}, {"count", 450}, {"fields", {{"Name", "A {n}"}}}});
  std::vector<std::string> small{"Sforce-Query-Options: batchSize=200"};
  HttpResult first = Get(Q("SELECT Id FROM Account ORDER BY Name"), small);
  ASSERT_EQ(first.status, 200) << first.body;
  std::string next(first.Json().at("nextRecordsUrl").as_string());

  // 25 more queries, each answered in one page: Salesforce keeps no limit on open cursors
  // (since API 56.0) and frees a finished one, so the open cursor survives.
  for (int i = 0; i < 25; ++i) {
    ASSERT_TRUE(Get(Q("SELECT Id FROM Account LIMIT 5")).Json().at("done").as_bool());
  }
  EXPECT_EQ(client_->Control("GET", "counters").at("open_cursors").as_int64(), 1);

  HttpResult second = Get(next, small);
  ASSERT_EQ(second.status, 200) << second.body;
  std::string last(second.Json().at("nextRecordsUrl").as_string());
  HttpResult third = Get(last, small);
  ASSERT_EQ(third.status, 200) << third.body;
  EXPECT_TRUE(third.Json().at("done").as_bool());
  EXPECT_EQ(third.Json().at("records").as_array().size(), 452u - 400u);
  EXPECT_EQ(client_->Control("GET", "counters").at("open_cursors").as_int64(), 0);
  // Its last page was served: the cursor is gone.
  EXPECT_EQ(Get(last).status, 400);
}

TEST_F(SfClientCompatTest, ACursorPagesFromTheSnapshotOfItsQuery) {
  client_->Control(
      "POST", "generate",
      json::object{{"sobject", "Account"}, {"count", 300}, {"fields", {{"Name", "S {n}"}}}});
  std::vector<std::string> small{"Sforce-Query-Options: batchSize=200"};
  HttpResult first = Get(Q("SELECT Id, Name FROM Account ORDER BY Name DESC"), small);
  ASSERT_EQ(first.status, 200);
  // The last page holds the two demo Accounts (Acme Corp, Globex sort last, descending).
  std::string next(first.Json().at("nextRecordsUrl").as_string());
  ASSERT_EQ(
      Send("PATCH", "/sobjects/Account/0015g00000ACME1", json::object{{"Name", "Renamed"}}).status,
      204);
  json::array rest = Get(next, small).Json().at("records").as_array();
  bool saw_old_name = false;
  for (const auto& r : rest) saw_old_name = saw_old_name || r.at("Name").as_string() == "Acme Corp";
  EXPECT_TRUE(saw_old_name);
}

TEST_F(SfClientCompatTest, TheVersionResourceListsIdentityAndVersionsReachTheCurrentRelease) {
  HttpResult versions = client_->Get("/services/data/");
  ASSERT_EQ(versions.status, 200);
  EXPECT_EQ(versions.Json().as_array().back().at("version").as_string(), "67.0");

  HttpResult token =
      client_->PostForm("/services/oauth2/token", {{"grant_type", "client_credentials"},
                                                   {"client_id", kClientId},
                                                   {"client_secret", kClientSecret}});
  std::string access(token.Json().at("access_token").as_string());
  HttpResult resources = client_->Get(std::string(kApi) + "/", access);
  ASSERT_EQ(resources.status, 200) << resources.body;
  EXPECT_EQ(resources.Json().at("identity").as_string(), token.Json().at("id").as_string());
  EXPECT_EQ(resources.Json().at("jobs").as_string(), std::string(kApi) + "/jobs");
}

TEST_F(SfClientCompatTest, AnUnknownFieldInFieldsIsInvalidField) {
  HttpResult ok = Get("/sobjects/Account/0015g00000ACME1?fields=Name,Industry");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json().at("Name").as_string(), "Acme Corp");
  HttpResult bad = Get("/sobjects/Account/0015g00000ACME1?fields=Name,Bogus__c");
  ASSERT_EQ(bad.status, 400) << bad.body;
  EXPECT_EQ(bad.Json().at(0).at("errorCode").as_string(), "INVALID_FIELD");
  EXPECT_NE(std::string(bad.Json().at(0).at("message").as_string()).find("Bogus__c"),
            std::string::npos);
}

TEST_F(SfClientCompatTest, CollectionsRetrieveWorksByPost) {
  HttpResult r = Send(
      "POST", "/composite/sobjects/Account",
      json::object{{"ids", {"0015g00000ACME1", "0015g00000GLOBX"}}, {"fields", {"Id", "Name"}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json::array out = r.Json().as_array();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].at("Name").as_string(), "Acme Corp");
  EXPECT_EQ(out[1].at("Name").as_string(), "Globex");
  EXPECT_EQ(Send("POST", "/composite/sobjects/Account",
                 json::object{{"ids", {"0015g00000ACME1"}}, {"fields", {"Nope__c"}}})
                .status,
            400);
}

TEST_F(SfClientCompatTest, AFailedDeleteItemHasTheDocumentedShape) {
  std::string id = Create({{"Name", "Doomed"}});
  std::string path = std::string(kApi) + "/composite/sobjects?ids=" + id;
  ASSERT_EQ(client_->Request("DELETE", path, "", {"Authorization: Bearer " + token_}).status, 200);
  HttpResult again =
      client_->Request("DELETE", path + ",001NOTANID", "", {"Authorization: Bearer " + token_});
  ASSERT_EQ(again.status, 200) << again.body;
  json::array items = again.Json().as_array();
  ASSERT_EQ(items.size(), 2u);
  for (const auto& item : items) {
    EXPECT_FALSE(item.at("success").as_bool());
    EXPECT_FALSE(item.as_object().contains("id")) << json::serialize(item);
    EXPECT_TRUE(item.at("errors").at(0).at("fields").is_array());
  }
  EXPECT_EQ(items[0].at("errors").at(0).at("statusCode").as_string(), "ENTITY_IS_DELETED");
  EXPECT_EQ(items[1].at("errors").at(0).at("statusCode").as_string(), "MALFORMED_ID");
}

TEST_F(SfClientCompatTest, DescribeNamesChildRelationshipsAndDescribeGlobalHasTheDocumentedKeys) {
  json::value describe = Get("/sobjects/Account/describe").Json();
  bool contacts = false;
  for (const auto& rel : describe.at("childRelationships").as_array()) {
    if (rel.at("childSObject") == "Contact" && rel.at("field") == "AccountId") {
      contacts = rel.at("relationshipName") == "Contacts";
    }
  }
  EXPECT_TRUE(contacts) << json::serialize(describe.at("childRelationships"));

  json::value global = Get("/sobjects").Json();
  const json::object& entry = global.at("sobjects").at(0).as_object();
  for (const char* key : {"activateable", "createable",          "custom",       "customSetting",
                          "deletable",    "deprecatedAndHidden", "feedEnabled",  "hasSubtypes",
                          "isSubtype",    "keyPrefix",           "label",        "labelPlural",
                          "layoutable",   "mergeable",           "mruEnabled",   "name",
                          "queryable",    "replicateable",       "retrieveable", "searchable",
                          "triggerable",  "undeletable",         "updateable",   "urls"}) {
    EXPECT_TRUE(entry.contains(key)) << key;
  }
}

TEST_F(SfClientCompatTest, RevokeErrorsUseTheDocumentedOAuthBody) {
  HttpResult r = client_->PostForm("/services/oauth2/revoke", {{"token", "not-a-token"}});
  ASSERT_EQ(r.status, 400);
  EXPECT_EQ(r.Json(),
            (json::value{{"error", "invalid_token"}, {"error_description", "Token was invalid"}}));
}

}  // namespace
}  // namespace chpeer::sf::testing
