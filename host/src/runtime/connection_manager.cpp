// ConnectionManager: credential lifecycle, single-flight refresh, rotation with CAS, backoff.
#include "chost/runtime/connection_manager.hpp"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <utility>

#include "chost/runtime/call_state.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "crash_point_for_test.hpp"
#include "duration_text.hpp"
#include "status_codes.hpp"

namespace chost::runtime {

namespace json = boost::json;

const char* to_string(ConnectionState state) {
  switch (state) {
    case ConnectionState::kUnauthorized:
      return "unauthorized";
    case ConnectionState::kConnected:
      return "connected";
    case ConnectionState::kRefreshing:
      return "refreshing";
    case ConnectionState::kDisconnected:
      return "disconnected";
    case ConnectionState::kDisabled:
      return "disabled";
  }
  return "unknown";
}

namespace {

std::optional<ConnectionState> connection_state_from(std::string_view s) {
  for (auto st :
       {ConnectionState::kUnauthorized, ConnectionState::kConnected, ConnectionState::kRefreshing,
        ConnectionState::kDisconnected, ConnectionState::kDisabled}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

InstanceState board_state(ConnectionState s) {
  switch (s) {
    case ConnectionState::kUnauthorized:
      return InstanceState::kUnauthorized;
    case ConnectionState::kConnected:
      return InstanceState::kConnected;
    case ConnectionState::kRefreshing:
      return InstanceState::kRefreshing;
    case ConnectionState::kDisconnected:
      return InstanceState::kDisconnected;
    case ConnectionState::kDisabled:
      return InstanceState::kDisabled;
  }
  return InstanceState::kUnauthorized;
}

std::optional<json::object> parse_object(std::string_view text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.as_object());
}

std::string string_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

int64_t int_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
  return 0;
}

std::string object_member_text(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_object()) return "{}";
  return json::serialize(it->value());
}

// What the store and memory keep of a successful authorize/refresh output.
struct Grant {
  std::string credentials_json;  // secret
  std::string access_token;      // secret, from credentials
  std::string token_type;
  std::string public_json;
  std::string identity_json;
  int64_t expires_at_ms = 0;
};

Result<Grant> grant_from_output(std::string_view output) {
  auto o = parse_object(output);
  if (!o) return Error::permanent("plugin output is not a JSON object");
  auto creds = o->find("credentials");
  if (creds == o->end() || !creds->value().is_object()) {
    return Error::permanent("plugin output has no \"credentials\" object");
  }
  // Tokens belong in the encrypted credentials even when a plugin files them under the
  // public "connection" object: the public part is stored in clear and shown to admins.
  json::object credentials = creds->value().as_object();
  json::object connection;
  if (auto c = o->find("connection"); c != o->end() && c->value().is_object()) {
    connection = c->value().as_object();
  }
  for (const char* key : {"access_token", "refresh_token", "id_token"}) {
    auto it = connection.find(key);
    if (it == connection.end()) continue;
    if (!credentials.contains(key)) credentials[key] = it->value();
    connection.erase(it);
  }
  Grant g;
  g.credentials_json = json::serialize(credentials);
  g.access_token = string_member(credentials, "access_token");
  g.token_type = string_member(credentials, "token_type");
  if (g.token_type.empty()) g.token_type = string_member(connection, "token_type");
  g.public_json = json::serialize(connection);
  g.identity_json = object_member_text(*o, "identity");
  g.expires_at_ms = int_member(*o, "expires_at_ms");
  return g;
}

// Registers every string value of a credentials object with the redactor.
void register_secrets(Redactor& redactor, std::string_view credentials_json) {
  auto o = parse_object(credentials_json);
  if (!o) return;
  for (const auto& kv : *o) {
    if (kv.value().is_string()) redactor.add(std::string_view(kv.value().as_string()));
  }
}

}  // namespace

struct ConnectionManager::Impl {
  struct Conn {
    std::string name;
    PluginHooksPort* hooks = nullptr;
    HookGate* gate = nullptr;
    ConnectionState state = ConnectionState::kUnauthorized;
    std::string reason;
    std::string access_token;
    std::string token_type = "Bearer";
    std::string public_json = "{}";
    std::string identity_json = "{}";
    int64_t expires_at_ms = 0;
    int64_t last_used_at_ms = 0;
    int64_t last_refreshed_at_ms = 0;
    uint64_t generation = 0;
    uint32_t failures = 0;
    int64_t next_attempt_steady_ms = 0;
    size_t callers_in_refresh = 0;
    CancelFlag current_cancel;  // of the hook in flight, for cancel_all()
  };

