// State store (SQLite, WAL, synchronous=FULL) throughput: mirrored-record upserts committed in
// page-sized batches (200 and 2000 records per transaction, as a sync page commits) vs one
// transaction per record, secret_put compare-and-swap (encrypt + fsync'd commit) and record_get.
// Every benchmark works in a fresh temporary directory.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "bench_report.hpp"
#include "chost/store/master_key.hpp"
#include "chost/store/sqlite_store.hpp"

namespace {

namespace fs = std::filesystem;
using chost::store::StateStore;

constexpr const char* kNs = "bench";
constexpr const char* kCollection = "Account";

// A temporary state directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::error_code ec;
    fs::path base = fs::temp_directory_path(ec);
    if (ec) return;  // path_ stays empty: the benchmark reports the error
    std::string tmpl = (base / "chost_bench_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens a store in `dir`, or marks the benchmark failed and returns nullptr.
std::unique_ptr<StateStore> open_store(benchmark::State& state, const TempDir& dir) {
  if (dir.path().empty()) {
    state.SkipWithError("cannot create a temporary directory");
    return nullptr;
  }
  auto store =
      chost::store::open_sqlite_store(dir.path() + "/state.db", chost::store::MasterKey::random());
  if (!store.ok()) {
    state.SkipWithError(store.error().message.c_str());
    return nullptr;
  }
  return std::move(store).value();
}

// A Salesforce Account as a sync page mirrors it (~300 bytes of JSON).
std::string account_json(int64_t n) {
  return R"({"attributes":{"type":"Account","url":"/services/data/v59.0/sobjects/Account/)" +
         std::to_string(n) + R"("},"Id":")" + std::to_string(n) + R"(","Name":"Acct )" +
         std::to_string(n) +
         R"(","Industry":"Energy","BillingCity":"Springfield","AnnualRevenue":125000.0,)"
         R"("SystemModstamp":"2024-01-01T00:00:00.000+0000","IsDeleted":false})";
}

std::string record_id(int64_t n) { return "001BENCH" + std::to_string(1000000000 + n); }

// Arg 0: records per transaction. New ids every time, so each upsert inserts into a growing
// table, as a first sync does.
void BM_Upsert(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(state, dir);
  if (!store) return;
  const int64_t per_txn = state.range(0);
  int64_t next = 0;
  for (auto _ : state) {
    auto txn = store->begin(kNs);
    if (!txn.ok()) {
      state.SkipWithError(txn.error().message.c_str());
      break;
    }
    bool failed = false;
    for (int64_t i = 0; i < per_txn && !failed; ++i, ++next) {
      failed = !(*txn)->upsert_record(kCollection, record_id(next), account_json(next), false).ok();
    }
    auto committed = (*txn)->commit();
    if (failed || !committed.ok()) {
      state.SkipWithError(failed ? "upsert_record failed" : committed.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * per_txn);
  state.counters["records"] = static_cast<double>(next);
}
BENCHMARK(BM_Upsert)->ArgName("records_per_txn")->Arg(1)->Arg(200)->Arg(2000)->UseRealTime();

// secret_put with compare-and-swap on one secret (the rotated refresh token case): encrypt,
// version check and a durable commit per put.
void BM_SecretPutCas(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(state, dir);
  if (!store) return;
  const std::string token(96, 'r');
  uint64_t version = 0;
  for (auto _ : state) {
    auto put = store->secret_put(kNs, "refresh_token", token, version);
    if (!put.ok()) {
      state.SkipWithError(put.error().message.c_str());
      break;
    }
    version = *put;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SecretPutCas)->UseRealTime();

// A CAS that loses (stale expected version): the check, without a durable write.
void BM_SecretPutCasConflict(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(state, dir);
  if (!store) return;
  if (!store->secret_put(kNs, "refresh_token", std::string(96, 'r'), 0).ok()) {
    state.SkipWithError("seeding the secret failed");
    return;
  }
  for (auto _ : state) {
    auto put = store->secret_put(kNs, "refresh_token", "stale-writer-value", 0);
    if (put.ok() || put.error().cls != chost::ErrorClass::kConflict) {
      state.SkipWithError("expected kConflict");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SecretPutCasConflict)->UseRealTime();

void BM_SecretGet(benchmark::State& state) {
  TempDir dir;
  auto store = open_store(state, dir);
  if (!store) return;
  if (!store->secret_put(kNs, "refresh_token", std::string(96, 'r'), 0).ok()) {
    state.SkipWithError("seeding the secret failed");
    return;
  }
  for (auto _ : state) {
    auto got = store->secret_get(kNs, "refresh_token");
    if (!got.ok() || !got->has_value()) {
      state.SkipWithError("secret_get failed");
      break;
    }
    benchmark::DoNotOptimize((*got)->value.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SecretGet)->UseRealTime();

// record_get by id from a mirror of 10,000 records (random-ish ids, all present).
void BM_RecordGet(benchmark::State& state) {
  constexpr int64_t kRecords = 10000;
  TempDir dir;
  auto store = open_store(state, dir);
  if (!store) return;
  {
    auto txn = store->begin(kNs);
    bool ok = txn.ok();
    for (int64_t i = 0; ok && i < kRecords; ++i) {
      ok = (*txn)->upsert_record(kCollection, record_id(i), account_json(i), false).ok();
    }
    if (!ok || !(*txn)->commit().ok()) {
      state.SkipWithError("seeding the mirror failed");
      return;
    }
  }
  int64_t n = 0;
  for (auto _ : state) {
    n = (n + 7919) % kRecords;  // a prime stride visits every record, not in insert order
    auto got = store->record_get(kNs, kCollection, record_id(n));
    if (!got.ok() || !got->has_value()) {
      state.SkipWithError("record_get missed a seeded record");
      break;
    }
    benchmark::DoNotOptimize((*got)->json.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RecordGet)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  return chost::bench::run_benchmarks(
      argc, argv,
      {{"upsert, 1 txn per record vs 200 records per txn", "BM_Upsert/records_per_txn:1/real_time",
        "BM_Upsert/records_per_txn:200/real_time"},
       {"upsert, 1 txn per record vs 2000 records per txn", "BM_Upsert/records_per_txn:1/real_time",
        "BM_Upsert/records_per_txn:2000/real_time"},
       {"upsert, 200 vs 2000 records per txn", "BM_Upsert/records_per_txn:200/real_time",
        "BM_Upsert/records_per_txn:2000/real_time"},
       {"secret_put (CAS, durable) vs secret_get", "BM_SecretPutCas/real_time",
        "BM_SecretGet/real_time"},
       {"secret_put (CAS, durable) vs a lost CAS", "BM_SecretPutCas/real_time",
        "BM_SecretPutCasConflict/real_time"},
       {"secret_get (decrypt) vs record_get", "BM_SecretGet/real_time", "BM_RecordGet/real_time"}});
}
