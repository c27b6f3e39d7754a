// rollworks' sync hook against FakeHost with a scripted world: a Salesforce org (queryAll of
// Account/Contact/Lead by SystemModstamp, upserts of the account data object) and RollWorks
// (advertiser, batch upserts with per-record results, the accounts change feed with cursors,
// 410, 429). The wire formats are exercised against the local peers by the integration
// tests; this pins the plugin's logic.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "rollworks_connector.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;
using rollworks::RollworksConnector;

constexpr const char* kSf = "https://org.example.com";
constexpr const char* kRw = "https://rw.example.com";
constexpr const char* kAdv = "/api/v1/advertisers/adv_demo";

FakeHttpResponse reply(std::uint32_t status, std::string body,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return FakeHttpResponse{CHP_OK, status, std::move(headers), std::move(body)};
}

std::string rw_error(std::uint32_t status, const char* code) {
  (void)status;
  return std::string(R"({"error":{"code":")") + code +
         R"(","message":"scripted","request_id":"req_1"}})";
}

std::string query_param(const std::string& url, const std::string& name) {
  const std::size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string rest = url.substr(q + 1);
  for (std::size_t pos = 0; pos <= rest.size();) {
    std::size_t amp = rest.find('&', pos);
    if (amp == std::string::npos) amp = rest.size();
    std::string pair = rest.substr(pos, amp - pos);
    if (pair.rfind(name + "=", 0) == 0) {
      return chp::http::url_decode(pair.substr(name.size() + 1)).value_or("");
    }
    pos = amp + 1;
  }
  return "";
}

// "2026-11-30T09:MM:00.000+0000" for minute `m`: SystemModstamp as Salesforce sends it.
std::string stamp(int m) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "2026-11-30T%02d:%02d:00.000+0000", 9 + m / 60, m % 60);
  return buf;
}

struct World {
  // Salesforce, by object then Id.
  std::map<std::string, std::map<std::string, boost::json::object>> sf;
  std::map<std::string, boost::json::object> account_data;  // by RollWorks_Account_Id__c
  std::set<std::string> sf_refuse;                          // account ids Salesforce refuses
  std::vector<std::string> soql;
  // RollWorks.
  std::map<std::string, boost::json::object> rw_accounts;  // by external_id
  std::map<std::string, boost::json::object> rw_contacts;
  std::map<std::string, boost::json::object> rw_opportunities;
  std::map<std::string, boost::json::object> rw_campaigns;
  std::vector<std::size_t> batch_sizes;
  std::set<std::string> rw_refuse;        // external ids answered with a per-record error
  bool reject_batches = false;            // whole-batch 500
  std::vector<boost::json::object> feed;  // change n has cursor "c<n+1>"
  bool expire_cursors = false;
  int throttle_next = 0;
  bool key_deactivated = false;
  std::vector<std::string> feed_cursors;  // since_cursor of every feed read ("" = none)
  // The Salesforce user behind the connection: everything RollWorks needs unless listed in
  // `denied` ("set" for the permission set, "ApiEnabled", "Task.Create", ...).
  std::string username = "rollworks.integration@acme.example";
  std::string user_name = "RollWorks Integration";
  std::string manager_id;
  std::string licence = "Salesforce";
  std::string licence_key = "SFDC";
  std::set<std::string> denied;
  // The contacts change feed (cursor "k<n>") and the Contact/Lead updates it caused.
  std::vector<boost::json::object> contact_feed;
  std::map<std::string, boost::json::object> sf_updates;  // by Id

