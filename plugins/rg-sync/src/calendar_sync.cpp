// The calendar half of a user's sync: GET /users/{email}/calendarView/delta over a sliding
// window, one Salesforce Event per meeting with a known external participant.
//
// The window is [midnight UTC days_back ago, midnight UTC after days_ahead]. Graph encodes it
// in the delta token and the links do not show it, so its start is kept beside the link
// (kWindowPrefix), in the same transaction. Once that start is more than a day older than
// now - days_back, a new round starts with a fresh window; meetings read again are upserts by
// their external id, so nothing doubles. Per page: look up the participants, upsert the
// page's Events, then commit the link (as sync_folder does for mail).
#include <connector_host/sdk/http/url.hpp>

#include "rg_sync_connector.hpp"

namespace rgsync {
namespace {

constexpr std::size_t kMaxCalendarPages = 10'000;

std::string link(const boost::json::object& body, std::string_view key) {
  const boost::json::value* v = body.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

RgSyncConnector::CalendarStart RgSyncConnector::calendar_start(const EndUser& user) const {
  const CalendarWindow fresh = calendar_window(now_(), config_.calendar_window_days_back,
                                               config_.calendar_window_days_ahead);
  CalendarStart start;
  start.initial = "/v1.0/users/" + chp::http::url_encode(user.email) +
                  "/calendarView/delta?startDateTime=" + fresh.start + "&endDateTime=" + fresh.end;
  start.fresh_start = fresh.start;
  start.fresh_end = fresh.end;
  start.url = start.initial;
  start.window_start = fresh.start;
  const std::string key = std::string(kDeltaPrefix) + user.email + "/" + kCalendarStream;
  if (std::optional<std::string> checkpoint = ctx_.state_get(key)) {
    const std::string window_key = std::string(kWindowPrefix) + user.email + "/" + kCalendarStream;
    std::optional<std::string> started = ctx_.state_get(window_key);
    if (started && !calendar_window_stale(*started, now_(), config_.calendar_window_days_back)) {
      start.url = *checkpoint;
      start.window_start = *started;
    } else {
      start.moved = true;
    }
  }
  return start;
}

std::string RgSyncConnector::calendar_prefer() const {
  // Times come back in UTC, the zone Salesforce's dateTime fields are written in.
  return "odata.maxpagesize=" + std::to_string(config_.page_size) + ", outlook.timezone=\"UTC\"";
}

std::string RgSyncConnector::sync_calendar(chp::Call& call, chp::salesforce::Client& sf,
                                           GraphClient& graph, const UserPass& pass,
                                           SyncCounts& counts) {
  const EndUser& user = pass.user;
  const std::string key = std::string(kDeltaPrefix) + user.email + "/" + kCalendarStream;
  const std::string window_key = std::string(kWindowPrefix) + user.email + "/" + kCalendarStream;
  const std::string prefer = calendar_prefer();
  const CalendarStart start = calendar_start(user);
  const std::string& initial = start.initial;
  std::string url = start.url;
  std::string window_start = start.window_start;
  if (start.moved) {
    ctx_.log(chp::LogLevel::kInfo, user.email + "/calendar: the window moves to " +
                                       start.fresh_start + " .. " + start.fresh_end +
                                       ", starting a new round");
  }
  bool resynced = false;
  for (std::size_t page_no = 0; page_no < kMaxCalendarPages; ++page_no) {
    call.throw_if_cancelled();
    GraphResponse r = graph.get(url, prefer);
    if (!r.ok()) {
      if (needs_resync(r) && url != initial && !resynced) {
        ctx_.log(chp::LogLevel::kInfo, user.email + "/calendar: delta token expired (" +
                                           r.error_text() + "), starting a new round");
        resynced = true;
        ++counts.resyncs;
        url = initial;
        window_start = start.fresh_start;
        continue;
      }
      return describe_mailbox_error(r);
    }
    std::vector<CalendarEvent> events;
    if (const boost::json::value* value = r.body.if_contains("value");
        value != nullptr && value->is_array()) {
      for (const boost::json::value& item : value->as_array()) {
        std::optional<CalendarEvent> e = parse_event(item);
        if (!e) continue;
        if (e->removed) {
          ++counts.events_removed;  // the Salesforce Event stays: the meeting was planned
          continue;
        }
        ++counts.events;
        if (!e->cancelled) events.push_back(std::move(*e));
      }
    }
    std::vector<std::vector<std::string>> externals;
    std::vector<std::string> all;
    for (const CalendarEvent& e : events) {
      externals.push_back(
          external_participants(e, user.email, config_.internal_domains, config_.blocklist));
      all.insert(all.end(), externals.back().begin(), externals.back().end());
    }
    lookup_people(sf, all);
    boost::json::array records;
    for (std::size_t i = 0; i < events.size(); ++i) {
      std::optional<Who> who = first_match(externals[i]);
      if (!who) {
        if (!externals[i].empty()) ++counts.unmatched;
        continue;
      }
      EventFields f;
      f.owner_id = user.user_id;
      f.who = *who;
      f.external_id_field = config_.event_external_id_field;
      f.external_id = event_external_id(user.email, events[i]);
      f.snippet_chars = config_.snippet_chars;
      std::optional<boost::json::object> record = build_event(events[i], f);
      if (!record) {
        ctx_.log(chp::LogLevel::kWarn, user.email + "/calendar: event " + events[i].id +
                                           " has no usable UTC start/end (" + events[i].start +
                                           " " + events[i].start_zone + "), skipped");
        continue;
      }
      records.emplace_back(std::move(*record));
    }
    const std::string refused =
        upsert_records(sf, "Event", config_.event_external_id_field, records,
                       counts.events_upserted, counts.events_failed);
    // The checkpoint stays before this page: the next cycle tries its events again.
    if (!refused.empty()) return "Salesforce refused an Event: " + refused;
    const std::string next = link(r.body, "@odata.nextLink");
    const std::string delta = link(r.body, "@odata.deltaLink");
    if (next.empty() && delta.empty()) {
      return "Microsoft Graph: a delta page without @odata.nextLink or @odata.deltaLink";
    }
    commit_checkpoint(pass, counts,
                      {{key, next.empty() ? delta : next}, {window_key, window_start}},
                      next.empty());
    if (next.empty()) return "";
    url = next;
  }
  return "Microsoft Graph: more than " + std::to_string(kMaxCalendarPages) +
         " calendar delta pages in one sync; continuing next cycle";
}

}  // namespace rgsync
