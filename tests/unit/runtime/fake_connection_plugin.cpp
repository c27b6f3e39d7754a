// FakeConnectionPlugin: a real plugin .so (raw ABI, no SDK) that plays an OAuth connection
// provider with rotating refresh tokens and a connector that borrows a connection. Everything it
// does goes through host callbacks, so tests control it from the host side: the token endpoint
// is answered by the test's FakeHttp, and `sync` picks its behaviour from the instance's
// key/value state ("mode").
#include <connector_host/plugin_api.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <string>
#include <thread>

namespace {

namespace json = boost::json;

const chp_host* g_host = nullptr;

struct Instance {
  chp_host_ctx* ctx;
  std::string token_url;
  std::string api_url;
  bool token_in_connection = false;  // files access_token under "connection" (a plugin mistake)
  std::atomic<int> active{0};        // hooks of this instance running now
};

// The ABI promises one hook of an instance at a time and no re-entry: say so loudly if not.
struct HookScope {
  explicit HookScope(Instance* in) : in(in) {
    if (in->active.fetch_add(1) != 0) {
      const std::string msg = "HOOKS OVERLAP on one instance";
      g_host->log(in->ctx, CHP_LOG_ERROR, chp_str{msg.data(), msg.size()});
    }
  }
  ~HookScope() { in->active.fetch_sub(1); }
  Instance* in;
};

chp_str s(const std::string& v) { return chp_str{v.data(), v.size()}; }

void append(void* user, chp_str data) {
  static_cast<std::string*>(user)->append(data.ptr, data.len);
}

struct HttpResult {
  chp_status_code status = CHP_ERR_PERMANENT;
  uint32_t http_status = 0;
  std::string body;
};

HttpResult http(Instance* in, chp_call* call, const std::string& method, const std::string& url,
                const std::string& body, const std::string& bearer, uint32_t flags) {
  HttpResult r;
  const std::string auth_name = "authorization";
  const std::string auth = "Bearer " + bearer;
  chp_http_header headers[1] = {{s(auth_name), s(auth)}};
  chp_http_request req{};
  req.struct_size = sizeof req;
  req.abi_major = CHP_ABI_MAJOR;
  req.abi_minor = CHP_ABI_MINOR;
  req.method = s(method);
  req.url = s(url);
  req.headers = bearer.empty() ? nullptr : headers;
  req.header_count = bearer.empty() ? 0 : 1;
  req.body = s(body);
  req.flags = flags;
  chp_http_response_sink sink{};
  sink.struct_size = sizeof sink;
  sink.abi_major = CHP_ABI_MAJOR;
  sink.abi_minor = CHP_ABI_MINOR;
  sink.user = &r.body;
  sink.on_body = [](void* user, chp_str chunk) { append(user, chunk); };
  r.status = g_host->http_request(in->ctx, call, &req, &sink, &r.http_status);
  return r;
}

chp_status_code fail(chp_call* call, chp_status_code code, const std::string& message) {
  g_host->call_set_error(call, s(message));
  return code;
}

// Exchanges a grant at the token endpoint and sets the ABI's credentials output.
chp_status_code token_exchange(Instance* in, chp_call* call, const std::string& body,
                               bool full_identity) {
  HttpResult r = http(in, call, "POST", in->token_url, body, "", CHP_HTTP_BODY_IS_SECRET);
  if (r.status != CHP_OK) return r.status;
  if (r.http_status == 400) return fail(call, CHP_ERR_AUTH_REVOKED, "invalid_grant");
  // The fake's way to say what the Salesforce SDK reads from "token request is already being
  // processed": another request with this refresh token is in flight.
  if (r.http_status == 409) {
    return fail(call, CHP_ERR_CONFLICT, "token request is already being processed");
  }
  if (r.http_status != 200) {
    return fail(call, CHP_ERR_TRANSIENT,
                "token endpoint answered " + std::to_string(r.http_status));
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return fail(call, CHP_ERR_TRANSIENT, "token response is not JSON");
  const json::object& o = v.as_object();
  json::object out;
  json::object creds;
  json::object conn;
  (in->token_in_connection ? conn : creds)["access_token"] = o.at("access_token");
  creds["refresh_token"] = o.at("refresh_token");
  out["credentials"] = creds;
  conn["instance_url"] = o.contains("instance_url") ? o.at("instance_url") : json::value("");
  out["connection"] = conn;
  out["identity"] = json::object{{"user_id", "005fake"}};
  if (full_identity) {
    out["identity"].as_object()["username"] = "integration@example.com";
    out["identity"].as_object()["org_id"] = "00Dfake";
  }
  if (o.contains("expires_at_ms")) out["expires_at_ms"] = o.at("expires_at_ms");
  g_host->call_set_output(call, s(json::serialize(out)));
  return CHP_OK;
}

chp_status_code create(chp_host_ctx* ctx, chp_call* call, chp_str config_json, chp_instance** out) {
  boost::system::error_code ec;
  json::value v = json::parse(std::string_view(config_json.ptr, config_json.len), ec);
  if (ec || !v.is_object()) return fail(call, CHP_ERR_CONFIG, "config must be an object");
  auto* in = new Instance{ctx, "", ""};  // NOLINT(cppcoreguidelines-owning-memory): ABI-owned
  if (auto* t = v.as_object().if_contains("token_url"))
    in->token_url = json::value_to<std::string>(*t);
  if (auto* a = v.as_object().if_contains("api_url")) in->api_url = json::value_to<std::string>(*a);
  if (auto* t = v.as_object().if_contains("token_in_connection")) {
    in->token_in_connection = t->is_bool() && t->as_bool();
  }
  *out = reinterpret_cast<chp_instance*>(in);
  return CHP_OK;
}

chp_status_code authorize(chp_instance* inst, chp_call* call, chp_str input) {
  auto* in = reinterpret_cast<Instance*>(inst);
  HookScope scope(in);
  json::value v = json::parse(std::string_view(input.ptr, input.len));
  const json::object& o = v.as_object();
  if (json::value_to<std::string>(o.at("step")) == "start") {
    g_host->call_set_output(call, s("{\"authorize_url\":\"https://login.example/authorize\","
                                    "\"state\":\"st\"}"));
    return CHP_OK;
  }
  return token_exchange(
      in, call, "grant_type=authorization_code&code=" + json::value_to<std::string>(o.at("code")),
      true);
}

chp_status_code refresh(chp_instance* inst, chp_call* call, chp_str input) {
  auto* in = reinterpret_cast<Instance*>(inst);
  HookScope scope(in);
  json::value v = json::parse(std::string_view(input.ptr, input.len));
  const std::string rt =
      json::value_to<std::string>(v.as_object().at("credentials").as_object().at("refresh_token"));
  return token_exchange(in, call, "grant_type=refresh_token&refresh_token=" + rt, false);
}

chp_status_code disable(chp_instance* inst, chp_call*, chp_str) {
  auto* in = reinterpret_cast<Instance*>(inst);
  HookScope scope(in);
  const std::string msg = "disable hook ran";
  g_host->log(in->ctx, CHP_LOG_INFO, chp_str{msg.data(), msg.size()});
  return CHP_OK;
}

std::string state(Instance* in, const std::string& key) {
  std::string v;
  if (g_host->state_get(in->ctx, s(key), append, &v) != CHP_OK) return "";
  return v;
}

chp_status_code borrow_token(Instance* in, chp_call* call, uint32_t flags, std::string* token) {
  std::string out;
  chp_status_code st = g_host->connection_token(in->ctx, call, flags, append, &out);
  if (st != CHP_OK) return st;
  *token = json::value_to<std::string>(json::parse(out).as_object().at("access_token"));
  return CHP_OK;
}

chp_status_code sync(chp_instance* inst, chp_call* call, chp_str) {
  auto* in = reinterpret_cast<Instance*>(inst);
  HookScope scope(in);
  const std::string mode = state(in, "mode");
  if (mode == "token") {
    std::string token;
    if (auto st = borrow_token(in, call, 0, &token); st != CHP_OK) return st;
    HttpResult r = http(in, call, "GET", in->api_url, "", token, 0);
    if (r.status == CHP_OK && r.http_status == 401) {
      if (auto st = borrow_token(in, call, CHP_TOKEN_REJECTED, &token); st != CHP_OK) return st;
      r = http(in, call, "GET", in->api_url, "", token, 0);
    }
    if (r.status != CHP_OK) return r.status;
    return r.http_status == 200 ? CHP_OK : fail(call, CHP_ERR_TRANSIENT, "api error");
  }
  if (mode == "leave_txn_open") {
    chp_txn* txn = nullptr;
    if (g_host->txn_begin(in->ctx, &txn) != CHP_OK) return CHP_ERR_PERMANENT;
    g_host->txn_put(txn, s("uncommitted"), s("1"));
    return CHP_OK;
  }
  if (mode == "commit") {
    chp_txn* txn = nullptr;
    if (g_host->txn_begin(in->ctx, &txn) != CHP_OK) return CHP_ERR_PERMANENT;
    g_host->txn_put(txn, s("checkpoint"), s("42"));
    g_host->txn_upsert_record(txn, s("accounts"), s("a1"), s("{\"x\":1}"), 0);
    if (g_host->txn_commit(txn) != CHP_OK) return CHP_ERR_TRANSIENT;
    // A second commit of an ended transaction must be refused, not crash.
    if (g_host->txn_commit(txn) == CHP_OK) return fail(call, CHP_ERR_PERMANENT, "double commit");
    std::string rec;
    if (g_host->record_get(in->ctx, s("accounts"), s("a1"), append, &rec) != CHP_OK) {
      return fail(call, CHP_ERR_PERMANENT, "record not readable");
    }
    g_host->report_status(in->ctx, s("synced 1 record"));
    g_host->report_subject(in->ctx, s("u1"), s("Ann"), CHP_SUBJECT_ACTIVE, s(""));
    g_host->metric_add(in->ctx, s("records_synced"), 1);
    g_host->metric_add(in->ctx, s("Bad-Name"), 1);
    const std::string leak = state(in, "leak");
    if (!leak.empty()) g_host->log(in->ctx, CHP_LOG_INFO, s("token is " + leak));
    g_host->call_set_output(call, s("{\"records\":1,\"record\":" + rec + "}"));
    return CHP_OK;
  }
  if (mode == "secret") {
    chp_status_code first = g_host->secret_put(in->ctx, s("api_key"), s("k-1"), 0);
    chp_status_code stale = g_host->secret_put(in->ctx, s("api_key"), s("k-2"), 0);
    std::string v;
    uint64_t version = 0;
    chp_status_code got = g_host->secret_get(in->ctx, s("api_key"), append, &v, &version);
    g_host->call_set_output(
        call, s("{\"first\":" + std::to_string(first) + ",\"stale\":" + std::to_string(stale) +
                ",\"got\":" + std::to_string(got) + ",\"value\":\"" + v +
                "\",\"version\":" + std::to_string(version) + "}"));
    return CHP_OK;
  }
  if (mode == "wait_cancel") {
    for (int i = 0; i < 20000 && !g_host->call_cancelled(call); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return g_host->call_cancelled(call) ? CHP_ERR_CANCELLED : CHP_OK;
  }
  g_host->call_set_error(call, s("boom: unknown mode"));
  return CHP_ERR_PERMANENT;
}

void destroy(chp_instance* inst) { delete reinterpret_cast<Instance*>(inst); }

const chp_plugin kPlugin = {
    sizeof(chp_plugin),
    CHP_ABI_MAJOR,
    CHP_ABI_MINOR,
    "fake-connection",
    "0.0.1",
    "Test plugin: OAuth connection provider with rotation, and a borrowing connector",
    "{\"type\":\"object\"}",
    CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_USES_CONNECTION | CHP_CAP_SUBJECTS,
    create,
    authorize,
    refresh,
    disable,
    sync,
    destroy,
    nullptr,
};

}  // namespace

extern "C" CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  if ((host_abi >> 16) != CHP_ABI_MAJOR) return nullptr;
  g_host = host;
  return &kPlugin;
}