  void add_sf(const std::string& object, boost::json::object row, int minute) {
    row["SystemModstamp"] = stamp(minute);
    row["IsDeleted"] = row.contains("IsDeleted") ? row["IsDeleted"] : false;
    sf[object][std::string(row.at("Id").as_string())] = std::move(row);
  }
  void add_change(const std::string& account_id, const std::string& external_id, int intent) {
    boost::json::object e{
        {"account_id", account_id},
        {"account_external_id",
         external_id.empty() ? boost::json::value(nullptr) : boost::json::value(external_id)},
        {"domain", account_id + ".com"},
        {"account_lists",
         boost::json::array{{{"id", "al1"}, {"name", "Tier 1"}}, {{"id", "al2"}, {"name", "Q4"}}}},
        {"journey_stage", "engaged"},
        {"icp_fit_grade", "A"},
        {"intent_score", intent},
        {"ad_impressions_30d", 1200},
        {"ad_clicks_30d", 14}};
    // A later change of the same account replaces its earlier position.
    for (auto it = feed.begin(); it != feed.end(); ++it) {
      if (it->at("account_id") == e.at("account_id")) {
        it->at("account_id") = "";  // tombstone keeps cursor numbering stable
      }
    }
    feed.push_back(std::move(e));
  }

  FakeHttpResponse handle(const FakeHttpRequest& req) {
    if (req.url.rfind(kRw, 0) == 0) return rollworks(req);
    if (req.url.find("/queryAll") != std::string::npos) return query(query_param(req.url, "q"));
    if (req.url.find("/query?") != std::string::npos) return user_query(query_param(req.url, "q"));
    if (req.url == std::string(kSf) + "/services/oauth2/userinfo") {
      return reply(200, boost::json::serialize(boost::json::object{
                            {"user_id", "005INT"}, {"preferred_username", username}}));
    }
    if (req.method == "PATCH" && req.url.find("/composite/sobjects/RollWorks_Account_Data__c/"
                                              "RollWorks_Account_Id__c") != std::string::npos) {
      return upsert(req.body);
    }
    if (req.method == "PATCH" && req.url == std::string(kSf) +
                                                "/services/data/v59.0/composite/"
                                                "sobjects") {
      boost::json::array results;
      const boost::json::value body = boost::json::parse(req.body);
      for (const boost::json::value& r : body.at("records").as_array()) {
        const std::string id(r.at("Id").as_string());
        sf_updates[id] = r.as_object();
        results.push_back(
            boost::json::object{{"id", id}, {"success", true}, {"errors", boost::json::array{}}});
      }
      return reply(200, boost::json::serialize(results));
    }
    ADD_FAILURE() << "unexpected " << req.method << " " << req.url;
    return reply(404, "[]");
  }

  FakeHttpResponse query(const std::string& q) {
    soql.push_back(q);
    const std::size_t from = q.find(" FROM ") + 6;
    const std::string object = q.substr(from, q.find(' ', from) - from);
    std::string since;
    if (const std::size_t w = q.find("SystemModstamp >= "); w != std::string::npos) {
      since = q.substr(w + 18, 19);  // YYYY-MM-DDThh:mm:ss
    }
    boost::json::array records;
    for (const auto& [id, row] : sf[object]) {
      if (since.empty() ||
          std::string(row.at("SystemModstamp").as_string()).substr(0, 19) >= since) {
        records.push_back(row);
      }
    }
    boost::json::object out{{"totalSize", records.size()}, {"done", true}, {"records", records}};
    return reply(200, boost::json::serialize(out));
  }

