// Outlook's per-app, per-mailbox service limits as the peer enforces them: at most 4
// concurrent requests and 10,000 requests per 10 minutes per (app, mailbox), plus throttle
// rules a test adds through the control API (429 + Retry-After for one mailbox or all).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

namespace chpeer::graph {

struct ThrottleLimits {
  int mailbox_concurrency = 4;
  std::int64_t window_requests = 10000;
  std::int64_t window_s = 600;
};

struct ThrottleRule {
  std::string mailbox;      // user id; empty: every mailbox request
  std::string path_prefix;  // empty: any path
  std::int64_t retry_after_s = 1;
  std::string code = "ApplicationThrottled";
  std::string message = "Application is over its MailboxConcurrency limit.";
  std::int64_t next_count = -1;  // answer the next N matching requests (-1: no count limit)
  std::int64_t until_ms = 0;     // until this peer-clock time (0: no time limit)
  std::int64_t fired = 0;
};

struct Rejection {
  std::string code;
  std::string message;
  std::int64_t retry_after_s = 1;
  std::string reason;  // counter key: "rule", "concurrency", "window"
};

class MailboxGovernor {
 public:
  void Reset();
  // Admits one request by `app` to the mailbox of `user_id`, held in flight for `hold_ms`
  // (the delay its response will have) from `steady_ms`. nullopt: admitted and counted.
  std::optional<Rejection> Admit(const std::string& app, const std::string& user_id,
                                 const std::string& path, std::int64_t clock_ms,
                                 std::int64_t steady_ms, std::int64_t hold_ms);
  // Forgets the concurrency maxima (counters reset); in-flight requests and windows are
  // throttling state and stay.
  void ClearStatistics();

  ThrottleLimits limits;
  std::vector<ThrottleRule> rules;

  boost::json::value RulesJson() const;
  // {"concurrent_max":{user:n}, "in_flight":{user:n}, "window":{user:n}}
  boost::json::object CountersJson(std::int64_t clock_ms, std::int64_t steady_ms);

 private:
  using Key = std::pair<std::string, std::string>;            // (app, user id)
  std::map<Key, std::vector<std::int64_t>> in_flight_until_;  // steady ms
  std::map<Key, std::deque<std::int64_t>> window_;            // peer-clock ms of admissions
  std::map<std::string, std::int64_t> concurrent_max_;        // by user id
};

// Parses {"mailbox","path_prefix","retry_after_s","code","message","next","seconds"}; the
// mailbox is resolved by the caller. nullopt with *error when malformed.
std::optional<ThrottleRule> ParseThrottleRule(const boost::json::value& json, std::int64_t clock_ms,
                                              std::string* error);

}  // namespace chpeer::graph
