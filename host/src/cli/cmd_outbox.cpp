// `connector-host outbox NAME -c FILE [--state failed|pending] [--retry [--id N]...]`: the
// write-back entries of a connector that Salesforce (or another SaaS) refused, with their error
// and attempts, and the admin's retry (all failed entries, or the --id ones) so that the next
// sync offers them again. Through the running host's admin API when it answers, else directly
// on the stopped host's state, like the other verbs.
#include <boost/json.hpp>
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include "app_support.hpp"
#include "chost/app/host.hpp"
#include "chost/common/text.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "verb_help.hpp"
#if CHOST_CLI_WITH_ADMIN
#include "chost/admin/admin_client.hpp"
#endif

namespace chost::cli {
namespace {

namespace json = boost::json;

constexpr const char* kUsage =
    "connector-host outbox NAME -c FILE [--state failed|pending] [--retry [--id ENTRY]...]";
// What a listing shows at most; the admin API pages the same way.
constexpr size_t kListLimit = 1000;

struct OutboxArgs {
  std::string name;
  std::string config_path;
  std::string state = "failed";
  bool retry = false;
  std::vector<int64_t> ids;
};

// 0 when parsed; -1 after --help; otherwise the exit code to return.
int parse(int argc, char** argv, OutboxArgs& a) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help("outbox", kUsage);
      return -1;
    }
    if (take_option(argc, argv, i, "-c", a.config_path, missing) ||
        take_option(argc, argv, i, "--config", a.config_path, missing) ||
        take_option(argc, argv, i, "--state", a.state, missing)) {
    } else if (take_option(argc, argv, i, "--id", value, missing)) {
      int64_t id = 0;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
      if (!missing && (ec != std::errc() || end != value.data() + value.size() || id <= 0)) {
        usage_error("outbox", "--id needs a positive entry id, not '" + value + "'", kUsage);
        return kExitUsage;
      }
      a.ids.push_back(id);
    } else if (arg == "--retry") {
      a.retry = true;
    } else if (!arg.empty() && arg[0] != '-' && a.name.empty()) {
      a.name = std::string(arg);
    } else {
      usage_error("outbox", "unexpected argument '" + std::string(arg) + "'", kUsage);
      return kExitUsage;
    }
    if (missing) {
      usage_error("outbox", std::string(arg) + " needs a value", kUsage);
      return kExitUsage;
    }
  }
  if (a.name.empty() || a.config_path.empty()) {
    usage_error("outbox", "NAME and -c FILE are required", kUsage);
    return kExitUsage;
  }
  if (a.state != "failed" && a.state != "pending") {
    usage_error("outbox", "--state is failed or pending", kUsage);
    return kExitUsage;
  }
  if (!a.ids.empty() && !a.retry) {
    usage_error("outbox", "--id goes with --retry", kUsage);
    return kExitUsage;
  }
  return 0;
}

int fail(const Error& e) {
  std::fprintf(stderr, "connector-host outbox: %s: %s\n", to_string(e.cls), e.message.c_str());
  return kExitFailure;
}

struct Row {
  int64_t id = 0;
  std::string collection;
  std::string record_id;
  int64_t attempts = 0;
  int64_t created_at_ms = 0;
  std::string error;
};

void print_rows(const std::string& name, const std::string& state, const std::vector<Row>& rows) {
  if (rows.empty()) {
    std::printf("%s: no %s outbox entries\n", name.c_str(), state.c_str());
    return;
  }
  std::printf("%-8s %-20s %-20s %-8s %-20s %s\n", "ID", "COLLECTION", "RECORD", "ATTEMPTS",
              "CREATED", "ERROR");
  for (const Row& r : rows) {
    std::printf("%-8lld %-20s %-20s %-8lld %-20s %s\n", static_cast<long long>(r.id),
                r.collection.c_str(), r.record_id.empty() ? "-" : r.record_id.c_str(),
                static_cast<long long>(r.attempts), text::iso8601_utc(r.created_at_ms).c_str(),
                r.error.empty() ? "-" : r.error.c_str());
  }
  if (rows.size() == kListLimit) std::printf("(first %zu shown)\n", kListLimit);
}

void print_retried(const std::string& name, const std::vector<int64_t>& ids) {
  std::string list;
  for (int64_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  std::printf("%s: %zu failed outbox entr%s offered again at the next sync%s%s\n", name.c_str(),
              ids.size(), ids.size() == 1 ? "y" : "ies", ids.empty() ? "" : ": ", list.c_str());
}

#if CHOST_CLI_WITH_ADMIN
int via_admin(const OutboxArgs& a, const config::HostConfig& cfg, const std::string& url) {
  admin::AdminClient client(url, *cfg.host.admin.token);
  if (a.retry) {
    auto r = client.outbox_retry(a.name, a.ids);
    if (!r) return fail(r.error());
    std::vector<int64_t> ids;
    if (const json::value* v = r->as_object().if_contains("retried"); v && v->is_array()) {
      for (const json::value& id : v->as_array()) {
        if (id.is_int64()) ids.push_back(id.as_int64());
      }
    }
    print_retried(a.name, ids);
    return kExitOk;
  }
  auto r = client.outbox(a.name, a.state, kListLimit);
  if (!r) return fail(r.error());
  std::vector<Row> rows;
  const json::value* entries = r->is_object() ? r->as_object().if_contains("entries") : nullptr;
  if (entries == nullptr || !entries->is_array()) {
    return fail(Error::permanent("the host answered the outbox listing without entries"));
  }
  for (const json::value& e : entries->as_array()) {
    const json::object& o = e.as_object();
    auto str = [&](const char* key) {
      const json::value* v = o.if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto num = [&](const char* key) {
      const json::value* v = o.if_contains(key);
      return v && v->is_int64() ? v->as_int64() : int64_t{0};
    };
    rows.push_back({num("id"), str("collection"), str("record_id"), num("attempts"),
                    num("created_at_ms"), str("error")});
  }
  std::printf("host running, admin API at %s\n", url.c_str());
  print_rows(a.name, a.state, rows);
  return kExitOk;
}
#endif

}  // namespace

int run_outbox(int argc, char** argv) {
  OutboxArgs a;
  if (int rc = parse(argc, argv, a); rc != 0) return rc < 0 ? kExitOk : rc;
  auto cfg = load_full_config(a.config_path);
  if (!cfg) return fail(cfg.error());
#if CHOST_CLI_WITH_ADMIN
  if (auto url = running_admin_url(*cfg)) return via_admin(a, *cfg, *url);
#endif
  auto host = app::Host::open(std::move(*cfg));
  if (!host) return fail(host.error());
  app::Host& h = **host;
  if (a.retry) {
    auto ids = h.outbox_retry(a.name, a.ids);
    if (!ids) return fail(ids.error());
    print_retried(a.name, *ids);
    return kExitOk;
  }
  auto entries = h.outbox(
      a.name,
      a.state == "failed" ? app::Host::OutboxState::kFailed : app::Host::OutboxState::kPending,
      kListLimit);
  if (!entries) return fail(entries.error());
  std::vector<Row> rows;
  for (const store::OutboxEntry& e : *entries) {
    rows.push_back({e.entry_id, e.collection, e.id, e.attempts, e.created_at_ms, e.error});
  }
  std::printf("host not running (state from the store)\n");
  print_rows(a.name, a.state, rows);
  return kExitOk;
}

}  // namespace chost::cli
