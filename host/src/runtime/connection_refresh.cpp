// Connection's refresh thread: takes queued refreshes one at a time, runs the provider's refresh
// hook on the credential instance, and stores a rotated grant durably before anyone sees it.
#include <boost/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>

#include "chost/runtime/hook_runner.hpp"
#include "chost/runtime/host_callbacks.hpp"
#include "connection_impl.hpp"
#include "crash_point_for_test.hpp"
#include "duration_text.hpp"
#include "same_user_grants.hpp"
#include "status_codes.hpp"

namespace chost::runtime {

namespace json = boost::json;

void Connection::Impl::run_worker() {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    wake.wait(lock, [&] { return requested || stopping; });
    if (stopping) {
      // A queued refresh that was not started is not sent: nothing is lost by dropping it.
      if (requested) {
        requested = false;
        done_seq = ++started_seq;
        last_outcome = Error::cancelled("connection " + name + ": host stopping");
        refresh_done.notify_all();
      }
      return;
    }
    requested = false;
    const bool admin = requested_by_admin;
    requested_by_admin = false;
    const std::string why = std::move(requested_why);
    in_flight = true;
    ++started_seq;
    lock.unlock();
    Status outcome = refresh_flow(why, admin);
    lock.lock();
    in_flight = false;
    done_seq = started_seq;
    last_outcome = std::move(outcome);
    refresh_done.notify_all();
  }
}

Result<uint64_t> Connection::Impl::store_credentials(const Grant& g, uint64_t expected_version) {
  const std::string text = json::serialize(g.credentials);
  int64_t delay_ms = opt.store_retry_initial_ms;
  for (int attempt = 1;; ++attempt) {
    auto put = sv.store->secret_put(name, kCredentialsSecretName, text, expected_version);
    if (put || put.error().cls == ErrorClass::kConflict || attempt >= opt.store_attempts) {
      return put;
    }
    sv.log->log(LogLevel::kWarn, name,
                "could not store credentials (attempt " + std::to_string(attempt) + " of " +
                    std::to_string(opt.store_attempts) + "): " + put.error().message +
                    "; retrying in " + duration_text(delay_ms));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    delay_ms *= 2;
  }
}