  RuntimeServices sv;
  ConnectionOptions opt;
  StatusBoard* board;
  mutable std::mutex mu;
  std::map<std::string, std::unique_ptr<Conn>, std::less<>> conns;
  std::mutex listeners_mu;
  std::vector<Listener> listeners;

  Conn* find(std::string_view name) const {
    auto it = conns.find(name);
    return it == conns.end() ? nullptr : it->second.get();
  }

  ConnectionRow row_of(const Conn& c) const {
    ConnectionRow row;
    row.name = c.name;
    row.state = to_string(c.state);
    row.reason = c.reason;
    row.identity_json = c.identity_json;
    row.public_json = c.public_json;
    row.access_expires_at_ms = c.expires_at_ms;
    row.last_used_at_ms = c.last_used_at_ms;
    row.updated_at_ms = sv.clock->now_ms();
    return row;
  }

  void persist(const Conn& c) {
    if (Status s = sv.store->put_connection(row_of(c)); !s) {
      sv.log->log(LogLevel::kError, c.name,
                  "could not store connection state: " + s.error().message);
    }
  }

  // mu held. Records, logs and persists a transition; returns true when the state changed
  // (the caller notifies listeners after unlocking).
  bool transition(Conn& c, ConnectionState to, std::string reason) {
    const ConnectionState from = c.state;
    c.state = to;
    c.reason = sv.redactor->redact(reason);
    persist(c);
    if (Status s = sv.store->append_history(c.name, to_string(from), to_string(to), c.reason,
                                            sv.clock->now_ms());
        !s) {
      sv.log->log(LogLevel::kError, c.name, "could not append history: " + s.error().message);
    }
    sv.log->log(
        to == ConnectionState::kDisconnected ? LogLevel::kWarn : LogLevel::kInfo, c.name,
        std::string("connection ") + to_string(from) + " -> " + to_string(to) + ": " + c.reason);
    if (board) board->set_state(c.name, board_state(to));
    return from != to;
  }

  void notify(const std::string& name, ConnectionState state) {
    std::vector<Listener> copy;
    {
      std::lock_guard<std::mutex> lock(listeners_mu);
      copy = listeners;
    }
    for (auto& l : copy) l(name, state);
  }

  ConnectionToken token_of(const Conn& c) const {
    json::object o;
    if (auto pub = parse_object(c.public_json)) o = std::move(*pub);
    o["access_token"] = c.access_token;
    o["token_type"] = c.token_type.empty() ? "Bearer" : c.token_type;
    return ConnectionToken{c.access_token, json::serialize(o), c.generation};
  }

  static Error not_connected(const Conn& c) {
    return Error::auth_revoked("connection " + c.name + " is " + to_string(c.state) +
                               (c.reason.empty() ? "" : ": " + c.reason));
  }

  // mu held. Adopts a grant that is already durable in the store.
  void apply(Conn& c, Grant g) {
    register_secrets(*sv.redactor, g.credentials_json);
    c.access_token = std::move(g.access_token);
    c.token_type = g.token_type.empty() ? "Bearer" : std::move(g.token_type);
    c.public_json = std::move(g.public_json);
    c.identity_json = std::move(g.identity_json);
    c.expires_at_ms = g.expires_at_ms;
    c.last_refreshed_at_ms = sv.clock->now_ms();
    c.failures = 0;
    c.next_attempt_steady_ms = 0;
    ++c.generation;
    if (board) board->set_error(c.name, std::nullopt);
  }

  // Another process stored newer credentials: take them, with the public part of its row.
  Result<Grant> reread(const Conn& c) {
    auto sec = sv.store->secret_get(c.name, kCredentialsSecretName);
    if (!sec) return sec.error();
    if (!sec->has_value()) return Error::auth_revoked("stored credentials vanished");
    Grant g;
    g.credentials_json = (*sec)->value;
    if (auto creds = parse_object(g.credentials_json)) {
      g.access_token = string_member(*creds, "access_token");
      g.token_type = string_member(*creds, "token_type");
    }
    auto row = sv.store->get_connection(c.name);
    if (row && row->has_value()) {
      g.public_json = (*row)->public_json;
      g.identity_json = (*row)->identity_json;
      g.expires_at_ms = (*row)->access_expires_at_ms;
    }
    return g;
  }

