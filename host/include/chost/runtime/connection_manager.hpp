// ConnectionManager: the registry of Connection objects (one per provider connection, see
// connection.hpp), by name. Connections are added and removed one at a time (a provider that is
// re-created on reload replaces only its own), and each keeps its own lock and refresh thread:
// the registry's lock is held only to look a connection up. Listeners hear every state change
// of every connection (the scheduler suspends and resumes the connectors that use it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/runtime/connection.hpp"
#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

class ConnectionManager {
 public:
  using Listener = Connection::Listener;

  // `services` and `board` must outlive the manager.
  ConnectionManager(RuntimeServices services, ConnectionOptions options, StatusBoard* board);
  ~ConnectionManager();  // shuts every connection down
  ConnectionManager(const ConnectionManager&) = delete;
  ConnectionManager& operator=(const ConnectionManager&) = delete;

  // Registers a provider (restoring its state from the store). `credential` must outlive the
  // connection's removal. kConflict when the name is taken.
  Status add(const std::string& name, CredentialInstance credential);
  // Shuts the connection down (a refresh in flight finishes and is stored) and forgets it.
  void remove(std::string_view name);

  // nullptr when no connection has that name. The shared_ptr keeps it alive for the caller.
  std::shared_ptr<Connection> find(std::string_view name) const;

  // Forwarders to the named connection; kNotFound when there is none.
  Result<ConnectionToken> token(std::string_view name, const TokenRequest& request);
  Result<ConnectionToken> token(std::string_view name,
                                std::optional<uint64_t> rejected_generation = std::nullopt);
  Result<std::string> authorize(std::string_view name, std::string_view input_json);
  Status refresh_now(std::string_view name);
  Status disable(std::string_view name, std::string_view reason);
  Status enable(std::string_view name);

  void maintain();      // every connection's maintain()
  void shutdown_all();  // every connection's shutdown(); they stay registered

  std::optional<ConnectionState> state(std::string_view name) const;
  std::vector<std::string> names() const;
  void add_listener(Listener listener);

  size_t callers_in_refresh_ForTest(std::string_view name) const;
  int64_t next_attempt_at_ms_ForTest(std::string_view name) const;

 private:
  void notify(const std::string& name, ConnectionState state);

  RuntimeServices services_;
  ConnectionOptions options_;
  StatusBoard* board_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Connection>, std::less<>> conns_;
  std::mutex listeners_mu_;
  std::vector<Listener> listeners_;
};

}  // namespace chost::runtime