  // The permission reader's queries (sdk salesforce/permissions.hpp) about user 005INT.
  FakeHttpResponse user_query(const std::string& q) {
    soql.push_back(q);
    const std::size_t from = q.find(" FROM ") + 6;
    const std::string object = q.substr(from, q.find(' ', from) - from);
    boost::json::array records;
    if (object == "User") {
      records.push_back(boost::json::object{
          {"Id", "005INT"},
          {"Username", username},
          {"Name", user_name},
          {"UserType", "Standard"},
          {"ManagerId",
           manager_id.empty() ? boost::json::value(nullptr) : boost::json::value(manager_id)},
          {"Profile",
           {{"Name", "Integration Profile"},
            {"UserLicense", {{"Name", licence}, {"LicenseDefinitionKey", licence_key}}}}}});
    } else if (object == "PermissionSetAssignment") {
      records.push_back(boost::json::object{{"PermissionSetId", "0PSRW"}});
    } else if (object == "PermissionSet") {
      boost::json::object ps{{"Id", "0PSRW"},
                             {"Name", denied.contains("set") ? "Other" : "RollWorks_Admin"},
                             {"Label", denied.contains("set") ? "Other" : "RollWorks Admin"}};
      for (const char* p : {"ApiEnabled", "ViewAllUsers", "ManageProfilesPermissionsets",
                            "ViewRoles", "ViewSetup"}) {
        ps[std::string("Permissions") + p] = !denied.contains(p);
      }
      records.push_back(ps);
    } else if (object == "ObjectPermissions") {
      for (const char* o : {"Account", "Opportunity", "Contact", "Lead", "Campaign", "Task"}) {
        boost::json::object row{{"SobjectType", o}};
        for (const char* p :
             {"Read", "Create", "Edit", "Delete", "ViewAllRecords", "ModifyAllRecords"}) {
          row[std::string("Permissions") + p] = !denied.contains(std::string(o) + "." + p);
        }
        records.push_back(row);
      }
    } else if (object != "Organization") {
      ADD_FAILURE() << "unexpected query " << q;
    }
    boost::json::object out{{"totalSize", records.size()}, {"done", true}, {"records", records}};
    return reply(200, boost::json::serialize(out));
  }

  FakeHttpResponse upsert(const std::string& body) {
    boost::json::array results;
    const boost::json::value parsed = boost::json::parse(body);
    for (const boost::json::value& r : parsed.at("records").as_array()) {
      const std::string ext(r.at("RollWorks_Account_Id__c").as_string());
      if (sf_refuse.contains(ext)) {
        results.push_back(boost::json::object{
            {"success", false},
            {"errors", boost::json::array{{{"statusCode", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                                           {"message", "refused"},
                                           {"fields", boost::json::array{}}}}}});
        continue;
      }
      const bool created = !account_data.contains(ext);
      account_data[ext] = r.as_object();
      results.push_back(
          boost::json::object{{"id", "a01" + ext}, {"success", true}, {"created", created}});
    }
    return reply(200, boost::json::serialize(results));
  }

  FakeHttpResponse rollworks(const FakeHttpRequest& req) {
    if (key_deactivated) return reply(401, rw_error(401, "invalid_token"));
    if (throttle_next > 0) {
      --throttle_next;
      return reply(429, rw_error(429, "rate_limited"), {{"Retry-After", "0"}});
    }
    const std::string path = req.url.substr(std::string(kRw).size());
    if (path == kAdv) return reply(200, R"({"id":"adv_demo","name":"Demo Audience"})");
    if (path.rfind(std::string(kAdv) + "/crm/", 0) == 0) return batch(path, req.body);
    if (path.rfind(std::string(kAdv) + "/accounts/changes", 0) == 0) return changes(req.url);
    if (path.rfind(std::string(kAdv) + "/contacts/changes", 0) == 0) {
      const std::string since = query_param(req.url, "since_cursor");
      const std::size_t from = since.empty() ? 0 : std::stoul(since.substr(1));
      boost::json::array data;
      for (std::size_t i = from; i < contact_feed.size(); ++i) data.push_back(contact_feed[i]);
      return reply(200, boost::json::serialize(boost::json::object{
                            {"data", data},
                            {"next_cursor", "k" + std::to_string(contact_feed.size())},
                            {"has_more", false}}));
    }
    ADD_FAILURE() << "unexpected RollWorks " << req.method << " " << path;
    return reply(404, rw_error(404, "not_found"));
  }

  FakeHttpResponse batch(const std::string& path, const std::string& body) {
    if (reject_batches) return reply(500, rw_error(500, "internal_error"));
    auto& table = path.find("/crm/accounts:") != std::string::npos        ? rw_accounts
                  : path.find("/crm/opportunities:") != std::string::npos ? rw_opportunities
                  : path.find("/crm/campaigns:") != std::string::npos     ? rw_campaigns
                                                                          : rw_contacts;
    const boost::json::value parsed = boost::json::parse(body);
    const boost::json::array& records = parsed.at("records").as_array();
    EXPECT_LE(records.size(), 500u);
    batch_sizes.push_back(records.size());
    boost::json::array results;
    for (const boost::json::value& r : records) {
      const std::string ext(r.at("external_id").as_string());
      if (rw_refuse.contains(ext)) {
        results.push_back(boost::json::object{
            {"external_id", ext},
            {"status", "error"},
            {"error", {{"code", "invalid_domain"}, {"message", "bad"}, {"field", "domain"}}}});
        continue;
      }
      const auto it = table.find(ext);
      const char* status = it == table.end()             ? "created"
                           : it->second == r.as_object() ? "unchanged"
                                                         : "updated";
      table[ext] = r.as_object();
      results.push_back(boost::json::object{{"external_id", ext}, {"status", status}});
    }
    return reply(200, boost::json::serialize(boost::json::object{{"results", results}}));
  }

  FakeHttpResponse changes(const std::string& url) {
    const std::string since = query_param(url, "since_cursor");
    feed_cursors.push_back(since);
    if (!since.empty() && expire_cursors) return reply(410, rw_error(410, "cursor_expired"));
    const std::size_t limit = std::stoul(query_param(url, "limit"));
    std::size_t i = since.empty() ? 0 : std::stoul(since.substr(1));
    boost::json::array data;
    for (; i < feed.size() && data.size() < limit; ++i) {
      if (feed[i].at("account_id") != "") data.push_back(feed[i]);
    }
    const bool more = i < feed.size();
    boost::json::object out{
        {"data", data}, {"next_cursor", "c" + std::to_string(i)}, {"has_more", more}};
    return reply(200, boost::json::serialize(out));
  }
};

std::string config_json(const std::string& extra = "") {
  return std::string(R"({"rollworks_url":")") + kRw +
         R"(","advertiser_id":"adv_demo","api_key":"rwk_test")" + extra + "}";
}

