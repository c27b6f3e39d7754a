// The salesforce plugin against the local Salesforce peer (tests/peers/salesforce) on
// loopback: every OAuth flow and its errors, refresh-token rotation and reuse detection, a
// 10,000-record paginated sync, deletes, write-back with partial failures and the API quota
// threshold. The host is FakeHost; its HTTP goes over the network to the peer.
#include <chpeer/salesforce/sf_peer.h>
#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "peer_transport.hpp"
#include "salesforce_connector.hpp"
#include "sf_config.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::HookResult;
using chp::testing::PluginUnderTest;
using sfplugin::SalesforceConnector;
using sfplugin::testing::peer_request;

constexpr const char* kRedirect = "http://127.0.0.1:8080/api/v1/oauth/callback";

class PeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chpeer::sf::SalesforcePeerOptions options;
    options.seed_path = SF_PEER_DEMO_SEED;
    std::string error;
    peer_ = chpeer::sf::SalesforcePeer::Start(options, &error);
    ASSERT_TRUE(peer_) << error;
    sfplugin::testing::forward_http_to_network(host_);
  }

  std::string config(const std::string& extra = "") const {
    return R"({"login_url":")" + peer_->base_url() +
           R"(","client_id":"demo-consumer-key","client_secret":"demo-consumer-secret",
              "objects":[{"name":"Account","fields":["Name","Industry"]}],
              "page_size_records":2000,"overlap_seconds":60)" +
           extra + "}";
  }

  sfplugin::testing::PeerResponse control(const std::string& method, const std::string& path,
                                          const std::string& body = "{}") {
    auto r = peer_request(method, peer_->base_url() + "/__peer/" + path,
                          {{"Content-Type", "application/json"}}, body);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r;
  }

  // Runs the web-server flow like a browser would and returns the callback's result.
  HookResult authorize_in_browser() {
    HookResult start =
        plugin_.authorize(std::string(R"({"step":"start","redirect_uri":")") + kRedirect + "\"}");
    EXPECT_TRUE(start.ok()) << start.error;
    auto out = boost::json::parse(start.output);
    auto page = peer_request("GET", std::string(out.at("authorize_url").as_string()), {}, "");
    EXPECT_EQ(page.status, 302) << page.body;
    std::string location = page.header("Location");
    std::string query = location.substr(location.find('?') + 1);
    std::string code, state;
    for (std::size_t pos = 0; pos < query.size();) {
      std::size_t amp = query.find('&', pos);
      std::string kv = query.substr(pos, amp == std::string::npos ? std::string::npos : amp - pos);
      std::size_t eq = kv.find('=');
      std::string value = *chp::http::url_decode(kv.substr(eq + 1));
      if (kv.starts_with("code=")) code = value;
      if (kv.starts_with("state=")) state = value;
      if (amp == std::string::npos) break;
      pos = amp + 1;
    }
    EXPECT_EQ(state, std::string(out.at("state").as_string()));
    boost::json::object cb{
        {"step", "callback"}, {"code", code}, {"state", state}, {"redirect_uri", kRedirect}};
    return plugin_.authorize(boost::json::serialize(cb));
  }

  // Authorizes and hands the connection to FakeHost, as the host does after storing it.
  boost::json::object connect() {
    HookResult cb = authorize_in_browser();
    EXPECT_TRUE(cb.ok()) << cb.error;
    boost::json::object out = boost::json::parse(cb.output).as_object();
    host_.set_connection_token_from_grant(chp::grant_from_json(out));
    return out;
  }

  std::unique_ptr<chpeer::sf::SalesforcePeer> peer_;
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<SalesforceConnector>(), host_};
};

TEST_F(PeerTest, WebServerFlowWithPkceRecordsIdentityAndWarnsForAPerson) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  HookResult cb = authorize_in_browser();
  ASSERT_TRUE(cb.ok()) << cb.error;
  auto out = boost::json::parse(cb.output);
  EXPECT_FALSE(out.at("credentials").at("refresh_token").as_string().empty());
  EXPECT_EQ(out.at("connection").at("instance_url").as_string(), peer_->base_url());
  EXPECT_EQ(out.at("identity").at("username").as_string(), "alice@demo.peer");
  EXPECT_EQ(std::string(out.at("identity").at("org_id").as_string()).substr(0, 15),
            peer_->OrgIdForTest().substr(0, 15));
  EXPECT_EQ(out.at("warnings").as_array().size(), 1u);

  control("POST", "login_user", R"({"username":"integration@demo.peer"})");
  cb = authorize_in_browser();
  ASSERT_TRUE(cb.ok()) << cb.error;
  EXPECT_TRUE(boost::json::parse(cb.output).at("warnings").as_array().empty());
}

TEST_F(PeerTest, WrongClientSecretIsConfigError) {
  std::string c = config();
  c.replace(c.find("demo-consumer-secret"), std::string_view("demo-consumer-secret").size(),
            "wrong-secret");
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(c)).ok());
  HookResult cb = authorize_in_browser();
  EXPECT_EQ(cb.status, static_cast<chp_status_code>(CHP_ERR_CONFIG)) << cb.error;
  EXPECT_NE(cb.error.find("invalid_client"), std::string::npos) << cb.error;
  EXPECT_EQ(cb.error.find("wrong-secret"), std::string::npos);
}

