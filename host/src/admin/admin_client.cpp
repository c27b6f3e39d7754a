// AdminClient over libcurl (see admin_client.hpp).
#include "chost/admin/admin_client.hpp"

#include <curl/curl.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <memory>
#include <mutex>

namespace chost::admin {
namespace json = boost::json;

namespace {

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

std::string segment(const std::string& name) {
  return boost::urls::encode(name, boost::urls::unreserved_chars);
}

}  // namespace

AdminClient::AdminClient(std::string base_url, std::string token, AdminClientOptions options)
    : base_url_(std::move(base_url)), token_(std::move(token)), options_(options) {
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  global_init();
}

Result<AdminClient::Reply> AdminClient::request(const char* method, const std::string& path,
                                                const std::string& body, bool with_token) const {
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Error::permanent("cannot create an HTTP client (curl_easy_init)");
  std::string url = base_url_ + path;
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  auto add_header = [&](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown) {
      (void)headers.release();
      headers.reset(grown);
    }
  };
  if (with_token) add_header("Authorization: Bearer " + token_);
  if (!body.empty()) add_header("Content-Type: application/json");
  Reply reply;
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
  if (std::string_view(method) == "POST") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  // The admin API is local: an http_proxy meant for SaaS traffic must not capture it.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout_ms));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  CURLcode rc = curl_easy_perform(c);
  switch (rc) {
    case CURLE_OK:
      break;
    case CURLE_COULDNT_CONNECT:
      return Error::transient("no host answering at " + base_url_ + ": connection refused");
    case CURLE_OPERATION_TIMEDOUT:
      return Error::transient("the host at " + base_url_ + " did not answer within " +
                              std::to_string(options_.request_timeout_ms) + " ms");
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
      return Error::config("bad admin URL " + base_url_ + ": " + curl_easy_strerror(rc));
    default:
      return Error::transient("request to " + base_url_ + " failed: " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

Result<json::value> AdminClient::json_call(const char* method, const std::string& path,
                                           const std::string& body) const {
  auto reply = request(method, path, body, true);
  if (!reply) return reply.error();
  boost::system::error_code ec;
  json::value parsed = json::parse(reply->body, ec);
  if (reply->status == 401) {
    return Error::config("the host at " + base_url_ + " refused the admin token (HTTP 401)");
  }
  if (reply->status >= 200 && reply->status < 300) {
    if (ec) return Error::permanent("the host answered " + path + " with invalid JSON");
    return parsed;
  }
  if (!ec && parsed.is_object()) {
    if (const json::value* e = parsed.as_object().if_contains("error"); e && e->is_object()) {
      const json::object& err = e->as_object();
      const json::value* cls = err.if_contains("class");
      const json::value* msg = err.if_contains("message");
      if (cls && cls->is_string() && msg && msg->is_string()) {
        return Error{error_class_from_string(cls->as_string()), std::string(msg->as_string())};
      }
    }
  }
  return Error::permanent("the host answered " + std::string(method) + " " + path + " with HTTP " +
                          std::to_string(reply->status));
}

Result<json::value> AdminClient::healthz() const {
  auto reply = request("GET", "/healthz", "", false);
  if (!reply) return reply.error();
  if (reply->status != 200) {
    return Error::transient("the host at " + base_url_ + " is not healthy (HTTP " +
                            std::to_string(reply->status) + ")");
  }
  return json::value(json::object{{"ok", true}});
}

Result<json::value> AdminClient::readyz() const {
  auto reply = request("GET", "/readyz", "", false);
  if (!reply) return reply.error();
  if (reply->status != 200 && reply->status != 503) {
    return Error::permanent("the host answered /readyz with HTTP " + std::to_string(reply->status));
  }
  std::string reason;
  if (reply->status == 503) {
    constexpr std::string_view kPrefix = "not ready: ";
    reason = reply->body;
    if (reason.rfind(kPrefix, 0) == 0) reason.erase(0, kPrefix.size());
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
  }
  return json::value(json::object{{"ready", reply->status == 200}, {"reason", reason}});
}

Result<std::string> AdminClient::metrics() const {
  auto reply = request("GET", "/metrics", "", false);
  if (!reply) return reply.error();
  if (reply->status != 200) {
    return Error::permanent("the host answered /metrics with HTTP " +
                            std::to_string(reply->status));
  }
  return std::move(reply->body);
}

Result<json::value> AdminClient::connectors() const {
  return json_call("GET", "/api/v1/connectors");
}

Result<json::value> AdminClient::connector(const std::string& name) const {
  return json_call("GET", "/api/v1/connectors/" + segment(name));
}

Result<json::value> AdminClient::users(const std::string& name) const {
  return json_call("GET", "/api/v1/connectors/" + segment(name) + "/users");
}

Result<json::value> AdminClient::history(const std::string& name, size_t limit) const {
  return json_call(
      "GET", "/api/v1/connectors/" + segment(name) + "/history?limit=" + std::to_string(limit));
}

Result<json::value> AdminClient::authorize(const std::string& name,
                                           const std::string& redirect_uri) const {
  json::object body;
  if (!redirect_uri.empty()) body["redirect_uri"] = redirect_uri;
  return json_call("POST", "/api/v1/connectors/" + segment(name) + "/authorize",
                   json::serialize(body));
}

Result<json::value> AdminClient::action(const std::string& name, const char* verb) const {
  return json_call("POST", "/api/v1/connectors/" + segment(name) + "/" + verb);
}

Result<json::value> AdminClient::user_action(const std::string& name, const std::string& subject,
                                             const std::string& verb) const {
  return json_call("POST", "/api/v1/connectors/" + segment(name) + "/users/" + segment(subject) +
                               "/" + segment(verb));
}

Result<json::value> AdminClient::refresh(const std::string& name) const {
  return action(name, "refresh");
}
Result<json::value> AdminClient::disable(const std::string& name) const {
  return action(name, "disable");
}
Result<json::value> AdminClient::enable(const std::string& name) const {
  return action(name, "enable");
}
Result<json::value> AdminClient::sync(const std::string& name) const {
  return action(name, "sync");
}

Result<json::value> AdminClient::outbox(const std::string& name, const std::string& state,
                                        size_t limit) const {
  return json_call("GET", "/api/v1/connectors/" + segment(name) + "/outbox?state=" +
                              segment(state) + "&limit=" + std::to_string(limit));
}

Result<json::value> AdminClient::outbox_retry(const std::string& name,
                                              const std::vector<int64_t>& ids) const {
  json::object body;
  if (!ids.empty()) {
    json::array list;
    for (int64_t id : ids) list.push_back(id);
    body["ids"] = std::move(list);
  }
  return json_call("POST", "/api/v1/connectors/" + segment(name) + "/outbox/retry",
                   json::serialize(body));
}

}  // namespace chost::admin
