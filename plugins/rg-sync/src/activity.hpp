// What one Graph message or calendar event becomes in Salesforce, as pure functions so they are
// tested without a network: parsing it, choosing its external participants, its stable external
// id and the Task or Event fields. No I/O here.
#ifndef PLUGINS_RG_SYNC_ACTIVITY_HPP_
#define PLUGINS_RG_SYNC_ACTIVITY_HPP_

#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rgsync {

struct Address {
  std::string address;  // lower-case
  std::string name;
};

// The fields of a Graph `message` the sync uses.
struct MailMessage {
  std::string id;  // Graph id (changes when the message moves unless immutable ids are used)
  std::string internet_message_id;  // RFC 5322 Message-ID: the same in every mailbox
  std::string subject;
  std::string preview;  // bodyPreview
  std::optional<Address> from;
  std::vector<Address> recipients;  // to + cc + bcc
  std::string sent_at;              // sentDateTime (ISO 8601, UTC)
  std::string received_at;          // receivedDateTime
  bool is_draft = false;
  bool removed = false;  // "@removed": deleted or moved out of the folder
};

// A Salesforce record an address matched.
struct Who {
  std::string id;          // Contact or Lead Id
  std::string account_id;  // the Contact's AccountId; empty for Leads
  bool is_lead = false;
};

bool is_plausible_email(std::string_view s);

// Escapes a value for a single-quoted SOQL string literal.
std::string soql_quote(std::string_view value);

// Parses one item of a delta page. nullopt when it has no id (not a message).
std::optional<MailMessage> parse_message(const boost::json::value& item);

// The participants that are neither the mailbox owner, internal, nor blocklisted, in order of
// appearance (sender first), de-duplicated.
std::vector<std::string> external_participants(const MailMessage& m, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist);

// Stable across retries, folder moves and re-syncs: "rg-" + 40 hex digits of
// SHA-256(owner + "\n" + internetMessageId, else the Graph id). One Task per message and owner.
std::string task_external_id(std::string_view owner, const MailMessage& m);

struct TaskFields {
  std::string owner_id;  // the end user's Salesforce User Id
  Who who;
  std::string external_id_field;
  std::string external_id;
  bool outgoing = false;  // sent by the owner
  std::size_t snippet_chars = 1000;
};

// The Task for sObject Collections upsert (with "attributes":{"type":"Task"}).
boost::json::object build_task(const MailMessage& m, const TaskFields& f);

// The fields of a Graph `event` (calendarView/delta) the sync uses.
struct CalendarEvent {
  std::string id;        // Graph id
  std::string ical_uid;  // iCalUId: the same for every attendee's copy of the meeting
  std::string subject;
  std::string preview;     // bodyPreview
  std::string location;    // location.displayName
  std::string start;       // start.dateTime as Graph sends it, e.g. 2024-03-05T10:00:00.0000000
  std::string start_zone;  // start.timeZone
  std::string end;
  std::string end_zone;
  std::optional<Address> organizer;
  std::vector<Address> attendees;
  bool all_day = false;
  bool cancelled = false;  // isCancelled
  bool removed = false;    // "@removed": deleted, or moved out of the window
};

// Parses one item of a calendarView delta page. nullopt when it has no id.
std::optional<CalendarEvent> parse_event(const boost::json::value& item);

// As external_participants, for the organizer then the attendees.
std::vector<std::string> external_participants(const CalendarEvent& e, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist);

// "rg-" + 40 hex digits of SHA-256(owner + "\n" + iCalUId, else the Graph id): one Event per
// meeting and owner, however often the window re-reads it.
std::string event_external_id(std::string_view owner, const CalendarEvent& e);

// A Graph dateTimeTimeZone in UTC ("2024-03-05T10:00:00.0000000", "UTC") in Salesforce's
// dateTime format ("2024-03-05T10:00:00.000Z"). nullopt for another zone or a malformed value:
// the sync asks Graph for UTC (Prefer: outlook.timezone="UTC").
std::optional<std::string> salesforce_datetime(std::string_view date_time,
                                               std::string_view time_zone);

struct EventFields {
  std::string owner_id;  // the end user's Salesforce User Id
  Who who;
  std::string external_id_field;
  std::string external_id;
  std::size_t snippet_chars = 1000;
};

// The Event for sObject Collections upsert (with "attributes":{"type":"Event"}): StartDateTime
// and EndDateTime only (Salesforce derives DurationInMinutes). nullopt when the times are not
// usable UTC values.
std::optional<boost::json::object> build_event(const CalendarEvent& e, const EventFields& f);

// The calendarView window of a round started at `now`: from midnight UTC `days_back` days
// before today to midnight UTC after `days_ahead` days, as ISO 8601 UTC ("2026-11-18T00:00:00Z").
struct CalendarWindow {
  std::string start;
  std::string end;
};
CalendarWindow calendar_window(std::chrono::system_clock::time_point now, std::uint32_t days_back,
                               std::uint32_t days_ahead);

// True when a round whose window starts at `window_start` (as calendar_window wrote it) should
// give way to a fresh window: its start is more than a day older than now - days_back. Also
// true for a value that does not parse.
bool calendar_window_stale(std::string_view window_start, std::chrono::system_clock::time_point now,
                           std::uint32_t days_back);

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_ACTIVITY_HPP_
