// Test doubles of the runtime's ports for the runtime's unit tests: in-memory fakes of HTTP,
// clock, random, log and metrics (small on purpose: just enough state to observe behaviour), and
// FaultyStore, the real SQLite store with fault injection.
#pragma once

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "chost/runtime/clock.hpp"
#include "chost/runtime/services.hpp"
#include "chost/store/state_store.hpp"

namespace chost::runtime::testing {

// Polls `cond` every millisecond for at most 5 s (a bounded wait, never a timed assertion).
bool eventually(const std::function<bool()>& cond);

class FakeClock final : public Clock {
 public:
  int64_t now_ms() const override { return 1'700'000'000'000 + t_.load(); }
  int64_t steady_ms() const override { return t_.load(); }
  void advance_ms(int64_t ms) { t_ += ms; }

 private:
  std::atomic<int64_t> t_{1000};
};

// Returns values from a fixed list, cycling.
class FakeRandom final : public RandomSource {
 public:
  explicit FakeRandom(std::vector<double> values = {0.0}) : values_(std::move(values)) {}
  double uniform01() override {
    std::lock_guard<std::mutex> lock(mu_);
    return values_[i_++ % values_.size()];
  }

 private:
  std::mutex mu_;
  std::vector<double> values_;
  size_t i_ = 0;
};

class FakeLog final : public LogPort {
 public:
  void log(LogLevel, std::string_view connector, std::string_view message) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back("[" + std::string(connector) + "] " + std::string(message));
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  bool contains(std::string_view needle) const;

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

class FakeMetrics final : public MetricsPort {
 public:
  void counter_add(std::string_view name, std::string_view connector, double delta) override {
    std::lock_guard<std::mutex> lock(mu_);
    values_[std::string(name) + "{connector=" + std::string(connector) + "}"] += delta;
  }
  void gauge_set(std::string_view name, std::string_view connector, double value) override {
    std::lock_guard<std::mutex> lock(mu_);
    values_[std::string(name) + "{connector=" + std::string(connector) + "}"] = value;
  }
  // Labelled series, keyed name{k=v,...} in the given label order.
  void counter_add(std::string_view name, const Labels& labels, double delta) override {
    std::string key = std::string(name) + "{";
    for (size_t i = 0; i < labels.size(); ++i) {
      key += (i ? "," : "") + labels[i].first + "=" + labels[i].second;
    }
    std::lock_guard<std::mutex> lock(mu_);
    values_[key + "}"] += delta;
  }
  double value(const std::string& key) const {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = values_.find(key);
    return it == values_.end() ? 0.0 : it->second;
  }

 private:
  mutable std::mutex mu_;
  std::map<std::string, double> values_;
};

struct FakeHttpResponse {
  uint32_t status = 200;
  std::string body;
  uint32_t attempts = 1;  // what the host's client would report (retries it made)
  uint64_t waited_ms = 0;
};

// Answers each request through `handler`; records requests (with headers) for assertions.
class FakeHttp final : public HttpPort {
 public:
  struct Seen {
    std::string method, url, body;
    std::map<std::string, std::string> headers;
    uint32_t timeout_ms = 0;
    std::string connector;
  };
  std::function<Result<FakeHttpResponse>(const Seen&)> handler;

  Result<HttpOutcome> perform(const HttpRequestSpec& request, const HttpResponseHandler& h,
                              const std::atomic<bool>& cancelled) override;
  std::vector<Seen> seen() const {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }
  size_t count(std::string_view url_part) const;

 private:
  mutable std::mutex mu_;
  std::vector<Seen> seen_;
};

// The real SQLite store (in its own temporary directory, with a random master key) behind
// store::StateStore, plus the faults the runtime's tests inject. Every call is forwarded; the
// accessors below read and write through the store's own API, so tests see what the host would.
class FaultyStore final : public store::StateStore {
 public:
  FaultyStore();
  ~FaultyStore() override;
  FaultyStore(const FaultyStore&) = delete;
  FaultyStore& operator=(const FaultyStore&) = delete;

  // Fault injection: the next `fail_credentials_puts_left` secret_puts of host credentials fail
  // with this error (a busy or full disk).
  std::optional<Error> fail_next_credentials_put;
  int fail_credentials_puts_left = 1;
  // Runs once before a secret_put is applied (e.g. to simulate another replica's write).
  std::function<void()> before_secret_put;

