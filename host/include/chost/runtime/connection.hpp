// Connection: the host-owned credential broker of one provider connection. It owns the grant
// (typed, parsed once when a hook hands it over), the state machine unauthorized -> connected <->
// refreshing -> disconnected, and disabled; a single-flight refresh on its own thread; backoff;
// and its own lock, which is never an instance's hook lock:
//  - the provider's credential hooks (authorize, refresh, disable) run on the provider's
//    *credential instance* (a second instance of the plugin, created from the same config), so
//    they never run nested inside the provider's own sync;
//  - token() waits for a refresh at most until the caller's deadline or cancellation; it never
//    waits for anybody's sync;
//  - once the token request is sent, nothing cancels it (stop, disable of another connector,
//    reload, deadlines): the refresh thread waits for the answer within token_response_ms and
//    stores a rotated grant durably (retried, bounded) before anyone gets the new token;
//  - transient failures back off exponentially with jitter; auth_revoked disconnects at once
//    and nothing refreshes again until an admin authorizes or presses Refresh; a 401 right after
//    a refresh made for a 401 disconnects with a reason instead of refreshing in a loop;
//  - a refresh the provider refuses because another request with the same refresh token is in
//    flight (CHP_ERR_CONFLICT: another host or process on this state) waits for that result to
//    be stored and adopts it; the same refresh token is never sent again.
// Every transition is logged with its reason, stored (connection row + history) and shown on
// the StatusBoard.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chost/common/result.hpp"
#include "chost/runtime/backoff.hpp"
#include "chost/runtime/instance_context.hpp"
#include "chost/runtime/plugin_port.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

enum class ConnectionState { kUnauthorized = 1, kConnected, kRefreshing, kDisconnected, kDisabled };
const char* to_string(ConnectionState state);
InstanceState board_state(ConnectionState state);

struct ConnectionOptions {
  int64_t refresh_margin_ms = 5 * 60 * 1000;  // clamped to a quarter of the grant's lifetime
  int64_t keepalive_idle_ms = 0;              // 0: no keep-alive refresh
  int64_t refresh_timeout_ms = 60 * 1000;     // until the token request must have been sent
  int64_t token_response_ms = 5 * 60 * 1000;  // for its answer, once sent
  int64_t authorize_timeout_ms = 60 * 1000;
  int64_t disable_timeout_ms = 60 * 1000;
  // A token rejected (HTTP 401) this soon after a refresh that was made for a rejection means
  // the 401 persists: refreshing again would not help.
  int64_t fresh_token_window_ms = 60 * 1000;
  // The provider answered that another request with the same refresh token is in flight
  // (the refresh hook's CHP_ERR_CONFLICT): how long to wait for its result to reach the stored
  // credentials, looking every poll. The same refresh token is never sent again.
  int64_t refresh_in_flight_wait_ms = 30 * 1000;
  int64_t refresh_in_flight_poll_ms = 250;
  int store_attempts = 5;                // durable write of a refreshed grant
  int64_t store_retry_initial_ms = 100;  // doubles per attempt
  BackoffPolicy backoff;
};

// What a user of the connection receives.
struct ConnectionToken {
  std::string access_token;
  // {"access_token":..,"token_type":..,<public connection members>} for connection_token.
  std::string json;
  uint64_t generation = 0;  // changes with every new access token; pass back when rejected
};

struct TokenRequest {
  // The generation the caller saw rejected (HTTP 401); 0: whatever is current.
  std::optional<uint64_t> rejected_generation;
  int64_t deadline_steady_ms = std::numeric_limits<int64_t>::max();  // on Clock::steady_ms()
  const std::atomic<bool>* cancelled = nullptr;                      // the caller's flag
};

// The provider's credential instance: receives authorize, refresh and disable only. Must
// outlive the Connection.
struct CredentialInstance {
  PluginHooksPort* hooks = nullptr;
  InstanceContext* ctx = nullptr;
  HookGate* gate = nullptr;
};

class Connection {
 public:
  using Listener = std::function<void(const std::string& name, ConnectionState state)>;

  // Restores the state from the store (a host that stopped while "refreshing" resumes as
  // connected) and starts the refresh thread. `notify` runs after every state change, outside
  // the connection's lock, on the changing thread. `board` may be null.
  static Result<std::unique_ptr<Connection>> open(std::string name, CredentialInstance credential,
                                                  RuntimeServices services,
                                                  ConnectionOptions options, StatusBoard* board,
                                                  Listener notify);
  ~Connection();  // shutdown()
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The current token; refreshes first (single-flight, on the refresh thread) when it is within
  // the margin of expiry or when the caller reports it rejected. kAuthRevoked when not connected;
  // kTransient while backing off; kCancelled when the caller's deadline or flag ends the wait
  // (the refresh goes on and its outcome is kept).
  Result<ConnectionToken> token(const TokenRequest& request);

  // Admin: runs authorize on the credential instance. With credentials in its output they are
  // stored and the connection becomes connected. Returns the output without credentials.
  Result<std::string> authorize(std::string_view input_json);
  // Admin: refresh now, also from disconnected; waits for the outcome.
  Status refresh_now();
  // Admin: disable hook (once: a disabled connection does not call it again, also after a
  // restart) and state disabled; enable() undoes it.
  Status disable(std::string_view reason);
  Status enable();

  // Queues a refresh ahead of expiry or as keep-alive when due; never waits.
  void maintain();
  // Refuses new refreshes; one whose request was sent finishes and is stored. Joins the thread.
  void shutdown();

  const std::string& name() const;
  ConnectionState state() const;
  std::string reason() const;

  size_t waiting_ForTest() const;
  int64_t next_attempt_at_ms_ForTest() const;
  uint64_t refreshes_started_ForTest() const;

 private:
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chost::runtime
