// Connection: state, restore, token(), authorize, admin refresh, disable/enable, maintain.
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <utility>

#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "connection_impl.hpp"
#include "duration_text.hpp"
#include "same_user_grants.hpp"
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

namespace {

std::optional<ConnectionState> connection_state_from(std::string_view s) {
  for (auto st :
       {ConnectionState::kUnauthorized, ConnectionState::kConnected, ConnectionState::kRefreshing,
        ConnectionState::kDisconnected, ConnectionState::kDisabled}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

bool usable(ConnectionState s) {
  return s == ConnectionState::kConnected || s == ConnectionState::kRefreshing;
}

void register_secrets(Redactor& redactor, const json::object& credentials) {
  for (const auto& kv : credentials) {
    if (kv.value().is_string()) redactor.add(std::string_view(kv.value().as_string()));
  }
}

constexpr int64_t kWaitSliceMs = 20;  // how often a waiter looks at its own cancel flag

}  // namespace

// ---------------------------------------------------------------------------------------------
// Impl helpers

void Connection::Impl::persist() {
  store::ConnectionRecord row;
  row.name = name;
  row.state = to_string(state);
  row.reason = reason;
  row.identity_json = identity_json;
  row.public_json = public_json;
  row.access_expires_at_ms = grant.expires_at_ms;
  row.last_used_at_ms = last_used_at_ms;
  row.updated_at_ms = sv.clock->now_ms();
  if (Status s = sv.store->put_connection(row); !s) {
    sv.log->log(LogLevel::kError, name, "could not store connection state: " + s.error().message);
  }
}

bool Connection::Impl::transition(ConnectionState to, std::string why) {
  const ConnectionState from = state;
  state = to;
  reason = sv.redactor->redact(why);
  persist();
  if (Status s = sv.store->append_history(name, to_string(from), to_string(to), reason,
                                          sv.clock->now_ms());
      !s) {
    sv.log->log(LogLevel::kError, name, "could not append history: " + s.error().message);
  }
  sv.log->log(
      to == ConnectionState::kDisconnected ? LogLevel::kWarn : LogLevel::kInfo, name,
      std::string("connection ") + to_string(from) + " -> " + to_string(to) + ": " + reason);
  if (board) board->set_state(name, board_state(to));
  return from != to;
}

void Connection::Impl::notify_change(ConnectionState to) {
  if (notify) notify(name, to);
}

void Connection::Impl::apply(Grant g, uint64_t version, bool for_rejection) {
  register_secrets(*sv.redactor, g.credentials);
  if (!grant.identity.empty()) g.identity = merge_identity(grant.identity, g.identity);
  grant = std::move(g);
  credentials_version = version;
  access_token = grant.access_token();
  token_text = token_json(grant);
  public_json = json::serialize(grant.connection);
  identity_json = json::serialize(grant.identity);
  const int64_t now = sv.clock->now_ms();
  last_refreshed_at_ms = now;
  issued_steady_ms = sv.clock->steady_ms();
  issued_for_rejection = for_rejection;
  failures = 0;
  next_attempt_steady_ms = 0;
  ++generation;
  margin_ms = opt.refresh_margin_ms;
  const int64_t lifetime_ms = grant.expires_at_ms > 0 ? grant.expires_at_ms - now : 0;
  if (lifetime_ms > 0 && margin_ms > lifetime_ms / 4) {
    margin_ms = lifetime_ms / 4;
    if (!margin_clamp_logged) {
      margin_clamp_logged = true;
      sv.log->log(LogLevel::kInfo, name,
                  "refresh_margin " + duration_text(opt.refresh_margin_ms) +
                      " is more than a quarter of the access token's " +
                      duration_text(lifetime_ms) + " lifetime; refreshing " +
                      duration_text(margin_ms) + " before expiry instead");
    }
  }
  if (board) board->set_error(name, std::nullopt);
}

ConnectionToken Connection::Impl::token_of() const {
  return ConnectionToken{access_token, token_text, generation};
}

Error Connection::Impl::not_connected() const {
  return Error::auth_revoked("connection " + name + " is " + to_string(state) +
                             (reason.empty() ? "" : ": " + reason));
}

bool Connection::Impl::token_still_valid() const {
  return !access_token.empty() &&
         (grant.expires_at_ms == 0 || grant.expires_at_ms > sv.clock->now_ms());
}

uint64_t Connection::Impl::request_refresh(std::string why, bool admin) {
  if (in_flight && !requested) return started_seq;
  if (!requested) {
    requested = true;
    requested_why = std::move(why);
  }
  requested_by_admin = requested_by_admin || admin;
  wake.notify_one();
  return started_seq + 1;
}

// ---------------------------------------------------------------------------------------------
// Connection

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() { shutdown(); }

Result<std::unique_ptr<Connection>> Connection::open(std::string name,
                                                     CredentialInstance credential,
                                                     RuntimeServices services,
                                                     ConnectionOptions options, StatusBoard* board,
                                                     Listener notify) {
  auto impl = std::make_unique<Impl>();
  impl->name = std::move(name);
  impl->cred = credential;
  impl->sv = services;
  impl->opt = options;
  impl->board = board;
  impl->notify = std::move(notify);
  impl->margin_ms = options.refresh_margin_ms;
  Impl& c = *impl;
  auto row = c.sv.store->get_connection(c.name);
  if (!row) return row.error();
  auto sec = c.sv.store->secret_get(c.name, kCredentialsSecretName);
  if (!sec) return sec.error();
  if (board) board->ensure(c.name, InstanceKind::kConnection);

  std::string why;
  ConnectionState restored = ConnectionState::kUnauthorized;
  if (row->has_value()) {
    const store::ConnectionRecord& r = **row;
    restored = connection_state_from(r.state).value_or(ConnectionState::kUnauthorized);
    c.reason = r.reason;
    c.public_json = r.public_json;
    c.identity_json = r.identity_json;
    c.last_used_at_ms = r.last_used_at_ms;
    if (restored == ConnectionState::kRefreshing) {
      restored = ConnectionState::kConnected;
      why = "host restarted during a refresh";
    }
  } else {
    restored = sec->has_value() ? ConnectionState::kConnected : ConnectionState::kUnauthorized;
    why = sec->has_value() ? "credentials found in store" : "not authorized yet";
  }
  if (sec->has_value()) {
    const store::ConnectionRecord* r = row->has_value() ? &**row : nullptr;
    auto g = grant_from_stored((*sec)->value, r ? r->public_json : "{}",
                               r ? r->identity_json : "{}", r ? r->access_expires_at_ms : 0);
    if (!g) return Error{g.error().cls, "connection " + c.name + ": " + g.error().message};
    c.apply(std::move(*g), (*sec)->version, false);  // generation 1
  } else if (restored == ConnectionState::kConnected) {
    restored = ConnectionState::kUnauthorized;
    why = "no stored credentials";
  }
  std::lock_guard<std::mutex> lock(c.mu);
  if (!why.empty()) {
    c.state = row->has_value() ? ConnectionState::kRefreshing : restored;
    if (row->has_value()) {
      c.transition(restored, why);
    } else {
      c.reason = why;
      c.persist();
      (void)c.sv.store->append_history(c.name, "", to_string(restored), why, c.sv.clock->now_ms());
      if (board) board->set_state(c.name, board_state(restored));
    }
  } else {
    c.state = restored;
    if (board) board->set_state(c.name, board_state(restored));
  }
  Impl* p = impl.get();
  impl->worker = std::thread([p] { p->run_worker(); });
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Result<ConnectionToken> Connection::token(const TokenRequest& request) {
  Impl& c = *impl_;
  std::unique_lock<std::mutex> lock(c.mu);
  const int64_t now = c.sv.clock->now_ms();
  c.last_used_at_ms = now;
  if (!usable(c.state)) return c.not_connected();
  const bool rejected =
      request.rejected_generation &&
      (*request.rejected_generation == 0 || *request.rejected_generation == c.generation);
  if (rejected && c.issued_for_rejection &&
      c.sv.clock->steady_ms() - c.issued_steady_ms < c.opt.fresh_token_window_ms) {
    // Refreshing for a 401 gave a token that is rejected at once: another refresh would not
    // help (API access, IP restrictions, session policy), and each one costs a token request.
    const bool ch = c.transition(
        ConnectionState::kDisconnected,
        "HTTP 401 persists after a successful refresh: the provider issues tokens that its API "
        "rejects (check the user's API access, IP restrictions and session settings), then "
        "press Refresh or authorize again");
    if (c.board) c.board->set_error(c.name, c.not_connected());
    Error err = c.not_connected();
    lock.unlock();
    if (ch) c.notify_change(ConnectionState::kDisconnected);
    return err;
  }
  const bool near_expiry = c.grant.expires_at_ms > 0 && now >= c.grant.expires_at_ms - c.margin_ms;
  // Also while a refresh (keep-alive, ahead of expiry) is in flight: the current token still
  // works, and nobody waits who does not have to.
  if (!rejected && !near_expiry && !c.access_token.empty()) return c.token_of();
  const uint64_t observed = c.generation;
  if (!c.in_flight && !c.requested && c.sv.clock->steady_ms() < c.next_attempt_steady_ms) {
    if (!rejected && c.token_still_valid()) return c.token_of();
    return Error::transient("connection " + c.name + ": refresh backing off after: " + c.reason);
  }
  const uint64_t target =
      c.request_refresh(rejected      ? kRejectedWhy
                        : near_expiry ? "access token expires within the refresh margin"
                                      : "no access token",
                        false);
  ++c.waiting;
  const int64_t waited_from = c.sv.clock->steady_ms();
  while (c.done_seq < target && !c.stopping) {
    if ((request.cancelled && request.cancelled->load()) ||
        c.sv.clock->steady_ms() >= request.deadline_steady_ms) {
      --c.waiting;
      return Error::cancelled("connection " + c.name + ": gave up waiting for its refresh after " +
                              duration_text(c.sv.clock->steady_ms() - waited_from) +
                              " (the caller's deadline or cancellation); the refresh goes on");
    }
    c.refresh_done.wait_for(lock, std::chrono::milliseconds(kWaitSliceMs));
  }
  --c.waiting;
  if (c.done_seq < target) return Error::cancelled("connection " + c.name + ": host stopping");
  if (c.generation != observed && usable(c.state)) return c.token_of();
  if (!usable(c.state)) return c.not_connected();
  if (!c.last_outcome && !rejected && c.token_still_valid()) {
    return c.token_of();  // the refresh ahead of expiry failed; the current token still works
  }
  if (!c.last_outcome) return c.last_outcome.error();
  return c.token_of();
}

Result<std::string> Connection::authorize(std::string_view input_json) {
  Impl& c = *impl_;
  const std::string input(input_json);
  HookOutcome out = run_hook(*c.cred.ctx, *c.cred.gate,
                             HookCall{c.sv.clock->steady_ms() + c.opt.authorize_timeout_ms, nullptr,
                                      c.opt.token_response_ms},
                             [&](chp_call* call) { return c.cred.hooks->authorize(call, input); });
  if (out.status != CHP_OK) {
    return Error{error_class_of_code(out.status),
                 "authorize " + c.name + ": " + (out.error.empty() ? "failed" : out.error)};
  }
  boost::system::error_code ec;
  json::value parsed = json::parse(out.output, ec);  // the one parse of the hook's output
  if (ec || !parsed.is_object()) {
    return Error::permanent("authorize " + c.name + ": output is not a JSON object");
  }
  if (!parsed.as_object().contains("credentials")) return out.output;  // interactive start
  json::object rest;
  auto grant = grant_from_object(std::move(parsed.as_object()), &rest);
  if (!grant) return Error{grant.error().cls, "authorize " + c.name + ": " + grant.error().message};
  // The admin's fresh grant wins over whatever is stored: on a race, retry on the new version.
  Result<uint64_t> put = Error::conflict("not attempted");
  for (int attempt = 0; attempt < 2 && !put; ++attempt) {
    auto cur = c.sv.store->secret_get(c.name, kCredentialsSecretName);
    if (!cur) return cur.error();
    put = c.store_credentials(*grant, cur->has_value() ? (*cur)->version : 0);
    if (!put && put.error().cls != ErrorClass::kConflict) break;
  }
  if (!put) {
    return Error{put.error().cls,
                 "authorize " + c.name + ": could not store credentials: " + put.error().message};
  }
  bool ch;
  json::object identity;
  json::object credentials;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.grant.identity = {};  // a new authorization names its own user
    c.apply(std::move(*grant), *put, false);
    ch = c.transition(ConnectionState::kConnected, "authorized by admin");
    rest["identity"] = c.grant.identity;
    identity = c.grant.identity;
    credentials = c.grant.credentials;
  }
  c.refresh_done.notify_all();
  if (ch) c.notify_change(ConnectionState::kConnected);
  const std::vector<SameUserGrant> others =
      same_user_grants(*c.sv.store, c.name, identity, credentials);
  if (!others.empty()) {
    const json::value* who = identity.if_contains("username");
    const json::value* id = identity.if_contains("user_id");
    const std::string warning =
        same_user_warning(others, who && who->is_string() ? std::string_view(who->as_string())
                                                          : std::string_view(id->as_string()));
    c.sv.log->log(LogLevel::kWarn, c.name, warning);
    json::value& warnings = rest["warnings"];
    if (!warnings.is_array()) warnings = json::array{};
    warnings.as_array().emplace_back(warning);
  }
  return json::serialize(rest);
}

Status Connection::refresh_now() {
  Impl& c = *impl_;
  std::unique_lock<std::mutex> lock(c.mu);
  if (c.state == ConnectionState::kDisabled) return c.not_connected();
  const uint64_t target = c.request_refresh("admin request", true);
  ++c.waiting;
  c.refresh_done.wait(lock, [&] { return c.done_seq >= target || c.stopping; });
  --c.waiting;
  if (c.done_seq < target) return Error::cancelled("connection " + c.name + ": host stopping");
  return c.last_outcome;
}

Status Connection::disable(std::string_view why) {
  Impl& c = *impl_;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.state == ConnectionState::kDisabled) return {};  // the hook ran already (durable)
  }
  auto sec = c.sv.store->secret_get(c.name, kCredentialsSecretName);
  json::object input;
  input["credentials"] = json::object{};
  if (sec && sec->has_value()) {
    boost::system::error_code ec;
    json::value v = json::parse((*sec)->value, ec);
    if (!ec && v.is_object()) input["credentials"] = std::move(v);
  }
  const std::string input_text = json::serialize(input);
  HookOutcome out =
      run_hook(*c.cred.ctx, *c.cred.gate,
               HookCall{c.sv.clock->steady_ms() + c.opt.disable_timeout_ms, nullptr,
                        c.opt.token_response_ms},
               [&](chp_call* call) { return c.cred.hooks->disable(call, input_text); });
  if (out.status != CHP_OK && out.status != CHP_ERR_UNSUPPORTED) {
    c.sv.log->log(LogLevel::kWarn, c.name, "plugin disable hook failed: " + out.error);
  }
  bool ch;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    ch = c.transition(ConnectionState::kDisabled,
                      why.empty() ? "disabled by admin" : std::string(why));
  }
  c.refresh_done.notify_all();
  if (ch) c.notify_change(ConnectionState::kDisabled);
  return {};
}

