// rg-sync's sync hook against FakeHost with a scripted world: a Salesforce org (Users,
// Contacts, Leads, Task upserts by external id) and Microsoft Graph (client-credentials token,
// mail and calendarView delta with paging, delta links, 410, ErrorAccessDenied, 429, Event
// upserts) and a clock the test sets. The real wire formats are
// exercised against the local peers by the integration tests; this pins the plugin's logic.
#include <gtest/gtest.h>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rg_sync_connector.hpp"

namespace {

using chp::testing::FakeHost;
using chp::testing::FakeHttpRequest;
using chp::testing::FakeHttpResponse;
using chp::testing::PluginUnderTest;
using rgsync::RgSyncConnector;

// The connector on a clock the test sets (calendar window, polling schedule).
class ClockedRgSync : public RgSyncConnector {
 public:
  ClockedRgSync(chp::Context& ctx, const boost::json::object& config)
      : RgSyncConnector(ctx, config) {
    now_ = [] { return now_for_test; };
  }
  static inline std::chrono::system_clock::time_point now_for_test;
};

// 2026-12-01T12:00:00Z
constexpr std::chrono::system_clock::time_point kNoon{std::chrono::seconds{1796126400}};

constexpr const char* kSf = "https://org.example.com";
constexpr const char* kGraph = "https://graph.example.com";

FakeHttpResponse reply(std::uint32_t status, std::string body,
                       std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return FakeHttpResponse{CHP_OK, status, std::move(headers), std::move(body)};
}

std::string graph_error(const char* code, const char* message) {
  return std::string(R"({"error":{"code":")") + code + R"(","message":")" + message +
         R"(","innerError":{"date":"2026-12-01T00:00:00","request-id":"r1"}}})";
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

// A Salesforce org and a Microsoft Graph tenant, just enough of each.
struct World {
  std::map<std::string, boost::json::object> sf_users;  // by lower-case email
  std::map<std::string, boost::json::object> contacts;
  std::map<std::string, boost::json::object> leads;
  std::map<std::string, boost::json::object> tasks;                  // by external id
  std::map<std::string, std::vector<boost::json::object>> mail;      // "email/folder" -> messages
  std::map<std::string, std::vector<boost::json::object>> calendar;  // email -> event changes
  std::map<std::string, boost::json::object> sf_events;              // by external id
  std::vector<std::string> calendar_urls;                            // as requested
  std::vector<std::string> calendar_prefer;
  std::map<std::string, int> mailbox_calls;  // by email
  std::set<std::string> denied;              // mailboxes out of scope
  std::set<std::string> missing;             // mailboxes that don't exist
  boost::json::object service_set{{"Id", "0PS1"},
                                  {"PermissionsApiEnabled", true},
                                  {"PermissionsViewAllData", true},
                                  {"PermissionsModifyAllData", false}};
  boost::json::array service_objects{
      boost::json::object{
          {"SobjectType", "Task"}, {"PermissionsCreate", true}, {"PermissionsEdit", true}},
      boost::json::object{
          {"SobjectType", "Event"}, {"PermissionsCreate", true}, {"PermissionsEdit", true}}};
  std::string service_email = "svc@contoso.com";
  int permission_queries = 0;
  bool expire_delta_tokens = false;
  int throttle_next = 0;
  int graph_tokens = 0;
  int graph_calls = 0;  // Graph requests, each request inside a $batch counted too
  int batch_posts = 0;  // POST /v1.0/$batch
  bool refuse_batches = false;
  // Links name the mailbox by its object id, as Graph's do, instead of the email asked for.
  bool links_by_id = false;
  int upsert_calls = 0;
  std::size_t page_size = 2;

  void add_mail(const std::string& box, const std::string& id, const std::string& from,
                const std::string& to) {
    boost::json::object m{
        {"id", id},
        {"internetMessageId", "<" + id + "@mail>"},
        {"subject", "About " + id},
        {"bodyPreview", "preview of " + id},
        {"isDraft", false},
        {"from", {{"emailAddress", {{"address", from}}}}},
        {"toRecipients", boost::json::array{{{"emailAddress", {{"address", to}}}}}},
        {"receivedDateTime", "2026-11-30T09:00:00Z"},
        {"sentDateTime", "2026-11-30T08:59:00Z"}};
    mail[box].push_back(std::move(m));
  }

  void add_event(const std::string& box, const std::string& id, const std::string& organizer,
                 const std::string& attendee, bool cancelled = false) {
    boost::json::object e{
        {"id", id},
        {"iCalUId", "ical-" + id},
        {"subject", "Meeting " + id},
        {"bodyPreview", "agenda of " + id},
        {"isAllDay", false},
        {"isCancelled", cancelled},
        {"start", {{"dateTime", "2026-12-03T10:00:00.0000000"}, {"timeZone", "UTC"}}},
        {"end", {{"dateTime", "2026-12-03T10:30:00.0000000"}, {"timeZone", "UTC"}}},
        {"location", {{"displayName", "Room " + id}}},
        {"organizer", {{"emailAddress", {{"address", organizer}}}}},
        {"attendees",
         boost::json::array{{{"type", "required"}, {"emailAddress", {{"address", attendee}}}}}}};
    calendar[box].push_back(std::move(e));
  }

