// MailboxGovernor: throttle rules first, then the concurrency limit (responses held by a delay
// occupy a slot until their delay ends), then the rolling 10-minute request window.
#include "graph_throttle.h"

#include <algorithm>

#include <boost/json.hpp>

#include "chpeer/http_types.h"
#include "graph_util.h"

namespace chpeer::graph {

namespace json = boost::json;

void MailboxGovernor::Reset() {
  limits = ThrottleLimits{};
  rules.clear();
  in_flight_until_.clear();
  window_.clear();
  concurrent_max_.clear();
}

void MailboxGovernor::ClearStatistics() { concurrent_max_.clear(); }

std::optional<Rejection> MailboxGovernor::Admit(const std::string& app, const std::string& user_id,
                                                const std::string& path, std::int64_t clock_ms,
                                                std::int64_t steady_ms, std::int64_t hold_ms) {
  for (auto& rule : rules) {
    if (!rule.mailbox.empty() && rule.mailbox != user_id) continue;
    if (!StartsWith(path, rule.path_prefix)) continue;
    if (rule.next_count == 0 || (rule.until_ms > 0 && clock_ms >= rule.until_ms)) continue;
    if (rule.next_count > 0) --rule.next_count;
    ++rule.fired;
    return Rejection{rule.code, rule.message, rule.retry_after_s, "rule"};
  }
  Key key{app, user_id};
  auto& flights = in_flight_until_[key];
  std::erase_if(flights, [&](std::int64_t until) { return until <= steady_ms; });
  if (static_cast<int>(flights.size()) >= limits.mailbox_concurrency) {
    return Rejection{"ApplicationThrottled", "Application is over its MailboxConcurrency limit.", 1,
                     "concurrency"};
  }
  auto& window = window_[key];
  std::int64_t window_ms = limits.window_s * 1000;
  while (!window.empty() && window.front() <= clock_ms - window_ms) window.pop_front();
  if (static_cast<std::int64_t>(window.size()) >= limits.window_requests) {
    std::int64_t wait_ms = window.front() + window_ms - clock_ms;
    return Rejection{"ApplicationThrottled", "Application is over its MailboxRequests limit.",
                     std::max<std::int64_t>(1, (wait_ms + 999) / 1000), "window"};
  }
  window.push_back(clock_ms);
  // A request holds its slot while its handler runs (under the peer's lock, so only for this
  // call) and for the delay its response gets before it is sent.
  auto concurrent = static_cast<std::int64_t>(flights.size()) + 1;
  if (hold_ms > 0) flights.push_back(steady_ms + hold_ms);
  auto& max = concurrent_max_[user_id];
  max = std::max(max, concurrent);
  return std::nullopt;
}

json::value MailboxGovernor::RulesJson() const {
  json::array out;
  for (const auto& rule : rules) {
    out.push_back(json::object{{"mailbox", rule.mailbox},
                               {"path_prefix", rule.path_prefix},
                               {"retry_after_s", rule.retry_after_s},
                               {"code", rule.code},
                               {"message", rule.message},
                               {"next", rule.next_count},
                               {"until_ms", rule.until_ms},
                               {"fired", rule.fired}});
  }
  return out;
}

json::object MailboxGovernor::CountersJson(std::int64_t clock_ms, std::int64_t steady_ms) {
  json::object max, now, window;
  for (const auto& [user, n] : concurrent_max_) max[user] = n;
  for (auto& [key, flights] : in_flight_until_) {
    std::erase_if(flights, [&](std::int64_t until) { return until <= steady_ms; });
    auto& slot = now[key.second];
    slot = (slot.is_int64() ? slot.as_int64() : 0) + static_cast<std::int64_t>(flights.size());
  }
  for (auto& [key, times] : window_) {
    auto n = std::count_if(times.begin(), times.end(),
                           [&](std::int64_t t) { return t > clock_ms - limits.window_s * 1000; });
    auto& slot = window[key.second];
    slot = (slot.is_int64() ? slot.as_int64() : 0) + static_cast<std::int64_t>(n);
  }
  return json::object{{"concurrent_max", std::move(max)},
                      {"in_flight", std::move(now)},
                      {"window_requests", std::move(window)}};
}

std::optional<ThrottleRule> ParseThrottleRule(const json::value& value, std::int64_t clock_ms,
                                              std::string* error) {
  const json::object* o = value.if_object();
  if (!o) {
    *error = "throttle rule must be a JSON object";
    return std::nullopt;
  }
  ThrottleRule rule;
  rule.mailbox = Str(*o, "mailbox");
  rule.path_prefix = Str(*o, "path_prefix");
  rule.retry_after_s = Int(*o, "retry_after_s", 1);
  rule.code = Str(*o, "code", rule.code);
  rule.message = Str(*o, "message", rule.message);
  rule.next_count = Int(*o, "next", -1);
  std::int64_t seconds = Int(*o, "seconds", 0);
  if (rule.retry_after_s < 0 || seconds < 0 || rule.next_count < -1) {
    *error = "retry_after_s, seconds and next must not be negative";
    return std::nullopt;
  }
  if (seconds > 0) rule.until_ms = clock_ms + seconds * 1000;
  return rule;
}

}  // namespace chpeer::graph
