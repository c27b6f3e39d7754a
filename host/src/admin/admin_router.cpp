// Routing of admin requests (see admin_router.hpp and the route table in admin_server.hpp).
#include "admin_router.hpp"

#include <spdlog/spdlog.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <exception>
#include <limits>
#include <vector>

#include "admin_json.hpp"
#include "callback_page.hpp"
#include "chost/common/text.hpp"
#include "page_routes.hpp"

namespace chost::admin {
namespace json = boost::json;

namespace {

constexpr size_t kDefaultHistoryLimit = 50;
constexpr size_t kMaxHistoryLimit = 1000;
constexpr size_t kMaxUsersLimit = 1000;
constexpr size_t kDefaultCheckpointsLimit = 100;
constexpr size_t kMaxCheckpointsLimit = 1000;
constexpr size_t kDefaultOutboxLimit = 100;
constexpr size_t kMaxOutboxLimit = 1000;

HttpResponse json_response(int status, const json::value& body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "application/json";
  r.body = json::serialize(body);
  r.body += '\n';
  return r;
}

HttpResponse error_response(const Error& error) {
  return json_response(http_status_for(error.cls), error_json(error));
}

HttpResponse text_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/plain; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse method_not_allowed(const char* allow) {
  HttpResponse r = error_response(Error::config(std::string("method not allowed; use ") + allow));
  r.status = 405;
  r.headers.emplace_back("Allow", allow);
  return r;
}

HttpResponse unauthorized() {
  HttpResponse r = error_response(Error::config("missing or wrong bearer token"));
  r.status = 401;
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"connector-host\"");
  return r;
}

HttpResponse not_found() { return error_response(Error::not_found("no such route")); }

HttpResponse unknown_connector(const std::string& name) {
  return error_response(Error::not_found("no connector named '" + name + "'"));
}

struct Target {
  std::vector<std::string> segments;  // percent-decoded
  std::vector<std::pair<std::string, std::string>> params;

  std::string param(std::string_view key) const {
    for (const auto& [k, v] : params) {
      if (k == key) return v;
    }
    return {};
  }
};

std::optional<Target> parse_target(const std::string& target) {
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return std::nullopt;
  Target t;
  for (auto segment : parsed->segments()) t.segments.emplace_back(segment);
  // "/a/" parses as ["a", ""]; treat a trailing slash as absent.
  if (!t.segments.empty() && t.segments.back().empty()) t.segments.pop_back();
  for (auto param : parsed->params()) {
    t.params.emplace_back(std::string(param.key), param.has_value ? std::string(param.value) : "");
  }
  return t;
}

HttpResponse oauth_callback(AdminBackend& backend, const Target& target) {
  auto page = [](int status, std::string_view title, std::string_view message) {
    HttpResponse r;
    r.status = status;
    r.content_type = "text/html; charset=utf-8";
    r.body = callback_page(title, message);
    return r;
  };
  std::string state = target.param("state");
  std::string code = target.param("code");
  std::string error = target.param("error");
  if (state.empty()) {
    return page(400, "Authorization failed", "The callback has no state parameter.");
  }
  if (code.empty() && error.empty()) {
    return page(400, "Authorization failed", "The callback has neither a code nor an error.");
  }
  auto result = backend.authorize_callback(state, code, error);
  if (!result) {
    return page(http_status_for(result.error().cls), "Authorization failed",
                result.error().message);
  }
  return page(200, "Connected", "Connected " + *result + " \xE2\x80\x94 you can close this tab.");
}

HttpResponse authorize(AdminBackend& backend, const std::string& name, const std::string& body,
                       const std::string& default_redirect_uri) {
  std::string redirect_uri = default_redirect_uri;
  if (!body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
      return error_response(Error::config("the request body must be a JSON object"));
    }
    if (const json::value* r = parsed.as_object().if_contains("redirect_uri")) {
      if (!r->is_string()) return error_response(Error::config("redirect_uri must be a string"));
      redirect_uri = std::string(r->as_string());
    }
  }
  auto result = backend.authorize_start(name, redirect_uri);
  if (!result) return error_response(result.error());
  boost::system::error_code ec;
  json::value parsed = json::parse(*result, ec);
  if (ec || !parsed.is_object()) {
    return error_response(Error::permanent("the authorize hook returned no JSON object"));
  }
  return json_response(200, parsed);
}

// A non-negative integer query parameter in [min, max]; `fallback` when absent.
Result<size_t> count_param(const Target& target, std::string_view key, size_t fallback, size_t min,
                           size_t max) {
  std::string text = target.param(key);
  if (text.empty()) return fallback;
  size_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < min || value > max) {
    return Error::config(std::string(key) + " must be " + std::to_string(min) + ".." +
                         std::to_string(max));
  }
  return value;
}