  FakeHttpResponse handle(const FakeHttpRequest& req) {
    if (req.url.find("/oauth2/v2.0/token") != std::string::npos) {
      ++graph_tokens;
      return reply(200, R"({"token_type":"Bearer","expires_in":3599,"ext_expires_in":3599,)"
                        R"("access_token":"graph-at"})");
    }
    if (req.url.rfind(kGraph, 0) == 0) return graph(req);
    if (req.url.find("/services/oauth2/userinfo") != std::string::npos) {
      return reply(200, R"({"user_id":"005S","preferred_username":"svc@contoso.com","email":")" +
                            service_email + R"("})");
    }
    if (req.url.find("/query") != std::string::npos) return query(query_param(req.url, "q"));
    if (req.method == "PATCH" &&
        req.url.find("/composite/sobjects/Task/RG_Message_Id__c") != std::string::npos) {
      return upsert(req.body);
    }
    if (req.method == "PATCH" &&
        req.url.find("/composite/sobjects/Event/RG_Event_Id__c") != std::string::npos) {
      return upsert_events(req.body);
    }
    ADD_FAILURE() << "unexpected " << req.method << " " << req.url;
    return reply(404, "[]");
  }

  FakeHttpResponse query(const std::string& soql) {
    auto rows = [](boost::json::array records) {
      boost::json::object out{{"totalSize", records.size()}, {"done", true}, {"records", records}};
      return reply(200, boost::json::serialize(out));
    };
    if (soql.find("FROM PermissionSetAssignment WHERE AssigneeId = '005S'") != std::string::npos) {
      ++permission_queries;
      return rows({boost::json::object{{"PermissionSetId", "0PS1"}}});
    }
    if (soql.find("FROM PermissionSet WHERE Id IN ('0PS1')") != std::string::npos) {
      return rows({service_set});
    }
    if (soql.find("FROM ObjectPermissions WHERE ParentId IN ('0PS1')") != std::string::npos) {
      return rows(service_objects);
    }
    std::map<std::string, boost::json::object>* table = nullptr;
    if (soql.find("FROM User") != std::string::npos) table = &sf_users;
    if (soql.find("FROM Contact") != std::string::npos) table = &contacts;
    if (soql.find("FROM Lead") != std::string::npos) table = &leads;
    boost::json::array records;
    for (const auto& [email, rec] : *table) {
      if (soql.find("'" + email + "'") != std::string::npos) records.push_back(rec);
    }
    boost::json::object out{{"totalSize", records.size()}, {"done", true}, {"records", records}};
    return reply(200, boost::json::serialize(out), {{"Sforce-Limit-Info", "api-usage=1/15000"}});
  }

  FakeHttpResponse upsert(const std::string& body) {
    ++upsert_calls;
    boost::json::array results;
    const boost::json::value parsed = boost::json::parse(body);
    for (const boost::json::value& r : parsed.at("records").as_array()) {
      const std::string ext(r.at("RG_Message_Id__c").as_string());
      const bool created = !tasks.contains(ext);
      tasks[ext] = r.as_object();
      results.push_back(boost::json::object{{"id", "00T" + std::to_string(tasks.size())},
                                            {"success", true},
                                            {"created", created},
                                            {"errors", boost::json::array{}}});
    }
    return reply(200, boost::json::serialize(results));
  }

  FakeHttpResponse upsert_events(const std::string& body) {
    ++upsert_calls;
    boost::json::array results;
    const boost::json::value parsed = boost::json::parse(body);
    for (const boost::json::value& r : parsed.at("records").as_array()) {
      const std::string ext(r.at("RG_Event_Id__c").as_string());
      const bool created = !sf_events.contains(ext);
      sf_events[ext] = r.as_object();
      results.push_back(boost::json::object{{"id", "00U" + std::to_string(sf_events.size())},
                                            {"success", true},
                                            {"created", created},
                                            {"errors", boost::json::array{}}});
    }
    return reply(200, boost::json::serialize(results));
  }

  // /v1.0/users/{email}/calendarView/delta: the window is taken as given; a delta token is
  // the offset into the mailbox's list of changes.
  FakeHttpResponse calendar_view(const FakeHttpRequest& req, const std::string& email) {
    calendar_urls.push_back(req.url);
    for (const auto& [name, value] : req.headers) {
      if (name == "Prefer") calendar_prefer.push_back(value);
    }
    const std::vector<boost::json::object>& box = calendar[email];
    const std::string delta = query_param(req.url, "$deltatoken");
    if (!delta.empty() && expire_delta_tokens) {
      return reply(410, graph_error("syncStateNotFound", "The sync state is not found."));
    }
    std::size_t from = 0;
    if (!delta.empty()) from = std::stoul(delta);
    const std::string skip = query_param(req.url, "$skiptoken");
    if (!skip.empty()) from = std::stoul(skip);
    if (delta.empty() && skip.empty() && query_param(req.url, "startDateTime").empty()) {
      return reply(400, graph_error("ErrorInvalidParameter", "no window"));
    }
    boost::json::array value;
    std::size_t i = from;
    for (; i < box.size() && value.size() < page_size; ++i) value.push_back(box[i]);
    const std::string base =
        std::string(kGraph) + "/v1.0/users/" + mailbox_segment(email) + "/calendarView/delta";
    boost::json::object out{{"value", value}};
    if (i < box.size()) {
      out["@odata.nextLink"] = base + "?$skiptoken=" + std::to_string(i);
    } else {
      out["@odata.deltaLink"] = base + "?$deltatoken=" + std::to_string(i);
    }
    return reply(200, boost::json::serialize(out));
  }

  // JSON batching as Graph documents it: each request answered as if sent alone.
  FakeHttpResponse batch(const FakeHttpRequest& req) {
    ++batch_posts;
    if (refuse_batches) return reply(503, graph_error("serviceNotAvailable", "try later"));
    const boost::json::value in = boost::json::parse(req.body);
    boost::json::array responses;
    for (const boost::json::value& r : in.at("requests").as_array()) {
      FakeHttpRequest one;
      one.method = std::string(r.at("method").as_string());
      one.url = std::string(kGraph) + "/v1.0" + std::string(r.at("url").as_string());
      if (const boost::json::value* headers = r.as_object().if_contains("headers")) {
        for (const auto& [name, value] : headers->as_object()) {
          one.headers.emplace_back(std::string(name), std::string(value.as_string()));
        }
      }
      FakeHttpResponse answer = graph(one);
      responses.push_back({{"id", r.at("id")},
                           {"status", answer.http_status},
                           {"body", boost::json::parse(answer.body)}});
    }
    return reply(200, boost::json::serialize(boost::json::object{{"responses", responses}}));
  }

  // A mailbox's segment in a link: its email, or with links_by_id an object id for it.
  std::string mailbox_segment(const std::string& email) const {
    return links_by_id ? "0b9e-" + std::to_string(std::hash<std::string>{}(email)) : email;
  }
  std::string mailbox_named(const std::string& segment) const {
    const std::string decoded = *chp::http::url_decode(segment);
    for (const auto& [email, user] : sf_users) {
      if (decoded == mailbox_segment(email)) return email;
    }
    return decoded;
  }

  FakeHttpResponse graph(const FakeHttpRequest& req) {
    if (req.method == "POST" && req.url.ends_with("/v1.0/$batch")) return batch(req);
    ++graph_calls;
    if (throttle_next > 0) {
      --throttle_next;
      return reply(429, graph_error("ApplicationThrottled", "Too many requests"),
                   {{"Retry-After", "0"}});
    }
    // /v1.0/users/{email}/mailFolders/{folder}/messages/delta
    const std::string path = req.url.substr(std::string(kGraph).size());
    const std::size_t u = path.find("/users/") + 7;
    if (const std::size_t c = path.find("/calendarView/delta"); c != std::string::npos) {
      const std::string email = mailbox_named(path.substr(u, c - u));
      ++mailbox_calls[email];
      return calendar_view(req, email);
    }
    const std::size_t f = path.find("/mailFolders/");
    const std::string email = mailbox_named(path.substr(u, f - u));
    const std::size_t fe = path.find("/messages/delta");
    const std::string folder = path.substr(f + 13, fe - f - 13);
    ++mailbox_calls[email];
    if (missing.contains(email)) {
      return reply(404, graph_error("ErrorInvalidUser", "The requested user is invalid."));
    }
    if (denied.contains(email)) {
      return reply(403, graph_error("ErrorAccessDenied", "Access to OData is disabled."));
    }
    const std::vector<boost::json::object>& box = mail[email + "/" + folder];
    std::string delta = query_param(req.url, "$deltatoken");
    if (!delta.empty() && expire_delta_tokens) {
      return reply(410, graph_error("SyncStateNotFound", "The sync state is not found."));
    }
    std::size_t from = 0;
    if (!delta.empty()) from = std::stoul(delta);
    std::string skip = query_param(req.url, "$skiptoken");
    if (!skip.empty()) from = std::stoul(skip);
    boost::json::array value;
    std::size_t i = from;
    for (; i < box.size() && value.size() < page_size; ++i) value.push_back(box[i]);
    const std::string base = std::string(kGraph) + "/v1.0/users/" + mailbox_segment(email) +
                             "/mailFolders/" + folder + "/messages/delta";
    boost::json::object out{{"value", value}};
    if (i < box.size()) {
      out["@odata.nextLink"] = base + "?$skiptoken=" + std::to_string(i);
    } else {
      out["@odata.deltaLink"] = base + "?$deltatoken=" + std::to_string(i);
    }
    return reply(200, boost::json::serialize(out));
  }
};

