// The connector verbs: `authorize`, `refresh`, `disable`, `enable`, `sync` NAME -c FILE.
// With a host running (its admin API answers at host.admin.listen with the token) they go
// through the admin API; otherwise they act on the stopped host's state directly: build the
// instances, run the hook once, store the result and print it.
//
// authorize: interactive (browser) flows listen on 127.0.0.1:<random port> for the redirect,
// print the authorize URL and wait (--timeout SECONDS, default 300) for the browser to come
// back. --follow makes the CLI GET the authorize URL itself and follow its redirects, for
// headless use against an authorize endpoint that approves by itself (the local Salesforce peer
// answers with a 302 to the redirect URI). --redirect-port fixes the listener's port for
// providers that only accept registered redirect URIs (http://127.0.0.1:PORT/callback).
// --code CODE [--state S --redirect-uri URI] completes a
// flow whose code was obtained elsewhere.
//
// disable/enable/sync NAME --user SUBJECT act on one subject (end user) of the connector:
// durable per-user switch, or a sync of that user only (at most once a minute).
//
// sync --json prints the outcome as one JSON document (sync_json.hpp). Exit codes: 4 when the
// connection is not authorized / disconnected, 5 when the sync is paused by the API quota
// (exit_codes.hpp), 3 when the config is invalid.
#include <unistd.h>

#include <boost/json.hpp>
#include <cstdio>
#include <string>
#include <thread>

#include "app_support.hpp"
#include "chost/app/host.hpp"
#include "chost/app/loopback_redirect.hpp"
#include "chost/common/text.hpp"
#include "cli_args.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "sync_json.hpp"
#include "sync_progress.hpp"
#include "verb_help.hpp"
#if CHOST_CLI_WITH_ADMIN
#include "chost/admin/admin_client.hpp"
#endif

