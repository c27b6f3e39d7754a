// Test doubles for the runtime's unit tests.
#include "fakes.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "chost/runtime/host_callbacks.hpp"
#include "chost/store/sqlite_store.hpp"

namespace chost::runtime::testing {

bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 5000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

bool FakeLog::contains(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(lines_.begin(), lines_.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

Result<HttpOutcome> FakeHttp::perform(const HttpRequestSpec& request, const HttpResponseHandler& h,
                                      const std::atomic<bool>& cancelled) {
  if (cancelled.load()) return Error::cancelled("cancelled");
  Seen s{std::string(request.method), std::string(request.url),      std::string(request.body), {},
         request.timeout_ms,          std::string(request.connector)};
  for (auto& [n, v] : request.headers) s.headers[std::string(n)] = std::string(v);
  {
    std::lock_guard<std::mutex> lock(mu_);
    seen_.push_back(s);
  }
  if (!handler) return Error::transient("no handler");
  auto r = handler(s);
  if (!r) return r.error();
  if (h.on_header) h.on_header("content-type", "application/json");
  if (h.on_body && !r->body.empty()) h.on_body(r->body);
  return HttpOutcome{r->status, r->attempts, r->waited_ms};
}

size_t FakeHttp::count(std::string_view url_part) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::count_if(seen_.begin(), seen_.end(),
                       [&](const Seen& s) { return s.url.find(url_part) != std::string::npos; });
}

// Counts successful commits; otherwise the real transaction.
class FaultyStore::CountingTransaction final : public store::Transaction {
 public:
  CountingTransaction(std::unique_ptr<store::Transaction> real, std::atomic<size_t>& commits)
      : real_(std::move(real)), commits_(commits) {}
  Status put(std::string_view key, std::string_view value) override {
    return real_->put(key, value);
  }
  Status del(std::string_view key) override { return real_->del(key); }
  Result<std::optional<std::string>> get(std::string_view key) override { return real_->get(key); }
  Status upsert_record(std::string_view collection, std::string_view id, std::string_view json,
                       bool deleted) override {
    return real_->upsert_record(collection, id, json, deleted);
  }
  Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                             std::string_view json) override {
    return real_->outbox_add(collection, id, json);
  }
  Status outbox_done(int64_t entry_id, std::string_view error) override {
    return real_->outbox_done(entry_id, error);
  }
  Status commit() override {
    Status s = real_->commit();
    if (s) ++commits_;
    return s;
  }
  void rollback() override { real_->rollback(); }

 private:
  std::unique_ptr<store::Transaction> real_;
  std::atomic<size_t>& commits_;
};

FaultyStore::FaultyStore() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "chost-runtime-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    std::abort();  // nothing below can work without the store
  }
  dir_ = tmpl;
  auto opened = store::open_sqlite_store((dir_ / "state.db").string(), store::MasterKey::random());
  if (!opened) {
    ADD_FAILURE() << "cannot open the test store: " << opened.error().message;
    std::abort();
  }
  real_ = std::move(*opened);
}