std::string config_json(const std::string& extra = "") {
  return std::string(R"({"graph_tenant_id":"contoso.onmicrosoft.com","graph_client_id":"app",)") +
         R"("graph_client_secret":"gs","graph_login_url":"https://login.example.com",)" +
         R"("graph_url":")" + kGraph + R"(","internal_domains":["contoso.com"],)" +
         R"("folders":["inbox"],"users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])" +
         extra + "}";
}

class RgSyncTest : public ::testing::Test {
 protected:
  RgSyncTest() {
    ClockedRgSync::now_for_test = kNoon;
    host_.set_connection_token(std::string(R"({"access_token":"AT","instance_url":")") + kSf +
                               R"(","token_type":"Bearer"})");
    host_.set_http_handler([this](const FakeHttpRequest& req) { return world_.handle(req); });
    world_.sf_users["ana@contoso.com"] = {{"Id", "005A"},
                                          {"Username", "ana@contoso.com"},
                                          {"Email", "Ana@Contoso.com"},
                                          {"Name", "Ana Diaz"},
                                          {"IsActive", true}};
    world_.sf_users["cy@contoso.com"] = {{"Id", "005C"},
                                         {"Username", "cy@contoso.com"},
                                         {"Email", "cy@contoso.com"},
                                         {"Name", "Cy Ono"},
                                         {"IsActive", false}};
    world_.contacts["pat@fabrikam.com"] = {
        {"Id", "003P"}, {"Email", "pat@fabrikam.com"}, {"AccountId", "001F"}};
    world_.leads["kim@northwind.com"] = {{"Id", "00QK"}, {"Email", "kim@northwind.com"}};
    world_.add_mail("ana@contoso.com/inbox", "m1", "pat@fabrikam.com", "ana@contoso.com");
    world_.add_mail("ana@contoso.com/inbox", "m2", "kim@northwind.com", "ana@contoso.com");
    world_.add_mail("ana@contoso.com/inbox", "m3", "lee@contoso.com", "ana@contoso.com");
    world_.add_mail("ana@contoso.com/inbox", "m4", "stranger@nowhere.org", "ana@contoso.com");
  }

  chp::testing::FakeSubject subject(const std::string& id) {
    auto subjects = host_.subjects();
    auto it = subjects.find(id);
    EXPECT_NE(it, subjects.end()) << id;
    return it == subjects.end() ? chp::testing::FakeSubject{} : it->second;
  }

  World world_;
  FakeHost host_;
  PluginUnderTest plugin_{chp::testing::descriptor_for_test<ClockedRgSync>(), host_};
};

