// rollworks throughput, each direction on its own: the rollworks plugin against the in-process
// Salesforce and RollWorks peers, through the SDK's FakeHost with real HTTP (libcurl) on
// loopback. Up: Salesforce Accounts and Contacts (queryAll pages by SystemModstamp) to RollWorks
// batch upserts of 500. Down: the RollWorks accounts change feed into RollWorks_Account_Data__c
// by sObject Collections upsert. Every run also pays the Salesforce user check (6 calls) and
// the advertiser read. Each benchmark seeds only its own direction. Items = records moved;
// counters: RollWorks and Salesforce requests per record. The 10,000 vs 1,000 ratio shows whether
// the per-record cost stays flat. Echoes: after a full upload, a sync that reads every record
// again (as after our own journey stage writes bumped their SystemModstamp) and uploads none;
// counters: records uploaded per record read (0 = every echo suppressed).
#include <benchmark/benchmark.h>
#include <curl/curl.h>

#include <boost/json.hpp>
#include <connector_host/testing/connector_under_test.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "bench_report.hpp"
#include "chpeer/rollworks/rw_peer.h"
#include "chpeer/salesforce/sf_peer.h"
#include "complete_config.hpp"
#include "config.hpp"
#include "peer_transport.hpp"
#include "rollworks_connector.hpp"

namespace {

namespace json = boost::json;

constexpr const char* kApiKey = "rwk_bench_key";  // a public test value

struct Peers {
  std::unique_ptr<chpeer::sf::SalesforcePeer> sf;
  std::unique_ptr<chpeer::rollworks::RollWorksPeer> rw;
  std::string token_json;
  std::string error;
};

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// Up: `records` Salesforce records (half Accounts, half Contacts) and an empty RollWorks feed.
// Down: as many RollWorks accounts in the feed and no generated Salesforce records. Each
// direction runs alone this way (a sync runs both). Built once per size and direction.
Peers& peers(int records, bool up) {
  static std::map<std::pair<int, bool>, std::unique_ptr<Peers>> all;
  auto& slot = all[{records, up}];
  if (slot) return *slot;
  slot = std::make_unique<Peers>();
  Peers& p = *slot;
  json::value sf_seed = json::parse(read_text(SF_ROLLWORKS_SEED));
  json::object& rec = sf_seed.as_object()["records"].as_object();
  json::array accounts;
  json::array contacts;
  for (int i = 0; up && i < records / 2; ++i) {
    const std::string n = std::to_string(i);
    accounts.push_back({{"Name", "Bench Co " + n}, {"Website", "https://www.co" + n + ".example"}});
    contacts.push_back(
        {{"LastName", "Buyer " + n}, {"Email", "buyer" + n + "@co" + n + ".example"}});
  }
  rec["Account"] = accounts;
  rec["Contact"] = contacts;
  chpeer::sf::SalesforcePeerOptions so;
  so.seed_path = SF_PEER_DEMO_SEED;
  so.seed_json = json::serialize(sf_seed);
  so.io_threads = 2;
  p.sf = chpeer::sf::SalesforcePeer::Start(so, &p.error);
  if (!p.sf) return p;
  json::array rw_accounts;
  for (int i = 0; !up && i < records; ++i) {
    const std::string n = std::to_string(i);
    rw_accounts.push_back({{"id", "rwa_" + n},
                           {"domain", "rw" + n + ".example"},
                           {"name", "RW " + n},
                           {"journey_stage", "aware"},
                           {"icp_fit_grade", "B"},
                           {"intent_score", i % 100}});
  }
  chpeer::rollworks::RollWorksPeerOptions ro;
  ro.seed_json = json::serialize(
      json::object{{"advertisers", json::array{{{"id", "adv_bench"}, {"name", "Bench"}}}},
                   {"api_keys", json::array{{{"key", kApiKey}, {"active", true}}}},
                   {"accounts", rw_accounts}});
  ro.io_threads = 2;
  p.rw = chpeer::rollworks::RollWorksPeer::Start(ro, &p.error);
  if (!p.rw) return p;
  // The dedicated integration user's session (seeds/rollworks.json): it passes the user check.
  auto r = sfplugin::testing::peer_request(
      "POST", p.sf->base_url() + "/services/oauth2/token",
      {{"Content-Type", "application/x-www-form-urlencoded"}},
      "grant_type=password&client_id=demo-consumer-key&client_secret=demo-consumer-secret&"
      "username=rollworks-integration%40demo.peer&password=rollworks-integration-pass");
  if (r.status != 200) {
    p.error = "password token request failed: " + r.body;
    return p;
  }
  json::value t = json::parse(r.body);
  p.token_json = json::serialize(json::object{{"access_token", t.at("access_token")},
                                              {"instance_url", t.at("instance_url")},
                                              {"token_type", "Bearer"}});
  return p;
}

// How one benchmark iteration starts: from no checkpoint (a full run), or after a full upload
// with the checkpoints set back before every record (everything read again: echoes).
enum class Start { kFresh, kEchoes };

// One run of one direction per iteration, each on a fresh FakeHost (its setup untimed).
void run(benchmark::State& state, bool up, Start start = Start::kFresh) {
  const int records = static_cast<int>(state.range(0));
  Peers& p = peers(records, up);
  if (p.token_json.empty()) {
    state.SkipWithError(p.error.c_str());
    return;
  }
  json::object cfg{{"rollworks_url", p.rw->base_url()},
                   {"advertiser_id", "adv_bench"},
                   {"api_key", kApiKey},
                   {"overlap_seconds", 0}};
  cfg["objects_up"] = up ? json::array{"Account", "Contact"} : json::array{};
  const std::string config = json::serialize(cfg);
  int64_t moved = 0;
  int64_t uploaded = 0;
  int64_t rw_calls = 0;
  int64_t sf_calls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    chp::testing::FakeHost host;
    sfplugin::testing::forward_http_to_network(host);
    host.set_connection_token(p.token_json);
    chp::testing::PluginUnderTest plugin(
        chp::testing::descriptor_for_test<rollworks::RollworksConnector>(), host);
    chp::testing::HookResult r =
        plugin.create(chost::testing::complete_config(rollworks::kConfigSchemaJson, config));
    if (!r.ok()) {
      state.SkipWithError(("create failed: " + r.error).c_str());
      return;
    }
    if (start == Start::kEchoes) {
      r = plugin.sync(R"({"reason":"manual"})");
      if (!r.ok()) {
        state.SkipWithError(("first sync failed: " + r.error).c_str());
        return;
      }
      for (const char* o : {"Account", "Contact"}) {
        host.seed_state(std::string("up/") + o, "2000-01-01T00:00:00.000+0000");
      }
    }
    state.ResumeTiming();

    r = plugin.sync(R"({"reason":"manual"})");

    state.PauseTiming();
    if (!r.ok()) {
      state.SkipWithError(("sync failed: " + r.error).c_str());
      return;
    }
    const json::value s = json::parse(r.output);
    if (up) {
      for (const char* o : {"Account", "Contact"}) {
        const json::value& c = s.at("up").at(o);
        moved += c.at("read").as_int64();
        uploaded += c.at("created").as_int64() + c.at("updated").as_int64() +
                    c.at("unchanged").as_int64() + c.at("errors").as_int64();
      }
    } else {
      moved += s.at("down").at("accounts").at("upserted").as_int64();
    }
    rw_calls += s.at("rollworks_calls").as_int64();
    sf_calls += s.at("salesforce_calls").as_int64();
    state.ResumeTiming();
  }
  if (moved < static_cast<int64_t>(state.iterations()) * records) {
    state.SkipWithError("fewer records than seeded");
  }
  state.SetItemsProcessed(moved);
  const double m = moved > 0 ? static_cast<double>(moved) : 1.0;
  state.counters["rw_req_per_rec"] = static_cast<double>(rw_calls) / m;
  state.counters["sf_req_per_rec"] = static_cast<double>(sf_calls) / m;
  if (up) state.counters["uploaded_per_read"] = static_cast<double>(uploaded) / m;
}