TEST_F(PeerTest, RefreshRotatesAndReusingTheOldTokenRevokesTheGrant) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  auto creds = connect();
  std::string rt1(creds.at("credentials").at("refresh_token").as_string());
  HookResult r = plugin_.refresh(
      boost::json::serialize(boost::json::object{{"credentials", creds.at("credentials")}}));
  ASSERT_TRUE(r.ok()) << r.error;
  std::string rt2(boost::json::parse(r.output).at("credentials").at("refresh_token").as_string());
  EXPECT_NE(rt1, rt2);  // the demo app rotates

  r = plugin_.refresh(R"({"credentials":{"refresh_token":")" + rt1 + "\"}}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
  EXPECT_NE(r.error.find("invalid_grant: expired access/refresh token"), std::string::npos)
      << r.error;
  EXPECT_EQ(r.error.find(rt1), std::string::npos);
  // Reuse detection killed the whole grant, the rotated token too.
  r = plugin_.refresh(R"({"credentials":{"refresh_token":")" + rt2 + "\"}}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED));
}

TEST_F(PeerTest, ClientCredentialsRunsAsTheIntegrationUser) {
  ASSERT_TRUE(
      plugin_.create(sfplugin::sf_config(config(R"(,"auth_flow":"client_credentials")"))).ok());
  HookResult r = plugin_.authorize(R"({"step":"start"})");
  ASSERT_TRUE(r.ok()) << r.error;
  auto out = boost::json::parse(r.output);
  EXPECT_EQ(out.at("identity").at("username").as_string(), "integration@demo.peer");
  EXPECT_TRUE(out.at("warnings").as_array().empty());
  EXPECT_FALSE(out.at("credentials").as_object().contains("refresh_token"));
  r = plugin_.refresh(R"({"credentials":{}})");  // a new grant is the refresh
  EXPECT_TRUE(r.ok()) << r.error;
}

TEST_F(PeerTest, JwtBearerWithApprovedUserAndUnknownUserRefused) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_RSA_gen(2048), &EVP_PKEY_free);
  std::string key_path =
      (std::filesystem::temp_directory_path() / ("sf_peer_key_" + std::to_string(::getpid())))
          .string();
  FILE* f = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(f, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
  PEM_write_bio_PUBKEY(bio.get(), key.get());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  boost::json::object app{{"client_id", "jwt-app"},
                          {"client_secret", "jwt-secret"},
                          {"certificate_pem", std::string(data, static_cast<std::size_t>(len))},
                          {"approved_usernames", boost::json::array{"integration@demo.peer"}}};
  control("POST", "apps", boost::json::serialize(app));

  std::string base = R"({"login_url":")" + peer_->base_url() +
                     R"(","client_id":"jwt-app","auth_flow":"jwt_bearer","private_key_file":")" +
                     key_path + R"(","username":")";
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(base + "integration@demo.peer\"}")).ok());
  HookResult r = plugin_.authorize("{}");
  EXPECT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("identity").at("username").as_string(),
            "integration@demo.peer");

  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(base + "alice@demo.peer\"}")).ok());
  r = plugin_.authorize("{}");
  std::filesystem::remove(key_path);
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED)) << r.error;
  EXPECT_NE(r.error.find("invalid_grant"), std::string::npos) << r.error;
}

TEST_F(PeerTest, SyncsTenThousandRecordsPageByPageThenDeletes) {
  control("POST", "generate",
          R"({"sobject":"Account","count":10000,"fields":{"Name":"Acct {n}"}})");
  // REST pages on purpose (Bulk's full load: bulk_query_test.cpp).
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config(R"(,"bulk_threshold_records":0)"))).ok());
  auto creds = connect();
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  auto records = host_.records();
  EXPECT_GE(records.size(), 10000u);
  std::size_t total = records.size();
  EXPECT_GE(host_.commits(), 6u);  // >= 10,002 records in pages of 2000, one commit each
  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("objects").at("Account").at("upserted").as_int64(),
            static_cast<std::int64_t>(total));
  EXPECT_GT(summary.at("api_usage").at("used").as_int64(), 0);
  ASSERT_TRUE(host_.state_value("checkpoint/Account"));

  // Delete one record at Salesforce: the next sync mirrors it as deleted (queryAll).
  std::string token(creds.at("credentials").at("access_token").as_string());
  control("POST", "clock/advance", R"({"seconds":120})");
  auto del = peer_request(
      "DELETE", peer_->base_url() + "/services/data/v59.0/sobjects/Account/0015g00000GLOBX",
      {{"Authorization", "Bearer " + token}}, "");
  ASSERT_EQ(del.status, 204) << del.body;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  records = host_.records();
  EXPECT_EQ(records.size(), total);  // overlap re-reads are upserts, never duplicates
  bool found = false;
  for (const auto& [key, rec] : records) {
    if (key.second.starts_with("0015g00000GLOBX")) {
      found = true;
      EXPECT_TRUE(rec.deleted);
    }
  }
  EXPECT_TRUE(found);
  summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("objects").at("Account").at("deleted").as_int64(), 1);
}