TEST_F(RgSyncTest, SyncsEveryEntitledUserAndReportsEachOnesStatus) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.tasks.size(), 2u);  // m1 (Contact) and m2 (Lead); m3 internal, m4 unknown
  const boost::json::object* pat = nullptr;
  const boost::json::object* kim = nullptr;
  for (const auto& [ext, t] : world_.tasks) {
    if (t.at("WhoId") == "003P") pat = &t;
    if (t.at("WhoId") == "00QK") kim = &t;
  }
  ASSERT_TRUE(pat && kim);
  EXPECT_EQ(pat->at("OwnerId"), "005A");  // owned by the end user, not the service account
  EXPECT_EQ(pat->at("WhatId"), "001F");
  EXPECT_FALSE(kim->contains("WhatId"));
  EXPECT_EQ(world_.upsert_calls, 1);  // page 1 (m1, m2); page 2 had no match
  EXPECT_EQ(world_.graph_tokens, 1);

  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(subject("ana@contoso.com").display_name, "Ana Diaz");
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(subject("ben@contoso.com").detail,
            "user not found in Salesforce (no User has this email)");
  EXPECT_EQ(subject("cy@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(subject("cy@contoso.com").detail, "Salesforce user cy@contoso.com is inactive");

  EXPECT_EQ(host_.state_value("delta/ana@contoso.com/inbox"),
            std::string(kGraph) +
                "/v1.0/users/ana@contoso.com/mailFolders/inbox/messages/delta"
                "?$deltatoken=4");
  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("messages").as_int64(), 4);
  EXPECT_EQ(summary.at("tasks").as_int64(), 2);
  EXPECT_EQ(summary.at("unmatched").as_int64(), 1);
  EXPECT_EQ(summary.at("users_ok").as_int64(), 1);
  EXPECT_EQ(summary.at("users_failed").as_int64(), 2);
}