class RollworksSyncTest : public ::testing::Test {
 protected:
  RollworksSyncTest() {
    host_.set_connection_token(std::string(R"({"access_token":"AT","instance_url":")") + kSf +
                               R"(","token_type":"Bearer"})");
    host_.set_http_handler([this](const FakeHttpRequest& req) { return world_.handle(req); });
    world_.add_sf("Account",
                  {{"Id", "001A"},
                   {"Name", "Acme"},
                   {"Website", "HTTPS://www.Acme.COM/about?x=1"},
                   {"Industry", "Tech"},
                   {"NumberOfEmployees", 50},
                   {"AnnualRevenue", 1e6}},
                  1);
    world_.add_sf("Contact",
                  {{"Id", "003P"},
                   {"Email", "pat@acme.com"},
                   {"FirstName", "Pat"},
                   {"LastName", "Lee"},
                   {"Title", "CTO"},
                   {"AccountId", "001A"}},
                  2);
    world_.add_sf("Lead", {{"Id", "00QK"}, {"Email", "kim@globex.com"}, {"LastName", "Kim"}}, 3);
    world_.add_change("rwa_1", "001A", 72);
    world_.add_change("rwa_2", "", 10);
  }

  boost::json::object output(const chp::testing::HookResult& r) {
    return boost::json::parse(r.output).as_object();
  }

  World world_;
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<RollworksConnector>(), host_};
};

