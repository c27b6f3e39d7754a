// InstanceContext: what stands behind the ABI's opaque chp_host_ctx, one per connector
// instance: its name (also its store namespace), the services the host callbacks use, the
// connection it borrows tokens from (`uses:`), and the transactions its current hook opened
// (rolled back when the hook returns without committing them).
#pragma once

#include <connector_host/plugin_api.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chost/runtime/services.hpp"
#include "chost/runtime/status.hpp"

namespace chost::runtime {

class ConnectionManager;
struct TxnHandle;  // behind chp_txn, defined in host_callbacks.cpp

class InstanceContext {
 public:
  // `connections` may be null when `uses_connection` is empty. Everything pointed to must
  // outlive the context.
  InstanceContext(std::string name, RuntimeServices services, StatusBoard* board,
                  ConnectionManager* connections, std::string uses_connection);
  ~InstanceContext();
  InstanceContext(const InstanceContext&) = delete;
  InstanceContext& operator=(const InstanceContext&) = delete;

  chp_host_ctx* handle() { return reinterpret_cast<chp_host_ctx*>(this); }
  static InstanceContext* from(chp_host_ctx* ctx) {
    return reinterpret_cast<InstanceContext*>(ctx);
  }

  const std::string& name() const { return name_; }
  const std::string& uses_connection() const { return uses_connection_; }
  const RuntimeServices& services() const { return services_; }
  StatusBoard* board() const { return board_; }
  ConnectionManager* connections() const { return connections_; }

  // Hook bracketing: end_hook() rolls back every transaction the hook left open and frees the
  // handles (so a stale chp_txn from an earlier call is never dereferenced).
  void begin_hook();
  void end_hook();
  TxnHandle* adopt_txn(std::unique_ptr<TxnHandle> txn);
  size_t open_txns_ForTest() const;

  // The last store failure during the current hook (SQLite's words and the path): a store
  // callback returns only a class, so run_hook adds this to the hook's error when it fails.
  void note_store_error(std::string message);
  std::optional<std::string> take_store_error();

  // Generation of the last token handed to this instance (for CHP_TOKEN_REJECTED).
  std::optional<uint64_t> last_token_generation() const;
  void set_last_token_generation(uint64_t generation);
  // Set when connection_token found the connection not connected; the scheduler suspends.
  bool take_connection_lost() { return connection_lost_.exchange(false); }
  void note_connection_lost() { connection_lost_.store(true); }

 private:
  std::string name_;
  RuntimeServices services_;
  StatusBoard* board_;
  ConnectionManager* connections_;
  std::string uses_connection_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<TxnHandle>> txns_;
  std::optional<uint64_t> last_generation_;
  std::optional<std::string> store_error_;
  std::atomic<bool> connection_lost_{false};
};

}  // namespace chost::runtime