TEST_F(RgSyncTest, TheNextSyncReadsOnlyNewMessagesFromTheDeltaLink) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 3u);
  EXPECT_EQ(boost::json::parse(r.output).at("messages").as_int64(), 1);
  EXPECT_EQ(world_.graph_tokens, 1);  // the Graph token is kept between syncs
}

TEST_F(RgSyncTest, AnExpiredDeltaTokenReReadsTheFolderWithoutDuplicates) {
  ASSERT_TRUE(plugin_.create(config_json(R"(,"calendar":false)")).ok());  // mail only
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_delta_tokens = true;
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 3u);  // m1, m2 upserted again onto the same Tasks, m5 new
  EXPECT_EQ(boost::json::parse(r.output).at("resyncs").as_int64(), 1);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
}

TEST_F(RgSyncTest, MailboxErrorsDisableOnlyThatUserWithGraphsReason) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.denied.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_NE(subject("ben@contoso.com").detail.find("app-only access to this mailbox was denied"),
            std::string::npos);
  EXPECT_NE(subject("ben@contoso.com").detail.find("ErrorAccessDenied"), std::string::npos);
  world_.denied.clear();
  world_.missing.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_NE(subject("ben@contoso.com").detail.find("mailbox not found (404 ErrorInvalidUser"),
            std::string::npos)
      << subject("ben@contoso.com").detail;
}

TEST_F(RgSyncTest, ThrottlingWaitsRetryAfterAndGoesOn) {
  world_.throttle_next = 2;
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.tasks.size(), 2u);
  EXPECT_EQ(boost::json::parse(r.output).at("graph_throttled").as_int64(), 2);
}

TEST_F(RgSyncTest, ADisconnectedServiceConnectionStopsEverythingAtOnce) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  host_.fail_connection_token(CHP_ERR_AUTH_REVOKED, "invalid_grant: expired access/refresh token");
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_AUTH_REVOKED);
  EXPECT_NE(r.error.find("invalid_grant: expired access/refresh token"), std::string::npos)
      << r.error;
  EXPECT_EQ(world_.graph_calls, 0);  // no mailbox work while Salesforce is unreachable
  EXPECT_EQ(world_.graph_tokens, 0);
}

TEST_F(RgSyncTest, AServiceAccountWithoutThePermissionsIsRefusedNamingEachOne) {
  world_.service_set["PermissionsApiEnabled"] = false;
  world_.service_set["PermissionsViewAllData"] = false;
  world_.service_objects = boost::json::array{boost::json::object{
      {"SobjectType", "Contact"}, {"PermissionsRead", true}, {"PermissionsViewAllRecords", true}}};
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  EXPECT_EQ(r.status, CHP_ERR_CONFIG);
  const std::string expected =
      "the Salesforce service account svc@contoso.com lacks: API Enabled, View All Data (or View "
      "All on Account, Lead), Create on Task, Edit on Task, Create on Event, Edit on Event";
  EXPECT_NE(r.error.find(expected), std::string::npos) << r.error;
  EXPECT_NE(subject("ana@contoso.com").detail.find(expected), std::string::npos);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_EQ(world_.graph_calls, 0);
  EXPECT_TRUE(world_.tasks.empty());
  // The admin fixes the permission set: the next sync checks again and goes on.
  world_.service_set["PermissionsModifyAllData"] = true;
  world_.service_set["PermissionsApiEnabled"] = true;
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 2u);
}

