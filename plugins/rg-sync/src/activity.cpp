#include "activity.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace rgsync {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string str(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// {"emailAddress":{"name","address"}}
std::optional<Address> recipient(const boost::json::value& v) {
  if (!v.is_object()) return std::nullopt;
  const boost::json::value* ea = v.as_object().if_contains("emailAddress");
  if (ea == nullptr || !ea->is_object()) return std::nullopt;
  Address a{lower(str(ea->as_object(), "address")), str(ea->as_object(), "name")};
  if (a.address.empty()) return std::nullopt;
  return a;
}

void recipients(const boost::json::object& o, std::string_view key, std::vector<Address>& out) {
  const boost::json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return;
  for (const boost::json::value& r : v->as_array()) {
    if (auto a = recipient(r)) out.push_back(std::move(*a));
  }
}

std::string domain_of(std::string_view address) {
  const std::size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : std::string(address.substr(at + 1));
}

bool blocked(const std::string& address, const std::vector<std::string>& blocklist) {
  const std::string domain = "@" + domain_of(address);
  return std::any_of(blocklist.begin(), blocklist.end(),
                     [&](const std::string& b) { return b == address || b == domain; });
}

// Cuts at `n` bytes without splitting a UTF-8 sequence.
std::string utf8_prefix(std::string_view s, std::size_t n) {
  if (s.size() <= n) return std::string(s);
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  return std::string(s.substr(0, n));
}

// `first` (sender / organizer) then `others`, minus the owner, internal and blocked addresses.
std::vector<std::string> external_addresses(const std::optional<Address>& first,
                                            const std::vector<Address>& others,
                                            std::string_view owner,
                                            const std::vector<std::string>& internal_domains,
                                            const std::vector<std::string>& blocklist) {
  std::vector<std::string> out;
  auto consider = [&](const Address& a) {
    if (a.address == owner || !is_plausible_email(a.address)) return;
    const std::string domain = domain_of(a.address);
    if (std::find(internal_domains.begin(), internal_domains.end(), domain) !=
        internal_domains.end()) {
      return;
    }
    if (blocked(a.address, blocklist)) return;
    if (std::find(out.begin(), out.end(), a.address) == out.end()) out.push_back(a.address);
  };
  if (first) consider(*first);
  for (const Address& a : others) consider(a);
  return out;
}

