#include "graph_client.hpp"

#include <connector_host/sdk/http/form.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <connector_host/sdk/oauth/token.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace rgsync {
namespace {

// A token is renewed this long before Graph says it expires.
constexpr std::chrono::seconds kTokenMargin{120};
constexpr int kMaxAttempts = 3;

// Graph's {"error":{"code","message"}} into code and message.
void read_error(GraphResponse& r) {
  if (const boost::json::value* e = r.body.if_contains("error"); e && e->is_object()) {
    const boost::json::object& eo = e->as_object();
    if (const auto* c = eo.if_contains("code"); c && c->is_string()) {
      r.code = std::string(c->as_string());
    }
    if (const auto* m = eo.if_contains("message"); m && m->is_string()) {
      r.message = std::string(m->as_string());
    }
  }
}

}  // namespace

bool needs_resync(const GraphResponse& r) {
  if (r.status == 410) return true;
  std::string code = r.code;
  std::transform(code.begin(), code.end(), code.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return code == "syncstatenotfound" || code == "resyncrequired" || code == "syncstateinvalid" ||
         code == "errorinvalidsyncstatedata";
}

std::string describe_mailbox_error(const GraphResponse& r) {
  if (r.status == 403 || r.code == "ErrorAccessDenied") {
    return "app-only access to this mailbox was denied (" + r.error_text() +
           "): the application access policy or RBAC scope of the Graph app excludes it";
  }
  if (r.status == 404) return "mailbox not found (" + r.error_text() + ")";
  if (r.status == 429 || r.status == 503) {
    return "Microsoft Graph throttled this mailbox (" + r.error_text() + "); retried next cycle";
  }
  return "Microsoft Graph: " + r.error_text();
}

std::string GraphResponse::error_text() const {
  std::string out = std::to_string(status);
  if (!code.empty()) out += " " + code;
  if (!message.empty()) out += ": " + message;
  return out;
}

void GraphClient::ensure_token() {
  if (token_.access_token.empty() ||
      std::chrono::steady_clock::now() + kTokenMargin >= token_.expires_at) {
    fetch_token();
  }
}

void GraphClient::fetch_token() {
  chp::http::FormBody form;
  form.add("client_id", app_.client_id)
      .add("client_secret", app_.client_secret)
      .add("scope", app_.scope)
      .add("grant_type", "client_credentials");
  const std::string endpoint =
      app_.login_url + "/" + chp::http::url_encode(app_.tenant_id) + "/oauth2/v2.0/token";
  ++calls_;
  chp::oauth::TokenResponse t =
      chp::oauth::request_token(ctx_, call_, endpoint, form, "Microsoft Graph token");
  token_.access_token = t.access_token;
  // Client-credential tokens last about an hour; without expires_in assume 10 minutes.
  const std::int64_t lifetime_s = t.expires_in_s.value_or(0) > 0 ? *t.expires_in_s : 600;
  token_.expires_at = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s);
}

void GraphClient::prefetch(const std::vector<BatchGet>& gets) {
  const std::string root = app_.graph_url + "/v1.0";
  struct Todo {
    std::string full;      // absolute URL, the key get() looks the answer up by
    std::string relative;  // relative to /v1.0, as $batch wants it
    const std::string* prefer;
  };
  std::vector<Todo> todo;
  for (const BatchGet& g : gets) {
    std::string full = g.url.starts_with("http") ? g.url : app_.graph_url + g.url;
    if (!full.starts_with(root + "/") || prefetched_.contains(full) || !spend(full)) continue;
    std::string relative = full.substr(root.size());
    todo.push_back(Todo{std::move(full), std::move(relative), &g.prefer});
  }
  for (std::size_t i = 0; i < todo.size(); i += kBatchMax) {
    boost::json::array requests;
    for (std::size_t j = i; j < todo.size() && j < i + kBatchMax; ++j) {
      boost::json::object one{
          {"id", std::to_string(j)}, {"method", "GET"}, {"url", todo[j].relative}};
      if (!todo[j].prefer->empty()) {
        one["headers"] = boost::json::object{{"Prefer", *todo[j].prefer}};
      }
      requests.push_back(std::move(one));
    }
    ensure_token();
    chp::http::Request req;
    req.method = "POST";
    req.url = root + "/$batch";
    req.headers.emplace_back("Authorization", "Bearer " + token_.access_token);
    req.headers.emplace_back("Accept", "application/json");
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = boost::json::serialize(boost::json::object{{"requests", std::move(requests)}});
    ++calls_;
    chp::http::Response r = ctx_.http(call_, req);
    if (r.status < 200 || r.status >= 300) return;  // get() asks one by one, as without batching
    std::optional<boost::json::value> v = chp::try_parse(r.body);
    const boost::json::value* responses =
        v && v->is_object() ? v->as_object().if_contains("responses") : nullptr;
    if (responses == nullptr || !responses->is_array()) return;
    for (const boost::json::value& item : responses->as_array()) {
      if (!item.is_object()) continue;
      const boost::json::object& o = item.as_object();
      const boost::json::value* id = o.if_contains("id");
      const boost::json::value* status = o.if_contains("status");
      const boost::json::value* body = o.if_contains("body");
      if (!id || !id->is_string() || !status || !status->is_int64() || !body ||
          !body->is_object()) {
        continue;
      }
      const std::size_t index = std::strtoul(std::string(id->as_string()).c_str(), nullptr, 10);
      const std::int64_t code = status->as_int64();
      if (code == 429) ++throttled_;  // Graph throttled it inside the batch; get() asks again
      // Kept: answers a second ask would repeat (2xx, and 4xx such as 403, 404, 410). Asked
      // again by get(): 401 (a new token), 429 and 5xx (Retry-After, backoff).
      const bool final =
          (code >= 200 && code < 300) || (code >= 400 && code < 500 && code != 401 && code != 429);
      if (index >= todo.size() || !final) continue;
      GraphResponse kept;
      kept.status = static_cast<std::uint32_t>(code);
      kept.body = body->as_object();
      read_error(kept);
      if (kept.ok()) learn_alias(todo[index].full, kept.body);
      prefetched_[todo[index].full] = std::move(kept);
    }
  }
}

