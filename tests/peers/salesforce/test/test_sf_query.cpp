// Query behaviour of the Salesforce peer: cursors and batchSize over bulk-generated data,
// queryAll with deleted rows, the SOQL subset and its documented errors, gzip on request.
#include <set>

#include "chpeer/content_encoding.h"
#include "sf_test_client.h"

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

class SfQueryTest : public SfPeerTest {
 protected:
  void SetUp() override {
    SfPeerTest::SetUp();
    token_ = ServiceToken();
  }
  json::value Query(const std::string& soql) {
    HttpResult r = client_->Get(Q(soql), token_);
    EXPECT_EQ(r.status, 200) << soql << ": " << r.body;
    return r.Json();
  }
  std::vector<std::string> Names(const std::string& soql) {
    std::vector<std::string> out;
    json::value body = Query(soql);
    for (const auto& rec : body.at("records").as_array()) {
      out.emplace_back(rec.at("Name").as_string());
    }
    return out;
  }
  void ExpectError(const std::string& soql, const std::string& code,
                   const std::string& message_part) {
    HttpResult r = client_->Get(Q(soql), token_);
    EXPECT_EQ(r.status, 400) << r.body;
    json::value body = r.Json();
    ASSERT_TRUE(body.is_array()) << r.body;
    EXPECT_EQ(body.at(0).at("errorCode").as_string(), code) << r.body;
    EXPECT_NE(std::string(body.at(0).at("message").as_string()).find(message_part),
              std::string::npos)
        << r.body;
  }
  std::string token_;
};

TEST_F(SfQueryTest, PaginatesTenThousandRecordsWithBatchSize) {
  client_->Control(
      "POST", "generate",
      json::object{{"sobject", "Account"},
                   {"count", 10000},
                   {"fields", json::object{{"Name", "Bulk {n}"}, {"Industry", "Bulk"}}}});
  std::set<std::string> ids;
  std::string next = Q("SELECT Id, Name FROM Account WHERE Industry = 'Bulk'");
  int pages = 0;
  while (!next.empty() && pages < 100) {
    HttpResult r = client_->Get(next, token_, {"Sforce-Query-Options: batchSize=500"});
    ASSERT_EQ(r.status, 200) << r.body;
    json::value body = r.Json();
    EXPECT_EQ(body.at("totalSize").as_int64(), 10000);
    auto& records = body.at("records").as_array();
    EXPECT_LE(records.size(), 500u);
    for (const auto& rec : records) ids.insert(std::string(rec.at("Id").as_string()));
    ++pages;
    bool done = body.at("done").as_bool();
    next = done ? "" : std::string(body.at("nextRecordsUrl").as_string());
    if (!done) {
      EXPECT_EQ(next.rfind(std::string(kApi) + "/query/01g", 0), 0u) << next;
    }
  }
  EXPECT_EQ(pages, 20);
  EXPECT_EQ(ids.size(), 10000u);

  // Default batch is 2000; out-of-range batch sizes are clamped to the documented range.
  json::value first = Query("SELECT Id FROM Account");
  EXPECT_EQ(first.at("records").as_array().size(), 2000u);
  EXPECT_EQ(first.at("totalSize").as_int64(), 10002);
  HttpResult tiny =
      client_->Get(Q("SELECT Id FROM Account"), token_, {"Sforce-Query-Options: batchSize=5"});
  EXPECT_EQ(tiny.Json().at("records").as_array().size(), 200u);
}

TEST(SfContentEncoding, AcceptEncodingIsNegotiatedPerRfc9110) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("*, gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip(""));
  const std::string gz = Gzip("hello hello hello");
  ASSERT_GE(gz.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);  // RFC 1952 magic
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
}

