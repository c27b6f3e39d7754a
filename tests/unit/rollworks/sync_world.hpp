// The scripted world of rollworks' unit tests: a Salesforce org (queryAll by SystemModstamp,
// the user check's queries, upserts into the account data objects, Contact/Lead updates that
// bump SystemModstamp as Salesforce does) and RollWorks (advertiser, batch upserts with
// per-record results, the accounts and contacts change feeds with cursors, 410, 429), and the
// fixture that runs the connector against it on FakeHost with a clock the test sets. The wire
// formats are exercised against the local peers by the integration tests; this pins the
// plugin's logic.
#ifndef TESTS_UNIT_ROLLWORKS_SYNC_WORLD_HPP_
#define TESTS_UNIT_ROLLWORKS_SYNC_WORLD_HPP_

#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "complete_config.hpp"
#include "config.hpp"
#include "rollworks_connector.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::FakeOutboxEntry;
using chp::testing::PluginUnderTest;
using rollworks::RollworksConnector;

// The connector on a clock the test sets (outbox backoff, the mapping's dual-write period).
class ClockedRollworks : public RollworksConnector {
 public:
  ClockedRollworks(chp::Context& ctx, const boost::json::object& config)
      : RollworksConnector(ctx, config) {
    now_s_ = [] { return now_for_test; };
  }
  static inline std::int64_t now_for_test = 0;
};

constexpr std::int64_t kNoon = 1796126400;  // 2026-12-01T12:00:00Z

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
  // Custom objects by name, then external id; the default account data object's by
  // RollWorks_Account_Id__c.
  std::map<std::string, std::map<std::string, boost::json::object>> custom;
  std::map<std::string, boost::json::object>& account_data = custom["RollWorks_Account_Data__c"];
  // Keys Salesforce refuses to write: an external id or Id anywhere, or "<Object>:<key>".
  std::set<std::string> sf_refuse;
  int sf_minute = 600;  // SystemModstamp of the next write Salesforce applies
  std::vector<std::string> soql;
  // RollWorks.
  std::map<std::string, boost::json::object> rw_accounts;  // by external_id
  std::map<std::string, boost::json::object> rw_contacts;
  std::map<std::string, boost::json::object> rw_opportunities;
  std::map<std::string, boost::json::object> rw_campaigns;
  std::vector<std::size_t> batch_sizes;
  std::map<std::string, std::size_t> uploaded;  // records received per batch path
  std::set<std::string> rw_refuse;              // external ids answered with a per-record error
  bool reject_batches = false;                  // whole-batch 500
  std::vector<boost::json::object> feed;        // change n has cursor "c<n+1>"
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
    const std::string collections = std::string(kSf) + "/services/data/v59.0/composite/sobjects";
    if (req.method == "PATCH" && req.url.rfind(collections + "/", 0) == 0) {
      const std::string rest = req.url.substr(collections.size() + 1);
      return upsert(rest.substr(0, rest.find('/')), rest.substr(rest.find('/') + 1), req.body);
    }
    if (req.method == "PATCH" && req.url == collections) return update(req.body);
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

  bool refused(const std::string& object, const std::string& key) const {
    return sf_refuse.contains(key) || sf_refuse.contains(object + ":" + key);
  }

  static boost::json::object refusal() {
    return boost::json::object{
        {"success", false},
        {"errors", boost::json::array{{{"statusCode", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                                       {"message", "refused"},
                                       {"fields", boost::json::array{}}}}}};
  }

  // sObject Collections update (Contact/Lead journey stage): a write bumps SystemModstamp.
  FakeHttpResponse update(const std::string& body) {
    boost::json::array results;
    const boost::json::value parsed = boost::json::parse(body);
    for (const boost::json::value& r : parsed.at("records").as_array()) {
      const std::string id(r.at("Id").as_string());
      const std::string object(r.at("attributes").at("type").as_string());
      if (refused(object, id)) {
        results.push_back(refusal());
        continue;
      }
      sf_updates[id] = r.as_object();
      if (auto it = sf[object].find(id); it != sf[object].end()) {
        for (const auto& kv : r.as_object()) {
          if (kv.key() != "attributes") it->second[kv.key()] = kv.value();
        }
        it->second["SystemModstamp"] = stamp(sf_minute++);
      }
      results.push_back(
          boost::json::object{{"id", id}, {"success", true}, {"errors", boost::json::array{}}});
    }
    return reply(200, boost::json::serialize(results));
  }

  FakeHttpResponse upsert(const std::string& object, const std::string& field,
                          const std::string& body) {
    std::map<std::string, boost::json::object>& table = custom[object];
    boost::json::array results;
    const boost::json::value parsed = boost::json::parse(body);
    for (const boost::json::value& r : parsed.at("records").as_array()) {
      const std::string ext(r.at(field).as_string());
      if (refused(object, ext)) {
        results.push_back(boost::json::object{
            {"success", false},
            {"errors", boost::json::array{{{"statusCode", "FIELD_CUSTOM_VALIDATION_EXCEPTION"},
                                           {"message", "refused"},
                                           {"fields", boost::json::array{}}}}}});
        continue;
      }
      const bool created = !table.contains(ext);
      table[ext] = r.as_object();
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
    uploaded[path.substr(path.find("/crm/") + 5)] += records.size();
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

// As the host hands it over: with the schema's defaults.
std::string raw_config_json(const std::string& extra = "") {
  return std::string(R"({"rollworks_url":")") + kRw +
         R"(","advertiser_id":"adv_demo","api_key":"rwk_test")" + extra + "}";
}
std::string config_json(const std::string& extra = "") {
  return chost::testing::complete_config(rollworks::kConfigSchemaJson, raw_config_json(extra));
}

class RollworksSyncTest : public ::testing::Test {
 protected:
  RollworksSyncTest() {
    ClockedRollworks::now_for_test = kNoon;
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
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<ClockedRollworks>(), host_};
};

}  // namespace

#endif  // TESTS_UNIT_ROLLWORKS_SYNC_WORLD_HPP_
