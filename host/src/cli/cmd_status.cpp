// `connector-host status -c FILE`: connectors, their states and last errors, and their subjects
// (end users with status and last error). From the running host's admin API when it answers,
// else from the stopped host's state. --json: one document of the same shape either way
// (status_json.hpp). Exit 4 when a connection is not authorized or disconnected, 5 when a
// connector is paused by its API quota (exit_codes.hpp), 3 when the config is invalid.
#include <boost/json.hpp>
#include <cstdio>
#include <string>

#include "app_support.hpp"
#include "chost/app/host.hpp"
#include "chost/common/text.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "status_json.hpp"
#include "tty_style.hpp"
#if CHOST_CLI_WITH_ADMIN
#include "chost/admin/admin_client.hpp"
#endif

namespace chost::cli {
namespace {

constexpr const char* kUsage = "connector-host status -c FILE [--json]";

// The table for people; states coloured on a terminal (tty_style.hpp).
void print_status(const std::vector<app::ConnectorStatus>& items) {
  const bool colour = use_colour(stdout);
  std::printf("%-20s %-11s %-14s %-12s %s\n", "NAME", "KIND", "STATE", "USES", "LAST ERROR");
  for (const app::ConnectorStatus& s : items) {
    std::printf("%-20s %-11s %s %-12s %s\n", s.name.c_str(), s.kind.c_str(),
                styled_state(s.state, 14, colour).c_str(), s.uses.empty() ? "-" : s.uses.c_str(),
                s.last_error.empty() ? "-" : (s.last_error_class + ": " + s.last_error).c_str());
    if (!s.status_line.empty()) std::printf("  status: %s\n", s.status_line.c_str());
    if (s.last_sync_at_ms > 0) {
      std::printf("  last sync: %s%s\n", text::iso8601_utc(s.last_sync_at_ms).c_str(),
                  s.last_success_at_ms == s.last_sync_at_ms ? " (ok)" : " (failed)");
    }
    if (!s.last_summary_json.empty())
      std::printf("  last summary: %s\n", s.last_summary_json.c_str());
    if (s.next_run_at_ms > 0)
      std::printf("  next run: %s\n", text::iso8601_utc(s.next_run_at_ms).c_str());
    if (s.identity_json != "{}") std::printf("  identity: %s\n", s.identity_json.c_str());
    for (const runtime::SubjectStatus& u : s.subjects) {
      std::printf(
          "  subject %s (%s): %s%s%s\n", u.subject_id.c_str(), u.display_name.c_str(),
          styled_state(runtime::subject_status_text(u.state, u.admin_disabled), 0, colour).c_str(),
          u.detail.empty() ? "" : ": ", u.detail.c_str());
    }
  }
}

void warn_orphan(const app::OrphanStatus& o) {
  std::string holds;
  for (const std::string& h : o.holds) holds += (holds.empty() ? "" : ", ") + h;
  std::fprintf(stderr,
               "connector-host status: warning: not in the configuration, still in the state: "
               "%s (%s) (`connector-host state prune` removes it)\n",
               o.name.c_str(), holds.c_str());
}

#if CHOST_CLI_WITH_ADMIN
namespace json = boost::json;

std::string string_at(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

int64_t ms_at(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}

// A running host's GET /api/v1/connectors "orphans"; none when an older host left it out.
std::vector<app::OrphanStatus> orphans_listed(const json::value& list) {
  std::vector<app::OrphanStatus> out;
  const json::value* orphans = list.is_object() ? list.as_object().if_contains("orphans") : nullptr;
  if (!orphans || !orphans->is_array()) return out;
  for (const json::value& item : orphans->as_array()) {
    if (!item.is_object()) continue;
    app::OrphanStatus o{string_at(item.as_object(), "name"), {}};
    if (const json::value* h = item.as_object().if_contains("holds"); h && h->is_array()) {
      for (const json::value& s : h->as_array()) {
        if (s.is_string()) o.holds.emplace_back(s.as_string());
      }
    }
    out.push_back(std::move(o));
  }
  return out;
}

// The admin API's connectors and users, read back into what a stopped host's status gives, so
// that people see the same table either way.
std::vector<app::ConnectorStatus> statuses_listed(const json::value& list,
                                                  const std::vector<json::value>& users) {
  std::vector<app::ConnectorStatus> out;
  const json::value* items =
      list.is_object() ? list.as_object().if_contains("connectors") : nullptr;
  if (!items || !items->is_array()) return out;
  for (const json::value& item : items->as_array()) {
    if (!item.is_object()) continue;
    const json::object& c = item.as_object();
    app::ConnectorStatus s;
    for (const auto& [key, field] : {std::pair{"name", &app::ConnectorStatus::name},
                                     {"plugin", &app::ConnectorStatus::plugin},
                                     {"kind", &app::ConnectorStatus::kind},
                                     {"state", &app::ConnectorStatus::state},
                                     {"uses", &app::ConnectorStatus::uses},
                                     {"status_line", &app::ConnectorStatus::status_line}}) {
      s.*field = string_at(c, key);
    }
    if (const json::value* e = c.if_contains("last_error"); e && e->is_object()) {
      s.last_error_class = string_at(e->as_object(), "class");
      s.last_error = string_at(e->as_object(), "message");
    }
    s.last_sync_at_ms = ms_at(c, "last_sync_at_ms");
    s.last_success_at_ms = ms_at(c, "last_success_at_ms");
    s.next_run_at_ms = ms_at(c, "next_run_at_ms");
    if (const json::value* v = c.if_contains("last_summary"); v && v->is_object()) {
      s.last_summary_json = json::serialize(*v);
    }
    if (const json::value* v = c.if_contains("identity"); v && v->is_object()) {
      s.identity_json = json::serialize(*v);
    }
    for (const json::value& u : users) {
      if (!u.is_object() || string_at(u.as_object(), "connector") != s.name) continue;
      const json::value* rows = u.as_object().if_contains("users");
      if (!rows || !rows->is_array()) continue;
      for (const json::value& row : rows->as_array()) {
        if (!row.is_object()) continue;
        const json::object& r = row.as_object();
        runtime::SubjectStatus st;
        for (const auto& [key, field] :
             {std::pair{"subject_id", &runtime::SubjectStatus::subject_id},
              {"display_name", &runtime::SubjectStatus::display_name},
              {"state", &runtime::SubjectStatus::state},
              {"detail", &runtime::SubjectStatus::detail}}) {
          st.*field = string_at(r, key);
        }
        st.updated_at_ms = ms_at(r, "updated_at_ms");
        const json::value* off = r.if_contains("admin_disabled");
        st.admin_disabled = off && off->is_bool() && off->as_bool();
        s.subjects.push_back(std::move(st));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}
#endif

}  // namespace

int run_status(int argc, char** argv) {
  std::string path;
  const bool as_json = take_flag(argc, argv, "--json");
  if (auto exit_code = parse_config_only("status", kUsage, argc, argv, path)) {
    return *exit_code;
  }
  auto cfg = load_full_config(path);
  if (!cfg) {
    std::fprintf(stderr, "connector-host status: %s\n", cfg.error().message.c_str());
    return kExitConfigInvalid;
  }
#if CHOST_CLI_WITH_ADMIN
  if (auto url = running_admin_url(*cfg)) {
    admin::AdminClient client(*url, *cfg->host.admin.token);
    auto list = client.connectors();
    if (!list) {
      std::fprintf(stderr, "connector-host status: %s\n", list.error().message.c_str());
      return kExitFailure;
    }
    // A state found damaged while running: shown, and the exit says it (the listing is stale).
    std::string damaged;
    if (auto ready = client.readyz(); ready && ready->is_object()) {
      const auto& obj = ready->as_object();
      const auto* reason = obj.if_contains("reason");
      if (reason && reason->is_string() && !obj.at("ready").as_bool()) {
        const std::string text(reason->as_string());
        if (text.rfind("state store ", 0) == 0) damaged = text;
      }
    }
    if (!damaged.empty()) {
      std::fprintf(stderr, "connector-host status: %s\n", damaged.c_str());
      return kExitFailure;
    }
    std::vector<boost::json::value> users;
    for (const auto& c : cfg->connectors) {
      if (auto u = client.users(c.name); u) users.push_back(std::move(*u));
    }
    for (const app::OrphanStatus& o : orphans_listed(*list)) warn_orphan(o);
    if (as_json) {
      std::printf("%s\n", status_json(*url, *list, users).c_str());
      return exit_code_for_status(*list);
    }
    std::printf("host running, admin API at %s\n", url->c_str());
    print_status(statuses_listed(*list, users));
    return exit_code_for_status(*list);
  }
#endif
  auto host = app::Host::open(std::move(*cfg));
  if (!host) {
    std::fprintf(stderr, "connector-host status: %s\n", host.error().message.c_str());
    return kExitFailure;
  }
  std::vector<app::OrphanStatus> orphans;
  if (auto found = (*host)->orphans(); found) orphans = std::move(*found);
  for (const auto& o : orphans) warn_orphan(o);
  if (as_json) {
    const std::vector<app::ConnectorStatus> items = (*host)->status();
    std::printf("%s\n", status_json(items, orphans).c_str());
    return exit_code_for_status(items);
  }
  std::printf("host not running (state from the store)\n");
  const std::vector<app::ConnectorStatus> items = (*host)->status();
  print_status(items);
  return exit_code_for_status(items);
}

}  // namespace chost::cli