// Salesforce answers at most 200 records a page when a query selects two or more long text
// custom fields, whatever batchSize asks: the connector reads such an object completely, page
// by page, and commits each page with its checkpoint.
TEST_F(PeerTest, TwoLongTextFieldsCapThePagesAt200AndEveryRecordStillArrives) {
  control("POST", "seed", R"({"custom_fields":{"Account":[
      {"name":"Notes__c","type":"textarea","length":32768},
      {"name":"Terms__c","type":"textarea","length":131072},
      {"name":"Short__c","type":"textarea","length":255}]}})");
  control("POST", "generate",
          R"({"sobject":"Account","count":1000,"fields":{"Name":"Acct {n}","Notes__c":"n {n}",
              "Terms__c":"t {n}"}})");
  ASSERT_TRUE(plugin_
                  .create(sfplugin::sf_config(R"({"login_url":")" + peer_->base_url() +
                                              R"(","client_id":"demo-consumer-key",
              "client_secret":"demo-consumer-secret","bulk_threshold_records":0,
              "page_size_records":2000,
              "objects":[{"name":"Account","fields":["Name","Notes__c","Terms__c"]}]})"))
                  .ok());
  auto creds = connect();
  control("DELETE", "counters");
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("objects").at("Account").at("upserted").as_int64(), 1002);
  std::size_t with_terms = 0;
  for (const auto& [key, rec] : host_.records()) {
    if (rec.json.find("\"Terms__c\":\"t ") != std::string::npos) ++with_terms;
  }
  EXPECT_EQ(with_terms, 1000u);
  EXPECT_GE(host_.commits(), 6u);  // 1,002 records in pages of at most 200, one commit each
  auto counters = boost::json::parse(control("GET", "counters").body);
  std::int64_t query_requests = 0;
  for (const auto& [path, n] : counters.at("paths").as_object()) {
    if (path.find("/query") != std::string::npos) query_requests += n.as_int64();
  }
  EXPECT_EQ(query_requests, 6);  // ceil(1002 / 200), not 1 page of 2000

  // One long text field is no cap: a page holds what batchSize asks.
  std::string token(creds.at("credentials").at("access_token").as_string());
  auto page = [&](const std::string& soql) {
    auto resp = peer_request(
        "GET", peer_->base_url() + "/services/data/v59.0/query?q=" + chp::http::url_encode(soql),
        {{"Authorization", "Bearer " + token}, {"Sforce-Query-Options", "batchSize=2000"}}, "");
    EXPECT_EQ(resp.status, 200) << resp.body;
    return boost::json::parse(resp.body).at("records").as_array().size();
  };
  EXPECT_EQ(page("SELECT Id, Notes__c, Short__c FROM Account"), 1002u);
  EXPECT_EQ(page("SELECT Id, Notes__c, Terms__c FROM Account"), 200u);
}

// Issue 8: after a load written in one burst, a no-change incremental must not re-read the whole
// burst. The finished full sync checkpoints the peer's clock (Date) at its start, so the next
// run reads only what changed within the overlap before the previous run, in one request.
TEST_F(PeerTest, ANoChangeIncrementalAfterABulkLoadMakesOneRequestAndRereadsOnlyTheOverlap) {
  control("POST", "generate",
          R"({"sobject":"Account","count":5000,"fields":{"Name":"Burst {n}"}})");
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config(R"(,"bulk_threshold_records":0)"))).ok());
  auto creds = connect();
  std::string token(creds.at("credentials").at("access_token").as_string());
  control("POST", "clock/advance", R"({"seconds":3600})");
  std::vector<std::string> ids;
  {
    HookResult full = plugin_.sync(R"({"reason":"manual"})");
    ASSERT_TRUE(full.ok()) << full.error;
    for (const auto& [key, rec] : host_.records()) {
      if (ids.size() < 3) ids.push_back(key.second);
    }
  }
  ASSERT_EQ(ids.size(), 3u);
  // Three records change right after the full sync. The next run reads from the full sync's
  // start minus the overlap (60 s): those three, not the burst (the newest burst record minus
  // the overlap, as before, would re-read all 5,000 in three pages).
  for (const std::string& id : ids) {
    auto patch =
        peer_request("PATCH", peer_->base_url() + "/services/data/v59.0/sobjects/Account/" + id,
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}},
                     R"({"Industry":"Energy"})");
    ASSERT_EQ(patch.status, 204) << patch.body;
  }
  control("POST", "clock/advance", R"({"seconds":30})");
  HookResult changed = plugin_.sync("{}");
  ASSERT_TRUE(changed.ok()) << changed.error;
  auto account = boost::json::parse(changed.output).at("objects").at("Account");
  EXPECT_EQ(account.at("upserted").as_int64(), 3);
  EXPECT_EQ(account.at("unchanged").as_int64(), 0);
  EXPECT_EQ(boost::json::parse(changed.output).at("api_calls").as_int64(), 1);

  // 15 minutes later, nothing changed at Salesforce: one request; the three records changed
  // within the overlap before the previous run are re-read and counted unchanged, and not one
  // of the 5,000 burst records is read again.
  control("POST", "clock/advance", R"({"seconds":900})");
  HookResult quiet = plugin_.sync("{}");
  ASSERT_TRUE(quiet.ok()) << quiet.error;
  auto summary = boost::json::parse(quiet.output);
  account = summary.at("objects").at("Account");
  EXPECT_EQ(summary.at("api_calls").as_int64(), 1);
  EXPECT_EQ(account.at("upserted").as_int64(), 0);
  EXPECT_EQ(account.at("deleted").as_int64(), 0);
  EXPECT_EQ(account.at("unchanged").as_int64(), 3);

  // And the run after that re-reads nothing at all.
  control("POST", "clock/advance", R"({"seconds":900})");
  quiet = plugin_.sync("{}");
  ASSERT_TRUE(quiet.ok()) << quiet.error;
  summary = boost::json::parse(quiet.output);
  account = summary.at("objects").at("Account");
  EXPECT_EQ(summary.at("api_calls").as_int64(), 1);
  EXPECT_EQ(account.at("upserted").as_int64() + account.at("unchanged").as_int64(), 0);
}