TEST_F(RollworksSyncTest, SyncsBothWaysAndReportsTheConnectedAudience) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.rw_accounts.size(), 1u);
  const boost::json::object& acme = world_.rw_accounts.at("001A");
  EXPECT_EQ(acme.at("name"), "Acme");
  EXPECT_EQ(acme.at("domain"), "acme.com");
  EXPECT_EQ(acme.at("employees").as_int64(), 50);
  EXPECT_FALSE(acme.contains("deleted"));
  ASSERT_EQ(world_.rw_contacts.size(), 2u);
  EXPECT_EQ(world_.rw_contacts.at("003P").at("kind"), "contact");
  EXPECT_EQ(world_.rw_contacts.at("003P").at("account_external_id"), "001A");
  EXPECT_EQ(world_.rw_contacts.at("00QK").at("kind"), "lead");

  ASSERT_EQ(world_.account_data.size(), 2u);
  const boost::json::object& d1 = world_.account_data.at("rwa_1");
  EXPECT_EQ(d1.at("Account__c"), "001A");
  EXPECT_EQ(d1.at("Account_Lists__c"), "Tier 1; Q4");
  EXPECT_EQ(d1.at("Intent_Score__c").as_int64(), 72);
  EXPECT_EQ(d1.at("Journey_Stage__c"), "engaged");
  EXPECT_TRUE(world_.account_data.at("rwa_2").at("Account__c").is_null());

  EXPECT_EQ(host_.state_value("up/Account"), stamp(1));
  EXPECT_EQ(host_.state_value("up/Lead"), stamp(3));
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
  const auto statuses = host_.statuses();
  ASSERT_FALSE(statuses.empty());
  EXPECT_EQ(statuses.front(),
            "Success! We've connected your Audience to RollWorks. (Demo Audience)");

  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("created").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Contact").at("created").as_int64(), 1);
  EXPECT_EQ(out.at("down").at("accounts").at("upserted").as_int64(), 2);
  // advertiser, 3 batches, accounts feed, contacts feed
  EXPECT_EQ(out.at("rollworks_calls").as_int64(), 1 + 3 + 1 + 1);
  // Organization, userinfo, 4 user and permission queries, 5 queryAll, 1 upsert
  EXPECT_EQ(out.at("salesforce_calls").as_int64(), 6 + 5 + 1);
  EXPECT_FALSE(out.contains("warnings"));
}

TEST_F(RollworksSyncTest, UpSendsBatchesOfAtMostPageSizeAndResumesFromTheCheckpoint) {
  for (int i = 0; i < 1100; ++i) {
    world_.add_sf("Account",
                  {{"Id", "001B" + std::to_string(1000 + i)},
                   {"Name", "Co " + std::to_string(i)},
                   {"Website", "co" + std::to_string(i) + ".com"}},
                  10 + i / 100);
  }
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Account"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_sizes, (std::vector<std::size_t>{500, 500, 101}));
  EXPECT_EQ(world_.rw_accounts.size(), 1101u);
  EXPECT_EQ(host_.state_value("up/Account"), stamp(20));

  // The next query starts at the checkpoint minus the overlap (300 s).
  world_.batch_sizes.clear();
  world_.add_sf("Account", {{"Id", "001A"}, {"Name", "Acme Inc"}, {"IsDeleted", true}}, 30);
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(world_.soql.back().find("WHERE SystemModstamp >= 2026-11-30T09:15:00Z"),
            std::string::npos)
      << world_.soql.back();
  EXPECT_EQ(world_.rw_accounts.at("001A").at("deleted"), true);
  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("updated").as_int64(), 1);
  EXPECT_EQ(out.at("up").at("Account").at("unchanged").as_int64(), 600);  // minutes 15..20
  EXPECT_EQ(host_.state_value("up/Account"), stamp(30));
}

TEST_F(RollworksSyncTest, DownPagesTheFeedAndResumesFromTheStoredCursor) {
  world_.add_change("rwa_3", "", 5);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[],"page_size":2)")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(world_.feed_cursors, (std::vector<std::string>{"", "c2"}));
  EXPECT_EQ(world_.account_data.size(), 3u);
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c3");

  world_.add_change("rwa_1", "001A", 90);
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors.back(), "c3");
  EXPECT_EQ(output(r).at("down").at("accounts").at("received").as_int64(), 1);
  EXPECT_EQ(world_.account_data.at("rwa_1").at("Intent_Score__c").as_int64(), 90);
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c4");
}

TEST_F(RollworksSyncTest, AnExpiredCursorRestartsTheFeedFromASnapshot) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_cursors = true;
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.feed_cursors, (std::vector<std::string>{"", "c2", ""}));
  EXPECT_EQ(output(r).at("down").at("accounts").at("resyncs").as_int64(), 1);
  EXPECT_EQ(world_.account_data.size(), 2u);  // upserts: no duplicates
}