TEST_F(RgSyncTest, ThePermissionCheckIsCachedAndAnEndUserAsServiceAccountIsWarnedAbout) {
  world_.service_email = "ana@contoso.com";
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(world_.permission_queries, 1);
  bool warned = false;
  for (const auto& line : host_.logs()) {
    warned =
        warned || line.message.find("do not use an active end-user account") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST_F(RgSyncTest, UsersAnAdminSwitchedOffAreSkippedAndSyncNowReadsOnlyTheNamedOnes) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.add_mail("ben@contoso.com/inbox", "b1", "pat@fabrikam.com", "ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync(R"({"reason":"schedule","disabled_subjects":["Ana@Contoso.com"]})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_FALSE(host_.subjects().contains("ana@contoso.com"));  // no work, no report
  EXPECT_EQ(subject("ben@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 1u);
  EXPECT_EQ(boost::json::parse(r.output).at("users_skipped").as_int64(), 1);

  world_.add_mail("ben@contoso.com/inbox", "b2", "pat@fabrikam.com", "ben@contoso.com");
  const int graph_before = world_.graph_calls;
  r = plugin_.sync(R"({"reason":"manual","subjects":["ana@contoso.com"]})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(world_.tasks.size(), 3u);  // ana's two; ben's new message waits for his turn
  EXPECT_EQ(world_.graph_calls - graph_before, 3);  // ana's inbox (two pages) and calendar
}

TEST_F(RgSyncTest, FirstMailPagesOfManyUsersGoInJsonBatches) {
  for (int i = 0; i < 45; ++i) {
    const std::string email = "x" + std::to_string(i) + "@contoso.com";
    world_.sf_users[email] = {{"Id", "005X" + std::to_string(i)},
                              {"Username", email},
                              {"Email", email},
                              {"Name", "X " + std::to_string(i)},
                              {"IsActive", true}};
  }
  std::string users = R"("ana@contoso.com")";
  for (int i = 0; i < 45; ++i) users += ",\"x" + std::to_string(i) + "@contoso.com\"";
  std::string config = config_json(R"(,"calendar":false)");
  const std::string listed = R"("users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])";
  config.replace(config.find(listed), listed.size(), "\"users\":[" + users + "]");
  ASSERT_TRUE(plugin_.create(config).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());
  // 46 users polled (ana + 45), one folder each: three batches of at most 20.
  EXPECT_EQ(world_.batch_posts, 3);
  world_.batch_posts = 0;
  world_.graph_calls = 0;
  auto r = plugin_.sync(R"({"reason":"manual"})");  // nobody has new mail
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_posts, 3);
  EXPECT_EQ(world_.graph_calls, 46);  // answered inside the batches: no request of their own
  EXPECT_EQ(boost::json::parse(r.output).at("graph_calls").as_int64(), 3);
  // A refused batch changes nothing but the count: every user is asked on their own.
  world_.refuse_batches = true;
  world_.add_mail("x3@contoso.com/inbox", "late", "pat@fabrikam.com", "x3@contoso.com");
  r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(subject("x3@contoso.com").state, CHP_SUBJECT_ACTIVE);
  EXPECT_EQ(boost::json::parse(r.output).at("tasks").as_int64(), 1);
}

TEST_F(RgSyncTest, AMailboxThatUsedItsTenMinuteBudgetWaitsWithoutAskingGraph) {
  ASSERT_TRUE(
      plugin_.create(config_json(R"(,"calendar":false,"mailbox_requests_per_10min":2)")).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // ana's inbox: two pages
  EXPECT_EQ(world_.tasks.size(), 2u);
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  const int before = world_.mailbox_calls["ana@contoso.com"];
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], before);  // nothing sent for that mailbox
  EXPECT_NE(subject("ana@contoso.com").detail.find("ClientBudgetExceeded"), std::string::npos)
      << subject("ana@contoso.com").detail;
  EXPECT_EQ(world_.tasks.size(), 2u);  // m5 waits, its checkpoint untouched
  EXPECT_NE(host_.state_value("delta/ana@contoso.com/inbox"), std::nullopt);
}

TEST_F(RgSyncTest, AMailboxNamedByEmailAndByIdSpendsOneBudget) {
  world_.links_by_id = true;  // the first request names ana by email, every link by her id
  ASSERT_TRUE(
      plugin_.create(config_json(R"(,"calendar":false,"mailbox_requests_per_10min":3)")).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // two pages: email, then id
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 2);
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());  // the third request
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 3);
  EXPECT_EQ(world_.tasks.size(), 3u);
  world_.add_mail("ana@contoso.com/inbox", "m6", "pat@fabrikam.com", "ana@contoso.com");
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  // Counted apart, the id would have had one request left: it is one mailbox, three are spent.
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], 3);
  EXPECT_NE(subject("ana@contoso.com").detail.find("ClientBudgetExceeded"), std::string::npos)
      << subject("ana@contoso.com").detail;
  EXPECT_EQ(world_.tasks.size(), 3u);
}

TEST_F(RgSyncTest, CalendarFirstPagesGoInTheSameJsonBatchesAsMail) {
  for (int i = 0; i < 45; ++i) {
    const std::string email = "x" + std::to_string(i) + "@contoso.com";
    world_.sf_users[email] = {{"Id", "005X" + std::to_string(i)},
                              {"Username", email},
                              {"Email", email},
                              {"Name", "X " + std::to_string(i)},
                              {"IsActive", true}};
  }
  std::string users = R"("ana@contoso.com")";
  for (int i = 0; i < 45; ++i) users += ",\"x" + std::to_string(i) + "@contoso.com\"";
  std::string config = config_json();
  const std::string listed = R"("users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])";
  config.replace(config.find(listed), listed.size(), "\"users\":[" + users + "]");
  ASSERT_TRUE(plugin_.create(config).ok());
  ASSERT_TRUE(plugin_.sync(R"({"reason":"manual"})").ok());
  // 46 users, an inbox and a calendar each: 92 first pages in batches of 20 (10 users each).
  EXPECT_EQ(world_.batch_posts, 5);
  world_.batch_posts = 0;
  world_.graph_calls = 0;
  world_.calendar_prefer.clear();
  auto r = plugin_.sync(R"({"reason":"manual"})");  // nothing new anywhere
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.batch_posts, 5);
  EXPECT_EQ(world_.graph_calls, 92);  // all answered inside the batches
  EXPECT_EQ(boost::json::parse(r.output).at("graph_calls").as_int64(), 5);
  // Each calendar request in a batch kept its own Prefer: UTC times, the page size.
  ASSERT_EQ(world_.calendar_prefer.size(), 46u);
  for (const std::string& prefer : world_.calendar_prefer) {
    EXPECT_NE(prefer.find("outlook.timezone=\"UTC\""), std::string::npos) << prefer;
  }
}