  // Runs one plugin hook with a fresh CallState registered for cancel_all().
  chp_status_code call_hook(Conn& c, int64_t timeout_ms, std::string* error, std::string* output,
                            const std::function<chp_status_code(chp_call*)>& hook) {
    CancelFlag flag = make_cancel_flag();
    {
      std::lock_guard<std::mutex> lock(mu);
      c.current_cancel = flag;
    }
    CallState call(*sv.clock, sv.clock->steady_ms() + timeout_ms, flag);
    chp_status_code st = hook(call.handle());
    {
      std::lock_guard<std::mutex> lock(mu);
      c.current_cancel.reset();
    }
    if (error) *error = sv.redactor->redact(call.error());
    if (output) *output = call.output();
    return st;
  }

  // The refresh itself. Runs inside c.gate, without mu. `observed` is the generation the
  // caller saw before queueing on the gate: if it moved, someone else refreshed meanwhile and
  // their outcome is shared instead of refreshing again.
  Result<ConnectionToken> refresh_flow(Conn& c, const std::string& why,
                                       std::optional<uint64_t> observed, bool admin) {
    ConnectionState from;
    bool changed = false;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (observed && c.generation != *observed) {
        if (c.state == ConnectionState::kConnected) return token_of(c);
        return not_connected(c);
      }
      if (c.state == ConnectionState::kDisabled) return not_connected(c);
      if (!admin) {
        if (c.state != ConnectionState::kConnected) return not_connected(c);
        if (sv.clock->steady_ms() < c.next_attempt_steady_ms) {
          return Error::transient("connection " + c.name +
                                  ": refresh backing off after: " + c.reason);
        }
      }
      from = c.state;
      changed = transition(c, ConnectionState::kRefreshing, why);
    }
    if (changed) notify(c.name, ConnectionState::kRefreshing);

    auto fail = [&](ConnectionState to, Error err, std::string reason) -> Error {
      bool ch;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (to == from && err.cls != ErrorClass::kAuthRevoked) {
          ++c.failures;
          const int64_t delay = backoff_delay_ms(opt.backoff, c.failures, *sv.random);
          c.next_attempt_steady_ms = sv.clock->steady_ms() + delay;
          reason += "; next attempt in " + duration_text(delay);
        }
        ch = transition(c, to, reason);
        if (board) board->set_error(c.name, err);
      }
      if (ch) notify(c.name, to);
      return err;
    };

    auto sec = sv.store->secret_get(c.name, kCredentialsSecretName);
    if (!sec) {
      return fail(from, Error::transient("could not read credentials: " + sec.error().message),
                  "refresh failed: could not read credentials");
    }
    if (!sec->has_value()) {
      return fail(ConnectionState::kUnauthorized,
                  Error::auth_revoked("connection " + c.name + " has no stored credentials"),
                  "no stored credentials");
    }
    const std::string input = "{\"credentials\":" + (*sec)->value + "}";
    std::string error, output;
    const chp_status_code st =
        call_hook(c, opt.refresh_timeout_ms, &error, &output,
                  [&](chp_call* call) { return c.hooks->refresh(call, input); });
    if (st == CHP_ERR_AUTH_REVOKED) {
      const std::string msg = error.empty() ? "refresh token rejected" : error;
      return fail(ConnectionState::kDisconnected,
                  Error::auth_revoked("connection " + c.name + ": " + msg),
                  "refresh rejected, admin must re-authorize: " + msg);
    }
    if (st != CHP_OK) {
      const ErrorClass cls = error_class_of_code(st);
      const std::string msg = error.empty() ? "refresh failed" : error;
      return fail(
          from,
          Error{cls == ErrorClass::kCancelled ? ErrorClass::kCancelled : ErrorClass::kTransient,
                "connection " + c.name + ": " + msg},
          std::string("refresh failed (") + to_string(cls) + "): " + msg);
    }
    auto grant = grant_from_output(output);
    if (!grant) {
      return fail(from, Error::transient("connection " + c.name + ": " + grant.error().message),
                  "refresh failed: " + grant.error().message);
    }
    // Durable before anyone sees the new access token: a rotated refresh token that is lost
    // cannot be recovered (reusing the old one revokes the grant at some providers).
    crash_point_ForTest("before_credentials_stored");  // TEST-ONLY, env-armed; see header
    auto put = sv.store->secret_put(c.name, kCredentialsSecretName, grant->credentials_json,
                                    (*sec)->version);
    if (put) crash_point_ForTest("after_credentials_stored");  // TEST-ONLY, env-armed
    std::string reason = "refreshed (" + why + ")";
    if (!put) {
      if (put.error().cls != ErrorClass::kConflict) {
        return fail(
            from,
            Error::transient("connection " + c.name +
                             ": could not store refreshed credentials: " + put.error().message),
            "refresh failed: could not store refreshed credentials");
      }
      auto theirs = reread(c);
      if (!theirs) {
        return fail(from, theirs.error(), "refresh lost a race and could not re-read credentials");
      }
      grant = std::move(theirs);
      reason = "adopted credentials refreshed elsewhere (" + why + ")";
    }
    Result<ConnectionToken> out = Error::permanent("unreachable");
    bool ch;
    {
      std::lock_guard<std::mutex> lock(mu);
      apply(c, std::move(*grant));
      ch = transition(c, ConnectionState::kConnected, reason);
      out = token_of(c);
    }
    if (ch) notify(c.name, ConnectionState::kConnected);
    return out;
  }
};

