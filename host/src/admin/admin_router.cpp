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
#include <vector>

#include "admin_json.hpp"
#include "callback_page.hpp"

namespace chost::admin {
namespace json = boost::json;

namespace {

constexpr size_t kDefaultHistoryLimit = 50;
constexpr size_t kMaxHistoryLimit = 1000;

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
    // The URL carried an authorization code: keep it out of caches and referrers.
    r.headers.emplace_back("Referrer-Policy", "no-referrer");
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

HttpResponse history(AdminBackend& backend, const std::string& name, const Target& target) {
  size_t limit = kDefaultHistoryLimit;
  std::string text = target.param("limit");
  if (!text.empty()) {
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (ec != std::errc() || end != text.data() + text.size() || limit == 0 ||
        limit > kMaxHistoryLimit) {
      return error_response(Error::config("limit must be 1.." + std::to_string(kMaxHistoryLimit)));
    }
  }
  auto entries = backend.history(name, limit);
  if (!entries) return error_response(entries.error());
  json::array items;
  for (const auto& e : *entries) items.push_back(to_json(e));
  return json_response(200, json::object{{"connector", name}, {"history", std::move(items)}});
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
    return json_response(200, json::object{{"connectors", std::move(items)}});
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
  if (s.size() != 5) return not_found();
  const std::string& leaf = s[4];
  if (leaf == "users") {
    if (!get) return method_not_allowed("GET");
    auto subjects = backend.subjects(name);
    if (!subjects) return error_response(subjects.error());
    json::array items;
    for (const auto& subject : *subjects) items.push_back(to_json(subject));
    return json_response(200, json::object{{"connector", name}, {"users", std::move(items)}});
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