TEST_F(RgSyncTest, UsersThatLeaveTheEntitlementAreDisabledWithTheReason) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  std::string fewer = config_json();
  fewer.replace(fewer.find(R"(,"cy@contoso.com")"), 17, "");
  ASSERT_TRUE(plugin_.create(fewer).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(subject("cy@contoso.com").state, CHP_SUBJECT_DISABLED);
  EXPECT_NE(subject("cy@contoso.com").detail.find("no longer entitled"), std::string::npos);
}

// --- calendar ---

const boost::json::object* event_with_who(const World& w, const char* who) {
  for (const auto& [ext, e] : w.sf_events) {
    if (e.at("WhoId") == who) return &e;
  }
  return nullptr;
}

TEST_F(RgSyncTest, MeetingsWithAKnownExternalParticipantBecomeEventsOwnedByTheUser) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  world_.add_event("ana@contoso.com", "e2", "kim@northwind.com", "ana@contoso.com");
  world_.add_event("ana@contoso.com", "e3", "ana@contoso.com", "lee@contoso.com");  // internal
  world_.add_event("ana@contoso.com", "e4", "ana@contoso.com", "pat@fabrikam.com", true);
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;

  ASSERT_EQ(world_.sf_events.size(), 2u);  // e3 internal only, e4 cancelled
  const boost::json::object* pat = event_with_who(world_, "003P");
  const boost::json::object* kim = event_with_who(world_, "00QK");
  ASSERT_TRUE(pat && kim);
  EXPECT_EQ(pat->at("OwnerId"), "005A");
  EXPECT_EQ(pat->at("WhatId"), "001F");
  EXPECT_FALSE(kim->contains("WhatId"));  // never next to a Lead
  EXPECT_EQ(pat->at("Subject"), "Meeting e1");
  EXPECT_EQ(pat->at("StartDateTime"), "2026-12-03T10:00:00.000Z");
  EXPECT_EQ(pat->at("EndDateTime"), "2026-12-03T10:30:00.000Z");
  EXPECT_FALSE(pat->contains("DurationInMinutes"));  // Salesforce derives it
  EXPECT_EQ(pat->at("IsAllDayEvent"), false);
  EXPECT_EQ(pat->at("Location"), "Room e1");
  EXPECT_EQ(pat->at("Description"), "agenda of e1");
  rgsync::CalendarEvent e1;
  e1.id = "e1";
  e1.ical_uid = "ical-e1";
  EXPECT_EQ(pat->at("RG_Event_Id__c").as_string(),
            rgsync::event_external_id("ana@contoso.com", e1));

  // The window: 14 days back and ahead of today (2026-12-01), in UTC; times asked in UTC.
  ASSERT_FALSE(world_.calendar_urls.empty());
  EXPECT_EQ(query_param(world_.calendar_urls[0], "startDateTime"), "2026-11-17T00:00:00Z");
  EXPECT_EQ(query_param(world_.calendar_urls[0], "endDateTime"), "2026-12-16T00:00:00Z");
  ASSERT_FALSE(world_.calendar_prefer.empty());
  EXPECT_NE(world_.calendar_prefer[0].find(R"(outlook.timezone="UTC")"), std::string::npos);
  EXPECT_EQ(host_.state_value("delta/ana@contoso.com/calendarView"),
            std::string(kGraph) + "/v1.0/users/ana@contoso.com/calendarView/delta?$deltatoken=4");

  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("events").as_int64(), 4);
  EXPECT_EQ(summary.at("events_upserted").as_int64(), 2);
  EXPECT_EQ(summary.at("events_removed").as_int64(), 0);
  EXPECT_EQ(subject("ana@contoso.com").detail,
            "synced 4 message(s), 2 task(s), 4 event(s), 2 Salesforce Event(s)");

  // The next sync reads from the delta link: nothing new, nothing written again.
  const int upserts = world_.upsert_calls;
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.upsert_calls, upserts);
  EXPECT_EQ(boost::json::parse(r.output).at("events").as_int64(), 0);
  EXPECT_EQ(world_.calendar_urls.back(),
            std::string(kGraph) + "/v1.0/users/ana@contoso.com/calendarView/delta?$deltatoken=4");
}

TEST_F(RgSyncTest, RemovedMeetingsAreCountedAndTheirEventsStay) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.calendar["ana@contoso.com"].push_back(
      {{"id", "e1"}, {"@removed", {{"reason", "deleted"}}}});
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("events_removed").as_int64(), 1);
  EXPECT_EQ(world_.sf_events.size(), 1u);
}

