// sObject REST behaviour of the Salesforce peer: CRUD, upsert, describe, Collections with
// partial failures and allOrNone rollback, limits and the Sforce-Limit-Info header.
#include <regex>

#include "sf_test_client.h"
#include "sf_util.h"

namespace chpeer::sf::testing {
namespace {

namespace json = boost::json;

class SfSObjectTest : public SfPeerTest {
 protected:
  void SetUp() override {
    SfPeerTest::SetUp();
    token_ = ServiceToken();
  }
  HttpResult Send(const std::string& method, const std::string& path, const json::value& body) {
    return client_->SendJson(method, std::string(kApi) + path, body, token_);
  }
  HttpResult Get(const std::string& path) { return client_->Get(std::string(kApi) + path, token_); }
  // DELETE .../sobjects/TYPE/ID: the status.
  int Delete(const std::string& type, const std::string& id) {
    return client_
        ->Request("DELETE", std::string(kApi) + "/sobjects/" + type + "/" + id, "",
                  {"Authorization: Bearer " + token_})
        .status;
  }
  std::int64_t Count(const std::string& soql) {
    return client_->Get(Q(soql), token_).Json().at("totalSize").as_int64();
  }
  std::string token_;
};

TEST_F(SfSObjectTest, CreateReadUpdateDeleteLifecycle) {
  HttpResult created = Send("POST", "/sobjects/Account", json::object{{"Name", "Wayne"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json::value body = created.Json();
  EXPECT_TRUE(body.at("success").as_bool());
  EXPECT_TRUE(body.at("errors").as_array().empty());
  std::string id(body.at("id").as_string());
  EXPECT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 3), "001");

  json::value record = Get("/sobjects/Account/" + id).Json();
  std::regex iso(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000)");
  std::string created_date(record.at("CreatedDate").as_string());
  EXPECT_TRUE(std::regex_match(created_date, iso)) << created_date;
  EXPECT_TRUE(std::regex_match(std::string(record.at("SystemModstamp").as_string()), iso));
  EXPECT_FALSE(record.at("IsDeleted").as_bool());
  EXPECT_EQ(record.at("OwnerId").as_string(), To18CharId("0055g00000INTEG"));
  EXPECT_EQ(record.at("attributes").at("url").as_string(),
            std::string(kApi) + "/sobjects/Account/" + id);

  client_->Control("POST", "clock/advance", json::object{{"seconds", 60}});
  EXPECT_EQ(Send("PATCH", "/sobjects/Account/" + id, json::object{{"Industry", "Banking"}}).status,
            204);
  json::value updated = Get("/sobjects/Account/" + id).Json();
  EXPECT_EQ(updated.at("Industry").as_string(), "Banking");
  EXPECT_EQ(updated.at("CreatedDate").as_string(), created_date);
  EXPECT_NE(updated.at("LastModifiedDate").as_string(), created_date);

  EXPECT_EQ(Delete("Account", id), 204);
  HttpResult gone = Get("/sobjects/Account/" + id);
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.Json().at(0).at("errorCode").as_string(), "NOT_FOUND");
}

TEST_F(SfSObjectTest, CreateValidationErrors) {
  HttpResult missing = Send("POST", "/sobjects/Contact", json::object{{"FirstName", "No"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json().at(0).at("errorCode").as_string(), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(missing.Json().at(0).at("message").as_string(),
            "Required fields are missing: [LastName]");
  HttpResult unknown = Send("POST", "/sobjects/Account", json::object{{"Name", "x"}, {"Bogus", 1}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.Json().at(0).at("errorCode").as_string(), "INVALID_FIELD");
  EXPECT_EQ(Send("POST", "/sobjects/Nope__c", json::object{{"Name", "x"}}).status, 404);
}

TEST_F(SfSObjectTest, UpsertByExternalIdCreatesThenUpdates) {
  HttpResult first =
      Send("PATCH", "/sobjects/Account/External_Id__c/NEW-1", json::object{{"Name", "Newco"}});
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_TRUE(first.Json().at("created").as_bool());
  HttpResult second = Send("PATCH", "/sobjects/Account/External_Id__c/NEW-1",
                           json::object{{"Name", "Newco Renamed"}});
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_FALSE(second.Json().at("created").as_bool());
  EXPECT_EQ(second.Json().at("id"), first.Json().at("id"));
  EXPECT_EQ(
      Count("SELECT Id FROM Account WHERE External_Id__c = 'NEW-1' AND Name = 'Newco Renamed'"), 1);
  EXPECT_EQ(Send("PATCH", "/sobjects/Account/Name/x", json::object{{"Name", "y"}}).status, 404);
}

TEST_F(SfSObjectTest, UpsertFollowsAnExternalIdThatChangedOrWasDeleted) {
  // The peer looks external ids up by index: a changed value, a delete and a case difference
  // must be seen by the next upsert exactly as a scan would see them.
  HttpResult a =
      Send("PATCH", "/sobjects/Account/External_Id__c/Ext-A", json::object{{"Name", "A"}});
  ASSERT_EQ(a.status, 201) << a.body;
  const std::string id(a.Json().at("id").as_string());
  ASSERT_EQ(
      Send("PATCH", "/sobjects/Account/" + id, json::object{{"External_Id__c", "EXT-B"}}).status,
      204);
  HttpResult b =
      Send("PATCH", "/sobjects/Account/External_Id__c/ext-b", json::object{{"Name", "B"}});
  ASSERT_EQ(b.status, 200) << b.body;  // text external ids match case-insensitively
  EXPECT_EQ(std::string(b.Json().at("id").as_string()), id);
  HttpResult again =
      Send("PATCH", "/sobjects/Account/External_Id__c/Ext-A", json::object{{"Name", "A2"}});
  ASSERT_EQ(again.status, 201) << again.body;  // the old value no longer matches
  ASSERT_EQ(Send("DELETE", "/sobjects/Account/" + id, json::value()).status, 204);
  HttpResult after_delete =
      Send("PATCH", "/sobjects/Account/External_Id__c/EXT-B", json::object{{"Name", "C"}});
  ASSERT_EQ(after_delete.status, 201) << after_delete.body;
  EXPECT_NE(std::string(after_delete.Json().at("id").as_string()), id);
}

TEST_F(SfSObjectTest, DescribeListsFieldsIncludingCustomOnes) {
  HttpResult r = Get("/sobjects/Account/describe");
  ASSERT_EQ(r.status, 200);
  json::value d = r.Json();
  EXPECT_EQ(d.at("name").as_string(), "Account");
  EXPECT_EQ(d.at("keyPrefix").as_string(), "001");
  bool saw_name = false, saw_custom = false;
  for (const auto& f : d.at("fields").as_array()) {
    if (f.at("name").as_string() == "Name") {
      saw_name = true;
      EXPECT_EQ(f.at("type").as_string(), "string");
      EXPECT_TRUE(f.at("createable").as_bool());
      EXPECT_TRUE(f.at("updateable").as_bool());
      EXPECT_EQ(f.at("label").as_string(), "Name");
    }
    if (f.at("name").as_string() == "External_Id__c") {
      saw_custom = true;
      EXPECT_TRUE(f.at("custom").as_bool());
      EXPECT_TRUE(f.at("externalId").as_bool());
    }
    if (f.at("name").as_string() == "CreatedDate") {
      EXPECT_FALSE(f.at("updateable").as_bool());
    }
  }
  EXPECT_TRUE(saw_name);
  EXPECT_TRUE(saw_custom);
  json::value foo = Get("/sobjects/Foo__c/describe").Json();
  EXPECT_TRUE(foo.at("custom").as_bool());
  EXPECT_EQ(foo.at("keyPrefix").as_string().size(), 3u);
}

TEST_F(SfSObjectTest, CollectionsCreateReportsPartialFailures) {
  json::array records{
      json::object{{"attributes", json::object{{"type", "Account"}}}, {"Name", "One"}},
      json::object{{"attributes", json::object{{"type", "Account"}}}, {"Industry", "NoName"}},
      json::object{{"attributes", json::object{{"type", "Contact"}}}, {"LastName", "Three"}}};
  HttpResult r =
      Send("POST", "/composite/sobjects", json::object{{"allOrNone", false}, {"records", records}});
  ASSERT_EQ(r.status, 200) << r.body;
  json::array results = r.Json().as_array();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_TRUE(results[0].at("success").as_bool());
  EXPECT_EQ(std::string(results[0].at("id").as_string()).substr(0, 3), "001");
  EXPECT_FALSE(results[1].at("success").as_bool());
  EXPECT_EQ(results[1].at("errors").at(0).at("statusCode").as_string(), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(results[1].at("errors").at(0).at("fields").at(0).as_string(), "Name");
  EXPECT_EQ(std::string(results[2].at("id").as_string()).substr(0, 3), "003");
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name = 'One'"), 1);
}

TEST_F(SfSObjectTest, CollectionsAllOrNoneRollsBackEverything) {
  json::array records{
      json::object{{"attributes", json::object{{"type", "Account"}}}, {"Name", "Kept?"}},
      json::object{{"attributes", json::object{{"type", "Account"}}}, {"Industry", "NoName"}}};
  HttpResult r =
      Send("POST", "/composite/sobjects", json::object{{"allOrNone", true}, {"records", records}});
  ASSERT_EQ(r.status, 200) << r.body;
  json::array results = r.Json().as_array();
  EXPECT_FALSE(results[0].at("success").as_bool());
  EXPECT_EQ(results[0].at("errors").at(0).at("statusCode").as_string(),
            "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(results[1].at("errors").at(0).at("statusCode").as_string(), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name = 'Kept?'"), 0);

  // Updates roll back too.
  json::array updates{json::object{{"attributes", json::object{{"type", "Account"}}},
                                   {"id", To18CharId("0015g00000ACME1")},
                                   {"Name", "Changed"}},
                      json::object{{"attributes", json::object{{"type", "Account"}}},
                                   {"id", To18CharId("0015g00000ZZZZZ")},
                                   {"Name", "Missing"}}};
  HttpResult u =
      Send("PATCH", "/composite/sobjects", json::object{{"allOrNone", true}, {"records", updates}});
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_FALSE(u.Json().at(0).at("success").as_bool());
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name = 'Acme Corp'"), 1);
}

TEST_F(SfSObjectTest, CollectionsUpdateDeleteAndUpsert) {
  json::array updates{json::object{{"attributes", json::object{{"type", "Account"}}},
                                   {"id", To18CharId("0015g00000ACME1")},
                                   {"Industry", "Rockets"}},
                      json::object{{"attributes", json::object{{"type", "Account"}}},
                                   {"id", To18CharId("0015g00000ZZZZZ")},
                                   {"Industry", "Nothing"}}};
  HttpResult u = Send("PATCH", "/composite/sobjects", json::object{{"records", updates}});
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_TRUE(u.Json().at(0).at("success").as_bool());
  EXPECT_FALSE(u.Json().at(1).at("success").as_bool());
  EXPECT_EQ(u.Json().at(1).at("errors").at(0).at("statusCode").as_string(), "NOT_FOUND");
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Industry = 'Rockets'"), 1);

  json::array upserts{
      json::object{{"attributes", json::object{{"type", "Contact"}}},
                   {"External_Id__c", "C-1"},
                   {"Title", "Genius"}},
      json::object{{"attributes", json::object{{"type", "Contact"}}},
                   {"External_Id__c", "C-9"},
                   {"LastName", "Runner"}},
      json::object{{"attributes", json::object{{"type", "Contact"}}}, {"External_Id__c", "C-10"}}};
  HttpResult up = Send("PATCH", "/composite/sobjects/Contact/External_Id__c",
                       json::object{{"allOrNone", false}, {"records", upserts}});
  ASSERT_EQ(up.status, 200) << up.body;
  json::array results = up.Json().as_array();
  EXPECT_FALSE(results[0].at("created").as_bool());
  EXPECT_TRUE(results[1].at("created").as_bool());
  EXPECT_FALSE(results[2].at("success").as_bool());
  EXPECT_EQ(Count("SELECT Id FROM Contact WHERE Title = 'Genius'"), 1);

  std::string ids = To18CharId("0015g00000GLOBX") + "," + To18CharId("0015g00000ZZZZZ");
  HttpResult d = client_->Request("DELETE", std::string(kApi) + "/composite/sobjects?ids=" + ids,
                                  "", {"Authorization: Bearer " + token_});
  ASSERT_EQ(d.status, 200) << d.body;
  EXPECT_TRUE(d.Json().at(0).at("success").as_bool());
  EXPECT_FALSE(d.Json().at(1).at("success").as_bool());
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name = 'Globex'"), 0);
}

TEST_F(SfSObjectTest, CollectionsRejectMoreThan200Records) {
  json::array records;
  for (int i = 0; i < 201; ++i) {
    records.push_back(json::object{{"attributes", json::object{{"type", "Account"}}},
                                   {"Name", "N" + std::to_string(i)}});
  }
  HttpResult r = Send("POST", "/composite/sobjects", json::object{{"records", records}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json().at(0).at("errorCode").as_string(), "EXCEEDED_ID_LIMIT");
  EXPECT_EQ(Count("SELECT Id FROM Account"), 2);
}

TEST_F(SfSObjectTest, CollectionsRefuseTheWholeCallForAFieldTheObjectLacks) {
  json::array records{
      json::object{{"attributes", json::object{{"type", "Account"}}}, {"Name", "Fine"}},
      json::object{
          {"attributes", json::object{{"type", "Account"}}}, {"Name", "Bad"}, {"Foo__c", "x"}}};
  for (const char* method : {"POST", "PATCH"}) {
    HttpResult r = Send(method, "/composite/sobjects",
                        json::object{{"allOrNone", false}, {"records", records}});
    EXPECT_EQ(r.status, 400) << method << " " << r.body;
    ASSERT_TRUE(r.Json().is_array()) << r.body;  // the REST error array, no per-record results
    EXPECT_EQ(r.Json().at(0).at("errorCode").as_string(), "INVALID_FIELD");
    EXPECT_EQ(r.Json().at(0).at("message").as_string(),
              "No such column 'Foo__c' on sobject of type Account");
  }
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name = 'Fine'"), 0);  // nothing was written
}

TEST_F(SfSObjectTest, ReplicationUpdatedAndDeleted) {
  // Seconds are ignored: start past the minute the seed records were written in.
  client_->Control("POST", "clock/advance", json::object{{"seconds", 60}});
  std::string now(client_->Control("GET", "clock").at("now").as_string());
  client_->Control("POST", "clock/advance", json::object{{"seconds", 60}});
  HttpResult created = Send("POST", "/sobjects/Account", json::object{{"Name", "Fresh"}});
  ASSERT_EQ(created.status, 201);
  std::string fresh(created.Json().at("id").as_string());
  ASSERT_EQ(Delete("Account", To18CharId("0015g00000GLOBX")), 204);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 120}});
  std::string later(client_->Control("GET", "clock").at("now").as_string());
  std::string range = "?start=" + PercentEncode(now) + "&end=" + PercentEncode(later);
  HttpResult updated = Get("/sobjects/Account/updated/" + range);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(updated.Json().at("ids"), json::array{json::value(fresh)});
  HttpResult deleted = Get("/sobjects/Account/deleted/" + range);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.Json().at("deletedRecords").at(0).at("id").as_string(),
            To18CharId("0015g00000GLOBX"));
  EXPECT_EQ(Get("/sobjects/Account/updated/").status, 400);
}

// CampaignMember has no Recycle Bin: DELETE removes it at once (not even queryAll sees it),
// and only getDeleted's delete log remembers it.
TEST_F(SfSObjectTest, DeleteOnAnObjectWithoutRecycleBinIsHardAndLoggedForGetDeleted) {
  std::string start(client_->Control("GET", "clock").at("now").as_string());
  HttpResult campaign = Send("POST", "/sobjects/Campaign", json::object{{"Name", "Spring"}});
  ASSERT_EQ(campaign.status, 201) << campaign.body;
  HttpResult member =
      Send("POST", "/sobjects/CampaignMember",
           json::object{{"CampaignId", campaign.Json().at("id")}, {"Status", "Sent"}});
  ASSERT_EQ(member.status, 201) << member.body;
  std::string id(member.Json().at("id").as_string());
  client_->Control("POST", "clock/advance", json::object{{"seconds", 60}});
  ASSERT_EQ(Delete("CampaignMember", id), 204);
  EXPECT_EQ(Get("/sobjects/CampaignMember/" + id).status, 404);
  HttpResult all = client_->Get(
      std::string(kApi) + "/queryAll?q=" + PercentEncode("SELECT Id FROM CampaignMember"), token_);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(all.Json().at("totalSize").as_int64(), 0);

  client_->Control("POST", "clock/advance", json::object{{"seconds", 120}});
  std::string end(client_->Control("GET", "clock").at("now").as_string());
  HttpResult deleted = Get("/sobjects/CampaignMember/deleted/?start=" + PercentEncode(start) +
                           "&end=" + PercentEncode(end));
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  ASSERT_EQ(deleted.Json().at("deletedRecords").as_array().size(), 1u) << deleted.body;
  EXPECT_EQ(deleted.Json().at("deletedRecords").at(0).at("id").as_string(), id);
  EXPECT_TRUE(deleted.Json().as_object().contains("earliestDateAvailable"));
  EXPECT_TRUE(deleted.Json().as_object().contains("latestDateCovered"));
}

// getDeleted covers 15 days, less once an admin empties the Recycle Bin; a start before
// earliestDateAvailable is INVALID_REPLICATION_DATE, as is a window of one minute or less.
TEST_F(SfSObjectTest, GetDeletedWindowEndsAtFifteenDaysAndAtAnEmptiedRecycleBin) {
  std::string start(client_->Control("GET", "clock").at("now").as_string());
  ASSERT_EQ(Delete("Account", To18CharId("0015g00000GLOBX")), 204);
  auto window = [&](const std::string& from) {
    std::string now(client_->Control("GET", "clock").at("now").as_string());
    return Get("/sobjects/Account/deleted/?start=" + PercentEncode(from) +
               "&end=" + PercentEncode(now));
  };
  EXPECT_EQ(window(start).status, 400);  // not more than a minute yet
  EXPECT_EQ(window(start).Json().at(0).at("errorCode").as_string(), "INVALID_REPLICATION_DATE");
  client_->Control("POST", "clock/advance", json::object{{"seconds", 14 * 86400}});
  token_ = ServiceToken();  // sessions do not last two weeks
  HttpResult in_window = window(start);
  ASSERT_EQ(in_window.status, 200) << in_window.body;
  EXPECT_EQ(in_window.Json().at("deletedRecords").as_array().size(), 1u);

  client_->Control("POST", "clock/advance", json::object{{"seconds", 2 * 86400}});
  token_ = ServiceToken();
  HttpResult too_old = window(start);
  ASSERT_EQ(too_old.status, 400) << too_old.body;
  EXPECT_EQ(too_old.Json().at(0).at("errorCode").as_string(), "INVALID_REPLICATION_DATE");

  // Emptying the Recycle Bin purges the soft-deleted record and starts the log anew.
  std::string before_empty(client_->Control("GET", "clock").at("now").as_string());
  client_->Control("POST", "clock/advance", json::object{{"seconds", 120}});
  json::value emptied = client_->Control("POST", "recycle_bin/Account/empty");
  EXPECT_EQ(emptied.at("purged").as_int64(), 1);
  client_->Control("POST", "clock/advance", json::object{{"seconds", 120}});
  EXPECT_EQ(window(before_empty).status, 400);
  HttpResult all = client_->Get(std::string(kApi) + "/queryAll?q=" +
                                    PercentEncode("SELECT Id FROM Account WHERE Id = '" +
                                                  To18CharId("0015g00000GLOBX") + "'"),
                                token_);
  EXPECT_EQ(all.Json().at("totalSize").as_int64(), 0);
}

TEST_F(SfSObjectTest, LimitsHeaderAndRequestLimitExceeded) {
  HttpResult first = Get("/limits");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("Sforce-Limit-Info"), "api-usage=1/15000");
  EXPECT_EQ(first.Json().at("DailyApiRequests").at("Max").as_int64(), 15000);
  EXPECT_EQ(first.Json().at("DailyApiRequests").at("Remaining").as_int64(), 14999);
  EXPECT_EQ(Get("/sobjects/Account/describe").Header("Sforce-Limit-Info"), "api-usage=2/15000");

  client_->Control("POST", "limits", json::object{{"daily_api_max", 3}});
  EXPECT_EQ(Get("/limits").status, 200);
  HttpResult over = Get("/limits");
  EXPECT_EQ(over.status, 403);
  EXPECT_EQ(over.Json().at(0).at("errorCode").as_string(), "REQUEST_LIMIT_EXCEEDED");
  EXPECT_EQ(over.Json().at(0).at("message").as_string(), "TotalRequests Limit exceeded.");
  EXPECT_EQ(over.Header("Sforce-Limit-Info"), "api-usage=3/3");
}

}  // namespace
}  // namespace chpeer::sf::testing