Status Connection::Impl::refresh_flow(const std::string& why, bool admin) {
  ConnectionState from;
  bool changed = false;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (state == ConnectionState::kDisabled) return not_connected();
    if (!admin && state != ConnectionState::kConnected) return not_connected();
    if (!admin && sv.clock->steady_ms() < next_attempt_steady_ms) {
      return Error::transient("connection " + name + ": refresh backing off after: " + reason);
    }
    from = state;
    changed = transition(ConnectionState::kRefreshing, why);
  }
  if (changed) notify_change(ConnectionState::kRefreshing);

  // Leaves refreshing: back to `to` with `err` recorded (and a backoff when it stays).
  auto fail = [&](ConnectionState to, Error err, std::string what) -> Error {
    bool ch;
    {
      std::lock_guard<std::mutex> lock(mu);
      if (to == from && err.cls != ErrorClass::kAuthRevoked) {
        ++failures;
        const int64_t delay = backoff_delay_ms(opt.backoff, failures, *sv.random);
        next_attempt_steady_ms = sv.clock->steady_ms() + delay;
        what += "; next attempt in " + duration_text(delay);
      }
      ch = transition(to, what);
      if (board) board->set_error(name, err);
    }
    if (ch) notify_change(to);
    if (sv.metrics) {
      sv.metrics->counter_add("chost_connection_refresh_failures_total",
                              {{"connection", name}, {"reason", to_string(err.cls)}}, 1);
    }
    return err;
  };

  auto sec = sv.store->secret_get(name, kCredentialsSecretName);
  if (!sec) {
    return fail(from, Error::transient("could not read credentials: " + sec.error().message),
                "refresh failed: could not read credentials: " + sec.error().message);
  }
  if (!sec->has_value()) {
    return fail(ConnectionState::kUnauthorized,
                Error::auth_revoked("connection " + name + " has no stored credentials"),
                "no stored credentials");
  }
  json::object input;
  {
    std::lock_guard<std::mutex> lock(mu);
    if ((*sec)->version == credentials_version) input["credentials"] = grant.credentials;
  }
  if (!input.contains("credentials")) {  // another process stored newer credentials
    auto theirs = grant_from_stored((*sec)->value, "{}", "{}", 0);
    if (!theirs) return fail(from, theirs.error(), "refresh failed: " + theirs.error().message);
    input["credentials"] = std::move(theirs->credentials);
  }
  // Credentials another process stored, as this connection's grant (its public part and
  // identity stay ours: only the secrets changed).
  auto adopt = [&](const store::SecretValue& stored) -> Result<Grant> {
    Result<Grant> theirs = grant_from_stored(stored.value, "{}", "{}", 0);
    if (!theirs) return theirs;
    std::lock_guard<std::mutex> lock(mu);
    theirs->connection = grant.connection;
    theirs->identity = grant.identity;
    return theirs;
  };
  auto connected = [&](Grant g, uint64_t version, const std::string& what) -> Status {
    bool ch;
    {
      std::lock_guard<std::mutex> lock(mu);
      apply(std::move(g), version, why == kRejectedWhy);
      ch = transition(ConnectionState::kConnected, what);
    }
    if (ch) notify_change(ConnectionState::kConnected);
    if (sv.metrics)
      sv.metrics->counter_add("chost_connection_refreshes_total", {{"connection", name}}, 1);
    return {};
  };
  const std::string input_text = json::serialize(input);
  HookOutcome out = run_hook(*cred.ctx, *cred.gate,
                             HookCall{sv.clock->steady_ms() + opt.refresh_timeout_ms,
                                      pre_send_cancel, opt.token_response_ms},
                             [&](chp_call* call) { return cred.hooks->refresh(call, input_text); });
  if (out.status == CHP_ERR_AUTH_REVOKED) {
    std::string msg = out.error.empty() ? "refresh token rejected" : out.error;
    msg += revoked_by_approval_limit(input["credentials"].as_object());
    return fail(ConnectionState::kDisconnected,
                Error::auth_revoked("connection " + name + ": " + msg),
                "refresh rejected, admin must re-authorize: " + msg);
  }
  if (out.status == CHP_ERR_CONFLICT) {
    // The provider is processing another request with this very refresh token (another host
    // or process on this state). Sending it again could trip rotation-reuse detection, which
    // revokes every token of the grant: wait for the other side's result instead.
    const std::string msg = out.error.empty() ? "another refresh is in flight" : out.error;
    sv.log->log(LogLevel::kInfo, name,
                "refresh: " + msg + "; waiting up to " +
                    duration_text(opt.refresh_in_flight_wait_ms) +
                    " for its credentials to be stored");
    std::optional<store::SecretValue> stored =
        wait_for_credentials_stored_elsewhere((*sec)->version);
    if (stored) {
      Result<Grant> theirs = adopt(*stored);
      if (!theirs) return fail(from, theirs.error(), "refresh failed: " + theirs.error().message);
      return connected(std::move(*theirs), stored->version,
                       "adopted credentials refreshed elsewhere (" + why + ")");
    }
    bool host_stopping;
    {
      std::lock_guard<std::mutex> lock(mu);
      host_stopping = stopping;
    }
    if (host_stopping) {
      return fail(from, Error::cancelled("connection " + name + ": host stopping"),
                  "refresh: " + msg + "; the host stopped while waiting for its result");
    }
    const std::string lost =
        msg + "; no newer credentials reached this state within " +
        duration_text(opt.refresh_in_flight_wait_ms) +
        ", and the same refresh token is not sent again (if the provider rotated it, a reuse "
        "revokes the grant): authorize again, or press Refresh once no other host or process "
        "refreshes this connection";
    return fail(ConnectionState::kDisconnected,
                Error::auth_revoked("connection " + name + ": " + lost),
                "refresh in flight elsewhere never stored: " + lost);
  }
  if (out.status != CHP_OK) {
    const ErrorClass cls = error_class_of_code(out.status);
    const std::string msg = out.error.empty() ? "refresh failed" : out.error;
    return fail(
        from,
        Error{cls == ErrorClass::kCancelled ? ErrorClass::kCancelled : ErrorClass::kTransient,
              "connection " + name + ": " + msg},
        std::string("refresh failed (") + to_string(cls) + "): " + msg);
  }
  auto grant_out = grant_from_output(out.output);
  if (!grant_out) {
    return fail(from, Error::transient("connection " + name + ": " + grant_out.error().message),
                "refresh failed: " + grant_out.error().message);
  }
  // Durable before anyone sees the new access token: a rotated refresh token that is lost
  // cannot be recovered (reusing the old one revokes the grant at some providers).
  crash_point_ForTest("before_credentials_stored");  // TEST-ONLY, env-armed; see header
  auto put = store_credentials(*grant_out, (*sec)->version);
  if (put) crash_point_ForTest("after_credentials_stored");  // TEST-ONLY, env-armed
  std::string what = "refreshed (" + why + ")";
  uint64_t version = put ? *put : 0;
  if (!put && put.error().cls == ErrorClass::kConflict) {
    auto cur = sv.store->secret_get(name, kCredentialsSecretName);
    Result<Grant> theirs = !cur ? Result<Grant>(cur.error())
                           : !cur->has_value()
                               ? Result<Grant>(Error::auth_revoked("stored credentials vanished"))
                               : adopt(**cur);
    if (!theirs) {
      return fail(from, theirs.error(), "refresh lost a race and could not re-read credentials");
    }
    version = (*cur)->version;
    *grant_out = std::move(*theirs);
    what = "adopted credentials refreshed elsewhere (" + why + ")";
  } else if (!put) {
    const std::string msg = "could not store the refreshed credentials after " +
                            std::to_string(opt.store_attempts) +
                            " attempts: " + put.error().message +
                            "; the provider may have rotated the refresh token, so the "
                            "connection must be authorized again";
    sv.log->log(LogLevel::kError, name, msg);
    return fail(ConnectionState::kDisconnected,
                Error::auth_revoked("connection " + name + ": " + msg), msg);
  }
  return connected(std::move(*grant_out), version, what);
}

