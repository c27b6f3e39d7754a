// Rule matching for chpeer::FaultInjector.
#include "chpeer/fault_injector.h"

#include <boost/json.hpp>

namespace chpeer {

std::optional<FaultRule> ParseFaultRule(const boost::json::value& json, std::string* error) {
  const auto* obj = json.if_object();
  if (!obj) {
    if (error) *error = "fault rule must be a JSON object";
    return std::nullopt;
  }
  FaultRule rule;
  try {
    if (auto* v = obj->if_contains("path_prefix")) rule.path_prefix = std::string(v->as_string());
    if (auto* v = obj->if_contains("method")) rule.method = std::string(v->as_string());
    if (auto* v = obj->if_contains("status")) rule.status = static_cast<int>(v->to_number<int>());
    if (auto* v = obj->if_contains("body")) {
      rule.body = v->is_string() ? std::string(v->as_string()) : boost::json::serialize(*v);
    }
    if (auto* v = obj->if_contains("content_type")) {
      rule.content_type = std::string(v->as_string());
    }
    if (auto* v = obj->if_contains("delay_ms")) rule.delay_ms = v->to_number<std::uint32_t>();
    if (auto* v = obj->if_contains("reset")) rule.reset_connection = v->as_bool();
    if (auto* v = obj->if_contains("every_nth")) rule.every_nth = v->to_number<std::uint32_t>();
    if (auto* v = obj->if_contains("next")) rule.next_count = v->to_number<std::int64_t>();
  } catch (const std::exception& e) {
    if (error) *error = std::string("invalid fault rule: ") + e.what();
    return std::nullopt;
  }
  if (rule.status == 0 && rule.delay_ms == 0 && !rule.reset_connection) {
    if (error) *error = "fault rule needs status, delay_ms or reset";
    return std::nullopt;
  }
  if (rule.status != 0 && (rule.status < 100 || rule.status > 599)) {
    if (error) *error = "fault status must be 100..599";
    return std::nullopt;
  }
  return rule;
}

void FaultInjector::Add(FaultRule rule) {
  std::lock_guard lock(mu_);
  rules_.push_back(std::move(rule));
}

void FaultInjector::Clear() {
  std::lock_guard lock(mu_);
  rules_.clear();
}

std::optional<Response> FaultInjector::Match(const Request& request) {
  std::lock_guard lock(mu_);
  for (auto& rule : rules_) {
    if (!StartsWith(request.path, rule.path_prefix)) continue;
    if (rule.method && *rule.method != request.method) continue;
    if (rule.next_count == 0) continue;
    ++rule.matched;
    if (rule.every_nth > 0 && rule.matched % rule.every_nth != 0) continue;
    if (rule.next_count > 0) --rule.next_count;
    ++rule.fired;
    Response response;
    response.status = rule.status;
    if (rule.status != 0) {
      response.body = rule.body;
      if (!rule.body.empty()) response.headers["Content-Type"] = rule.content_type;
    }
    response.delay_ms = rule.delay_ms;
    response.reset_connection = rule.reset_connection;
    return response;
  }
  return std::nullopt;
}

boost::json::value FaultInjector::ToJson() const {
  std::lock_guard lock(mu_);
  boost::json::array out;
  for (const auto& rule : rules_) {
    boost::json::object o;
    o["path_prefix"] = rule.path_prefix;
    if (rule.method) o["method"] = *rule.method;
    o["status"] = rule.status;
    o["delay_ms"] = rule.delay_ms;
    o["reset"] = rule.reset_connection;
    o["every_nth"] = rule.every_nth;
    o["next"] = rule.next_count;
    o["matched"] = rule.matched;
    o["fired"] = rule.fired;
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace chpeer
