// The scripted world of rg-sync's sync tests (sync_test.cpp, calendar_sync_test.cpp): a
// Salesforce org (Users, Contacts, Leads, Task and Event upserts by external id) and Microsoft
// Graph (client-credentials token, mail and calendarView delta with paging, delta links, 410,
// ErrorAccessDenied, 429, $batch), the connector on a clock the test sets, and the fixture.
// The real wire formats are exercised against the local peers by the integration tests; this
// pins the plugin's logic.
#pragma once

#include <gtest/gtest.h>
#include <chrono>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/testing/connector_under_test.hpp>
#include <map>
#include <set>
#include <string>
#include <vector>
#include "complete_config.hpp"
#include "config.hpp"
#include "rg_sync_connector.hpp"

namespace rgsync_test {

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

inline FakeHttpResponse reply(std::uint32_t status, std::string body,
                              std::vector<std::pair<std::string, std::string>> headers = {}) {
  headers.emplace_back("Content-Type", "application/json");
  return FakeHttpResponse{CHP_OK, status, std::move(headers), std::move(body)};
}

inline std::string graph_error(const char* code, const char* message) {
  return std::string(R"({"error":{"code":")") + code + R"(","message":")" + message +
         R"(","innerError":{"date":"2026-12-01T00:00:00","request-id":"r1"}}})";
}

inline std::string query_param(const std::string& url, const std::string& name) {
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

inline std::string raw_config_json(const std::string& extra = "") {
  return std::string(R"({"graph_tenant_id":"contoso.onmicrosoft.com","graph_client_id":"app",)") +
         R"("graph_client_secret":"gs","graph_login_url":"https://login.example.com",)" +
         R"("graph_url":")" + kGraph + R"(","internal_domains":["contoso.com"],)" +
         R"("folders":["inbox"],"users":["ana@contoso.com","ben@contoso.com","cy@contoso.com"])" +
         extra + "}";
}
// As the host hands it over: with the schema's defaults.
inline std::string config_json(const std::string& extra = "") {
  return chost::testing::complete_config(rgsync::kConfigSchemaJson, raw_config_json(extra));
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

}  // namespace rgsync_test