// "rg-" + the first 20 bytes of SHA-256(owner + "\n" + key) in hex.
std::string hashed_id(std::string_view owner, std::string_view key) {
  const std::string input = std::string(owner) + "\n" + std::string(key);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), digest, &len, EVP_sha256(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "rg-";
  for (unsigned int i = 0; i < 20 && i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

bool digits(std::string_view s, std::size_t from, std::size_t n) {
  if (s.size() < from + n) return false;
  return std::all_of(s.begin() + static_cast<std::ptrdiff_t>(from),
                     s.begin() + static_cast<std::ptrdiff_t>(from + n),
                     [](unsigned char c) { return std::isdigit(c) != 0; });
}

// "YYYY-MM-DD" of a Salesforce dateTime, moved by `days`.
std::string shift_date(std::string_view sf_datetime, int days) {
  const int y = std::stoi(std::string(sf_datetime.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoi(std::string(sf_datetime.substr(5, 2))));
  const unsigned d = static_cast<unsigned>(std::stoi(std::string(sf_datetime.substr(8, 2))));
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::year{y} / m / d} +
                                        std::chrono::days{days}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

const boost::json::object* member_object(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? &v->as_object() : nullptr;
}

bool flag(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

}  // namespace

bool is_plausible_email(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  if (s.find('.', at + 1) == std::string_view::npos) return false;
  return std::none_of(s.begin(), s.end(), [](unsigned char c) {
    return std::isspace(c) || std::iscntrl(c) || c == '\'' || c == '"' || c == '\\' || c == ',';
  });
}

std::string soql_quote(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += c;
    }
  }
  out += "'";
  return out;
}

std::optional<MailMessage> parse_message(const boost::json::value& item) {
  if (!item.is_object()) return std::nullopt;
  const boost::json::object& o = item.as_object();
  MailMessage m;
  m.id = str(o, "id");
  if (m.id.empty()) return std::nullopt;
  m.removed = o.contains("@removed");
  if (m.removed) return m;
  m.internet_message_id = str(o, "internetMessageId");
  m.subject = str(o, "subject");
  m.preview = str(o, "bodyPreview");
  if (const boost::json::value* f = o.if_contains("from")) m.from = recipient(*f);
  if (!m.from) {
    if (const boost::json::value* s = o.if_contains("sender")) m.from = recipient(*s);
  }
  recipients(o, "toRecipients", m.recipients);
  recipients(o, "ccRecipients", m.recipients);
  recipients(o, "bccRecipients", m.recipients);
  m.sent_at = str(o, "sentDateTime");
  m.received_at = str(o, "receivedDateTime");
  m.is_draft = flag(o, "isDraft");
  return m;
}

std::vector<std::string> external_participants(const MailMessage& m, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist) {
  return external_addresses(m.from, m.recipients, owner, internal_domains, blocklist);
}

std::string task_external_id(std::string_view owner, const MailMessage& m) {
  return hashed_id(owner, m.internet_message_id.empty() ? m.id : m.internet_message_id);
}

boost::json::object build_task(const MailMessage& m, const TaskFields& f) {
  boost::json::object t;
  t["attributes"] = boost::json::object{{"type", "Task"}};
  t[f.external_id_field] = f.external_id;
  const std::string subject = m.subject.empty() ? "(no subject)" : m.subject;
  // Salesforce's own email logging names tasks "Email: <subject>"; Subject holds 255 chars.
  t["Subject"] = utf8_prefix("Email: " + subject, 255);
  t["Status"] = "Completed";
  t["Priority"] = "Normal";
  t["OwnerId"] = f.owner_id;
  t["WhoId"] = f.who.id;
  // Salesforce refuses a WhatId next to a Lead WhoId.
  if (!f.who.is_lead && !f.who.account_id.empty()) t["WhatId"] = f.who.account_id;
  const std::string& when = f.outgoing ? (m.sent_at.empty() ? m.received_at : m.sent_at)
                                       : (m.received_at.empty() ? m.sent_at : m.received_at);
  if (when.size() >= 10) t["ActivityDate"] = when.substr(0, 10);
  std::string description = (f.outgoing ? "Sent: " : "Received: ") + when;
  if (f.snippet_chars > 0 && !m.preview.empty()) {
    description += "\n\n" + utf8_prefix(m.preview, f.snippet_chars);
  }
  t["Description"] = description;
  return t;
}

std::optional<CalendarEvent> parse_event(const boost::json::value& item) {
  if (!item.is_object()) return std::nullopt;
  const boost::json::object& o = item.as_object();
  CalendarEvent e;
  e.id = str(o, "id");
  if (e.id.empty()) return std::nullopt;
  e.removed = o.contains("@removed");
  if (e.removed) return e;
  e.ical_uid = str(o, "iCalUId");
  e.subject = str(o, "subject");
  e.preview = str(o, "bodyPreview");
  if (const boost::json::object* loc = member_object(o, "location")) {
    e.location = str(*loc, "displayName");
  }
  if (const boost::json::object* start = member_object(o, "start")) {
    e.start = str(*start, "dateTime");
    e.start_zone = str(*start, "timeZone");
  }
  if (const boost::json::object* end = member_object(o, "end")) {
    e.end = str(*end, "dateTime");
    e.end_zone = str(*end, "timeZone");
  }
  if (const boost::json::value* org = o.if_contains("organizer")) e.organizer = recipient(*org);
  recipients(o, "attendees", e.attendees);
  e.all_day = flag(o, "isAllDay");
  e.cancelled = flag(o, "isCancelled");
  return e;
}

std::vector<std::string> external_participants(const CalendarEvent& e, std::string_view owner,
                                               const std::vector<std::string>& internal_domains,
                                               const std::vector<std::string>& blocklist) {
  return external_addresses(e.organizer, e.attendees, owner, internal_domains, blocklist);
}

std::string event_external_id(std::string_view owner, const CalendarEvent& e) {
  return hashed_id(owner, e.ical_uid.empty() ? e.id : e.ical_uid);
}

std::optional<std::string> salesforce_datetime(std::string_view date_time,
                                               std::string_view time_zone) {
  const std::string zone = lower(time_zone);
  const bool utc_suffix = date_time.ends_with("Z") || date_time.ends_with("z");
  if (!(zone == "utc" || zone == "etc/utc" || (zone.empty() && utc_suffix))) return std::nullopt;
  // YYYY-MM-DDTHH:MM:SS[.fraction][Z]
  if (!digits(date_time, 0, 4) || date_time[4] != '-' || !digits(date_time, 5, 2) ||
      date_time[7] != '-' || !digits(date_time, 8, 2) || date_time[10] != 'T' ||
      !digits(date_time, 11, 2) || date_time[13] != ':' || !digits(date_time, 14, 2) ||
      date_time[16] != ':' || !digits(date_time, 17, 2)) {
    return std::nullopt;
  }
  std::string millis = "000";
  if (date_time.size() > 19 && date_time[19] == '.') {
    for (std::size_t i = 0; i < 3 && 20 + i < date_time.size() &&
                            std::isdigit(static_cast<unsigned char>(date_time[20 + i]));
         ++i) {
      millis[i] = date_time[20 + i];
    }
  }
  return std::string(date_time.substr(0, 19)) + "." + millis + "Z";
}

std::optional<boost::json::object> build_event(const CalendarEvent& e, const EventFields& f) {
  std::optional<std::string> start = salesforce_datetime(e.start, e.start_zone);
  std::optional<std::string> end = salesforce_datetime(e.end, e.end_zone);
  if (!start || !end || *end < *start) return std::nullopt;
  if (e.all_day) {
    // Graph ends an all-day event at the next midnight (exclusive); Salesforce's all-day
    // EndDateTime is on the event's last day, so a one-day event starts and ends on one date.
    const std::string first_day = start->substr(0, 10);
    std::string last_day = end->substr(0, 10);
    if (last_day > first_day && end->substr(11) == "00:00:00.000Z") {
      last_day = shift_date(*end, -1);
    }
    *start = first_day + "T00:00:00.000Z";
    *end = last_day + "T00:00:00.000Z";
  }
  boost::json::object ev;
  ev["attributes"] = boost::json::object{{"type", "Event"}};
  ev[f.external_id_field] = f.external_id;
  ev["Subject"] = utf8_prefix(e.subject.empty() ? "(no subject)" : e.subject, 255);
  ev["StartDateTime"] = *start;
  ev["EndDateTime"] = *end;
  ev["IsAllDayEvent"] = e.all_day;
  if (!e.location.empty()) ev["Location"] = utf8_prefix(e.location, 255);
  ev["OwnerId"] = f.owner_id;
  ev["WhoId"] = f.who.id;
  // Salesforce refuses a WhatId next to a Lead WhoId.
  if (!f.who.is_lead && !f.who.account_id.empty()) ev["WhatId"] = f.who.account_id;
  if (f.snippet_chars > 0 && !e.preview.empty()) {
    ev["Description"] = utf8_prefix(e.preview, f.snippet_chars);
  }
  return ev;
}

namespace {

std::string iso_midnight(std::chrono::sys_days day) {
  const std::chrono::year_month_day ymd{day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00Z", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

}  // namespace

CalendarWindow calendar_window(std::chrono::system_clock::time_point now, std::uint32_t days_back,
                               std::uint32_t days_ahead) {
  const auto today = std::chrono::floor<std::chrono::days>(now);
  return CalendarWindow{iso_midnight(today - std::chrono::days{days_back}),
                        iso_midnight(today + std::chrono::days{days_ahead + 1})};
}

bool calendar_window_stale(std::string_view window_start, std::chrono::system_clock::time_point now,
                           std::uint32_t days_back) {
  if (!digits(window_start, 0, 4) || window_start.size() < 10 || window_start[4] != '-' ||
      !digits(window_start, 5, 2) || window_start[7] != '-' || !digits(window_start, 8, 2)) {
    return true;
  }
  const std::chrono::year_month_day ymd{
      std::chrono::year{std::stoi(std::string(window_start.substr(0, 4)))},
      std::chrono::month{static_cast<unsigned>(std::stoi(std::string(window_start.substr(5, 2))))},
      std::chrono::day{static_cast<unsigned>(std::stoi(std::string(window_start.substr(8, 2))))}};
  if (!ymd.ok()) return true;
  const std::chrono::system_clock::time_point start = std::chrono::sys_days{ymd};
  return start < now - std::chrono::days{days_back} - std::chrono::days{1};
}

}  // namespace rgsync
