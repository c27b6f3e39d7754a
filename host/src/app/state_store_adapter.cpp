// StateStoreAdapter: RuntimeStore -> store::StateStore, translating row types.
#include "chost/app/state_store_adapter.hpp"

namespace chost::app {

namespace {

class TxnAdapter final : public runtime::StoreTxn {
 public:
  explicit TxnAdapter(std::unique_ptr<store::Transaction> txn) : txn_(std::move(txn)) {}
  Status put(std::string_view key, std::string_view value) override {
    return txn_->put(key, value);
  }
  Status del(std::string_view key) override { return txn_->del(key); }
  Status upsert_record(std::string_view collection, std::string_view id, std::string_view json,
                       bool deleted) override {
    return txn_->upsert_record(collection, id, json, deleted);
  }
  Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                             std::string_view json) override {
    return txn_->outbox_add(collection, id, json);
  }
  Status outbox_done(int64_t entry_id, std::string_view error) override {
    return txn_->outbox_done(entry_id, error);
  }
  Status commit() override { return txn_->commit(); }
  void rollback() override { txn_->rollback(); }

 private:
  std::unique_ptr<store::Transaction> txn_;
};

}  // namespace

Result<std::optional<std::string>> StateStoreAdapter::get(std::string_view ns,
                                                          std::string_view key) {
  return store_.get(ns, key);
}

Result<std::unique_ptr<runtime::StoreTxn>> StateStoreAdapter::begin(std::string_view ns) {
  auto txn = store_.begin(ns);
  if (!txn) return txn.error();
  return std::unique_ptr<runtime::StoreTxn>(std::make_unique<TxnAdapter>(std::move(*txn)));
}

Result<std::optional<std::string>> StateStoreAdapter::record_get(std::string_view ns,
                                                                 std::string_view collection,
                                                                 std::string_view id) {
  auto rec = store_.record_get(ns, collection, id);
  if (!rec) return rec.error();
  if (!rec->has_value()) return std::optional<std::string>();
  return std::optional<std::string>((*rec)->json);
}

Result<std::vector<runtime::OutboxRow>> StateStoreAdapter::outbox_pending(std::string_view ns,
                                                                          size_t limit) {
  auto entries = store_.outbox_pending(ns, limit);
  if (!entries) return entries.error();
  std::vector<runtime::OutboxRow> rows;
  rows.reserve(entries->size());
  for (const store::OutboxEntry& e : *entries) {
    rows.push_back(runtime::OutboxRow{e.entry_id, e.collection, e.id, e.json});
  }
  return rows;
}

Result<std::optional<runtime::StoredSecret>> StateStoreAdapter::secret_get(std::string_view ns,
                                                                           std::string_view name) {
  auto sec = store_.secret_get(ns, name);
  if (!sec) return sec.error();
  if (!sec->has_value()) return std::optional<runtime::StoredSecret>();
  return std::optional<runtime::StoredSecret>(
      runtime::StoredSecret((*sec)->value, (*sec)->version));
}

Result<uint64_t> StateStoreAdapter::secret_put(std::string_view ns, std::string_view name,
                                               std::string_view value, uint64_t expected_version) {
  return store_.secret_put(ns, name, value, expected_version);
}

Status StateStoreAdapter::put_connection(const runtime::ConnectionRow& row) {
  store::ConnectionRecord r;
  r.name = row.name;
  r.state = row.state;
  r.reason = row.reason;
  r.identity_json = row.identity_json;
  r.public_json = row.public_json;
  r.access_expires_at_ms = row.access_expires_at_ms;
  r.last_used_at_ms = row.last_used_at_ms;
  r.updated_at_ms = row.updated_at_ms;
  return store_.put_connection(r);
}

Result<std::optional<runtime::ConnectionRow>> StateStoreAdapter::get_connection(
    std::string_view name) {
  auto rec = store_.get_connection(name);
  if (!rec) return rec.error();
  if (!rec->has_value()) return std::optional<runtime::ConnectionRow>();
  const store::ConnectionRecord& r = **rec;
  runtime::ConnectionRow row;
  row.name = r.name;
  row.state = r.state;
  row.reason = r.reason;
  row.identity_json = r.identity_json;
  row.public_json = r.public_json;
  row.access_expires_at_ms = r.access_expires_at_ms;
  row.last_used_at_ms = r.last_used_at_ms;
  row.updated_at_ms = r.updated_at_ms;
  return std::optional<runtime::ConnectionRow>(std::move(row));
}

Status StateStoreAdapter::append_history(std::string_view name, std::string_view from_state,
                                         std::string_view to_state, std::string_view reason,
                                         int64_t at_ms) {
  return store_.append_history(name, from_state, to_state, reason, at_ms);
}

Status StateStoreAdapter::upsert_subject(std::string_view ns, const runtime::SubjectRow& subject) {
  store::SubjectRecord r;
  r.subject_id = subject.subject_id;
  r.display_name = subject.display_name;
  r.state = subject.state;
  r.detail = subject.detail;
  r.updated_at_ms = subject.updated_at_ms;
  return store_.upsert_subject(ns, r);
}

}  // namespace chost::app