// The `status` filter's key for a user: what the page's filter offers.
std::string_view status_key(const SubjectView& user) {
  if (user.admin_disabled) return "disabled";
  if (user.state == "active") return "enabled";
  if (user.state == "disabled") return "error";
  return "waiting";
}

// GET .../users[?offset=&limit=&status=&q=]: one page of the users that match, the number that
// match, and how many there are per status (for the filter). Without `limit` every match comes
// back, as the CLI's status expects; the page always asks for one page.
HttpResponse users(AdminBackend& backend, const std::string& name, const Target& target) {
  auto offset = count_param(target, "offset", 0, 0, std::numeric_limits<int32_t>::max());
  if (!offset) return error_response(offset.error());
  auto limit = count_param(target, "limit", std::numeric_limits<size_t>::max(), 1, kMaxUsersLimit);
  if (!limit) return error_response(limit.error());
  const std::string status = target.param("status");
  if (!status.empty() && status != "enabled" && status != "disabled" && status != "error" &&
      status != "waiting") {
    return error_response(Error::config("status must be enabled, disabled, error or waiting"));
  }
  const std::string query = text::to_lower(text::trim(target.param("q")));
  auto subjects = backend.subjects(name);
  if (!subjects) return error_response(subjects.error());
  json::object counts{{"enabled", 0}, {"disabled", 0}, {"error", 0}, {"waiting", 0}};
  json::array items;
  size_t matched = 0;
  for (const auto& subject : *subjects) {
    const std::string_view key = status_key(subject);
    counts[key] = counts[key].as_int64() + 1;
    if (!status.empty() && key != status) continue;
    if (!query.empty() && text::to_lower(subject.subject_id).find(query) == std::string::npos &&
        text::to_lower(subject.display_name).find(query) == std::string::npos) {
      continue;
    }
    if (matched >= *offset && items.size() < *limit) items.push_back(to_json(subject));
    ++matched;
  }
  json::object body{{"connector", name},
                    {"users", std::move(items)},
                    {"total", matched},
                    {"offset", *offset},
                    {"counts", std::move(counts)}};
  if (*limit != std::numeric_limits<size_t>::max()) body["limit"] = *limit;
  return json_response(200, body);
}

// GET .../checkpoints[?after=KEY&limit=N]: one page by key; `next_after` continues.
HttpResponse checkpoints(AdminBackend& backend, const std::string& name, const Target& target) {
  auto limit = count_param(target, "limit", kDefaultCheckpointsLimit, 1, kMaxCheckpointsLimit);
  if (!limit) return error_response(limit.error());
  auto entries = backend.checkpoints(name, target.param("after"), *limit);
  if (!entries) return error_response(entries.error());
  json::array items;
  for (const auto& e : *entries) items.push_back(json::object{{"key", e.key}, {"value", e.value}});
  json::value next = nullptr;
  if (entries->size() == *limit) next = json::value(entries->back().key);
  return json_response(200, json::object{{"connector", name},
                                         {"checkpoints", std::move(items)},
                                         {"next_after", std::move(next)}});
}

// POST .../checkpoints/reset, body {"keys":[..]} or none (every checkpoint).
HttpResponse reset_checkpoints(AdminBackend& backend, const std::string& name,
                               const std::string& body) {
  std::vector<std::string> keys;
  if (!body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
      return error_response(Error::config("the request body must be a JSON object"));
    }
    if (const json::value* k = parsed.as_object().if_contains("keys")) {
      if (!k->is_array()) return error_response(Error::config("keys must be an array of strings"));
      for (const auto& key : k->as_array()) {
        if (!key.is_string() || key.as_string().empty()) {
          return error_response(Error::config("keys must be an array of non-empty strings"));
        }
        keys.emplace_back(key.as_string());
      }
      if (keys.empty()) return error_response(Error::config("keys is empty; omit it for all"));
    }
  }
  auto reset = backend.reset_checkpoints(name, keys);
  if (!reset) return error_response(reset.error());
  return json_response(200, json::object{{"ok", true}, {"connector", name}, {"reset", *reset}});
}

HttpResponse history(AdminBackend& backend, const std::string& name, const Target& target) {
  auto limit = count_param(target, "limit", kDefaultHistoryLimit, 1, kMaxHistoryLimit);
  if (!limit) return error_response(limit.error());
  auto entries = backend.history(name, *limit);
  if (!entries) return error_response(entries.error());
  json::array items;
  for (const auto& e : *entries) items.push_back(to_json(e));
  return json_response(200, json::object{{"connector", name}, {"history", std::move(items)}});
}

