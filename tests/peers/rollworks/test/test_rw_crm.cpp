// CRM batch upserts on the RollWorks peer (API.md §3): idempotency by external_id, the
// 500-record limit, per-record errors, domain normalisation, matching by domain and email,
// Idempotency-Key replays, and the upload counters tests assert on.
#include <map>

#include "rw_test_client.h"

namespace chpeer::rollworks::testing {
namespace {

namespace json = boost::json;

using RwCrmTest = RwPeerTest;

json::object Account(const std::string& id, const std::string& name, const std::string& website) {
  return json::object{{"external_id", id},           {"name", name},     {"website", website},
                      {"industry", "Manufacturing"}, {"employees", 250}, {"annual_revenue", 1.5e7}};
}

json::array Statuses(const HttpResult& r) {
  json::array out;
  json::value body = r.Json();
  for (const auto& result : body.at("results").as_array()) {
    out.push_back(result.at("status"));
  }
  return out;
}

TEST_F(RwCrmTest, SameBatchTwiceIsUnchangedAndStoresNoDuplicates) {
  json::array batch{Account("001A", "Acme", "https://www.acme.com"),
                    Account("001B", "Globex", "globex.com"),
                    Account("001C", "Hooli", "http://hooli.xyz/about")};
  HttpResult first = Upsert("accounts", batch);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Statuses(first), (json::array{"created", "created", "created"}));
  HttpResult second = Upsert("accounts", batch);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(Statuses(second), (json::array{"unchanged", "unchanged", "unchanged"}));

  json::value stored = client_->Control("GET", "crm/accounts");
  EXPECT_EQ(stored.at("count").as_int64(), 3);
  for (const auto& rec : stored.at("records").as_array()) {
    EXPECT_EQ(rec.at("received").as_int64(), 2);
    EXPECT_EQ(rec.at("version").as_int64(), 1);
  }
  EXPECT_EQ(Counter("records_received", "accounts"), 6);
  EXPECT_EQ(Counter("batches", "accounts"), 2);
  EXPECT_EQ(Counter("upsert_results", "accounts.created"), 3);
  EXPECT_EQ(Counter("upsert_results", "accounts.unchanged"), 3);
  EXPECT_EQ(Counter("duplicates_in_batch", "accounts"), 0);
  EXPECT_EQ(Counter("resent_external_ids", "accounts"), 3);
}

TEST_F(RwCrmTest, ChangedFieldIsUpdatedAndDeletedIsKept) {
  ASSERT_EQ(Upsert("accounts", {Account("001A", "Acme", "acme.com")}).status, 200);
  json::object changed = Account("001A", "Acme Corporation", "acme.com");
  EXPECT_EQ(Statuses(Upsert("accounts", {changed})), (json::array{"updated"}));
  json::object deleted{{"external_id", "001A"}, {"deleted", true}};
  EXPECT_EQ(Statuses(Upsert("accounts", {deleted})), (json::array{"updated"}));
  json::value stored = client_->Control("GET", "crm/accounts");
  EXPECT_EQ(stored.at("count").as_int64(), 1);
  EXPECT_EQ(stored.at("deleted").as_int64(), 1);
  EXPECT_EQ(stored.at("records").at(0).at("version").as_int64(), 3);
}

TEST_F(RwCrmTest, MoreThan500RecordsIs422WithTheDocumentedBody) {
  json::array batch;
  for (int i = 0; i < 501; ++i) {
    batch.push_back(Account("001X" + std::to_string(i), "Co " + std::to_string(i),
                            "co" + std::to_string(i) + ".example"));
  }
  HttpResult r = Upsert("accounts", batch);
  EXPECT_EQ(r.status, 422);
  json::value error = r.Json().at("error");
  EXPECT_EQ(error.at("code").as_string(), "batch_too_large");
  EXPECT_EQ(error.at("message").as_string(), "A batch holds at most 500 records; got 501.");
  EXPECT_EQ(error.at("details").at("max_records").as_int64(), 500);
  EXPECT_EQ(error.at("details").at("received").as_int64(), 501);
  EXPECT_EQ(error.at("request_id").as_string(), r.Header("X-Request-Id"));
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count").as_int64(), 0);
  EXPECT_EQ(Counter("records_received", "accounts"), 0);

  batch.pop_back();
  HttpResult ok = Upsert("accounts", batch);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Json().at("results").as_array().size(), 500u);
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count").as_int64(), 500);
}