// Issue 8: every object can be mirrored. The read plan comes from describe: User has no
// IsDeleted (query, not queryAll), AccountHistory no SystemModstamp (CreatedDate), and a field
// the org does not have is reported instead of failing every sync with INVALID_FIELD.
TEST_F(PeerTest, ObjectsWithoutIsDeletedOrSystemModstampAreMirroredFromTheirDescribe) {
  control("POST", "records/AccountHistory",
          R"([{"AccountId":"0015g00000GLOBX","Field":"Industry","DataType":"Picklist",
               "OldValue":"Energy","NewValue":"Banking"}])");
  ASSERT_TRUE(plugin_
                  .create(sfplugin::sf_config(R"({"login_url":")" + peer_->base_url() +
                                              R"(","client_id":"demo-consumer-key",
      "client_secret":"demo-consumer-secret","overlap_seconds":60,"objects":[
        {"name":"User","fields":["Username","IsActive"]},
        {"name":"AccountHistory","fields":["AccountId","Field","OldValue","NewValue"]},
        {"name":"Account","fields":["Name","Gone__c"]}]})"))
                  .ok());
  connect();
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto objects = boost::json::parse(r.output).at("objects");
  EXPECT_GT(objects.at("User").at("upserted").as_int64(), 0);
  EXPECT_EQ(objects.at("AccountHistory").at("upserted").as_int64(), 1);
  EXPECT_EQ(objects.at("AccountHistory").at("cursor").as_string(), "CreatedDate");
  EXPECT_EQ(objects.at("Account").at("missing_fields"), boost::json::array{"Gone__c"});
  EXPECT_GT(objects.at("Account").at("upserted").as_int64(), 0);
  std::size_t users = 0;
  for (const auto& [key, rec] : host_.records()) {
    if (key.first != "User") continue;
    ++users;
    auto user = boost::json::parse(rec.json).as_object();
    EXPECT_FALSE(user.contains("IsDeleted")) << rec.json;
    EXPECT_TRUE(user.contains("SystemModstamp")) << rec.json;
  }
  EXPECT_EQ(static_cast<std::int64_t>(users), objects.at("User").at("upserted").as_int64());

  // A new history row arrives incrementally by its CreatedDate; the plans are not described
  // again (three queries, no describe).
  control("POST", "clock/advance", R"({"seconds":120})");
  control("POST", "records/AccountHistory",
          R"([{"AccountId":"0015g00000GLOBX","Field":"Phone","DataType":"Phone",
               "OldValue":null,"NewValue":"555"}])");
  control("POST", "clock/advance", R"({"seconds":120})");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("objects").at("AccountHistory").at("upserted").as_int64(), 1);
  EXPECT_EQ(summary.at("objects").at("User").at("upserted").as_int64(), 0);
  EXPECT_EQ(summary.at("api_calls").as_int64(), 3);
}