  std::optional<std::string> damaged() const override { return real_->damaged(); }
  Result<std::optional<std::string>> get(std::string_view ns, std::string_view key) override;
  Result<std::unique_ptr<store::Transaction>> begin(std::string_view ns) override;
  Result<std::vector<store::KvEntry>> list_kv(std::string_view ns, std::string_view after_key,
                                              size_t limit) override {
    return real_->list_kv(ns, after_key, limit);
  }
  Result<std::optional<store::MirroredRecord>> record_get(std::string_view ns,
                                                          std::string_view collection,
                                                          std::string_view id) override;
  Result<uint64_t> count_records(std::string_view ns, std::string_view collection,
                                 bool include_deleted) override;
  Result<std::vector<std::string>> list_record_ids(std::string_view ns, std::string_view collection,
                                                   std::string_view after_id,
                                                   size_t limit) override;
  Result<std::vector<std::string>> list_collections(std::string_view ns) override;
  Result<std::vector<store::OutboxEntry>> outbox_pending(std::string_view ns,
                                                         size_t limit) override;
  Result<std::vector<store::OutboxEntry>> outbox_failed(std::string_view ns) override;
  Status outbox_retry(std::string_view ns, int64_t entry_id) override;
  Result<std::optional<store::SecretValue>> secret_get(std::string_view ns,
                                                       std::string_view name) override;
  Result<uint64_t> secret_put(std::string_view ns, std::string_view name, std::string_view value,
                              uint64_t expected_version) override;
  Status secret_delete(std::string_view ns, std::string_view name) override;
  Status rotate_key(store::MasterKey new_key) override;
  Status put_connection(const store::ConnectionRecord& record) override;
  Result<std::optional<store::ConnectionRecord>> get_connection(std::string_view name) override;
  Result<std::vector<store::ConnectionRecord>> list_connections() override;
  Status append_history(std::string_view name, std::string_view from_state,
                        std::string_view to_state, std::string_view reason, int64_t at_ms) override;
  Result<std::vector<store::HistoryEntry>> list_history(std::string_view name,
                                                        size_t limit) override;
  Status upsert_subject(std::string_view ns, const store::SubjectRecord& subject) override;
  Status delete_subject(std::string_view ns, std::string_view subject_id) override {
    return real_->delete_subject(ns, subject_id);
  }
  Status set_subject_admin_disabled(std::string_view ns, std::string_view subject_id,
                                    bool disabled) override {
    return real_->set_subject_admin_disabled(ns, subject_id, disabled);
  }
  Result<std::optional<store::SubjectRecord>> get_subject(std::string_view ns,
                                                          std::string_view subject_id) override;
  Result<std::vector<store::SubjectRecord>> list_subjects(std::string_view ns) override;
  Status put_instance_status(const store::InstanceStatusRecord& record) override;
  Result<std::optional<store::InstanceStatusRecord>> get_instance_status(
      std::string_view name) override;
  Result<std::vector<store::InstanceStatusRecord>> list_instance_statuses() override;
  Status delete_instance_status(std::string_view name) override;
  Result<bool> try_acquire_lease(std::string_view name, std::string_view owner, int64_t ttl_ms,
                                 int64_t now_ms) override;
  Status release_lease(std::string_view name, std::string_view owner) override;
  Status notify_enqueue(const std::vector<store::NotificationRecord>& rows) override {
    return real_->notify_enqueue(rows);
  }
  Result<std::vector<store::NotificationRecord>> notify_due(int64_t now_ms, size_t limit) override {
    return real_->notify_due(now_ms, limit);
  }
  Result<std::optional<int64_t>> notify_next_due() override { return real_->notify_next_due(); }
  Status notify_update(const store::NotificationRecord& record) override {
    return real_->notify_update(record);
  }
  Result<std::vector<store::NotificationRecord>> notify_list(size_t limit) override {
    return real_->notify_list(limit);
  }
  Result<store::NotificationCounts> notify_counts() override { return real_->notify_counts(); }

  // Direct access for tests, through the store (a failing call fails the test).
  void put_kv_ForTest(const std::string& ns, const std::string& key, const std::string& value);
  std::optional<std::string> kv_ForTest(const std::string& ns, const std::string& key) const;
  // Oldest first, "from->to: why".
  std::vector<std::string> history_ForTest(const std::string& name) const;
  std::optional<store::SubjectRecord> subject_ForTest(const std::string& ns,
                                                      const std::string& id) const;
  // The SQLite file behind the store, for tampering behind its back.
  std::filesystem::path db_path_ForTest() const { return dir_ / "state.db"; }
  // Transactions begun through this store and committed successfully.
  size_t commits_ForTest() const { return commits_.load(); }

 private:
  class CountingTransaction;

  std::filesystem::path dir_;
  std::unique_ptr<store::StateStore> real_;
  std::mutex faults_mu_;  // guards the fault knobs against the runtime's threads
  std::atomic<size_t> commits_{0};
};

// Bundles one set of fakes into RuntimeServices.
struct FakeServices {
  FakeClock clock;
  FakeRandom random;
  FakeLog log;
  FakeMetrics metrics;
  FakeHttp http;
  FaultyStore store;
  Redactor redactor;  // the host's own (chost::log::Redactor), not a process-wide one

  RuntimeServices services() {
    RuntimeServices s;
    s.store = &store;
    s.http = &http;
    s.log = &log;
    s.metrics = &metrics;
    s.redactor = &redactor;
    s.clock = &clock;
    s.random = &random;
    return s;
  }
};

}  // namespace chost::runtime::testing