std::string Connection::Impl::revoked_by_approval_limit(const json::object& credentials) {
  json::object identity;
  {
    std::lock_guard<std::mutex> lock(mu);
    identity = grant.identity;
  }
  const int64_t issued_ms = grant_issued_at_ms(*sv.store, name);
  if (issued_ms <= 0) return "";
  for (const SameUserGrant& other : same_user_grants(*sv.store, name, identity, credentials)) {
    if (other.authorized_at_ms > issued_ms) {
      return "; probably revoked by Salesforce's limit of 5 approvals per user and connected "
             "app: connection '" +
             other.connection + "' in this state authorized the same user " +
             duration_text(other.authorized_at_ms - issued_ms) +
             " after this connection's grant was issued";
    }
  }
  return "";
}

std::optional<store::SecretValue> Connection::Impl::wait_for_credentials_stored_elsewhere(
    uint64_t seen_version) {
  const int64_t poll_ms = std::max<int64_t>(1, opt.refresh_in_flight_poll_ms);
  const int64_t polls = std::max<int64_t>(1, opt.refresh_in_flight_wait_ms / poll_ms);
  for (int64_t i = 0; i < polls; ++i) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (wake.wait_for(lock, std::chrono::milliseconds(poll_ms), [&] { return stopping; })) {
        return std::nullopt;
      }
    }
    auto cur = sv.store->secret_get(name, kCredentialsSecretName);
    if (cur && cur->has_value() && (*cur)->version != seen_version) return **cur;
  }
  return std::nullopt;
}

}  // namespace chost::runtime