// Salesforce gzips a REST response for a client that asks (Accept-Encoding: gzip) and sends it
// as is otherwise; either way the response varies on Accept-Encoding.
TEST_F(SfQueryTest, QueryPagesAreGzippedWhenTheClientAsks) {
  client_->Control(
      "POST", "generate",
      json::object{{"sobject", "Account"},
                   {"count", 2000},
                   {"fields", json::object{{"Name", "Zip {n}"}, {"Industry", "Zip"}}}});
  const std::string q = Q("SELECT Id, Name, Industry FROM Account WHERE Industry = 'Zip'");
  HttpResult plain = client_->Get(q, token_);
  ASSERT_EQ(plain.status, 200);
  EXPECT_EQ(plain.Header("Content-Encoding"), "");
  EXPECT_EQ(plain.Header("Vary"), "Accept-Encoding");
  EXPECT_EQ(plain.Json().at("records").as_array().size(), 2000u);
  HttpResult zipped = client_->Get(q, token_, {"Accept-Encoding: gzip"});
  ASSERT_EQ(zipped.status, 200);
  EXPECT_EQ(zipped.Header("Content-Encoding"), "gzip");
  EXPECT_EQ(zipped.Header("Vary"), "Accept-Encoding");
  ASSERT_GE(zipped.body.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(zipped.body[0]), 0x1f);
  EXPECT_LT(zipped.body.size() * 5, plain.body.size()) << "a page of records compresses well";
  HttpResult refused = client_->Get(q, token_, {"Accept-Encoding: gzip;q=0"});
  EXPECT_EQ(refused.Header("Content-Encoding"), "");
  EXPECT_EQ(refused.body.size(), plain.body.size());
}

TEST_F(SfQueryTest, QueryAllReturnsDeletedRowsQueryDoesNot) {
  HttpResult del =
      client_->Request("DELETE", std::string(kApi) + "/sobjects/Account/0015g00000GLOBX", "",
                       {"Authorization: Bearer " + token_});
  ASSERT_EQ(del.status, 204) << del.body;
  EXPECT_EQ(Names("SELECT Name FROM Account"), std::vector<std::string>{"Acme Corp"});
  HttpResult all = client_->Get(
      std::string(kApi) +
          "/queryAll?q=" + PercentEncode("SELECT Name, IsDeleted FROM Account ORDER BY Name"),
      token_);
  ASSERT_EQ(all.status, 200) << all.body;
  json::array records = all.Json().at("records").as_array();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].at("Name").as_string(), "Globex");
  EXPECT_TRUE(records[1].at("IsDeleted").as_bool());
  EXPECT_EQ(Query("SELECT Id FROM Account WHERE IsDeleted = true").at("totalSize").as_int64(), 0);
}

TEST_F(SfQueryTest, WhereOrderLimitAndRelationships) {
  client_->Control("POST", "records/Account",
                   json::array{json::object{{"Name", "Initech"}, {"AnnualRevenue", 500}},
                               json::object{{"Name", "Umbrella"}, {"AnnualRevenue", 9000000}},
                               json::object{{"Name", "Hooli"}}});
  EXPECT_EQ(Names("SELECT Name FROM Account WHERE Name LIKE 'g%' OR Name LIKE '%tech'"
                  " ORDER BY Name"),
            (std::vector<std::string>{"Globex", "Initech"}));
  EXPECT_EQ(Names("SELECT Name FROM Account WHERE Name IN ('Hooli', 'acme corp') ORDER BY Name"),
            (std::vector<std::string>{"Acme Corp", "Hooli"}));
  EXPECT_EQ(
      Names("SELECT Name FROM Account WHERE AnnualRevenue >= 1000 ORDER BY AnnualRevenue DESC"),
      (std::vector<std::string>{"Umbrella", "Acme Corp"}));
  EXPECT_EQ(Names("SELECT Name FROM Account WHERE AnnualRevenue = null ORDER BY Name LIMIT 1"),
            (std::vector<std::string>{"Globex"}));
  EXPECT_EQ(Names("SELECT Name FROM Account WHERE (AnnualRevenue < 1000 OR Name = 'Hooli') AND "
                  "Name NOT IN ('Hooli') ORDER BY Name"),
            (std::vector<std::string>{"Initech"}));
  EXPECT_EQ(Names("SELECT Name FROM Account ORDER BY Name DESC LIMIT 2 OFFSET 1"),
            (std::vector<std::string>{"Initech", "Hooli"}));
  EXPECT_EQ(
      Query("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:1").at("totalSize").as_int64(),
      5);
  EXPECT_EQ(Query("SELECT Id FROM Account WHERE CreatedDate > 2100-01-01T00:00:00Z")
                .at("totalSize")
                .as_int64(),
            0);
  json::value contact = Query(
      "SELECT Name, Account.Name, Account.Owner.Username FROM Contact "
      "WHERE Account.Name = 'Acme Corp'");
  ASSERT_EQ(contact.at("totalSize").as_int64(), 1);
  const auto& rec = contact.at("records").at(0);
  EXPECT_EQ(rec.at("Name").as_string(), "Wile Coyote");
  EXPECT_EQ(rec.at("Account").at("Name").as_string(), "Acme Corp");
  EXPECT_EQ(rec.at("Account").at("Owner").at("Username").as_string(), "alice@demo.peer");
  EXPECT_EQ(rec.at("attributes").at("type").as_string(), "Contact");
  json::value count = Query("SELECT COUNT() FROM Account WHERE Name != 'Hooli'");
  EXPECT_EQ(count.at("totalSize").as_int64(), 4);
  EXPECT_TRUE(count.at("records").as_array().empty());
  // Permission objects are queryable so clients can check access.
  json::value perms =
      Query("SELECT SobjectType, Parent.Name FROM ObjectPermissions WHERE PermissionsEdit = true");
  ASSERT_EQ(perms.at("totalSize").as_int64(), 1);
  EXPECT_EQ(perms.at("records").at(0).at("SobjectType").as_string(), "Account");
  EXPECT_EQ(perms.at("records").at(0).at("Parent").at("Name").as_string(), "Connector_Sync");
}