TEST_F(RwCrmTest, MalformedBatchesAreRejectedWhole) {
  std::string path = std::string(kBase) + "/crm/accounts:batchUpsert";
  HttpResult not_json =
      client_->Request("POST", path, "{nope", {"Authorization: Bearer " + std::string(kApiKey)});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_EQ(not_json.ErrorCode(), "invalid_json");
  HttpResult empty = Upsert("accounts", {});
  EXPECT_EQ(empty.status, 422);
  EXPECT_EQ(empty.ErrorCode(), "validation_failed");
  HttpResult unknown = client_->PostJson(std::string(kBase) + "/crm/widgets:batchUpsert",
                                         json::object{{"records", json::array{}}}, kApiKey);
  EXPECT_EQ(unknown.status, 404);
}

struct DomainCase {
  const char* field;
  const char* input;
  const char* expected;  // nullptr: invalid_domain
};

class RwDomainTest : public RwPeerTest, public ::testing::WithParamInterface<DomainCase> {};

TEST_P(RwDomainTest, AccountDomainIsNormalised) {
  const DomainCase& c = GetParam();
  json::object record{{"external_id", "001D"}, {"name", "D"}, {c.field, c.input}};
  HttpResult r = Upsert("accounts", {record});
  ASSERT_EQ(r.status, 200) << r.body;
  json::value result = r.Json().at("results").at(0);
  if (c.expected) {
    EXPECT_EQ(result.at("status").as_string(), "created") << r.body;
    EXPECT_EQ(result.at("domain").as_string(), c.expected);
  } else {
    EXPECT_EQ(result.at("status").as_string(), "error");
    EXPECT_EQ(result.at("error").at("code").as_string(), "invalid_domain");
    EXPECT_EQ(result.at("error").at("field").as_string(), c.field);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RwDomainTest,
    ::testing::Values(DomainCase{"website", "HTTPS://www.Acme.COM/about?x=1", "acme.com"},
                      DomainCase{"website", "http://user@shop.example.co.uk:8443/p#f",
                                 "shop.example.co.uk"},
                      DomainCase{"website", "//WWW.globex.com.", "globex.com"},
                      DomainCase{"domain", "  Initech.IO  ", "initech.io"},
                      DomainCase{"domain", "www2.hooli.xyz", "www2.hooli.xyz"},
                      DomainCase{"domain", "localhost", nullptr},
                      DomainCase{"website", "not a domain.com", nullptr},
                      DomainCase{"domain", "https://", nullptr}),
    [](const ::testing::TestParamInfo<DomainCase>& info) {
      return std::to_string(info.index) + "_" + info.param.field;
    });

TEST_F(RwCrmTest, DomainWinsOverWebsite) {
  json::object record{{"external_id", "001W"},
                      {"name", "W"},
                      {"website", "https://www.marketing-site.com"},
                      {"domain", "ACME.com"}};
  HttpResult r = Upsert("accounts", {record});
  EXPECT_EQ(r.Json().at("results").at(0).at("domain").as_string(), "acme.com");
  EXPECT_EQ(r.Json().at("results").at(0).at("matched_account_id").as_string(), "rwa_0001");
}

TEST_F(RwCrmTest, PerRecordErrorsLeaveTheRestOfTheBatchApplied) {
  json::array batch{Account("001A", "Acme", "acme.com"),
                    json::object{{"name", "No Id"}},
                    Account("001A", "Acme again", "acme.com"),
                    json::object{{"external_id", "001N"}, {"website", "nameless.com"}},
                    json::object{{"external_id", "001E"}, {"name", "E"}, {"employees", "many"}},
                    json::object{{"external_id", "001F"}, {"deleted", true}}};
  HttpResult r = Upsert("accounts", batch);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value body = r.Json();
  const json::array& results = body.at("results").as_array();
  ASSERT_EQ(results.size(), 6u);
  EXPECT_EQ(results[0].at("status").as_string(), "created");
  EXPECT_EQ(results[1].at("error").at("code").as_string(), "missing_external_id");
  EXPECT_EQ(results[2].at("error").at("code").as_string(), "duplicate_external_id");
  EXPECT_EQ(results[3].at("error").at("code").as_string(), "missing_field");
  EXPECT_EQ(results[3].at("error").at("field").as_string(), "name");
  EXPECT_EQ(results[4].at("error").at("code").as_string(), "invalid_field");
  EXPECT_EQ(results[4].at("error").at("field").as_string(), "employees");
  EXPECT_EQ(results[5].at("status").as_string(), "created");  // deleted needs no name
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("count").as_int64(), 2);
  EXPECT_EQ(Counter("duplicates_in_batch", "accounts"), 1);
  EXPECT_EQ(Counter("upsert_results", "accounts.error"), 4);
  EXPECT_EQ(Counter("records_received", "accounts"), 6);
}