namespace {

// The mailbox a Graph URL names (/users/{id or email}/...), in one spelling however the URL
// encodes or cases it (ana%40x.com, ANA@x.com); empty for URLs not under /users/.
std::string mailbox_of(const std::string& full_url) {
  const std::size_t at = full_url.find("/users/");
  if (at == std::string::npos) return "";
  const std::size_t end = full_url.find_first_of("/?", at + 7);
  const std::string raw = full_url.substr(at + 7, end == std::string::npos ? end : end - at - 7);
  std::string mailbox = chp::http::url_decode(raw).value_or(raw);
  std::transform(mailbox.begin(), mailbox.end(), mailbox.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return mailbox;
}

}  // namespace

bool GraphClient::spend(const std::string& full_url) {
  std::string mailbox = mailbox_of(full_url);
  if (mailbox.empty()) return true;
  if (auto it = state_.alias.find(mailbox); it != state_.alias.end()) mailbox = it->second;
  auto& recent = state_.recent_by_mailbox[mailbox];
  const auto now = std::chrono::steady_clock::now();
  while (!recent.empty() && now - recent.front() >= std::chrono::minutes(10)) recent.pop_front();
  if (recent.size() >= mailbox_budget_) return false;
  recent.push_back(now);
  return true;
}

void GraphClient::learn_alias(const std::string& full_url, const boost::json::object& body) {
  std::string asked = mailbox_of(full_url);
  if (asked.empty()) return;
  if (auto it = state_.alias.find(asked); it != state_.alias.end()) asked = it->second;
  for (std::string_view key : {"@odata.nextLink", "@odata.deltaLink"}) {
    const boost::json::value* v = body.if_contains(key);
    if (v == nullptr || !v->is_string()) continue;
    const std::string named = mailbox_of(std::string(v->as_string()));
    if (named.empty() || named == asked || state_.alias.contains(named)) continue;
    // Requests already counted under the other spelling move over, so none is forgotten.
    if (auto other = state_.recent_by_mailbox.find(named);
        other != state_.recent_by_mailbox.end()) {
      auto& into = state_.recent_by_mailbox[asked];
      into.insert(into.end(), other->second.begin(), other->second.end());
      std::sort(into.begin(), into.end());
      state_.recent_by_mailbox.erase(other);
    }
    state_.alias.emplace(named, asked);
  }
}

GraphResponse GraphClient::get(const std::string& url, const std::string& prefer) {
  const std::string full = url.starts_with("http") ? url : app_.graph_url + url;
  if (auto it = prefetched_.find(full); it != prefetched_.end()) {
    GraphResponse out = std::move(it->second);
    prefetched_.erase(it);
    return out;
  }
  if (!spend(full)) {
    GraphResponse out;
    out.status = 429;
    out.code = "ClientBudgetExceeded";
    out.message = "this mailbox used the app's " + std::to_string(mailbox_budget_) +
                  " requests of the last 10 minutes; it waits for the next cycle";
    ++throttled_;
    return out;
  }
  bool renewed = false;
  for (int attempt = 1;; ++attempt) {
    ensure_token();
    chp::http::Request req = chp::http::Request::get(full);
    req.headers.emplace_back("Authorization", "Bearer " + token_.access_token);
    req.headers.emplace_back("Accept", "application/json");
    if (!prefer.empty()) req.headers.emplace_back("Prefer", prefer);
    ++calls_;
    chp::http::Response r = ctx_.http(call_, req);
    GraphResponse out;
    out.status = r.status;
    if (std::optional<boost::json::value> v = chp::try_parse(r.body); v && v->is_object()) {
      out.body = std::move(v->as_object());
    }
    if (out.ok()) {
      learn_alias(full, out.body);
      return out;
    }
    read_error(out);
    if (r.status == 401 && !renewed) {  // the token expired early or was revoked: once more
      renewed = true;
      token_.access_token.clear();
      continue;
    }
    if ((r.status == 429 || r.status == 503) && attempt < kMaxAttempts) {
      ++throttled_;
      const std::int64_t ms = r.retry_after_ms().value_or(1000 * attempt);
      if (ms <= kMaxWaitMs && static_cast<std::uint64_t>(ms) < call_.remaining_ms()) {
        call_.sleep_ms(ms);
        continue;
      }
    }
    if (r.status == 429 || r.status == 503) ++throttled_;
    return out;
  }
}

}  // namespace rgsync