// Issue 8: adding a field to an object's config backfills just that field (Id + the field,
// merged into the mirrored rows) without resetting the checkpoint or re-reading the records.
TEST_F(PeerTest, AFieldAddedToTheConfigIsBackfilledWithoutAReset) {
  control("POST", "generate",
          R"({"sobject":"Account","count":2500,"fields":{"Name":"Acct {n}","Industry":"Energy"}})");
  const std::string base = R"({"login_url":")" + peer_->base_url() +
                           R"(","client_id":"demo-consumer-key",
      "client_secret":"demo-consumer-secret","overlap_seconds":60,"bulk_threshold_records":0,
      "page_size_records":2000,"objects":[{"name":"Account","fields":)";
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(base + R"(["Name"]}]})")).ok());
  connect();
  // Loaded well before the first sync, so its overlap does not re-read the load.
  control("POST", "clock/advance", R"({"seconds":600})");
  HookResult full = plugin_.sync("{}");
  ASSERT_TRUE(full.ok()) << full.error;
  const std::int64_t accounts =
      boost::json::parse(full.output).at("objects").at("Account").at("upserted").as_int64();
  ASSERT_GE(accounts, 2500);
  for (const auto& [key, rec] : host_.records()) {
    ASSERT_EQ(rec.json.find("Industry"), std::string::npos) << rec.json;
  }
  control("POST", "clock/advance", R"({"seconds":600})");

  // The admin adds Industry and restarts.
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(base + R"(["Name","Industry"]}]})")).ok());
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output);
  auto account = summary.at("objects").at("Account");
  EXPECT_EQ(account.at("backfilled_fields"), boost::json::array{"Industry"});
  EXPECT_EQ(account.at("backfilled_records").as_int64(), accounts);
  EXPECT_EQ(account.at("upserted").as_int64(), 0);  // the checkpoint stayed: no re-read
  // describe, the backfill pages (Id + Industry, 2,000 a page), one incremental page
  EXPECT_EQ(summary.at("api_calls").as_int64(), 1 + (accounts + 1999) / 2000 + 1);
  std::int64_t energy = 0;
  for (const auto& [key, rec] : host_.records()) {
    auto row = boost::json::parse(rec.json).as_object();
    ASSERT_TRUE(row.contains("Industry")) << rec.json;
    ASSERT_TRUE(row.contains("Name")) << rec.json;
    if (row.at("Industry") == "Energy") ++energy;
  }
  EXPECT_GE(energy, 2500);

  // Done once: the next run neither backfills nor describes.
  control("POST", "clock/advance", R"({"seconds":600})");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  summary = boost::json::parse(r.output);
  EXPECT_FALSE(summary.at("objects").at("Account").as_object().contains("backfilled_fields"));
  EXPECT_EQ(summary.at("api_calls").as_int64(), 1);
}

TEST_F(PeerTest, WriteBackAppliesSuccessesAndParksFailures) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config(R"(,"write_back":true)"))).ok());
  connect();
  host_.seed_outbox("Account", "0015g00000ACME1", R"({"Industry":"Energy"})");
  std::int64_t bad = host_.seed_outbox("Account", "0015g00000NOPE1", R"({"Industry":"Energy"})");
  host_.seed_outbox("Account", "", R"({"Name":"Created by write-back"})");
  host_.seed_outbox("Account", "",
                    R"({"Name":"Upserted","External_Id__c":"WB-1","_upsert_by":"External_Id__c"})");
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox.begin()->first, bad);
  EXPECT_FALSE(outbox.begin()->second.error.empty());
  auto summary = boost::json::parse(r.output);
  EXPECT_EQ(summary.at("write_back").at("pushed").as_int64(), 3);
  EXPECT_EQ(summary.at("write_back").at("failed").as_int64(), 1);

  // The pushed values are at Salesforce: the next sync mirrors them.
  ASSERT_TRUE(plugin_.sync("{}").ok());
  bool energy = false, created = false;
  for (const auto& [key, rec] : host_.records()) {
    if (key.second.starts_with("0015g00000ACME1")) {
      energy = rec.json.find("\"Energy\"") != std::string::npos;
    }
    if (rec.json.find("Created by write-back") != std::string::npos) created = true;
  }
  EXPECT_TRUE(energy);
  EXPECT_TRUE(created);
}

// Salesforce refuses a whole Collections call (HTTP 400 INVALID_FIELD, the REST error array)
// when one record names a field the org lacks: that call's entries are parked with the error,
// the Contact entries (another call) still go, the mirror part succeeds and the summary says so.
TEST_F(PeerTest, WriteBackParksARefusedCallAndTheOtherCallsStillGo) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config(R"(,"write_back":true)"))).ok());
  connect();
  std::int64_t good_account =
      host_.seed_outbox("Account", "0015g00000ACME1", R"({"Industry":"Energy"})");
  std::int64_t bad_account =
      host_.seed_outbox("Account", "0015g00000ACME1", R"({"Missing_Field__c":"x"})");
  host_.seed_outbox("Contact", "", R"({"LastName":"Still Goes"})");
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(host_.records().empty()) << "the mirror part ran";
  auto outbox = host_.outbox();
  ASSERT_EQ(outbox.size(), 2u);  // both Account updates went in the one refused call
  for (std::int64_t id : {good_account, bad_account}) {
    ASSERT_TRUE(outbox.count(id));
    EXPECT_NE(outbox.at(id).error.find(
                  "HTTP 400 INVALID_FIELD: No such column 'Missing_Field__c' on sobject of type "
                  "Account"),
              std::string::npos)
        << outbox.at(id).error;
  }
  auto summary = boost::json::parse(r.output);
  const auto& wb = summary.at("write_back");
  EXPECT_EQ(wb.at("pushed").as_int64(), 1);
  EXPECT_EQ(wb.at("failed").as_int64(), 2);
  EXPECT_EQ(wb.at("refused_calls").as_int64(), 1);
  ASSERT_EQ(wb.at("errors").as_array().size(), 1u);

  // A later sync does not offer the parked entries again (they wait for an admin's retry).
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("write_back").at("failed").as_int64(), 0);
}