ConnectionManager::ConnectionManager(RuntimeServices services, ConnectionOptions options,
                                     StatusBoard* board)
    : impl_(std::make_unique<Impl>()) {
  impl_->sv = services;
  impl_->opt = options;
  impl_->board = board;
}

ConnectionManager::~ConnectionManager() = default;

Status ConnectionManager::add(const std::string& name, PluginHooksPort* hooks, HookGate* gate) {
  auto c = std::make_unique<Impl::Conn>();
  c->name = name;
  c->hooks = hooks;
  c->gate = gate;
  auto& sv = impl_->sv;
  auto row = sv.store->get_connection(name);
  if (!row) return row.error();
  auto sec = sv.store->secret_get(name, kCredentialsSecretName);
  if (!sec) return sec.error();
  if (impl_->board) impl_->board->ensure(name, InstanceKind::kConnection);
  std::string reason;
  if (row->has_value()) {
    const ConnectionRow& r = **row;
    c->state = connection_state_from(r.state).value_or(ConnectionState::kUnauthorized);
    c->reason = r.reason;
    c->public_json = r.public_json;
    c->identity_json = r.identity_json;
    c->expires_at_ms = r.access_expires_at_ms;
    c->last_used_at_ms = r.last_used_at_ms;
    if (c->state == ConnectionState::kRefreshing) {
      c->state = ConnectionState::kConnected;
      reason = "host restarted during a refresh";
    }
  } else {
    c->state = sec->has_value() ? ConnectionState::kConnected : ConnectionState::kUnauthorized;
    reason = sec->has_value() ? "credentials found in store" : "not authorized yet";
  }
  if (sec->has_value()) {
    register_secrets(*sv.redactor, (*sec)->value);
    if (auto creds = parse_object((*sec)->value)) {
      c->access_token = string_member(*creds, "access_token");
      const std::string tt = string_member(*creds, "token_type");
      if (!tt.empty()) c->token_type = tt;
    }
    c->generation = 1;
  } else if (c->state == ConnectionState::kConnected) {
    c->state = ConnectionState::kUnauthorized;
    reason = "no stored credentials";
  }
  c->last_refreshed_at_ms = sv.clock->now_ms();
  std::lock_guard<std::mutex> lock(impl_->mu);
  Impl::Conn& ref = *c;
  impl_->conns[name] = std::move(c);
  if (row->has_value() && !reason.empty()) {
    const ConnectionState to = ref.state;
    ref.state = ConnectionState::kRefreshing;
    impl_->transition(ref, to, reason);
  } else if (!row->has_value()) {
    ref.reason = reason;
    impl_->persist(ref);
    (void)sv.store->append_history(name, "", to_string(ref.state), reason, sv.clock->now_ms());
    if (impl_->board) impl_->board->set_state(name, board_state(ref.state));
  } else if (impl_->board) {
    impl_->board->set_state(name, board_state(ref.state));
  }
  return {};
}