HttpResponse outbox(AdminBackend& backend, const std::string& name, const Target& target) {
  std::string state = target.param("state");
  if (state.empty()) state = "failed";
  if (state != "failed" && state != "pending") {
    return error_response(Error::config("state must be failed or pending"));
  }
  auto limit = count_param(target, "limit", kDefaultOutboxLimit, 1, kMaxOutboxLimit);
  if (!limit) return error_response(limit.error());
  auto entries = backend.outbox(name, state == "failed", *limit);
  if (!entries) return error_response(entries.error());
  json::array items;
  for (const auto& e : *entries) items.push_back(to_json(e));
  return json_response(
      200, json::object{{"connector", name}, {"state", state}, {"entries", std::move(items)}});
}

// Body: none or {} retries every failed entry; {"ids":[N,..]} those. An empty list is refused:
// a page that sends the ids an admin ticked must not retry everything when none is ticked.
HttpResponse outbox_retry(AdminBackend& backend, const std::string& name, const std::string& body) {
  std::vector<int64_t> ids;
  if (!body.empty()) {
    boost::system::error_code ec;
    json::value parsed = json::parse(body, ec);
    if (ec || !parsed.is_object()) {
      return error_response(Error::config("the request body must be a JSON object"));
    }
    if (const json::value* v = parsed.as_object().if_contains("ids")) {
      const json::array* list = v->if_array();
      if (list == nullptr || list->empty()) {
        return error_response(Error::config(
            "ids must be a non-empty array of entry ids (omit it to retry every failed entry)"));
      }
      for (const json::value& id : *list) {
        if (!id.is_int64() || id.as_int64() <= 0) {
          return error_response(Error::config("ids must hold positive integers"));
        }
        ids.push_back(id.as_int64());
      }
    }
  }
  auto retried = backend.outbox_retry(name, ids);
  if (!retried) return error_response(retried.error());
  json::array out;
  for (int64_t id : *retried) out.push_back(id);
  return json_response(
      200, json::object{{"ok", true}, {"connector", name}, {"retried", std::move(out)}});
}

HttpResponse action(AdminBackend& backend, const std::string& name, const std::string& verb) {
  Status status = Error::permanent("unreachable");
  if (verb == "refresh") {
    status = backend.refresh(name);
  } else if (verb == "disable") {
    status = backend.disable(name);
  } else if (verb == "enable") {
    status = backend.enable(name);
  } else {
    status = backend.sync_now(name);
  }
  if (!status) return error_response(status.error());
  json::object body{{"ok", true}, {"connector", nullptr}};
  if (auto view = backend.connector(name)) body["connector"] = to_json(*view);
  return json_response(200, body);
}

// GET /api/v1/notifications?limit=N
HttpResponse notifications(AdminBackend& backend, const Target& target) {
  size_t limit = kDefaultHistoryLimit;
  std::string text = target.param("limit");
  if (!text.empty()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit == 0 ||
        limit > kMaxHistoryLimit) {
      return error_response(Error::config("limit must be 1.." + std::to_string(kMaxHistoryLimit)));
    }
  }
  auto view = backend.notifications(limit);
  if (!view) return error_response(view.error());
  json::array items;
  for (const auto& n : view->items) items.push_back(to_json(n));
  return json_response(200, json::object{{"notifications", std::move(items)},
                                         {"counts", json::object{{"pending", view->pending},
                                                                 {"delivered", view->delivered},
                                                                 {"failed", view->failed}}}});
}