// The Organization singleton as Salesforce documents it: production by default, a sandbox
// when seeded so (IsSandbox true, the edition kept as OrganizationType).
TEST_F(SfQueryTest, OrganizationTellsASandboxFromProduction) {
  const std::string soql = "SELECT IsSandbox, OrganizationType FROM Organization";
  json::value org = Query(soql);
  ASSERT_EQ(org.at("totalSize").as_int64(), 1) << org;
  EXPECT_EQ(org.at("records").at(0).at("IsSandbox"), false) << org;
  EXPECT_EQ(org.at("records").at(0).at("attributes").at("type"), "Organization") << org;

  HttpResult seeded =
      client_->Request("POST", "/__peer/seed",
                       R"({"org":{"is_sandbox":true,"organization_type":"Enterprise Edition"}})",
                       {"Content-Type: application/json"});
  ASSERT_EQ(seeded.status, 200) << seeded.body;
  org = Query(soql);
  ASSERT_EQ(org.at("totalSize").as_int64(), 1) << org;
  EXPECT_EQ(org.at("records").at(0).at("IsSandbox"), true) << org;
  EXPECT_EQ(org.at("records").at(0).at("OrganizationType"), "Enterprise Edition") << org;

  HttpResult bad = client_->Request("POST", "/__peer/seed", R"({"org":{"is_sandbox":"yes"}})",
                                    {"Content-Type: application/json"});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("org.is_sandbox"), std::string::npos) << bad.body;
}

TEST_F(SfQueryTest, DocumentedQueryErrors) {
  ExpectError("SELECT Nope FROM Account", "INVALID_FIELD",
              "No such column 'Nope' on entity 'Account'");
  ExpectError("SELECT Id FROM Nope__c", "INVALID_TYPE", "sObject type 'Nope__c' is not supported");
  ExpectError("SELECT Id FROM", "MALFORMED_QUERY", "unexpected token: '<EOF>'");
  ExpectError("SELECT Id FROM Account WHERE Name = 5", "INVALID_FIELD",
              "must be of type string and should be enclosed in quotes");
  ExpectError("SELECT Id FROM Account WHERE", "MALFORMED_QUERY", "ERROR at Row:1:Column:29");
  // Numbers beyond their type are malformed queries, not an exception out of the parser (the
  // SOQL fuzzer found OFFSET 1 followed by twenty digits; tests/fuzz/corpus/soql_parser/).
  ExpectError("SELECT Id FROM Account OFFSET 123456789012345678901234", "MALFORMED_QUERY", "");
  ExpectError("SELECT Id FROM Account LIMIT 99999999999999999999", "MALFORMED_QUERY", "");
  ExpectError("SELECT Id FROM Account WHERE AnnualRevenue > 1e999", "MALFORMED_QUERY", "");
  ExpectError("SELECT Id FROM Account WHERE CreatedDate = LAST_N_DAYS:99999999999",
              "MALFORMED_QUERY", "");
  HttpResult locator = client_->Get(std::string(kApi) + "/query/01gXXXXXXXXXXXXXXX-2000", token_);
  EXPECT_EQ(locator.status, 400);
  EXPECT_EQ(locator.Json().at(0).at("errorCode").as_string(), "INVALID_QUERY_LOCATOR");
}

}  // namespace
}  // namespace chpeer::sf::testing