// A record read from the mirror (attributes, system fields, a compound field and a relationship
// object) and written back unchanged goes through.
TEST_F(PeerTest, WriteBackOfAnUnchangedMirroredRecordGoesThrough) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config(R"(,"write_back":true)"))).ok());
  connect();
  host_.seed_outbox("Account", "0015g00000ACME1",
                    R"({"attributes":{"type":"Account","url":"/x"},"Id":"0015g00000ACME1",
                        "Name":"Acme","SystemModstamp":"2026-01-01T00:00:00.000+0000",
                        "IsDeleted":false,"CreatedDate":"2026-01-01T00:00:00.000+0000",
                        "BillingAddress":{"city":"Paris","country":"FR"},
                        "Owner":{"attributes":{"type":"User"},"Name":"Ada"}})");
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(host_.outbox().empty());
  EXPECT_EQ(boost::json::parse(r.output).at("write_back").at("pushed").as_int64(), 1);
}

TEST_F(PeerTest, ExpiredSessionIsRefreshedThroughTheHostAndRetriedOnce) {
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(config())).ok());
  auto creds = connect();
  std::string refresh_token(creds.at("credentials").at("refresh_token").as_string());
  control("POST", "tokens/expire", "{}");
  // Play the host: when Salesforce answers 401, refresh (as the host's single-flight refresh
  // would) so that connection_token(rejected) hands out the new session.
  int unauthorized = 0;
  host_.set_http_handler([&](const chp::testing::FakeHttpRequest& req) {
    auto r = peer_request(req.method, req.url, req.headers, req.body);
    if (r.status == 401) {
      ++unauthorized;
      auto t = peer_request(
          "POST", peer_->base_url() + "/services/oauth2/token",
          {{"Content-Type", "application/x-www-form-urlencoded"}},
          "grant_type=refresh_token&client_id=demo-consumer-key&client_secret=demo-consumer-"
          "secret&refresh_token=" +
              chp::http::url_encode(refresh_token));
      EXPECT_EQ(t.status, 200) << t.body;
      auto tok = boost::json::parse(t.body);
      host_.set_connection_token(boost::json::serialize(boost::json::object{
          {"access_token", tok.at("access_token")}, {"instance_url", tok.at("instance_url")}}));
    }
    return chp::testing::FakeHttpResponse{CHP_OK, static_cast<std::uint32_t>(r.status), r.headers,
                                          r.body};
  });
  HookResult r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(unauthorized, 1);
  EXPECT_EQ(host_.rejected_token_reports(), 1u);
  EXPECT_FALSE(host_.records().empty());

  // When the host cannot produce a working session either, the second 401 is AUTH_REVOKED.
  control("POST", "tokens/revoke", "{}");
  unauthorized = 0;
  host_.set_http_handler([&](const chp::testing::FakeHttpRequest& req) {
    auto resp = peer_request(req.method, req.url, req.headers, req.body);
    if (resp.status == 401) ++unauthorized;
    return chp::testing::FakeHttpResponse{CHP_OK, static_cast<std::uint32_t>(resp.status),
                                          resp.headers, resp.body};
  });
  r = plugin_.sync("{}");
  EXPECT_EQ(r.status, static_cast<chp_status_code>(CHP_ERR_AUTH_REVOKED)) << r.error;
  EXPECT_EQ(unauthorized, 2);
}

TEST_F(PeerTest, StopsAtTheApiQuotaThreshold) {
  control("POST", "generate", R"({"sobject":"Account","count":1000,"fields":{"Name":"Q {n}"}})");
  // The quota left: authorize (its Organization query), describe and two pages of 200 reach 90%.
  control("POST", "limits", R"({"daily_api_max":100,"daily_api_used":86})");
  ASSERT_TRUE(plugin_
                  .create(sfplugin::sf_config(
                      config(R"(,"page_size_records":200,"api_usage_threshold_percent":90)")))
                  .ok());
  connect();
  HookResult r = plugin_.sync("{}");
  // A pause, not a failure: what was committed stays and the summary says why it stopped.
  ASSERT_EQ(r.status, static_cast<chp_status_code>(CHP_OK)) << r.error;
  const boost::json::object out = boost::json::parse(r.output).as_object();
  const boost::json::object& paused = out.at("paused").as_object();
  EXPECT_EQ(paused.at("reason").as_string(), "api_quota");
  EXPECT_NE(std::string(paused.at("message").as_string()).find("API quota threshold reached"),
            std::string::npos)
      << out;
  // The org still has quota left for others: we stopped at 90%, not at 100%.
  EXPECT_FALSE(host_.records().empty());
  EXPECT_LT(host_.records().size(), 1002u);
  // The figures the host exports: records committed before the pause, the quota as the last
  // Sforce-Limit-Info said.
  EXPECT_EQ(out.at("records").at("in").as_int64(),
            static_cast<std::int64_t>(host_.records().size()))
      << out;
  EXPECT_EQ(out.at("api_quota").at("limit").as_int64(), 100) << out;
  EXPECT_GE(out.at("api_quota").at("used").as_int64(), 90) << out;
}

}  // namespace

