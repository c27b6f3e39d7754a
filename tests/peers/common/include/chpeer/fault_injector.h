// Fault injection shared by the peers: rules matched by path prefix that answer with a chosen
// status/body, delay the answer, or reset the connection, for every Nth matching request or
// for the next N matching requests. Configured through each peer's control API as JSON.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "chpeer/http_types.h"

namespace chpeer {

struct FaultRule {
  std::string path_prefix = "/";
  std::optional<std::string> method;  // only this method when set
  int status = 0;                     // 0: do not replace the response
  std::string body;
  std::string content_type = "application/json";
  std::uint32_t delay_ms = 0;
  bool reset_connection = false;
  std::uint32_t every_nth = 0;   // fire on the Nth, 2Nth, ... matching request (0: off)
  std::int64_t next_count = -1;  // fire on the next N matching requests (-1: unlimited)
  // Runtime state.
  std::uint64_t matched = 0;
  std::uint64_t fired = 0;
};

// Parses {"path_prefix","method","status","body","content_type","delay_ms","reset",
// "every_nth","next"}; "body" may be a string or any JSON value (serialised).
std::optional<FaultRule> ParseFaultRule(const boost::json::value& json, std::string* error);

class FaultInjector {
 public:
  void Add(FaultRule rule);
  void Clear();
  // Returns the response to send instead of the real one when a rule fires. A rule with only
  // a delay returns a Response with status 0: the caller runs the real handler and applies
  // the delay to it.
  std::optional<Response> Match(const Request& request);
  boost::json::value ToJson() const;

 private:
  mutable std::mutex mu_;
  std::vector<FaultRule> rules_;
};

}  // namespace chpeer
