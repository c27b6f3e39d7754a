// The crash campaign: `connector-host run` with the salesforce plugin against the local
// Salesforce peer (rotating refresh tokens), killed with SIGKILL at a seeded random moment of
// each round while it syncs, writes back and refreshes, with the peer's data changed between the
// kills (edits, deletes, creates, every token expired) and write-back entries queued. At the end
// one more clean sync pair, then peer and mirror are compared record by record and the figures
// printed: kills, records, missing, duplicate, stale, deleted-but-present, outbox delivered or
// parked with its error, and the connection still connected.
//
// Small by default (CI); larger with CHOST_CAMPAIGN_KILLS=N, another schedule with
// CHOST_CAMPAIGN_SEED=S (the same seed gives the same kill delays and mutations).
//
// A kill that lands between Salesforce issuing a rotated refresh token and the host's durable
// commit of it loses the grant: the README documents this window (the host cannot close it), and
// the peer, like Salesforce, revokes the grant when the old token comes back. The campaign
// detects it (the peer's reuse counter and a disconnected connection), counts it apart, and
// re-authorizes as an admin would; any other disconnection fails the test.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chost/store/sqlite_store.hpp"
#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::reliability {
namespace {

using integration::CommandResult;
using integration::HostProcess;
using integration::run_host_command;
using integration::TempDir;
namespace json = boost::json;

constexpr int kWaitMs = 30000;  // hang guard only
constexpr const char* kSecret = "campaign-consumer-secret-7f3a91";
constexpr const char* kApi = "/services/data/v59.0";

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::atoi(v) : fallback;
}

struct Figures {
  int kills = 0;
  int edits = 0;
  int deletes = 0;
  int creates = 0;
  int token_expiries = 0;
  int write_backs = 0;
  int rotation_window_kills = 0;  // the documented window: re-authorized
  size_t records = 0;             // live Accounts at the peer at the end
  size_t missing = 0, duplicate = 0, stale = 0, deleted_but_present = 0;
  size_t delivered = 0, parked = 0, pending = 0;
};

