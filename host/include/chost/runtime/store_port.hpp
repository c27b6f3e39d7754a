// RuntimeStore: the slice of durable state the runtime needs (instance key/value state, mirrored
// records, outbox, secrets with compare-and-swap, connection records with history, subjects).
// The runtime codes against this narrow interface so it can be tested with an in-memory fake;
// state_store_adapter.hpp maps it onto chost::store::StateStore. Method meanings follow
// StateStore one-to-one. Every method is safe to call from several threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::runtime {

// A decrypted secret; the destructor wipes the value.
struct StoredSecret {
  std::string value;
  uint64_t version = 0;  // 1 for the first put, +1 per put

  StoredSecret() = default;
  StoredSecret(std::string v, uint64_t ver) : value(std::move(v)), version(ver) {}
  StoredSecret(const StoredSecret&) = default;
  StoredSecret(StoredSecret&&) = default;
  StoredSecret& operator=(const StoredSecret&) = default;
  StoredSecret& operator=(StoredSecret&&) = default;
  ~StoredSecret();
};

// Durable lifecycle record of one connection. `state` is a connection state name
// (unauthorized, connected, refreshing, disconnected, disabled).
struct ConnectionRow {
  std::string name;
  std::string state;
  std::string reason;
  std::string identity_json = "{}";
  std::string public_json = "{}";    // non-secret connection data, e.g. instance_url
  int64_t access_expires_at_ms = 0;  // 0: unknown (e.g. Salesforce)
  int64_t last_used_at_ms = 0;
  int64_t updated_at_ms = 0;
};

struct SubjectRow {
  std::string subject_id;
  std::string display_name;
  std::string state;  // active, suspended, disabled
  std::string detail;
  int64_t updated_at_ms = 0;
};

struct OutboxRow {
  int64_t entry_id = 0;
  std::string collection;
  std::string id;
  std::string json;
};

// One write transaction in a namespace; destroying it uncommitted rolls it back.
class StoreTxn {
 public:
  virtual ~StoreTxn() = default;
  virtual Status put(std::string_view key, std::string_view value) = 0;
  virtual Status del(std::string_view key) = 0;
  virtual Status upsert_record(std::string_view collection, std::string_view id,
                               std::string_view json, bool deleted) = 0;
  virtual Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                                     std::string_view json) = 0;
  virtual Status outbox_done(int64_t entry_id, std::string_view error) = 0;
  virtual Status commit() = 0;  // durable when OK; ends the transaction either way
  virtual void rollback() = 0;  // no-op when already ended
};

class RuntimeStore {
 public:
  virtual ~RuntimeStore() = default;

  virtual Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) = 0;
  virtual Result<std::unique_ptr<StoreTxn>> begin(std::string_view ns) = 0;
  // The record's JSON, nullopt when absent.
  virtual Result<std::optional<std::string>> record_get(std::string_view ns,
                                                        std::string_view collection,
                                                        std::string_view id) = 0;
  virtual Result<std::vector<OutboxRow>> outbox_pending(std::string_view ns, size_t limit) = 0;

  virtual Result<std::optional<StoredSecret>> secret_get(std::string_view ns,
                                                         std::string_view name) = 0;
  // Compare-and-swap on `expected_version` (0: must not exist); kConflict otherwise. Durable
  // (fsync'd) when OK. Returns the new version.
  virtual Result<uint64_t> secret_put(std::string_view ns, std::string_view name,
                                      std::string_view value, uint64_t expected_version) = 0;

  virtual Status put_connection(const ConnectionRow& row) = 0;
  virtual Result<std::optional<ConnectionRow>> get_connection(std::string_view name) = 0;
  virtual Status append_history(std::string_view name, std::string_view from_state,
                                std::string_view to_state, std::string_view reason,
                                int64_t at_ms) = 0;

  virtual Status upsert_subject(std::string_view ns, const SubjectRow& subject) = 0;
};

}  // namespace chost::runtime
