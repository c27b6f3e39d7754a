// In-memory fakes for the runtime's unit tests.
#include "fakes.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

namespace chost::runtime::testing {

bool eventually(const std::function<bool()>& cond) {
  for (int i = 0; i < 5000; ++i) {
    if (cond()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return cond();
}

namespace {
std::string k2(std::string_view a, std::string_view b) {
  return std::string(a) + '\0' + std::string(b);
}
}  // namespace

bool FakeLog::contains(std::string_view needle) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::any_of(lines_.begin(), lines_.end(),
                     [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

Result<uint32_t> FakeHttp::perform(const HttpRequestSpec& request, const HttpResponseHandler& h,
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
  return r->status;
}

size_t FakeHttp::count(std::string_view url_part) const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::count_if(seen_.begin(), seen_.end(),
                       [&](const Seen& s) { return s.url.find(url_part) != std::string::npos; });
}

class FakeTxn final : public StoreTxn {
 public:
  FakeTxn(FakeRuntimeStore* store, std::string ns) : store_(store), ns_(std::move(ns)) {}
  Status put(std::string_view key, std::string_view value) override {
    if (ended_) return Error::permanent("transaction ended");
    kv_[std::string(key)] = std::string(value);
    return {};
  }
  Status del(std::string_view key) override {
    if (ended_) return Error::permanent("transaction ended");
    kv_[std::string(key)] = std::nullopt;
    return {};
  }
  Status upsert_record(std::string_view collection, std::string_view id, std::string_view json,
                       bool) override {
    if (ended_) return Error::permanent("transaction ended");
    records_[k2(collection, id)] = std::string(json);
    return {};
  }
  Result<int64_t> outbox_add(std::string_view collection, std::string_view id,
                             std::string_view json) override {
    if (ended_) return Error::permanent("transaction ended");
    outbox_.push_back(OutboxRow{0, std::string(collection), std::string(id), std::string(json)});
    return static_cast<int64_t>(outbox_.size());
  }
  Status outbox_done(int64_t entry_id, std::string_view error) override {
    if (ended_) return Error::permanent("transaction ended");
    done_.push_back(entry_id);
    return {};
  }
  Status commit() override {
    if (ended_) return Error::permanent("transaction ended");
    ended_ = true;
    std::lock_guard<std::mutex> lock(store_->mu_);
    for (auto& [k, v] : kv_) {
      if (v) {
        store_->kv_[k2(ns_, k)] = *v;
      } else {
        store_->kv_.erase(k2(ns_, k));
      }
    }
    for (auto& [k, v] : records_) store_->records_[ns_ + '\0' + k] = v;
    for (auto& row : outbox_) {
      row.entry_id = store_->next_outbox_id_++;
      store_->outbox_.emplace_back(ns_, row);
    }
    for (int64_t id : done_) {
      auto& ob = store_->outbox_;
      ob.erase(std::remove_if(ob.begin(), ob.end(),
                              [&](const auto& e) { return e.second.entry_id == id; }),
               ob.end());
    }
    ++store_->commits_;
    return {};
  }
  void rollback() override { ended_ = true; }

 private:
  FakeRuntimeStore* store_;
  std::string ns_;
  bool ended_ = false;
  std::map<std::string, std::optional<std::string>> kv_;
  std::map<std::string, std::string> records_;
  std::vector<OutboxRow> outbox_;
  std::vector<int64_t> done_;
};

Result<std::optional<std::string>> FakeRuntimeStore::get(std::string_view ns,
                                                         std::string_view key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = kv_.find(k2(ns, key));
  if (it == kv_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<std::unique_ptr<StoreTxn>> FakeRuntimeStore::begin(std::string_view ns) {
  return std::unique_ptr<StoreTxn>(std::make_unique<FakeTxn>(this, std::string(ns)));
}

Result<std::optional<std::string>> FakeRuntimeStore::record_get(std::string_view ns,
                                                                std::string_view collection,
                                                                std::string_view id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = records_.find(std::string(ns) + '\0' + k2(collection, id));
  if (it == records_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<std::vector<OutboxRow>> FakeRuntimeStore::outbox_pending(std::string_view ns, size_t limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxRow> out;
  for (auto& [n, row] : outbox_) {
    if (n == ns && out.size() < limit) out.push_back(row);
  }
  return out;
}

Result<std::optional<StoredSecret>> FakeRuntimeStore::secret_get(std::string_view ns,
                                                                 std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = secrets_.find(k2(ns, name));
  if (it == secrets_.end()) return std::optional<StoredSecret>();
  return std::optional<StoredSecret>(it->second);
}

Result<uint64_t> FakeRuntimeStore::secret_put(std::string_view ns, std::string_view name,
                                              std::string_view value, uint64_t expected_version) {
  if (before_secret_put) {
    auto f = std::move(before_secret_put);
    before_secret_put = nullptr;
    f();
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (name == "host:credentials" && fail_next_credentials_put) {
    Error e = *fail_next_credentials_put;
    if (--fail_credentials_puts_left <= 0) fail_next_credentials_put.reset();
    return e;
  }
  auto& slot = secrets_[k2(ns, name)];
  if (slot.version != expected_version) return Error::conflict("version mismatch");
  slot.value = std::string(value);
  slot.version = expected_version + 1;
  return slot.version;
}

Status FakeRuntimeStore::put_connection(const ConnectionRow& row) {
  std::lock_guard<std::mutex> lock(mu_);
  connections_[row.name] = row;
  return {};
}

Result<std::optional<ConnectionRow>> FakeRuntimeStore::get_connection(std::string_view name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = connections_.find(std::string(name));
  if (it == connections_.end()) return std::optional<ConnectionRow>();
  return std::optional<ConnectionRow>(it->second);
}

Status FakeRuntimeStore::append_history(std::string_view name, std::string_view from_state,
                                        std::string_view to_state, std::string_view reason,
                                        int64_t) {
  std::lock_guard<std::mutex> lock(mu_);
  history_[std::string(name)].push_back(std::string(from_state) + "->" + std::string(to_state) +
                                        ": " + std::string(reason));
  return {};
}

Status FakeRuntimeStore::upsert_subject(std::string_view ns, const SubjectRow& subject) {
  std::lock_guard<std::mutex> lock(mu_);
  subjects_[k2(ns, subject.subject_id)] = subject;
  return {};
}

void FakeRuntimeStore::put_kv_ForTest(const std::string& ns, const std::string& key,
                                      const std::string& value) {
  std::lock_guard<std::mutex> lock(mu_);
  kv_[k2(ns, key)] = value;
}

std::optional<std::string> FakeRuntimeStore::kv_ForTest(const std::string& ns,
                                                        const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = kv_.find(k2(ns, key));
  if (it == kv_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> FakeRuntimeStore::history_ForTest(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = history_.find(name);
  return it == history_.end() ? std::vector<std::string>{} : it->second;
}

std::optional<SubjectRow> FakeRuntimeStore::subject_ForTest(const std::string& ns,
                                                            const std::string& id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subjects_.find(k2(ns, id));
  if (it == subjects_.end()) return std::nullopt;
  return it->second;
}

}  // namespace chost::runtime::testing
