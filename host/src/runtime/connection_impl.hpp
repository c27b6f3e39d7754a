// Connection::Impl, shared by connection.cpp (state, token(), admin actions) and
// connection_refresh.cpp (the refresh thread, the refresh flow, the durable write).
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "chost/runtime/call_state.hpp"
#include "chost/runtime/connection.hpp"
#include "grant.hpp"

namespace chost::runtime {

// Why a refresh was made for a 401; a token from such a refresh that is rejected at once means
// the 401 persists.
inline constexpr const char* kRejectedWhy = "token rejected by the API";

struct Connection::Impl {
  std::string name;
  CredentialInstance cred;
  RuntimeServices sv;
  ConnectionOptions opt;
  StatusBoard* board = nullptr;
  Listener notify;

  mutable std::mutex mu;
  std::condition_variable refresh_done;  // waiters in token() / refresh_now()
  std::condition_variable wake;          // the refresh thread

  // --- guarded by mu ---
  ConnectionState state = ConnectionState::kUnauthorized;
  std::string reason;
  Grant grant;
  uint64_t credentials_version = 0;  // of the stored secret `grant` was read from / written to
  std::string access_token;
  std::string token_text;  // token_json(grant), once per generation
  std::string public_json = "{}";
  std::string identity_json = "{}";
  int64_t last_used_at_ms = 0;
  int64_t last_refreshed_at_ms = 0;
  uint64_t generation = 0;
  int64_t issued_steady_ms = 0;       // when the current token arrived
  bool issued_for_rejection = false;  // ... by a refresh made because of a 401
  int64_t margin_ms = 0;              // refresh_margin, clamped to the grant's lifetime
  bool margin_clamp_logged = false;
  uint32_t failures = 0;
  int64_t next_attempt_steady_ms = 0;
  // Refresh queue: one refresh in flight at most, one queued behind it at most.
  bool requested = false;
  bool requested_by_admin = false;
  std::string requested_why;
  bool in_flight = false;
  uint64_t started_seq = 0;
  uint64_t done_seq = 0;
  Status last_outcome;
  bool stopping = false;
  size_t waiting = 0;

  CancelFlag pre_send_cancel = make_cancel_flag();  // set by shutdown(): do not send
  std::thread worker;

  // mu held. Records, logs, persists; true when the state changed (notify after unlocking).
  bool transition(ConnectionState to, std::string why);
  void persist();  // mu held
  // mu held. Adopts a grant that is durable in the store.
  void apply(Grant g, uint64_t version, bool for_rejection);
  ConnectionToken token_of() const;  // mu held
  Error not_connected() const;       // mu held
  bool token_still_valid() const;    // mu held
  // mu held: queues a refresh unless one is in flight or queued; the seq that will answer it.
  uint64_t request_refresh(std::string why, bool admin);
  void notify_change(ConnectionState to);  // mu NOT held

  // The refresh thread.
  void run_worker();
  Status refresh_flow(const std::string& why, bool admin);
  // After the provider said another refresh with the same token is in flight: the stored
  // credentials once their version differs from `seen_version` (nullopt: none within the
  // wait, or the host is stopping).
  std::optional<store::SecretValue> wait_for_credentials_stored_elsewhere(uint64_t seen_version);
  // "; probably revoked by ..." when another connection of this state authorized the same user
  // of the same app after this grant was issued (Salesforce's 5 approvals); else empty.
  std::string revoked_by_approval_limit(const boost::json::object& credentials);
  // Durable write of a grant's credentials with compare-and-swap on `expected_version`, retried
  // on store errors (not on conflicts). The new version, or the last error.
  Result<uint64_t> store_credentials(const Grant& g, uint64_t expected_version);
};

}  // namespace chost::runtime