TEST_F(RwCrmTest, AccountsMatchByDomainAndUnknownDomainsCreateRollWorksAccounts) {
  HttpResult r = Upsert("accounts", {Account("001A", "Acme", "https://www.ACME.com/x"),
                                     Account("001Z", "Zeta", "zeta.example")});
  json::value body = r.Json();
  const json::array& results = body.at("results").as_array();
  EXPECT_EQ(results[0].at("matched_account_id").as_string(), "rwa_0001");
  std::string created(results[1].at("matched_account_id").as_string());
  EXPECT_EQ(created.rfind("rwa_", 0), 0u);
  EXPECT_NE(created, "rwa_0001");
  // Both links show in the feed.
  json::value feed = Get(std::string(kBase) + "/accounts/changes?limit=1000").Json();
  int linked = 0;
  for (const auto& a : feed.at("data").as_array()) {
    if (a.at("account_id") == "rwa_0001") {
      EXPECT_EQ(a.at("account_external_id"), "001A");
    }
    if (a.at("account_id") == json::value(created)) {
      EXPECT_EQ(a.at("account_external_id"), "001Z");
      EXPECT_EQ(a.at("journey_stage"), nullptr);
    }
    if (!a.at("account_external_id").is_null()) ++linked;
  }
  EXPECT_EQ(linked, 2);
}

TEST_F(RwCrmTest, DeletingOrMovingTheCrmAccountUnlinksIt) {
  Upsert("accounts",
         {Account("001A", "Acme", "acme.com"), Account("001B", "Globex", "globex.com")});
  std::string feed = std::string(kBase) + "/accounts/changes?limit=1000";
  std::string cursor(Get(feed).Json().at("next_cursor").as_string());
  Upsert("accounts", {json::object{{"external_id", "001A"}, {"deleted", true}},
                      Account("001B", "Globex", "initech.io")});
  json::value changes = Get(feed + "&since_cursor=" + cursor).Json();
  std::map<std::string, json::value> by_id;
  for (const auto& a : changes.at("data").as_array()) {
    by_id[std::string(a.at("account_id").as_string())] = a.at("account_external_id");
  }
  EXPECT_EQ(by_id.size(), 3u);
  EXPECT_EQ(by_id["rwa_0001"], nullptr);  // acme.com: its CRM account was deleted
  EXPECT_EQ(by_id["rwa_0002"], nullptr);  // globex.com: 001B moved to initech.io
  EXPECT_EQ(by_id["rwa_0003"], "001B");
}