Result<ConnectionToken> ConnectionManager::token(std::string_view name,
                                                 std::optional<uint64_t> rejected_generation) {
  Impl::Conn* c;
  uint64_t observed;
  bool rejected_current;
  std::string why;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c = impl_->find(name);
    if (!c) return Error::not_found("no connection named " + std::string(name));
    const int64_t now = impl_->sv.clock->now_ms();
    c->last_used_at_ms = now;
    if (c->state != ConnectionState::kConnected && c->state != ConnectionState::kRefreshing) {
      return Impl::not_connected(*c);
    }
    rejected_current =
        rejected_generation && (*rejected_generation == 0 || *rejected_generation == c->generation);
    const bool near_expiry =
        c->expires_at_ms > 0 && now >= c->expires_at_ms - impl_->opt.refresh_margin_ms;
    if (c->state == ConnectionState::kConnected && !rejected_current && !near_expiry &&
        !c->access_token.empty()) {
      return impl_->token_of(*c);
    }
    why = rejected_current ? "token rejected by the API"
          : near_expiry    ? "access token expires within the refresh margin"
                           : "waiting for a refresh in flight";
    observed = c->generation;
    ++c->callers_in_refresh;
  }
  auto r = c->gate->run([&] { return impl_->refresh_flow(*c, why, observed, false); });
  std::lock_guard<std::mutex> lock(impl_->mu);
  --c->callers_in_refresh;
  if (!r && !rejected_current && c->state == ConnectionState::kConnected &&
      !c->access_token.empty() && c->expires_at_ms > impl_->sv.clock->now_ms()) {
    // The refresh ahead of expiry failed but the current token is still valid: use it.
    return impl_->token_of(*c);
  }
  return r;
}

Result<std::string> ConnectionManager::authorize(std::string_view name,
                                                 std::string_view input_json) {
  Impl::Conn* c;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c = impl_->find(name);
    if (!c) return Error::not_found("no connection named " + std::string(name));
  }
  auto& sv = impl_->sv;
  return c->gate->run([&]() -> Result<std::string> {
    std::string error, output;
    const std::string input(input_json);
    const chp_status_code st =
        impl_->call_hook(*c, impl_->opt.authorize_timeout_ms, &error, &output,
                         [&](chp_call* call) { return c->hooks->authorize(call, input); });
    if (st != CHP_OK) {
      return Error{error_class_of_code(st),
                   "authorize " + std::string(name) + ": " + (error.empty() ? "failed" : error)};
    }
    auto o = parse_object(output);
    if (!o) return Error::permanent("authorize " + std::string(name) + ": output is not JSON");
    if (!o->contains("credentials")) return output;  // interactive start: authorize_url
    auto grant = grant_from_output(output);
    if (!grant) return grant.error();
    // The admin's fresh grant wins over whatever is stored: retry the CAS once on a race.
    Result<uint64_t> put = Error::conflict("not attempted");
    for (int attempt = 0; attempt < 2 && !put; ++attempt) {
      auto cur = sv.store->secret_get(name, kCredentialsSecretName);
      if (!cur) return cur.error();
      const uint64_t expected = cur->has_value() ? (*cur)->version : 0;
      put = sv.store->secret_put(name, kCredentialsSecretName, grant->credentials_json, expected);
      if (!put && put.error().cls != ErrorClass::kConflict) break;
    }
    if (!put) {
      return Error{put.error().cls, "authorize " + std::string(name) +
                                        ": could not store credentials: " + put.error().message};
    }
    const std::string grant_public_json = grant->public_json;
    bool ch;
    {
      std::lock_guard<std::mutex> lock(impl_->mu);
      impl_->apply(*c, std::move(*grant));
      ch = impl_->transition(*c, ConnectionState::kConnected, "authorized by admin");
    }
    if (ch) impl_->notify(c->name, ConnectionState::kConnected);
    o->erase("credentials");
    (*o)["connection"] = json::parse(grant_public_json);  // tokens stripped
    return json::serialize(*o);
  });
}

Status ConnectionManager::refresh_now(std::string_view name) {
  Impl::Conn* c;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c = impl_->find(name);
    if (!c) return Error::not_found("no connection named " + std::string(name));
  }
  auto r =
      c->gate->run([&] { return impl_->refresh_flow(*c, "admin request", std::nullopt, true); });
  if (!r) return r.error();
  return {};
}