class CrashCampaign : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    seed_ = static_cast<uint64_t>(env_int("CHOST_CAMPAIGN_SEED", 20261203));
    kills_ = env_int("CHOST_CAMPAIGN_KILLS", 4);
    rng_.seed(seed_);
    sf_ = integration::start_salesforce_peer(dir_, kSecret, kWaitMs);
    ASSERT_FALSE(sf_.base_url.empty()) << sf_.process->err();
    ASSERT_TRUE(sf_.app.at("refresh_policy").at("rotate").as_bool());  // rotation is the point
    peer_ = std::make_unique<chpeer::testing::PeerHttpClient>(sf_.base_url);
    ASSERT_EQ(peer_
                  ->SendJson("POST", "/__peer/generate",
                             json::object{
                                 {"sobject", "Account"},
                                 {"count", 450},
                                 {"fields", {{"Name", "Gen {n}"}, {"External_Id__c", "GEN-{n}"}}}})
                  .status,
              200);
    setenv("CHOST_IT_SF_KEY", std::string(64, 'c').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    integration::SalesforceHostYaml yaml;
    yaml.extra_host_lines = "  restart: { initial_backoff: 200ms, max_backoff: 1s }\n";
    yaml.crm_lines =
        std::string("    schedule: { every: 1s }\n    isolation: ") + GetParam() + "\n";
    yaml.crm_objects = "[{ name: Account, fields: [Name, External_Id__c] }]";
    yaml.crm_config_lines = "      page_size_records: 200\n      write_back: true\n";
    dir_.write("host.yaml", integration::salesforce_host_yaml(sf_, yaml));
    authorize();
  }

  void TearDown() override {
    if (sf_.process) sf_.process->signal(SIGTERM);
  }

  void authorize() {
    CommandResult auth = cli({"authorize", "crm", "--follow", "--redirect-port",
                              std::to_string(sf_.redirect_port), "--timeout", "30"});
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  }

  CommandResult cli(std::vector<std::string> args) {
    args.insert(args.end(), {"-c", "host.yaml"});
    return run_host_command(dir_.path(), args, "cli" + std::to_string(++cli_calls_));
  }

  // The test's own password session (another grant than the host's).
  std::string session() {
    auto token = peer_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                            {"client_id", "demo-consumer-key"},
                                                            {"client_secret", kSecret},
                                                            {"username", "integration@demo.peer"},
                                                            {"password", "integration-pass"}});
    EXPECT_EQ(token.status, 200) << token.body;
    return "Authorization: Bearer " + std::string(token.Json().at("access_token").as_string());
  }

  // Id -> record of every live Account at the peer (following nextRecordsUrl).
  std::map<std::string, json::object> peer_accounts() {
    const std::string auth = session();
    std::map<std::string, json::object> out;
    std::string next =
        std::string(kApi) + "/query?q=SELECT+Id,Name,External_Id__c,SystemModstamp+FROM+Account";
    while (!next.empty()) {
      auto r = peer_->Get(next, {auth});
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      const json::value page = r.Json();
      for (const json::value& rec : page.at("records").as_array()) {
        out[std::string(rec.at("Id").as_string())] = rec.as_object();
      }
      const json::value* more = page.as_object().if_contains("nextRecordsUrl");
      next = more != nullptr && more->is_string() ? std::string(more->as_string()) : "";
    }
    return out;
  }

  std::unique_ptr<store::StateStore> open_store() {
    auto key = store::parse_master_key(std::string(64, 'c'));
    EXPECT_TRUE(key);
    auto st = store::open_sqlite_store((dir_.path() / "state/host.db").string(), std::move(*key));
    EXPECT_TRUE(st) << st.error().message;
    return st ? std::move(*st) : nullptr;
  }

  // distinct ids picked from `ids`, seeded
  std::vector<std::string> pick(std::vector<std::string>& ids, size_t n) {
    std::vector<std::string> out;
    for (size_t i = 0; i < n && !ids.empty(); ++i) {
      const size_t at = std::uniform_int_distribution<size_t>(0, ids.size() - 1)(rng_);
      out.push_back(ids[at]);
      ids.erase(ids.begin() + static_cast<std::ptrdiff_t>(at));
    }
    return out;
  }

  // Between kills: the peer changes, every token expires, write-back entries are queued.
  void mutate(int round) {
    std::vector<std::string> live;
    for (const auto& [id, rec] : peer_accounts()) live.push_back(id);
    const std::string auth = session();
    std::uniform_int_distribution<int> few(1, 12);
    for (const std::string& id : pick(live, few(rng_))) {
      auto r = peer_->SendJson("PATCH", std::string(kApi) + "/sobjects/Account/" + id,
                               json::object{{"Name", "Edit r" + std::to_string(round) + " " + id}},
                               {auth});
      ASSERT_LT(r.status, 300) << r.body;
      ++f_.edits;
    }
    for (const std::string& id : pick(live, few(rng_))) {
      auto r = peer_->Request("DELETE", std::string(kApi) + "/sobjects/Account/" + id, "", {auth});
      ASSERT_LT(r.status, 300) << r.body;
      deleted_.insert(id);
      ++f_.deletes;
    }
    json::array created;
    for (int j = few(rng_); j > 0; --j) {
      created.push_back(json::object{
          {"Name", "New r" + std::to_string(round) + "-" + std::to_string(j)},
          {"External_Id__c", "NEW-" + std::to_string(round) + "-" + std::to_string(j)}});
      ++f_.creates;
    }
    ASSERT_EQ(peer_->SendJson("POST", "/__peer/records/Account", created).status, 200);
    auto store = open_store();
    ASSERT_NE(store, nullptr);
    auto txn = store->begin("crm");
    ASSERT_TRUE(txn) << txn.error().message;
    for (const std::string& id : pick(live, few(rng_))) {
      ASSERT_TRUE((*txn)->outbox_add(
          "Account", id, json::serialize(json::object{{"Name", "WB r" + std::to_string(round)}})));
      ++f_.write_backs;
    }
    for (int j = few(rng_) / 4; j >= 0; --j) {  // creates by external id: never twice
      const std::string ext = "WB-" + std::to_string(round) + "-" + std::to_string(j);
      ASSERT_TRUE((*txn)->outbox_add(
          "Account", "",
          json::serialize(json::object{
              {"_upsert_by", "External_Id__c"}, {"External_Id__c", ext}, {"Name", "WB " + ext}})));
      ++f_.write_backs;
    }
    ASSERT_TRUE((*txn)->commit());
    if (std::uniform_int_distribution<int>(0, 1)(rng_) == 1) {
      ASSERT_EQ(peer_->SendJson("POST", "/__peer/tokens/expire", json::object{}).status, 200);
      ++f_.token_expiries;
    }
  }

  std::string connection_state() {
    CommandResult r = cli({"status", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    boost::system::error_code ec;
    json::value doc = json::parse(r.out, ec);
    if (ec) return "unreadable status: " + r.out;
    for (const json::value& c : doc.at("connectors").as_array()) {
      if (c.at("name").as_string() == "crm") return std::string(c.at("state").as_string());
    }
    return "absent";
  }

  // A disconnected connection is acceptable only when the peer saw a rotated token come back:
  // the documented kill window. Then an admin logs in again.
  void recover_from_the_rotation_window() {
    const std::string state = connection_state();
    // A kill during a refresh leaves "refreshing" in the store; the next start refreshes again.
    if (state == "connected" || state == "refreshing") return;
    ASSERT_EQ(state, "disconnected");
    const int64_t reused = integration::peer_counter(integration::peer_counters(sf_), "events",
                                                     "reused_rotated_refresh_token");
    ASSERT_GT(reused, reuse_seen_) << "crm is " << state << " without a rotation-window kill";
    reuse_seen_ = reused;
    ++f_.rotation_window_kills;
    authorize();
  }

  TempDir dir_;
  integration::SalesforcePeerForTest sf_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> peer_;
  uint64_t seed_ = 0;
  int kills_ = 0;
  std::mt19937_64 rng_;
  Figures f_;
  std::set<std::string> deleted_;
  int64_t reuse_seen_ = 0;
  int cli_calls_ = 0;
};

TEST_P(CrashCampaign, KillsDuringSyncWriteBackAndRotationLoseAndDuplicateNothing) {
  std::uniform_int_distribution<int> kill_after_ms(0, 2500);
  for (int round = 0; round < kills_; ++round) {
    mutate(round);
    if (HasFatalFailure()) return;
    HostProcess host(dir_.path(), {"run", "-c", "host.yaml"}, "run" + std::to_string(round));
    ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
    // The kill point: a seeded moment in the first syncs (page commits, write-back, refresh).
    std::this_thread::sleep_for(std::chrono::milliseconds(kill_after_ms(rng_)));
    ASSERT_EQ(host.wait_exit(0), std::nullopt) << "the host died by itself: " << host.err();
    host.signal(SIGKILL);
    ASSERT_TRUE(host.wait_exit(kWaitMs).has_value());
    ++f_.kills;
    recover_from_the_rotation_window();
    if (HasFatalFailure()) return;
  }
  // Converge: the first clean sync writes back what is left, the second mirrors its effect.
  for (int i = 0; i < 2; ++i) {
    CommandResult sync = cli({"sync", "crm"});
    ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  }
  recover_from_the_rotation_window();
  EXPECT_EQ(connection_state(), "connected");

  const std::map<std::string, json::object> peer = peer_accounts();
  f_.records = peer.size();
  std::map<std::string, int> by_external_id;
  for (const auto& [id, rec] : peer) {
    if (const json::value* ext = rec.if_contains("External_Id__c"); ext && ext->is_string()) {
      ++by_external_id[std::string(ext->as_string())];
    }
  }
  for (const auto& [ext, n] : by_external_id) f_.duplicate += n > 1 ? n - 1 : 0;
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  size_t matched = 0;
  for (const auto& [id, rec] : peer) {
    auto got = store->record_get("crm", "Account", id);
    ASSERT_TRUE(got) << got.error().message;
    if (!got->has_value() || (*got)->deleted) {
      ++f_.missing;
      continue;
    }
    ++matched;
    const json::value mirrored = json::parse((*got)->json);
    for (const char* field : {"Name", "SystemModstamp"}) {
      if (mirrored.as_object().if_contains(field) == nullptr ||
          mirrored.at(field) != rec.at(field)) {
        ++f_.stale;
        ADD_FAILURE() << id << " " << field << ": mirror " << json::serialize(mirrored) << " peer "
                      << json::serialize(rec);
        break;
      }
    }
  }
  for (const std::string& id : deleted_) {
    auto got = store->record_get("crm", "Account", id);
    ASSERT_TRUE(got) << got.error().message;
    if (got->has_value() && !(*got)->deleted) ++f_.deleted_but_present;
  }
  auto live_in_mirror = store->count_records("crm", "Account", false);
  ASSERT_TRUE(live_in_mirror);
  f_.duplicate +=
      *live_in_mirror > matched ? *live_in_mirror - matched - f_.deleted_but_present : 0;
  auto pending = store->outbox_pending("crm", 100000);
  auto parked = store->outbox_failed("crm");
  ASSERT_TRUE(pending && parked);
  f_.pending = pending->size();
  f_.parked = parked->size();
  for (const store::OutboxEntry& e : *parked) {
    EXPECT_FALSE(e.error.empty()) << "entry " << e.entry_id << " parked without its error";
    std::printf("parked: entry %lld %s %s: %s\n", static_cast<long long>(e.entry_id),
                e.collection.c_str(), e.id.c_str(), e.error.c_str());
  }
  f_.delivered = static_cast<size_t>(f_.write_backs) - f_.pending - f_.parked;

  std::printf(
      "crash campaign (%s, seed %llu): kills %d (rotation-window kills %d, re-authorized), "
      "records %zu, edits %d, deletes %d, creates %d, token expiries %d, write-backs %d "
      "(delivered %zu, parked with error %zu, pending %zu); missing %zu, duplicate %zu, "
      "stale %zu, deleted-but-present %zu; connection %s\n",
      GetParam(), static_cast<unsigned long long>(seed_), f_.kills, f_.rotation_window_kills,
      f_.records, f_.edits, f_.deletes, f_.creates, f_.token_expiries, f_.write_backs, f_.delivered,
      f_.parked, f_.pending, f_.missing, f_.duplicate, f_.stale, f_.deleted_but_present,
      connection_state().c_str());
  EXPECT_EQ(f_.kills, kills_);
  EXPECT_EQ(f_.missing, 0u);
  EXPECT_EQ(f_.duplicate, 0u);
  EXPECT_EQ(f_.stale, 0u);
  EXPECT_EQ(f_.deleted_but_present, 0u);
  EXPECT_EQ(f_.pending, 0u);  // every entry delivered or parked with its error
}

INSTANTIATE_TEST_SUITE_P(Isolation, CrashCampaign, ::testing::Values("in-process", "process"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           return std::string(info.param) == "process" ? "Process" : "InProcess";
                         });

}  // namespace
}  // namespace chost::reliability