namespace chost::cli {
namespace {

namespace json = boost::json;

struct ActionArgs {
  std::string name;
  std::string config_path;
  std::string code;
  std::string state;
  std::string redirect_uri;
  std::string user;  // --user: one subject of the connector
  bool follow = false;
  bool json = false;           // sync --json
  uint16_t redirect_port = 0;  // 0: random
  int64_t timeout_ms = 300 * 1000;
};

std::string usage_of(const std::string& verb) {
  if (verb == "authorize") {
    return "connector-host authorize NAME -c FILE [--follow] [--timeout SECONDS] "
           "[--redirect-port PORT] [--code CODE [--state STATE] [--redirect-uri URI]]";
  }
  if (verb == "disable" || verb == "enable" || verb == "sync") {
    return "connector-host " + verb + " NAME -c FILE [--user SUBJECT]" +
           (verb == "sync" ? " [--json]" : "");
  }
  return "connector-host " + verb + " NAME -c FILE";
}

// 0 when parsed; otherwise the exit code to return.
int parse(const std::string& verb, int argc, char** argv, ActionArgs& a) {
  const std::string usage = usage_of(verb);
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::string value;
    bool missing = false;
    if (arg == "--help" || arg == "-h") {
      print_verb_help(verb, usage.c_str());
      return -1;
    }
    if (take_option(argc, argv, i, "-c", a.config_path, missing) ||
        take_option(argc, argv, i, "--config", a.config_path, missing)) {
    } else if ((verb == "disable" || verb == "enable" || verb == "sync") &&
               take_option(argc, argv, i, "--user", a.user, missing)) {
    } else if (verb == "authorize" && take_option(argc, argv, i, "--code", a.code, missing)) {
    } else if (verb == "authorize" && take_option(argc, argv, i, "--state", a.state, missing)) {
    } else if (verb == "authorize" &&
               take_option(argc, argv, i, "--redirect-uri", a.redirect_uri, missing)) {
    } else if (verb == "authorize" && take_option(argc, argv, i, "--timeout", value, missing)) {
      if (!missing) a.timeout_ms = std::max(1L, std::atol(value.c_str())) * 1000;
    } else if (verb == "authorize" &&
               take_option(argc, argv, i, "--redirect-port", value, missing)) {
      const long port = missing ? -1 : std::atol(value.c_str());
      if (port < 1 || port > 65535) {
        usage_error(verb.c_str(), "--redirect-port needs a port 1..65535", usage.c_str());
        return kExitUsage;
      }
      a.redirect_port = static_cast<uint16_t>(port);
    } else if (verb == "sync" && arg == "--json") {
      a.json = true;
    } else if (verb == "authorize" && arg == "--follow") {
      a.follow = true;
    } else if (!arg.empty() && arg[0] != '-' && a.name.empty()) {
      a.name = std::string(arg);
    } else {
      usage_error(verb.c_str(), "unexpected argument '" + std::string(arg) + "'", usage.c_str());
      return kExitUsage;
    }
    if (missing) {
      usage_error(verb.c_str(), std::string(arg) + " needs a value", usage.c_str());
      return kExitUsage;
    }
  }
  if (a.name.empty() || a.config_path.empty()) {
    usage_error(verb.c_str(), "NAME and -c FILE are required", usage.c_str());
    return kExitUsage;
  }
  return 0;
}

int fail(const std::string& verb, const Error& e) {
  std::fprintf(stderr, "connector-host %s: %s: %s\n", verb.c_str(), to_string(e.cls),
               e.message.c_str());
  return exit_code_for_failure(e.cls, e.message);
}

// A sync's outcome: a line for people, or with --json one document; the exit code. On a TTY
// (without --json) the summary table follows the line.
int report_sync(const ActionArgs& a, bool running, const app::HookResult& r,
                int64_t elapsed_ms = 0) {
  SyncOutcome o;
  o.connector = a.name;
  o.subject = a.user;
  o.running = running;
  o.ok = r.ok;
  o.summary_json = r.output;
  // A run that stopped at the API quota ends OK with "paused" in its summary: exit 5.
  if (r.ok && exit_code_for_summary(r.output) == kExitQuotaPaused) {
    o.exit_code = kExitQuotaPaused;
  }
  if (!r.ok) {
    const Error e{error_class_from_string(r.status), r.error};
    o.error_class = to_string(e.cls);
    o.error_message = e.message;
    o.exit_code = fail("sync", e);  // the class once, on stderr
  }
  if (a.json) {
    std::printf("%s\n", sync_json(o).c_str());
  } else if (r.ok && running) {
    std::printf("%s: sync queued %s\n", a.name.c_str(), r.output.c_str());
  } else if (r.ok && !a.user.empty()) {
    std::printf("%s: sync of %s ok %s\n", a.name.c_str(), a.user.c_str(), r.output.c_str());
  } else if (r.ok) {
    std::printf("%s: sync ok %s\n", a.name.c_str(), r.output.c_str());
  }
  if (r.ok && !running && !a.json && isatty(fileno(stdout)) == 1) {
    std::printf("\n");
    print_sync_table(stdout, r.output, elapsed_ms);
  }
  return o.exit_code;
}

// What an authorize that stored credentials answered: who it is, the provider's and the
// consumers' warnings, and a consumer's refusal (the authorization stands; exit 1 so that a
// script sees that a consumer cannot work with this account).
int report_authorized(const std::string& name, const std::string& answer) {
  boost::system::error_code ec;
  json::value v = json::parse(answer, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  std::string who;
  if (const json::value* id = o ? o->if_contains("identity") : nullptr; id && id->is_object()) {
    if (const json::value* u = id->as_object().if_contains("username"); u && u->is_string()) {
      who = std::string(u->as_string());
    }
  }
  std::printf("%s: connected%s%s\n", name.c_str(), who.empty() ? "" : " as ", who.c_str());
  if (const json::value* w = o ? o->if_contains("warnings") : nullptr; w && w->is_array()) {
    for (const json::value& item : w->as_array()) {
      if (item.is_string()) std::printf("warning: %s\n", std::string(item.as_string()).c_str());
    }
  }
  int rc = kExitOk;
  if (const json::value* c = o ? o->if_contains("checks") : nullptr; c && c->is_array()) {
    for (const json::value& item : c->as_array()) {
      const json::object* check = item.if_object();
      const json::value* error = check ? check->if_contains("error") : nullptr;
      if (error == nullptr || !error->is_string()) continue;
      std::fprintf(stderr, "connector-host authorize: %s refuses this account: %s\n",
                   std::string(check->at("connector").as_string()).c_str(),
                   std::string(error->as_string()).c_str());
      rc = kExitFailure;
    }
  }
  return rc;
}

// Runs an interactive or direct authorize against a stopped host.
int authorize_direct(app::Host& host, const ActionArgs& a) {
  if (!a.code.empty()) {
    json::object in{{"step", "callback"},
                    {"code", a.code},
                    {"state", a.state},
                    {"redirect_uri", a.redirect_uri}};
    auto out = host.authorize(a.name, json::serialize(in));
    if (!out) return fail("authorize", out.error());
    return report_authorized(a.name, *out);
  }
  auto listener = app::LoopbackRedirect::listen(a.redirect_port);
  if (!listener) return fail("authorize", listener.error());
  const std::string redirect = listener->redirect_uri();
  json::object start{{"step", "start"}, {"redirect_uri", redirect}};
  auto started = host.authorize(a.name, json::serialize(start));
  if (!started) return fail("authorize", started.error());
  boost::system::error_code ec;
  json::value v = json::parse(*started, ec);
  const json::object* o = ec ? nullptr : v.if_object();
  const json::value* url = o ? o->if_contains("authorize_url") : nullptr;
  if (url == nullptr || !url->is_string()) return report_authorized(a.name, *started);
  const std::string authorize_url(url->as_string());
  std::printf("Open this URL in a browser to authorize %s:\n  %s\n", a.name.c_str(),
              authorize_url.c_str());
  std::fflush(stdout);
  std::thread follower;
  Status followed;
  if (a.follow) {
    follower = std::thread([&] { followed = app::follow_url(authorize_url, a.timeout_ms); });
  }
  auto params = listener->wait(a.timeout_ms);
  if (follower.joinable()) follower.join();
  if (!params) return fail("authorize", followed ? params.error() : followed.error());
  if (auto it = params->find("error"); it != params->end()) {
    return fail("authorize", Error::auth_revoked("the provider refused: " + it->second));
  }
  json::object cb{{"step", "callback"},
                  {"code", (*params)["code"]},
                  {"state", (*params)["state"]},
                  {"redirect_uri", redirect}};
  auto out = host.authorize(a.name, json::serialize(cb));
  if (!out) return fail("authorize", out.error());
  return report_authorized(a.name, *out);
}

#if CHOST_CLI_WITH_ADMIN
int via_admin(const std::string& verb, const ActionArgs& a, const config::HostConfig& cfg,
              const std::string& url) {
  admin::AdminClient client(url, *cfg.host.admin.token);
  Result<json::value> r = Error::permanent("unknown verb");
  if (verb == "sync") {
    r = a.user.empty() ? client.sync(a.name) : client.user_action(a.name, a.user, verb);
    app::HookResult h;
    h.ok = static_cast<bool>(r);
    h.status = r ? "ok" : to_string(r.error().cls);
    h.error = r ? "" : r.error().message;
    h.output = r ? json::serialize(*r) : "";
    return report_sync(a, true, h);
  }
  if (!a.user.empty()) {
    r = client.user_action(a.name, a.user, verb);
    if (!r) return fail(verb, r.error());
    std::printf("%s\n", json::serialize(*r).c_str());
    return kExitOk;
  }
  if (verb == "refresh") r = client.refresh(a.name);
  if (verb == "disable") r = client.disable(a.name);
  if (verb == "enable") r = client.enable(a.name);
  if (verb == "authorize") {
    auto listener = app::LoopbackRedirect::listen(a.redirect_port);
    if (!listener) return fail(verb, listener.error());
    r = client.authorize(a.name, listener->redirect_uri());
    if (r && r->is_object() && r->as_object().contains("authorize_url")) {
      const std::string authorize_url(r->as_object().at("authorize_url").as_string());
      std::printf("Open this URL in a browser to authorize %s:\n  %s\n", a.name.c_str(),
                  authorize_url.c_str());
      std::fflush(stdout);
      std::thread follower;
      if (a.follow)
        follower = std::thread([&] { (void)app::follow_url(authorize_url, a.timeout_ms); });
      auto params = listener->wait(a.timeout_ms);
      if (follower.joinable()) follower.join();
      if (!params) return fail(verb, params.error());
      // Hand the redirect to the host's own callback, which validates the state.
      std::string q = "state=" + text::url_encode((*params)["state"]) +
                      "&code=" + text::url_encode((*params)["code"]);
      if (params->count("error")) q += "&error=" + text::url_encode((*params)["error"]);
      if (Status st = app::follow_url(url + "/oauth/callback?" + q, a.timeout_ms); !st) {
        return fail(verb, st.error());
      }
      r = client.connector(a.name);
    }
  }
  if (!r) return fail(verb, r.error());
  std::printf("%s\n", json::serialize(*r).c_str());
  return kExitOk;
}
#endif

// A sync on a stopped host, here: with the live progress line on a TTY.
int sync_here(app::Host& h, const ActionArgs& a) {
  app::HookResult r;
  int64_t elapsed_ms = 0;
  {
    SyncProgress progress(h, a.name, !a.json && isatty(fileno(stderr)) == 1);
    r = a.user.empty() ? h.sync_once(a.name) : h.sync_subject(a.name, a.user);
    elapsed_ms = progress.elapsed_ms();
  }
  return report_sync(a, false, r, elapsed_ms);
}

int run_action(const std::string& verb, int argc, char** argv) {
  ActionArgs a;
  if (int rc = parse(verb, argc, argv, a); rc != 0) return rc < 0 ? kExitOk : rc;
  auto cfg = load_full_config(a.config_path);
  if (!cfg) {
    (void)fail(verb, cfg.error());
    return kExitConfigInvalid;
  }
#if CHOST_CLI_WITH_ADMIN
  if (auto url = running_admin_url(*cfg)) return via_admin(verb, a, *cfg, *url);
#endif
  auto host = app::Host::open(std::move(*cfg));
  if (!host) return fail(verb, host.error());
  app::Host& h = **host;
  if (verb == "authorize") return authorize_direct(h, a);
  if (verb == "sync") return sync_here(h, a);
  if (!a.user.empty()) {
    if (Status st = h.set_subject_enabled(a.name, a.user, verb == "enable"); !st) {
      return fail(verb, st.error());
    }
    std::printf("%s: user %s %sd\n", a.name.c_str(), a.user.c_str(), verb.c_str());
    return kExitOk;
  }
  Status st = verb == "refresh"   ? h.refresh(a.name)
              : verb == "disable" ? h.disable(a.name)
                                  : h.enable(a.name);
  if (!st) return fail(verb, st.error());
  std::printf("%s: %s ok\n", a.name.c_str(), verb.c_str());
  return kExitOk;
}

}  // namespace

int run_authorize(int argc, char** argv) { return run_action("authorize", argc, argv); }
int run_refresh(int argc, char** argv) { return run_action("refresh", argc, argv); }
int run_disable(int argc, char** argv) { return run_action("disable", argc, argv); }
int run_enable(int argc, char** argv) { return run_action("enable", argc, argv); }
int run_sync(int argc, char** argv) { return run_action("sync", argc, argv); }

}  // namespace chost::cli