// Everything under /api/v1 (authenticated already).
HttpResponse api(AdminBackend& backend, const HttpRequest& request, const Target& target,
                 const std::string& default_redirect_uri) {
  const auto& s = target.segments;
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  if (s.size() == 3 && s[2] == "notifications") {
    if (!get) return method_not_allowed("GET");
    return notifications(backend, target);
  }
  if (s.size() < 3 || s[2] != "connectors") return not_found();
  if (s.size() == 3) {
    if (!get) return method_not_allowed("GET");
    json::array items;
    for (const auto& view : backend.connectors()) items.push_back(to_json(view));
    json::array orphans;
    for (const auto& o : backend.orphans()) {
      orphans.push_back(
          json::object{{"name", o.name}, {"holds", json::array(o.holds.begin(), o.holds.end())}});
    }
    return json_response(
        200, json::object{{"connectors", std::move(items)}, {"orphans", std::move(orphans)}});
  }
  const std::string& name = s[3];
  if (name.empty()) return not_found();
  if (s.size() == 4) {
    if (!get) return method_not_allowed("GET");
    auto view = backend.connector(name);
    if (!view) return unknown_connector(name);
    return json_response(200, to_json(*view));
  }
  if (s.size() == 7 && s[4] == "users") {
    // POST /api/v1/connectors/NAME/users/ID/{enable,disable,sync}
    const std::string& subject = s[5];
    const std::string& verb = s[6];
    if (subject.empty() || (verb != "enable" && verb != "disable" && verb != "sync")) {
      return not_found();
    }
    if (!post) return method_not_allowed("POST");
    Status st = verb == "sync" ? backend.sync_subject(name, subject)
                               : backend.set_subject_enabled(name, subject, verb == "enable");
    if (!st) return error_response(st.error());
    json::object body{{"ok", true}, {"connector", name}, {"user", nullptr}};
    if (auto users = backend.subjects(name)) {
      for (const auto& u : *users) {
        if (u.subject_id == subject) body["user"] = to_json(u);
      }
    }
    return json_response(200, body);
  }
  if (s.size() == 6 && s[4] == "checkpoints" && s[5] == "reset") {
    if (!post) return method_not_allowed("POST");
    return reset_checkpoints(backend, name, request.body);
  }
  if (s.size() == 6 && s[4] == "outbox" && s[5] == "retry") {
    if (!post) return method_not_allowed("POST");
    return outbox_retry(backend, name, request.body);
  }
  if (s.size() != 5) return not_found();
  const std::string& leaf = s[4];
  if (leaf == "outbox") {
    if (!get) return method_not_allowed("GET");
    return outbox(backend, name, target);
  }
  if (leaf == "users") {
    if (!get) return method_not_allowed("GET");
    return users(backend, name, target);
  }
  if (leaf == "checkpoints") {
    if (!get) return method_not_allowed("GET");
    return checkpoints(backend, name, target);
  }
  if (leaf == "history") {
    if (!get) return method_not_allowed("GET");
    return history(backend, name, target);
  }
  if (leaf == "authorize") {
    if (!post) return method_not_allowed("POST");
    return authorize(backend, name, request.body, default_redirect_uri);
  }
  if (leaf == "refresh" || leaf == "disable" || leaf == "enable" || leaf == "sync") {
    if (!post) return method_not_allowed("POST");
    return action(backend, name, leaf);
  }
  return not_found();
}

}  // namespace

AdminRouter::AdminRouter(AdminBackend& backend, const BearerAuth& auth,
                         std::string default_redirect_uri)
    : backend_(backend), auth_(auth), default_redirect_uri_(std::move(default_redirect_uri)) {}

HttpResponse AdminRouter::handle(const HttpRequest& request) const {
  HttpResponse response = route(request);
  // Every response, also errors: the OAuth callback's URL carried a code (no referrer), and
  // nothing here is meant to be framed or sniffed.
  add_security_headers(response);
  return response;
}

HttpResponse AdminRouter::route(const HttpRequest& request) const {
  auto target = parse_target(request.target);
  if (!target) return error_response(Error::config("malformed request target"));
  const auto& s = target->segments;
  const bool get = request.method == "GET";
  try {
    // Probes and the browser's OAuth landing need no token.
    if (s.size() == 1 && s[0] == "healthz") {
      if (!get) return method_not_allowed("GET");
      std::string why_not;
      if (backend_.healthy(&why_not)) return text_response(200, "ok\n");
      return text_response(503, "unhealthy: " + why_not + "\n");
    }
    if (s.size() == 1 && s[0] == "readyz") {
      if (!get) return method_not_allowed("GET");
      std::string why_not;
      if (backend_.ready(&why_not)) return text_response(200, "ready\n");
      return text_response(503, "not ready: " + why_not + "\n");
    }
    if (s.size() == 1 && s[0] == "metrics") {
      if (!get) return method_not_allowed("GET");
      HttpResponse r = text_response(200, backend_.metrics_text());
      r.content_type = "text/plain; version=0.0.4";
      return r;
    }
    if (s.size() == 2 && s[0] == "oauth" && s[1] == "callback") {
      if (!get) return method_not_allowed("GET");
      return oauth_callback(backend_, *target);
    }
    // The page asks for the token itself; its files are public.
    if (get) {
      if (auto page = page_response(s)) return std::move(*page);
    }
    // Everything else, including unknown paths, needs the token: an anonymous caller learns
    // nothing about which routes exist.
    if (!auth_.check(request.authorization)) return unauthorized();
    if (s.size() >= 2 && s[0] == "api" && s[1] == "v1") {
      return api(backend_, request, *target, default_redirect_uri_);
    }
    return not_found();
  } catch (const std::exception&) {
    // what() may quote anything the backend saw; keep it out of the response and the log.
    spdlog::error("admin: a backend call for {} {} threw", request.method,
                  s.empty() ? std::string("/") : "/" + s[0]);
    return error_response(Error::permanent("internal error"));
  }
}

}  // namespace chost::admin
