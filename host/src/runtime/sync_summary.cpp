// read_sync_summary: see sync_summary.hpp.
#include "chost/runtime/sync_summary.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace chost::runtime {

namespace json = boost::json;

namespace {

// A non-negative integer member (JSON numbers a plugin wrote as doubles count when whole).
std::optional<int64_t> count_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64() && v->as_int64() >= 0) return v->as_int64();
  if (v->is_uint64()) return static_cast<int64_t>(v->as_uint64());
  if (v->is_double() && v->as_double() >= 0 &&
      v->as_double() == static_cast<double>(static_cast<int64_t>(v->as_double()))) {
    return static_cast<int64_t>(v->as_double());
  }
  return std::nullopt;
}

const json::object* object_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

}  // namespace

SyncSummaryFigures read_sync_summary(std::string_view summary_json) {
  SyncSummaryFigures f;
  if (summary_json.empty()) return f;
  boost::system::error_code ec;
  const json::value v = json::parse(summary_json, ec);
  const json::object* root = ec ? nullptr : v.if_object();
  if (!root) return f;
  if (const json::object* r = object_member(*root, "records")) {
    f.records_in = count_member(*r, "in");
    f.records_out = count_member(*r, "out");
    f.records_failed = count_member(*r, "failed");
  }
  if (const json::object* q = object_member(*root, "api_quota")) {
    f.quota_used = count_member(*q, "used");
    f.quota_limit = count_member(*q, "limit");
  }
  if (const json::object* p = object_member(*root, "paused")) {
    const json::value* reason = p->if_contains("reason");
    f.paused_by_quota = reason && reason->is_string() && reason->as_string() == "api_quota";
    if (const json::value* m = p->if_contains("message"); m && m->is_string()) {
      f.pause_message = std::string(m->as_string());
    }
  }
  return f;
}

}  // namespace chost::runtime
