// ConnectionManager: the host-owned credential lifecycle of every connection-providing
// instance. States unauthorized -> connected <-> refreshing -> disconnected, and disabled;
// every transition is logged with its reason and appended to the store's history.
//
// Credentials (the plugin's "credentials" output) live only in the encrypted secret store;
// users of a connection get its public object plus the access token through token(). Refresh:
//  - single-flight: callers needing a refresh serialize on the instance's HookGate and re-check
//    a generation counter, so N concurrent callers cause one plugin refresh and share it;
//  - ahead of expiry by refresh_margin_ms, on demand when a user reports the token rejected,
//    and as keep-alive when unused for keepalive_idle_ms (maintain());
//  - rotated credentials are stored with compare-and-swap on the version they were read at,
//    durably, before anyone receives the new access token. A CAS conflict means another
//    process refreshed: its credentials are re-read and used;
//  - transient failures back off exponentially with jitter; auth_revoked disconnects at once
//    and nothing refreshes again until an admin authorizes or refreshes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/runtime/backoff.hpp"
#include "chost/runtime/plugin_port.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

enum class ConnectionState { kUnauthorized = 1, kConnected, kRefreshing, kDisconnected, kDisabled };
const char* to_string(ConnectionState state);

struct ConnectionOptions {
  int64_t refresh_margin_ms = 5 * 60 * 1000;
  int64_t keepalive_idle_ms = 0;  // 0: no keep-alive refresh
  int64_t refresh_timeout_ms = 60 * 1000;
  int64_t authorize_timeout_ms = 60 * 1000;
  int64_t disable_timeout_ms = 60 * 1000;
  BackoffPolicy backoff;
};

// What a user of the connection receives.
struct ConnectionToken {
  std::string access_token;
  // {"access_token":..,"token_type":..,<public connection members>} for connection_token.
  std::string json;
  uint64_t generation = 0;  // changes with every new access token; pass back when rejected
};

class ConnectionManager {
 public:
  using Listener = std::function<void(const std::string& name, ConnectionState state)>;

  // `services` and `board` must outlive the manager.
  ConnectionManager(RuntimeServices services, ConnectionOptions options, StatusBoard* board);
  ~ConnectionManager();
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  // Registers a provider and restores its state from the store. `hooks` and `gate` must
  // outlive the manager. A crash mid-refresh ("refreshing" in the store) resumes as connected.
  Status add(const std::string& name, PluginHooksPort* hooks, HookGate* gate);

  // The current token, refreshing first when it is within the margin of expiry or when
  // `rejected_generation` names the generation the caller saw rejected (HTTP 401). kAuthRevoked
  // when not connected (unauthorized, disconnected, disabled); kTransient while backing off.
  Result<ConnectionToken> token(std::string_view name,
                                std::optional<uint64_t> rejected_generation = std::nullopt);

  // Admin: runs the plugin's authorize hook. When its output carries credentials they are
  // stored and the connection becomes connected. Returns the output without credentials
  // (e.g. {"authorize_url":..,"state":..} for an interactive start).
  Result<std::string> authorize(std::string_view name, std::string_view input_json);
  // Admin: refresh now, also from disconnected (an admin's explicit retry).
  Status refresh_now(std::string_view name);
  // Admin: calls the plugin's disable hook and moves to disabled; enable() undoes it.
  Status disable(std::string_view name, std::string_view reason);
  Status enable(std::string_view name);

  // Refresh-ahead and keep-alive for every connection that is due; call periodically.
  void maintain();

  // Sets the cancellation flag of every hook call in flight (shutdown).
  void cancel_all();

  std::optional<ConnectionState> state(std::string_view name) const;
  std::vector<std::string> names() const;
  // Called after every state change, outside the manager's locks, on the changing thread.
  void add_listener(Listener listener);

  size_t callers_in_refresh_ForTest(std::string_view name) const;
  int64_t next_attempt_at_ms_ForTest(std::string_view name) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chost::runtime