Status ConnectionManager::disable(std::string_view name, std::string_view reason) {
  Impl::Conn* c;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c = impl_->find(name);
    if (!c) return Error::not_found("no connection named " + std::string(name));
  }
  auto& sv = impl_->sv;
  c->gate->run([&] {
    auto sec = sv.store->secret_get(name, kCredentialsSecretName);
    const std::string creds = sec && sec->has_value() ? (*sec)->value : "{}";
    const std::string input = "{\"credentials\":" + creds + "}";
    std::string error;
    const chp_status_code st =
        impl_->call_hook(*c, impl_->opt.disable_timeout_ms, &error, nullptr,
                         [&](chp_call* call) { return c->hooks->disable(call, input); });
    if (st != CHP_OK && st != CHP_ERR_UNSUPPORTED) {
      sv.log->log(LogLevel::kWarn, c->name, "plugin disable hook failed: " + error);
    }
    return 0;
  });
  bool ch;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    ch = impl_->transition(*c, ConnectionState::kDisabled,
                           reason.empty() ? "disabled by admin" : std::string(reason));
  }
  if (ch) impl_->notify(c->name, ConnectionState::kDisabled);
  return {};
}

Status ConnectionManager::enable(std::string_view name) {
  Impl::Conn* c;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c = impl_->find(name);
    if (!c) return Error::not_found("no connection named " + std::string(name));
    if (c->state != ConnectionState::kDisabled) return {};
  }
  auto sec = impl_->sv.store->secret_get(name, kCredentialsSecretName);
  if (!sec) return sec.error();
  const ConnectionState to =
      sec->has_value() ? ConnectionState::kConnected : ConnectionState::kUnauthorized;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    c->failures = 0;
    c->next_attempt_steady_ms = 0;
    impl_->transition(*c, to, "enabled by admin");
  }
  impl_->notify(c->name, to);
  return {};
}

void ConnectionManager::maintain() {
  struct Due {
    Impl::Conn* c;
    uint64_t observed;
    std::string why;
  };
  std::vector<Due> due;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    const int64_t now = impl_->sv.clock->now_ms();
    const int64_t steady = impl_->sv.clock->steady_ms();
    for (auto& [name, c] : impl_->conns) {
      if (c->state != ConnectionState::kConnected || steady < c->next_attempt_steady_ms) continue;
      const int64_t idle_since = std::max(c->last_used_at_ms, c->last_refreshed_at_ms);
      if (c->expires_at_ms > 0 && now >= c->expires_at_ms - impl_->opt.refresh_margin_ms) {
        due.push_back({c.get(), c->generation, "ahead of expiry"});
      } else if (impl_->opt.keepalive_idle_ms > 0 &&
                 now - idle_since >= impl_->opt.keepalive_idle_ms) {
        due.push_back({c.get(), c->generation,
                       "keep-alive after " + duration_text(now - idle_since) + " idle"});
      }
    }
  }
  for (auto& d : due) {
    auto r = d.c->gate->run([&] { return impl_->refresh_flow(*d.c, d.why, d.observed, false); });
    (void)r;  // failures are recorded (state, backoff, status board) by refresh_flow
  }
}

void ConnectionManager::cancel_all() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  for (auto& [name, c] : impl_->conns) {
    if (c->current_cancel) c->current_cancel->store(true);
  }
}

std::optional<ConnectionState> ConnectionManager::state(std::string_view name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto* c = impl_->find(name);
  if (!c) return std::nullopt;
  return c->state;
}

std::vector<std::string> ConnectionManager::names() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  std::vector<std::string> out;
  for (auto& [name, c] : impl_->conns) out.push_back(name);
  return out;
}

void ConnectionManager::add_listener(Listener listener) {
  std::lock_guard<std::mutex> lock(impl_->listeners_mu);
  impl_->listeners.push_back(std::move(listener));
}

size_t ConnectionManager::callers_in_refresh_ForTest(std::string_view name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto* c = impl_->find(name);
  return c ? c->callers_in_refresh : 0;
}

int64_t ConnectionManager::next_attempt_at_ms_ForTest(std::string_view name) const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  auto* c = impl_->find(name);
  return c ? c->next_attempt_steady_ms : 0;
}

}  // namespace chost::runtime