Status Connection::enable() {
  Impl& c = *impl_;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (c.state != ConnectionState::kDisabled) return {};
  }
  auto sec = c.sv.store->secret_get(c.name, kCredentialsSecretName);
  if (!sec) return sec.error();
  const ConnectionState to =
      sec->has_value() ? ConnectionState::kConnected : ConnectionState::kUnauthorized;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    c.failures = 0;
    c.next_attempt_steady_ms = 0;
    c.transition(to, "enabled by admin");
  }
  c.notify_change(to);
  return {};
}

void Connection::maintain() {
  Impl& c = *impl_;
  std::lock_guard<std::mutex> lock(c.mu);
  if (c.state != ConnectionState::kConnected || c.in_flight || c.requested || c.stopping) return;
  const int64_t now = c.sv.clock->now_ms();
  if (c.sv.clock->steady_ms() < c.next_attempt_steady_ms) return;
  const int64_t idle_since = std::max(c.last_used_at_ms, c.last_refreshed_at_ms);
  if (c.grant.expires_at_ms > 0 && now >= c.grant.expires_at_ms - c.margin_ms) {
    c.request_refresh("ahead of expiry", false);
  } else if (c.opt.keepalive_idle_ms > 0 && now - idle_since >= c.opt.keepalive_idle_ms) {
    c.request_refresh("keep-alive after " + duration_text(now - idle_since) + " idle", false);
  }
}

void Connection::shutdown() {
  Impl& c = *impl_;
  {
    std::lock_guard<std::mutex> lock(c.mu);
    if (!c.worker.joinable()) return;
    c.stopping = true;
    c.pre_send_cancel->store(true);
    if (c.in_flight) {
      c.sv.log->log(LogLevel::kInfo, c.name,
                    "waiting for the refresh in flight to finish and be stored (at most " +
                        duration_text(c.opt.refresh_timeout_ms + c.opt.token_response_ms) + ")");
    }
  }
  c.wake.notify_all();
  c.refresh_done.notify_all();
  c.worker.join();
}

const std::string& Connection::name() const { return impl_->name; }

ConnectionState Connection::state() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->state;
}

std::string Connection::reason() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->reason;
}

size_t Connection::waiting_ForTest() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->waiting;
}

int64_t Connection::next_attempt_at_ms_ForTest() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->next_attempt_steady_ms;
}

uint64_t Connection::refreshes_started_ForTest() const {
  std::lock_guard<std::mutex> lock(impl_->mu);
  return impl_->started_seq;
}

}  // namespace chost::runtime