namespace {

// Creates records through the peer's control API; returns their Ids.
std::vector<std::string> add_records(const std::string& base_url, const std::string& type,
                                     const std::string& body) {
  auto r = peer_request("POST", base_url + "/__peer/records/" + type,
                        {{"Content-Type", "application/json"}}, body);
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> ids;
  const boost::json::value body_json = boost::json::parse(r.body);
  for (const auto& id : body_json.at("ids").as_array()) {
    ids.emplace_back(id.as_string());
  }
  return ids;
}

}  // namespace

// Issue 8: a CampaignMember deleted at Salesforce is gone at once (no Recycle Bin), so the
// incremental (queryAll) never sees it; the reconcile pass finds it in getDeleted and
// tombstones its mirror row (data kept), the other rows untouched. A pass that fails before
// its commit leaves the mirror as it was, and the next run finishes it.
TEST_F(PeerTest, ReconcileTombstonesHardDeletedRecordsFromGetDeleted) {
  const std::string campaign =
      add_records(peer_->base_url(), "Campaign", R"({"Name":"Spring"})")[0];
  std::vector<std::string> members = add_records(
      peer_->base_url(), "CampaignMember",
      R"([{"CampaignId":")" + campaign + R"(","Status":"Sent"},{"CampaignId":")" + campaign +
          R"(","Status":"Responded"},{"CampaignId":")" + campaign + R"(","Status":"Sent"}])");
  ASSERT_EQ(members.size(), 3u);
  std::string cfg = config(R"(,"bulk_threshold_records":0,"reconcile_every_seconds":3600)");
  const std::string account = R"({"name":"Account","fields":["Name","Industry"]})";
  cfg.replace(cfg.find(account), account.size(),
              R"({"name":"CampaignMember","fields":["CampaignId","Status"]})");
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(cfg)).ok());
  auto creds = connect();
  std::string token(creds.at("credentials").at("access_token").as_string());
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  ASSERT_EQ(host_.records().size(), 3u);
  ASSERT_TRUE(host_.state_value("reconcile/CampaignMember"));  // the log matters from here on

  control("POST", "clock/advance", R"({"seconds":60})");
  auto del = peer_request(
      "DELETE", peer_->base_url() + "/services/data/v59.0/sobjects/CampaignMember/" + members[1],
      {{"Authorization", "Bearer " + token}}, "");
  ASSERT_EQ(del.status, 204) << del.body;

  // Not due yet (a minute on Salesforce's clock): no getDeleted, the row stays live.
  control("POST", "clock/advance", R"({"seconds":60})");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output);
  EXPECT_FALSE(summary.at("objects").at("CampaignMember").as_object().contains("reconcile"));
  EXPECT_FALSE(host_.records().at({"CampaignMember", members[1]}).deleted);

  // Due, but the pass fails before it commits (the getDeleted answer is lost): nothing changes.
  control("POST", "clock/advance", R"({"seconds":3600})");
  const std::string covered_before = *host_.state_value("reconcile/CampaignMember");
  host_.set_http_handler([](const chp::testing::FakeHttpRequest& req) {
    if (req.url.find("/deleted/") != std::string::npos) {
      return chp::testing::FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
    }
    auto resp = peer_request(req.method, req.url, req.headers, req.body);
    return chp::testing::FakeHttpResponse{CHP_OK, static_cast<std::uint32_t>(resp.status),
                                          std::move(resp.headers), std::move(resp.body)};
  });
  r = plugin_.sync("{}");
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(host_.records().at({"CampaignMember", members[1]}).deleted);
  EXPECT_EQ(*host_.state_value("reconcile/CampaignMember"), covered_before);

  sfplugin::testing::forward_http_to_network(host_);
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  summary = boost::json::parse(r.output);
  const auto& pass = summary.at("objects").at("CampaignMember").at("reconcile");
  EXPECT_EQ(pass.at("tombstoned").as_int64(), 1) << r.output;
  EXPECT_EQ(pass.at("listed").as_int64(), 1);
  auto records = host_.records();
  ASSERT_EQ(records.size(), 3u);
  const auto& gone = records.at({"CampaignMember", members[1]});
  EXPECT_TRUE(gone.deleted);
  EXPECT_EQ(boost::json::parse(gone.json).at("Status").as_string(), "Responded");  // data kept
  EXPECT_FALSE(records.at({"CampaignMember", members[0]}).deleted);
  EXPECT_FALSE(records.at({"CampaignMember", members[2]}).deleted);
  EXPECT_NE(*host_.state_value("reconcile/CampaignMember"), covered_before);
}