TEST_F(RgSyncTest, TheWindowSlidesAfterADayAndReReadsWithoutDuplicates) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ClockedRgSync::now_for_test = kNoon + std::chrono::hours{10};  // same window still
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "$deltatoken"), "1");
  ClockedRgSync::now_for_test = kNoon + std::chrono::hours{49};  // start > 1 day too old
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "startDateTime"), "2026-11-19T00:00:00Z");
  EXPECT_EQ(query_param(world_.calendar_urls.back(), "endDateTime"), "2026-12-18T00:00:00Z");
  EXPECT_EQ(world_.sf_events.size(), 1u);  // re-read onto the same Event
  EXPECT_EQ(boost::json::parse(r.output).at("events_upserted").as_int64(), 1);
  EXPECT_EQ(host_.state_value("window/ana@contoso.com/calendarView"), "2026-11-19T00:00:00Z");
}

TEST_F(RgSyncTest, AnExpiredCalendarTokenStartsANewRound) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  world_.expire_delta_tokens = true;
  auto r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("resyncs").as_int64(), 2);  // inbox and calendar
  EXPECT_EQ(world_.sf_events.size(), 1u);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);
}

TEST_F(RgSyncTest, CalendarFalseReadsNoCalendar) {
  world_.add_event("ana@contoso.com", "e1", "ana@contoso.com", "pat@fabrikam.com");
  ASSERT_TRUE(plugin_.create(config_json(R"(,"calendar":false)")).ok());
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_TRUE(world_.calendar_urls.empty());
  EXPECT_TRUE(world_.sf_events.empty());
  EXPECT_EQ(subject("ana@contoso.com").detail, "synced 4 message(s), 2 task(s)");
}

// --- adaptive polling ---

TEST_F(RgSyncTest, QuietUsersArePolledLessOftenAndBackEveryCycleOnChanges) {
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());  // 4 messages: stays on step 0
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":0,"next_at_ms":1796126400000})");
  ASSERT_TRUE(plugin_.sync("{}").ok());  // nothing new: step 1, 30 minutes
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":1,"next_at_ms":1796128200000})");
  const std::string detail = subject("ana@contoso.com").detail;

  ClockedRgSync::now_for_test = kNoon + std::chrono::minutes{10};
  const int calls = world_.mailbox_calls["ana@contoso.com"];
  auto r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(world_.mailbox_calls["ana@contoso.com"], calls);  // not due
  auto summary = boost::json::parse(r.output).as_object();
  EXPECT_EQ(summary.at("users_skipped").as_int64(), 1);
  EXPECT_EQ(summary.at("users_ok").as_int64(), 0);
  EXPECT_EQ(subject("ana@contoso.com").detail, detail);
  EXPECT_EQ(subject("ana@contoso.com").state, CHP_SUBJECT_ACTIVE);

  // An admin's sync (or the connection coming back) polls everyone now.
  r = plugin_.sync(R"({"reason":"manual"})");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_GT(world_.mailbox_calls["ana@contoso.com"], calls);
  EXPECT_EQ(boost::json::parse(r.output).at("users_skipped").as_int64(), 0);
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"),  // idle again: step 2, 60 minutes
            R"({"step":2,"next_at_ms":1796130600000})");
  ASSERT_TRUE(plugin_.sync(R"({"reason":"resume"})").ok());
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"),  // step 3, 120 minutes: the last one
            R"({"step":3,"next_at_ms":1796134200000})");

  // Mail arrives; once due, the sync finds it and the user is back on the first step.
  world_.add_mail("ana@contoso.com/inbox", "m5", "pat@fabrikam.com", "ana@contoso.com");
  ClockedRgSync::now_for_test = kNoon + std::chrono::minutes{131};
  r = plugin_.sync("{}");
  ASSERT_TRUE(r.ok()) << r.error;
  EXPECT_EQ(boost::json::parse(r.output).at("messages").as_int64(), 1);
  EXPECT_EQ(world_.tasks.size(), 3u);
  EXPECT_EQ(host_.state_value("poll/ana@contoso.com"), R"({"step":0,"next_at_ms":1796134260000})");
}

TEST_F(RgSyncTest, AFailedUserIsTriedAgainEveryCycle) {
  world_.sf_users["ben@contoso.com"] = {{"Id", "005B"},
                                        {"Username", "ben@contoso.com"},
                                        {"Email", "ben@contoso.com"},
                                        {"Name", "Ben Li"},
                                        {"IsActive", true}};
  world_.denied.insert("ben@contoso.com");
  ASSERT_TRUE(plugin_.create(config_json()).ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  ASSERT_TRUE(plugin_.sync("{}").ok());
  EXPECT_FALSE(host_.state_value("poll/ben@contoso.com").has_value());
  // Each cycle asks his inbox and calendar first pages again (in the JSON batch).
  EXPECT_EQ(world_.mailbox_calls["ben@contoso.com"], 4);
}

}  // namespace