TEST_F(RollworksSyncTest, RateLimitedCallsWaitRetryAfterAndTryAgain) {
  world_.throttle_next = 2;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("rollworks_throttled").as_int64(), 2);
  EXPECT_EQ(world_.rw_accounts.size(), 1u);
}

TEST_F(RollworksSyncTest, ThreeRateLimitedTriesGiveUpWithoutAdvancing) {
  world_.throttle_next = 3;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_TRANSIENT);
  EXPECT_TRUE(world_.rw_accounts.empty());
}

TEST_F(RollworksSyncTest, PerRecordErrorsAreCountedAndDoNotHoldTheCheckpoint) {
  world_.rw_refuse.insert("001A");
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const boost::json::object out = output(r);
  EXPECT_EQ(out.at("up").at("Account").at("errors").as_int64(), 1);
  EXPECT_EQ(out.at("down").at("accounts").at("errors").as_int64(), 1);
  EXPECT_EQ(out.at("record_errors").as_int64(), 2);
  EXPECT_EQ(host_.state_value("up/Account"), stamp(1));
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
  EXPECT_EQ(host_.statuses().back(),
            "2 record(s) refused in this sync (see the log; those from RollWorks wait in the "
            "outbox and are retried next sync); the rest synced");
}

TEST_F(RollworksSyncTest, AWholeBatchFailureStopsTheObjectWithoutAdvancing) {
  world_.reject_batches = true;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_TRANSIENT);
  EXPECT_FALSE(host_.state_value("up/Account").has_value());
  EXPECT_FALSE(host_.state_value("up/Contact").has_value());
  // The down direction is independent and still ran.
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");
}

TEST_F(RollworksSyncTest, ADeactivatedApiKeyIsAConfigError) {
  world_.key_deactivated = true;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  EXPECT_NE(r.error.find("RollWorks refused the API key"), std::string::npos) << r.error;
}

TEST_F(RollworksSyncTest, ADisconnectedSalesforceConnectionPushesNothing) {
  host_.fail_connection_token(CHP_ERR_AUTH_REVOKED, "invalid_grant: expired access/refresh token");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_AUTH_REVOKED);
  EXPECT_TRUE(world_.rw_accounts.empty());
  EXPECT_TRUE(world_.batch_sizes.empty());
  EXPECT_TRUE(world_.feed_cursors.empty());
}

TEST_F(RollworksSyncTest, AUserLackingPermissionsIsRefusedWithEveryMissingItemNamed) {
  world_.denied = {"set", "ApiEnabled", "ViewRoles", "Task.Create", "Campaign.ModifyAllRecords"};
  world_.licence = "Salesforce Integration";
  world_.licence_key = "PID_INTEGRATION";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  EXPECT_EQ(r.error,
            "the Salesforce user rollworks.integration@acme.example lacks permission set "
            "RollWorks Admin, View Roles and Role Hierarchy, API Enabled, Modify All on Campaign, "
            "Create on Task, a full Salesforce licence (the user has Salesforce Integration); "
            "nothing is synced until the connection is authorized as a user that has them (a "
            "dedicated integration user)");
  EXPECT_EQ(host_.statuses().back(), r.error);
  EXPECT_TRUE(world_.batch_sizes.empty());   // nothing pushed
  EXPECT_TRUE(world_.feed_cursors.empty());  // nothing read from RollWorks
  EXPECT_TRUE(world_.account_data.empty());
}