TEST_F(RwCrmTest, ContactsMatchByEmailCaseInsensitively) {
  json::array batch{
      json::object{{"external_id", "003A"},
                   {"email", "Wile.E@ACME.com"},
                   {"first_name", "Wile"},
                   {"last_name", "Coyote"},
                   {"account_external_id", "001A"}},
      json::object{{"external_id", "00QB"}, {"email", "new.lead@zeta.example"}, {"kind", "lead"}},
      json::object{{"external_id", "003C"}, {"email", "not-an-email"}},
      json::object{{"external_id", "003D"}, {"email", "x@y.com"}, {"kind", "customer"}}};
  HttpResult r = Upsert("contacts", batch);
  ASSERT_EQ(r.status, 200) << r.body;
  json::value body = r.Json();
  const json::array& results = body.at("results").as_array();
  std::string matched(results[0].at("matched_contact_id").as_string());
  EXPECT_EQ(results[2].at("error").at("code").as_string(), "invalid_email");
  EXPECT_EQ(results[3].at("error").at("field").as_string(), "kind");
  json::value feed = Get(std::string(kBase) + "/contacts/changes").Json();
  bool saw_seeded = false;
  bool saw_lead = false;
  for (const auto& c : feed.at("data").as_array()) {
    if (c.at("email") == "wile.e@acme.com") {
      saw_seeded = true;
      EXPECT_EQ(c.at("contact_id").as_string(), matched);
      EXPECT_EQ(c.at("contact_external_id"), "003A");
      EXPECT_EQ(c.at("kind"), "contact");
      EXPECT_EQ(c.at("account_external_id"), "001A");
      EXPECT_EQ(c.at("journey_stage"), "engaged");
    }
    if (c.at("email") == "new.lead@zeta.example") {
      saw_lead = true;
      EXPECT_EQ(c.at("kind"), "lead");
    }
  }
  EXPECT_TRUE(saw_seeded);
  EXPECT_TRUE(saw_lead);
}

TEST_F(RwCrmTest, OpportunitiesAndCampaignsAreStored) {
  HttpResult opp = Upsert(
      "opportunities",
      {json::object{{"external_id", "006A"},
                    {"name", "Acme renewal"},
                    {"account_external_id", "001A"},
                    {"stage", "Negotiation"},
                    {"amount", 125000},
                    {"close_date", "2027-03-31"},
                    {"is_closed", false}},
       json::object{{"external_id", "006B"}, {"name", "Bad date"}, {"close_date", "31/03/2027"}}});
  EXPECT_EQ(Statuses(opp), (json::array{"created", "error"}));
  HttpResult campaign = Upsert("campaigns", {json::object{{"external_id", "701A"},
                                                          {"name", "Q1 Webinar"},
                                                          {"type", "Webinar"},
                                                          {"start_date", "2027-01-10"}}});
  EXPECT_EQ(Statuses(campaign), (json::array{"created"}));
  EXPECT_EQ(client_->Control("GET", "crm/opportunities").at("count").as_int64(), 1);
  json::value campaigns = client_->Control("GET", "crm/campaigns");
  EXPECT_EQ(campaigns.at("records").at(0).at("record").at("type").as_string(), "Webinar");
  EXPECT_EQ(Counter("records_received", "opportunities"), 2);
}

TEST_F(RwCrmTest, IdempotencyKeyReplaysTheFirstResponseAndRejectsADifferentBody) {
  json::array batch{Account("001A", "Acme", "acme.com")};
  HttpResult first = Upsert("accounts", batch, {"Idempotency-Key: batch-1"});
  EXPECT_EQ(Statuses(first), (json::array{"created"}));
  HttpResult replay = Upsert("accounts", batch, {"Idempotency-Key: batch-1"});
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.Header("Idempotent-Replayed"), "true");
  EXPECT_EQ(Statuses(replay), (json::array{"created"}));  // the first attempt's statuses
  EXPECT_EQ(client_->Control("GET", "crm/accounts").at("records").at(0).at("received"), 1);
  HttpResult reused =
      Upsert("accounts", {Account("001B", "B", "b.com")}, {"Idempotency-Key: batch-1"});
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(reused.ErrorCode(), "idempotency_key_reused");
  EXPECT_EQ(Counter("events", "idempotent_replays"), 1);
}

}  // namespace
}  // namespace chpeer::rollworks::testing
