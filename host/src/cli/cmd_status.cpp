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
#include "chost/app/orphans.hpp"
#include "chost/common/text.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "json_output.hpp"
#include "json_pretty.hpp"
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
    if (as_json) {
      std::vector<boost::json::value> users;
      for (const auto& c : cfg->connectors) {
        if (auto u = client.users(c.name); u) users.push_back(std::move(*u));
      }
      std::printf("%s\n", status_json(*url, *list, users).c_str());
      return exit_code_for_status(*list);
    }
    std::printf("host running, admin API at %s\n", url->c_str());
    std::printf("%s\n", pretty_json(boost::json::serialize(*list)).c_str());
    for (const auto& c : cfg->connectors) {
      if (auto users = client.users(c.name); users) {
        std::printf("%s\n", pretty_json(boost::json::serialize(*users)).c_str());
      }
    }
    return exit_code_for_status(*list);
  }
#endif
  auto host = app::Host::open(std::move(*cfg));
  if (!host) {
    std::fprintf(stderr, "connector-host status: %s\n", host.error().message.c_str());
    return kExitFailure;
  }
  if (auto orphans = app::find_orphans((*host)->store(), (*host)->config());
      orphans && !orphans->empty()) {
    for (const auto& o : *orphans) {
      std::fprintf(stderr,
                   "connector-host status: warning: not in the configuration, still in the state: "
                   "%s (`connector-host state prune` removes it)\n",
                   app::describe_orphan(o).c_str());
    }
  }
  if (as_json) {
    const std::vector<app::ConnectorStatus> items = (*host)->status();
    std::printf("%s\n", status_json(items).c_str());
    return exit_code_for_status(items);
  }
  std::printf("host not running (state from the store)\n");
  const std::vector<app::ConnectorStatus> items = (*host)->status();
  print_status(items);
  return exit_code_for_status(items);
}

}  // namespace chost::cli