TEST_F(RollworksSyncTest, EachRequiredPermissionIsNamedWhenItAloneIsMissing) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"set", "permission set RollWorks Admin"},
      {"ViewAllUsers", "View All Users"},
      {"ManageProfilesPermissionsets", "Manage Profiles and Permission Sets"},
      {"ViewRoles", "View Roles and Role Hierarchy"},
      {"ViewSetup", "View Setup and Configuration"},
      {"ApiEnabled", "API Enabled"},
      {"Account.ViewAllRecords", "View All on Account"},
      {"Opportunity.Read", "Read on Opportunity"},
      {"Contact.Create", "Create on Contact"},
      {"Lead.Edit", "Edit on Lead"},
      {"Campaign.ModifyAllRecords", "Modify All on Campaign"},
      {"Task.Edit", "Edit on Task"}};
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  for (const auto& [denied, named] : cases) {
    world_.denied = {denied};
    auto r = plugin_.sync("{}");
    EXPECT_EQ(r.status, CHP_ERR_CONFIG) << denied;
    EXPECT_NE(r.error.find(" lacks " + named + "; "), std::string::npos) << r.error;
  }
  world_.denied.clear();
  world_.licence_key = "PID_INTEGRATION";
  world_.licence = "Salesforce Integration";
  auto r = plugin_.sync("{}");
  EXPECT_NE(r.error.find(" lacks a full Salesforce licence (the user has Salesforce "
                         "Integration); "),
            std::string::npos)
      << r.error;
  EXPECT_TRUE(world_.batch_sizes.empty());
}

TEST_F(RollworksSyncTest, APersonsAccountSyncsWithAWarning) {
  world_.username = "jane.doe@acme.example";
  world_.user_name = "Jane Doe";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const std::string warning =
      "the Salesforce user jane.doe@acme.example looks like a person, not a dedicated "
      "integration user (its name does not say so): when that person leaves and the user is "
      "deactivated, RollWorks stops updating and pushing; authorize a dedicated integration "
      "user";
  EXPECT_EQ(output(r).at("warnings").as_array(), boost::json::array{warning});
  EXPECT_EQ(host_.statuses().back(), warning);
  EXPECT_EQ(world_.rw_accounts.size(), 1u);

  world_.username = "rollworks.integration@acme.example";  // a name like a service, a manager
  world_.manager_id = "005BOSS";
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_NE(std::string(output(r).at("warnings").as_array().at(0).as_string())
                .find("it has a "
                      "manager"),
            std::string::npos);
}

TEST_F(RollworksSyncTest, OpportunitiesAndCampaignsGoUpInTheirOwnBatches) {
  world_.add_sf("Opportunity",
                {{"Id", "006O"},
                 {"Name", "Acme renewal"},
                 {"AccountId", "001A"},
                 {"StageName", "Negotiation"},
                 {"Amount", 25000},
                 {"CloseDate", "2026-12-31"},
                 {"IsClosed", false},
                 {"IsWon", false}},
                4);
  world_.add_sf("Campaign",
                {{"Id", "701C"},
                 {"Name", "Q4 Webinar"},
                 {"Type", "Webinar"},
                 {"Status", "In Progress"},
                 {"StartDate", "2026-11-01"},
                 {"EndDate", nullptr}},
                5);
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":["Opportunity","Campaign"])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(world_.rw_opportunities.size(), 1u);
  const boost::json::object& o = world_.rw_opportunities.at("006O");
  EXPECT_EQ(o.at("name"), "Acme renewal");
  EXPECT_EQ(o.at("account_external_id"), "001A");
  EXPECT_EQ(o.at("stage"), "Negotiation");
  EXPECT_EQ(o.at("amount").as_int64(), 25000);
  EXPECT_EQ(o.at("close_date"), "2026-12-31");
  EXPECT_EQ(o.at("is_won"), false);
  ASSERT_EQ(world_.rw_campaigns.size(), 1u);
  const boost::json::object& c = world_.rw_campaigns.at("701C");
  EXPECT_EQ(c.at("type"), "Webinar");
  EXPECT_EQ(c.at("status"), "In Progress");
  EXPECT_FALSE(c.contains("end_date"));  // null in Salesforce: not sent
  EXPECT_EQ(host_.state_value("up/Opportunity"), stamp(4));
  EXPECT_EQ(host_.state_value("up/Campaign"), stamp(5));
  EXPECT_TRUE(world_.rw_accounts.empty());
}

TEST_F(RollworksSyncTest, ARefusedAccountDataRecordWaitsInTheOutboxAndIsRetried) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(host_.state_value("down/accounts/cursor"), "c2");  // the feed goes on
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->second.collection, "RollWorks_Account_Data__c");
  EXPECT_EQ(outbox.begin()->second.id, "rwa_2");
  EXPECT_TRUE(outbox.begin()->second.error.empty());  // pending, not parked

  world_.sf_refuse.clear();  // the admin fixed the validation rule
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("retried").as_int64(), 1);
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(world_.account_data.at("rwa_2").at("Intent_Score__c").as_int64(), 10);
}

