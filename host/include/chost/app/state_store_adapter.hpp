// StateStoreAdapter: the runtime's RuntimeStore port implemented over chost::store::StateStore,
// so the runtime (which codes against the narrow port) runs on the real SQLite state. Methods
// map one-to-one; only the row types are translated.
#pragma once

#include "chost/runtime/store_port.hpp"
#include "chost/store/state_store.hpp"

namespace chost::app {

class StateStoreAdapter final : public runtime::RuntimeStore {
 public:
  // `store` must outlive the adapter.
  explicit StateStoreAdapter(store::StateStore& store) : store_(store) {}

  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override;
  Result<std::unique_ptr<runtime::StoreTxn>> begin(std::string_view ns) override;
  Result<std::optional<std::string>> record_get(std::string_view ns, std::string_view collection,
                                                std::string_view id) override;
  Result<std::vector<runtime::OutboxRow>> outbox_pending(std::string_view ns,
                                                         size_t limit) override;
  Result<std::optional<runtime::StoredSecret>> secret_get(std::string_view ns,
                                                          std::string_view name) override;
  Result<uint64_t> secret_put(std::string_view ns, std::string_view name, std::string_view value,
                              uint64_t expected_version) override;
  Status put_connection(const runtime::ConnectionRow& row) override;
  Result<std::optional<runtime::ConnectionRow>> get_connection(std::string_view name) override;
  Status append_history(std::string_view name, std::string_view from_state,
                        std::string_view to_state, std::string_view reason, int64_t at_ms) override;
  Status upsert_subject(std::string_view ns, const runtime::SubjectRow& subject) override;

 private:
  store::StateStore& store_;
};

}  // namespace chost::app