// An admin emptied the Recycle Bin after a soft delete the incremental had not seen yet:
// getDeleted can no longer reach back to the last covered point (INVALID_REPLICATION_DATE).
// The sync still succeeds and its summary says deletes may be missing; the mirror is kept.
TEST_F(PeerTest, ReconcileSaysSoWhenTheDeleteLogNoLongerReachesBack) {
  ASSERT_TRUE(plugin_
                  .create(sfplugin::sf_config(
                      config(R"(,"bulk_threshold_records":0,"reconcile_every_seconds":3600)")))
                  .ok());
  auto creds = connect();
  std::string token(creds.at("credentials").at("access_token").as_string());
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  const std::size_t mirrored = host_.records().size();
  control("POST", "clock/advance", R"({"seconds":60})");
  auto del = peer_request(
      "DELETE", peer_->base_url() + "/services/data/v59.0/sobjects/Account/0015g00000GLOBX",
      {{"Authorization", "Bearer " + token}}, "");
  ASSERT_EQ(del.status, 204) << del.body;
  control("POST", "recycle_bin/Account/empty");
  control("POST", "clock/advance", R"({"seconds":3700})");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  auto summary = boost::json::parse(r.output);
  const auto& pass = summary.at("objects").at("Account").at("reconcile");
  EXPECT_EQ(pass.at("tombstoned").as_int64(), 0);
  EXPECT_NE(std::string(pass.at("error").as_string()).find("INVALID_REPLICATION_DATE"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(host_.records().size(), mirrored);
  // The full Id-listing pass ran instead: exactly the purged row is tombstoned, data kept.
  const auto& full = pass.at("full");
  EXPECT_EQ(full.at("tombstoned").as_int64(), 1) << r.output;
  EXPECT_EQ(full.at("listed").as_int64(), static_cast<std::int64_t>(mirrored) - 1);
  std::vector<std::string> tombstones;
  for (const auto& [key, rec] : host_.records()) {
    if (rec.deleted) tombstones.push_back(key.second);
  }
  ASSERT_EQ(tombstones.size(), 1u);
  EXPECT_EQ(tombstones[0].substr(0, 15), "0015g00000GLOBX");
  EXPECT_EQ(*host_.state_value("reconcile-full/Account"), *host_.state_value("checkpoint/Account"));
  // Reported once: the pass starts again from that run.
  EXPECT_EQ(*host_.state_value("reconcile/Account"), *host_.state_value("checkpoint/Account"));
}

// Issue 8: a configured field whose type changes at Salesforce (describe) is reported in the
// summary and the status line, naming object, field and old -> new type; the sync goes on,
// nothing is reset.
TEST_F(PeerTest, AFieldTypeChangeAtSalesforceIsReportedNotFatal) {
  control("POST", "seed", R"({"custom_fields":{"Account":[{"name":"Score__c","type":"double"}]}})");
  std::string cfg = config(R"(,"bulk_threshold_records":0)");
  const std::string fields = R"("fields":["Name","Industry"])";
  cfg.replace(cfg.find(fields), fields.size(), R"("fields":["Name","Score__c"])");
  ASSERT_TRUE(plugin_.create(sfplugin::sf_config(cfg)).ok());
  connect();
  HookResult r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(boost::json::parse(r.output).at("objects").at("Account").as_object().contains(
      "type_changes"));
  const std::string checkpoint = *host_.state_value("checkpoint/Account");
  // The typed view's columns (the store builds view_<connector>_Account from them).
  auto columns = [&] {
    return boost::json::parse(host_.state_value("mirror-columns/Account").value_or("{}"));
  };
  EXPECT_EQ(columns(), boost::json::parse(R"({"Id":"text","SystemModstamp":"text",
      "IsDeleted":"boolean","Name":"text","Score__c":"real"})"));

  control("POST", "seed", R"({"custom_fields":{"Account":[{"name":"Score__c","type":"string"}]}})");
  // The saved plan is a day old: the next sync describes the object again.
  boost::json::object plan = boost::json::parse(*host_.state_value("plan/Account")).as_object();
  EXPECT_EQ(plan.at("types").at("Score__c").as_string(), "double");
  plan["planned_at"] = 0;
  host_.seed_state("plan/Account", boost::json::serialize(plan));
  control("POST", "clock/advance", R"({"seconds":60})");
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  const boost::json::value out = boost::json::parse(r.output);
  const auto& changes = out.at("objects").at("Account").at("type_changes");
  ASSERT_EQ(changes.as_array().size(), 1u) << r.output;
  EXPECT_EQ(changes.at(0).at("field").as_string(), "Score__c");
  EXPECT_EQ(changes.at(0).at("from").as_string(), "double");
  EXPECT_EQ(changes.at(0).at("to").as_string(), "string");
  std::vector<std::string> statuses = host_.statuses();
  ASSERT_FALSE(statuses.empty());
  EXPECT_NE(statuses.back().find("Account.Score__c double -> string"), std::string::npos)
      << statuses.back();
  EXPECT_EQ(columns().at("Score__c").as_string(), "text");
  // Not a reset: the checkpoint moved on from the previous run's, the mirror kept its rows.
  EXPECT_GE(*host_.state_value("checkpoint/Account"), checkpoint);
}