FaultyStore::~FaultyStore() {
  real_.reset();  // close the database before removing its files
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

Result<std::optional<std::string>> FaultyStore::get(std::string_view ns, std::string_view key) {
  return real_->get(ns, key);
}

Result<std::unique_ptr<store::Transaction>> FaultyStore::begin(std::string_view ns) {
  auto txn = real_->begin(ns);
  if (!txn) return txn.error();
  return std::unique_ptr<store::Transaction>(
      std::make_unique<CountingTransaction>(std::move(*txn), commits_));
}

Result<std::optional<store::MirroredRecord>> FaultyStore::record_get(std::string_view ns,
                                                                     std::string_view collection,
                                                                     std::string_view id) {
  return real_->record_get(ns, collection, id);
}

Result<uint64_t> FaultyStore::count_records(std::string_view ns, std::string_view collection,
                                            bool include_deleted) {
  return real_->count_records(ns, collection, include_deleted);
}

Result<std::vector<std::string>> FaultyStore::list_record_ids(std::string_view ns,
                                                              std::string_view collection,
                                                              std::string_view after_id,
                                                              size_t limit) {
  return real_->list_record_ids(ns, collection, after_id, limit);
}

Result<std::vector<std::string>> FaultyStore::list_collections(std::string_view ns) {
  return real_->list_collections(ns);
}

Result<std::vector<store::OutboxEntry>> FaultyStore::outbox_pending(std::string_view ns,
                                                                    size_t limit) {
  return real_->outbox_pending(ns, limit);
}

Result<std::vector<store::OutboxEntry>> FaultyStore::outbox_failed(std::string_view ns) {
  return real_->outbox_failed(ns);
}

Status FaultyStore::outbox_retry(std::string_view ns, int64_t entry_id) {
  return real_->outbox_retry(ns, entry_id);
}

Result<std::optional<store::SecretValue>> FaultyStore::secret_get(std::string_view ns,
                                                                  std::string_view name) {
  return real_->secret_get(ns, name);
}

Result<uint64_t> FaultyStore::secret_put(std::string_view ns, std::string_view name,
                                         std::string_view value, uint64_t expected_version) {
  std::function<void()> hook;
  {
    std::lock_guard<std::mutex> lock(faults_mu_);
    hook = std::move(before_secret_put);
    before_secret_put = nullptr;
  }
  if (hook) hook();  // outside the lock: the hook may call secret_put itself
  {
    std::lock_guard<std::mutex> lock(faults_mu_);
    if (name == kCredentialsSecretName && fail_next_credentials_put) {
      Error e = *fail_next_credentials_put;
      if (--fail_credentials_puts_left <= 0) fail_next_credentials_put.reset();
      return e;
    }
  }
  return real_->secret_put(ns, name, value, expected_version);
}

Status FaultyStore::secret_delete(std::string_view ns, std::string_view name) {
  return real_->secret_delete(ns, name);
}

Status FaultyStore::rotate_key(store::MasterKey new_key) {
  return real_->rotate_key(std::move(new_key));
}

Status FaultyStore::put_connection(const store::ConnectionRecord& record) {
  return real_->put_connection(record);
}

Result<std::optional<store::ConnectionRecord>> FaultyStore::get_connection(std::string_view name) {
  return real_->get_connection(name);
}

Result<std::vector<store::ConnectionRecord>> FaultyStore::list_connections() {
  return real_->list_connections();
}

Status FaultyStore::append_history(std::string_view name, std::string_view from_state,
                                   std::string_view to_state, std::string_view reason,
                                   int64_t at_ms) {
  return real_->append_history(name, from_state, to_state, reason, at_ms);
}

Result<std::vector<store::HistoryEntry>> FaultyStore::list_history(std::string_view name,
                                                                   size_t limit) {
  return real_->list_history(name, limit);
}

Status FaultyStore::upsert_subject(std::string_view ns, const store::SubjectRecord& subject) {
  return real_->upsert_subject(ns, subject);
}

Result<std::optional<store::SubjectRecord>> FaultyStore::get_subject(std::string_view ns,
                                                                     std::string_view subject_id) {
  return real_->get_subject(ns, subject_id);
}

Result<std::vector<store::SubjectRecord>> FaultyStore::list_subjects(std::string_view ns) {
  return real_->list_subjects(ns);
}

Status FaultyStore::put_instance_status(const store::InstanceStatusRecord& record) {
  return real_->put_instance_status(record);
}

Result<std::optional<store::InstanceStatusRecord>> FaultyStore::get_instance_status(
    std::string_view name) {
  return real_->get_instance_status(name);
}

Result<std::vector<store::InstanceStatusRecord>> FaultyStore::list_instance_statuses() {
  return real_->list_instance_statuses();
}

Status FaultyStore::delete_instance_status(std::string_view name) {
  return real_->delete_instance_status(name);
}

Result<bool> FaultyStore::try_acquire_lease(std::string_view name, std::string_view owner,
                                            int64_t ttl_ms, int64_t now_ms) {
  return real_->try_acquire_lease(name, owner, ttl_ms, now_ms);
}

Status FaultyStore::release_lease(std::string_view name, std::string_view owner) {
  return real_->release_lease(name, owner);
}

void FaultyStore::put_kv_ForTest(const std::string& ns, const std::string& key,
                                 const std::string& value) {
  auto txn = real_->begin(ns);  // not counted in commits_ForTest(): only the runtime's are
  ASSERT_TRUE(txn) << txn.error().message;
  ASSERT_TRUE((*txn)->put(key, value));
  Status s = (*txn)->commit();
  ASSERT_TRUE(s) << s.error().message;
}

std::optional<std::string> FaultyStore::kv_ForTest(const std::string& ns,
                                                   const std::string& key) const {
  auto v = real_->get(ns, key);
  EXPECT_TRUE(v) << v.error().message;
  return v ? *v : std::nullopt;
}

std::vector<std::string> FaultyStore::history_ForTest(const std::string& name) const {
  constexpr size_t kAll = 100000;  // more than the store keeps per connection
  auto entries = real_->list_history(name, kAll);
  EXPECT_TRUE(entries) << entries.error().message;
  std::vector<std::string> out;
  if (!entries) return out;
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {  // newest first -> oldest
    out.push_back(it->from_state + "->" + it->to_state + ": " + it->reason);
  }
  return out;
}

std::optional<store::SubjectRecord> FaultyStore::subject_ForTest(const std::string& ns,
                                                                 const std::string& id) const {
  auto subject = real_->get_subject(ns, id);
  EXPECT_TRUE(subject) << subject.error().message;
  return subject ? *subject : std::nullopt;
}

}  // namespace chost::runtime::testing
