// `status --json` (see status_json.hpp). Field names follow the admin API's views
// (host/src/admin/admin_json.cpp) so that a script reads a stopped host like a running one.
#include "status_json.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "chost/runtime/status.hpp"

namespace chost::cli {

namespace json = boost::json;

namespace {

json::value ms_or_null(int64_t ms) { return ms > 0 ? json::value(ms) : json::value(nullptr); }

// Stored JSON text (identity, summary); a malformed one must not break the whole document.
json::value parsed_or(const std::string& text, json::value fallback) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? fallback : v;
}

}  // namespace

std::string status_json(const std::vector<app::ConnectorStatus>& items,
                        const std::vector<app::OrphanStatus>& orphans) {
  json::array connectors;
  for (const app::ConnectorStatus& s : items) {
    json::array subjects;
    for (const runtime::SubjectStatus& u : s.subjects) {
      subjects.emplace_back(json::object{
          {"connector", s.name},
          {"subject_id", u.subject_id},
          {"display_name", u.display_name},
          {"state", u.state},
          {"status", runtime::subject_status_text(u.state, u.admin_disabled)},
          {"admin_disabled", u.admin_disabled},
          {"detail", u.detail},
          {"updated_at_ms", u.updated_at_ms},
      });
    }
    json::value last_error = nullptr;
    if (!s.last_error.empty() || !s.last_error_class.empty()) {
      last_error = json::object{{"class", s.last_error_class}, {"message", s.last_error}};
    }
    connectors.emplace_back(json::object{
        {"name", s.name},
        {"plugin", s.plugin},
        {"kind", s.kind},
        {"state", s.state},
        {"status_line", s.status_line},
        {"last_error", std::move(last_error)},
        {"uses", s.uses.empty() ? json::value(nullptr) : json::value(s.uses)},
        {"last_sync_at_ms", ms_or_null(s.last_sync_at_ms)},
        {"next_run_at_ms", ms_or_null(s.next_run_at_ms)},
        {"last_success_at_ms", ms_or_null(s.last_success_at_ms)},
        {"last_summary", s.last_summary_json.empty()
                             ? json::value(nullptr)
                             : parsed_or(s.last_summary_json, json::object())},
        {"identity", parsed_or(s.identity_json, json::object())},
        {"subject_count", s.subjects.size()},
        {"subjects", std::move(subjects)},
    });
  }
  json::array orphan_items;
  for (const app::OrphanStatus& o : orphans) {
    orphan_items.emplace_back(
        json::object{{"name", o.name}, {"holds", json::array(o.holds.begin(), o.holds.end())}});
  }
  const json::object doc{{"running", false},
                         {"admin_url", nullptr},
                         {"connectors", std::move(connectors)},
                         {"orphans", std::move(orphan_items)}};
  return json::serialize(doc);
}

std::string status_json(const std::string& admin_url, const json::value& connectors,
                        const std::vector<json::value>& users) {
  json::array out;
  if (const json::array* list = connectors.as_object().at("connectors").if_array()) {
    for (const json::value& c : *list) {
      json::object item = c.as_object();
      json::array subjects;
      for (const json::value& u : users) {
        if (u.as_object().at("connector") != item.at("name")) continue;
        subjects = u.as_object().at("users").as_array();
      }
      item["subjects"] = std::move(subjects);
      out.emplace_back(std::move(item));
    }
  }
  const json::value* orphans = connectors.as_object().if_contains("orphans");
  const json::object doc{{"running", true},
                         {"admin_url", admin_url},
                         {"connectors", out},
                         {"orphans", orphans && orphans->is_array() ? *orphans : json::array()}};
  return json::serialize(doc);
}

}  // namespace chost::cli
