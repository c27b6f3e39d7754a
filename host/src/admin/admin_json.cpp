// JSON serialization of admin views and errors (see admin_json.hpp).
#include "admin_json.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "chost/common/text.hpp"

namespace chost::admin {
namespace json = boost::json;

namespace {

json::value optional_ms(const std::optional<int64_t>& ms) {
  if (ms) return json::value(*ms);
  return json::value(nullptr);
}

// identity_json comes from the backend; a malformed one must not break the whole listing.
json::value identity(const std::string& text) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text.empty() ? "{}" : text, ec);
  if (ec || !parsed.is_object()) return json::object();
  return parsed;
}

json::value empty_as_null(const std::string& s) {
  if (s.empty()) return json::value(nullptr);
  return json::value(s);
}

}  // namespace

json::value to_json(const ConnectorView& v) {
  json::object o;
  o["name"] = v.name;
  o["plugin"] = v.plugin;
  o["kind"] = v.kind;
  o["state"] = v.state;
  o["status_line"] = v.status_line;
  if (v.last_error.empty() && v.last_error_class.empty()) {
    o["last_error"] = nullptr;
  } else {
    o["last_error"] = json::object{{"class", v.last_error_class}, {"message", v.last_error}};
  }
  o["uses"] = empty_as_null(v.uses);
  o["last_sync_at_ms"] = optional_ms(v.last_sync_at_ms);
  o["next_run_at_ms"] = optional_ms(v.next_run_at_ms);
  o["last_success_at_ms"] = optional_ms(v.last_success_at_ms);
  o["schedule_every_ms"] = optional_ms(v.schedule_every_ms);
  o["last_summary"] =
      v.last_summary_json.empty() ? json::value(nullptr) : identity(v.last_summary_json);
  o["identity"] = identity(v.identity_json);
  o["subject_count"] = v.subject_count;
  return o;
}

json::value to_json(const SubjectView& v) {
  return json::object{{"connector", v.connector},
                      {"subject_id", v.subject_id},
                      {"display_name", v.display_name},
                      {"state", v.state},
                      {"status", v.status},
                      {"admin_disabled", v.admin_disabled},
                      {"detail", v.detail},
                      {"updated_at_ms", v.updated_at_ms}};
}

json::value to_json(const TransitionView& v) {
  return json::object{{"from_state", empty_as_null(v.from_state)},
                      {"to_state", v.to_state},
                      {"reason", v.reason},
                      {"at_ms", v.at_ms}};
}

json::value to_json(const OutboxEntryView& v) {
  json::object o{{"id", v.id},
                 {"collection", v.collection},
                 {"record_id", v.record_id},
                 {"error", empty_as_null(v.error)},
                 {"attempts", v.attempts},
                 {"created_at", text::iso8601_utc(v.created_at_ms)},
                 {"created_at_ms", v.created_at_ms}};
  o["failed_at"] = v.failed_at_ms ? json::value(text::iso8601_utc(*v.failed_at_ms)) : nullptr;
  o["failed_at_ms"] = optional_ms(v.failed_at_ms);
  return o;
}

json::value to_json(const NotificationView& v) {
  return json::object{
      {"seq", v.seq},
      {"id", v.event_id},
      {"webhook", v.webhook},
      {"event", v.event},
      {"state", v.state},
      {"attempts", v.attempts},
      {"last_error", empty_as_null(v.last_error)},
      {"last_status", v.last_status == 0 ? json::value(nullptr) : json::value(v.last_status)},
      {"created_at_ms", v.created_at_ms},
      {"next_attempt_at_ms", optional_ms(v.next_attempt_at_ms)},
      {"delivered_at_ms", optional_ms(v.delivered_at_ms)},
      {"payload", identity(v.body_json)}};
}

json::value error_json(const Error& error) {
  return json::object{
      {"error", json::object{{"class", to_string(error.cls)}, {"message", error.message}}}};
}

int http_status_for(ErrorClass cls) {
  switch (cls) {
    case ErrorClass::kNotFound:
      return 404;
    case ErrorClass::kConfig:
      return 400;
    case ErrorClass::kConflict:
    case ErrorClass::kAuthRevoked:
      return 409;
    default:
      return 500;
  }
}

}  // namespace chost::admin