void BM_RollworksUp(benchmark::State& state) { run(state, true); }
void BM_RollworksDown(benchmark::State& state) { run(state, false); }
void BM_RollworksUpEchoes(benchmark::State& state) { run(state, true, Start::kEchoes); }

BENCHMARK(BM_RollworksUp)
    ->ArgName("records")
    ->Arg(1000)
    ->Arg(10000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RollworksDown)
    ->ArgName("records")
    ->Arg(1000)
    ->Arg(10000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RollworksUpEchoes)
    ->ArgName("records")
    ->Arg(1000)
    ->Arg(10000)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = chost::bench::run_benchmarks(
      argc, argv,
      {{"rollworks up per record, 10,000 vs 1,000 records (flat = 1.0)",
        "BM_RollworksUp/records:10000/real_time", "BM_RollworksUp/records:1000/real_time"},
       {"rollworks down per record, 10,000 vs 1,000 records (flat = 1.0)",
        "BM_RollworksDown/records:10000/real_time", "BM_RollworksDown/records:1000/real_time"},
       {"rollworks up echoes per record, 10,000 vs 1,000 records (flat = 1.0)",
        "BM_RollworksUpEchoes/records:10000/real_time",
        "BM_RollworksUpEchoes/records:1000/real_time"}});
  curl_global_cleanup();
  return rc;
}