TEST_F(RollworksSyncTest, ARecordRefusedThreeTimesIsParkedWithSalesforcesError) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());  // attempt 1 (the feed)
  auto r = plugin_.sync("{}");           // attempt 2 (the outbox)
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("errors").as_int64(), 1);
  ASSERT_TRUE(host_.outbox().begin()->second.error.empty());
  r = plugin_.sync("{}");  // attempt 3: parked
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("parked").as_int64(), 1);
  const auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);  // kept for an admin, never dropped
  EXPECT_EQ(outbox.begin()->second.error,
            "RollWorks_Account_Data__c rwa_2 refused by Salesforce: "
            "FIELD_CUSTOM_VALIDATION_EXCEPTION: refused (after 3 attempts)");
  r = plugin_.sync("{}");  // a parked entry is not offered again
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(output(r).at("down").at("accounts").at("parked").as_int64(), 0);
}

TEST_F(RollworksSyncTest, ANewerFeedEntryRetiresTheWaitingOne) {
  world_.sf_refuse.insert("rwa_2");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_EQ(host_.outbox().size(), 1u);
  world_.add_change("rwa_2", "", 55);  // RollWorks has newer data for that account
  auto r = plugin_.sync("{}");         // still refused: only the newest data waits
  ASSERT_TRUE(r.ok()) << r.error;
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_NE(outbox.begin()->second.json.find("\"Intent_Score__c\":55"), std::string::npos)
      << outbox.begin()->second.json;
  world_.sf_refuse.clear();
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(world_.account_data.at("rwa_2").at("Intent_Score__c").as_int64(), 55);
}

TEST_F(RollworksSyncTest, TheContactsFeedWritesTheJourneyStageOntoLinkedContactsAndLeads) {
  world_.contact_feed = {{{"contact_id", "rwc_1"},
                          {"email", "pat@acme.com"},
                          {"contact_external_id", "003P"},
                          {"kind", "contact"},
                          {"journey_stage", "engaged"}},
                         {{"contact_id", "rwc_2"},
                          {"email", "kim@globex.com"},
                          {"contact_external_id", "00QK"},
                          {"kind", "lead"},
                          {"journey_stage", "aware"}},
                         {{"contact_id", "rwc_3"},
                          {"email", "x@nowhere.com"},
                          {"contact_external_id", nullptr},
                          {"kind", nullptr},
                          {"journey_stage", "unaware"}}};
  ASSERT_TRUE(plugin_.create(config_json(R"(,"objects_up":[])")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(world_.sf_updates.size(), 2u);
  EXPECT_EQ(world_.sf_updates.at("003P").at("RollWorks_Journey_Stage__c"), "engaged");
  EXPECT_EQ(world_.sf_updates.at("00QK").at("RollWorks_Journey_Stage__c"), "aware");
  const boost::json::object out = output(r);
  const boost::json::value& c = out.at("down").at("contacts");
  EXPECT_EQ(c.at("received").as_int64(), 3);
  EXPECT_EQ(c.at("updated").as_int64(), 2);
  EXPECT_EQ(c.at("unlinked").as_int64(), 1);
  EXPECT_EQ(host_.state_value("down/contacts/cursor"), "k3");

  world_.sf_updates.clear();  // the next sync resumes from the cursor: nothing new
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_TRUE(world_.sf_updates.empty());
}

TEST(RollworksDomain, NormalisesWebsitesLikeRollWorks) {
  EXPECT_EQ(rollworks::domain_from_website("HTTPS://www.Acme.COM/about?x=1"), "acme.com");
  EXPECT_EQ(rollworks::domain_from_website("//user@shop.globex.com:8080/"), "shop.globex.com");
  EXPECT_EQ(rollworks::domain_from_website("  "), "");
}

}  // namespace
