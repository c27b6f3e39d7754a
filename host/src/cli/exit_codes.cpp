// Exit codes that depend on the failure (exit_codes.hpp).
#include "exit_codes.hpp"

#include <boost/json/value.hpp>
#include <string>

#include "chost/runtime/sync_summary.hpp"
#include "commands.hpp"

namespace chost::cli {
namespace {

// The SDK's Salesforce quota guard (sdk/.../salesforce/limits.hpp, ApiUsageGuard) refuses calls
// with a transient error of this text. The salesforce plugin ends such a run OK with
// "paused" in its summary (runtime/sync_summary.hpp) and this text in its status line; other
// plugins fail the run with it. integration.CliExitCodeTest.ASyncPausedByTheQuotaExitsFive
// breaks if they drift apart.
constexpr std::string_view kQuotaPause = "API quota threshold reached";

bool is_quota_pause(std::string_view message) {
  return message.find(kQuotaPause) != std::string_view::npos;
}

// Connection states that need an admin's authorize/refresh, and the consumer state waiting
// for one (runtime/status.cpp).
bool needs_authorization(std::string_view state) {
  return state == "unauthorized" || state == "disconnected" || state == "suspended";
}

int worst(bool auth, bool quota) {
  if (auth) return kExitNotAuthorized;
  return quota ? kExitQuotaPaused : kExitOk;
}

}  // namespace

int exit_code_for_summary(std::string_view summary_json) {
  return runtime::read_sync_summary(summary_json).paused_by_quota ? kExitQuotaPaused : kExitOk;
}

int exit_code_for_failure(ErrorClass cls, std::string_view message) {
  if (cls == ErrorClass::kAuthRevoked) return kExitNotAuthorized;
  if (cls == ErrorClass::kTransient && is_quota_pause(message)) return kExitQuotaPaused;
  return kExitFailure;
}

int exit_code_for_status(const std::vector<app::ConnectorStatus>& items) {
  bool auth = false;
  bool quota = false;
  for (const app::ConnectorStatus& s : items) {
    auth = auth || needs_authorization(s.state);
    quota = quota || is_quota_pause(s.last_error) ||
            (s.last_error.empty() && is_quota_pause(s.status_line)) ||
            exit_code_for_summary(s.last_summary_json) == kExitQuotaPaused;
  }
  return worst(auth, quota);
}

int exit_code_for_status(const boost::json::value& connectors) {
  bool auth = false;
  bool quota = false;
  const boost::json::object* doc = connectors.if_object();
  const boost::json::value* list = doc ? doc->if_contains("connectors") : nullptr;
  if (list == nullptr || !list->is_array()) return kExitOk;
  for (const boost::json::value& c : list->as_array()) {
    const boost::json::object* o = c.if_object();
    if (o == nullptr) continue;
    if (const boost::json::value* st = o->if_contains("state"); st && st->is_string()) {
      auth = auth || needs_authorization(st->as_string());
    }
    if (const boost::json::value* line = o->if_contains("status_line"); line && line->is_string()) {
      quota = quota || is_quota_pause(line->as_string());
    }
    const boost::json::value* err = o->if_contains("last_error");
    if (err && err->is_object()) {
      if (const boost::json::value* m = err->as_object().if_contains("message");
          m && m->is_string()) {
        quota = quota || is_quota_pause(m->as_string());
      }
    } else if (err && err->is_string()) {
      quota = quota || is_quota_pause(err->as_string());
    }
  }
  return worst(auth, quota);
}

}  // namespace chost::cli
