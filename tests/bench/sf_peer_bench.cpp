// The Salesforce read path against the local Salesforce peer (tests/peers/salesforce, embedded
// in-process on loopback): 10,000 generated Accounts paged through with /query and
// nextRecordsUrl over libcurl at batchSize 2000 vs 200 (records/second and requests per 10k
// records), and, when the salesforce plugin is built, a full plugin sync of the same data into
// the SDK's in-memory FakeHost at page_size_records 2000 vs 200; and the bytes on the wire of a
// 2,000-record x 50-field page with and without gzip.
#include <benchmark/benchmark.h>
#include <chpeer/salesforce/sf_peer.h>
#include <curl/curl.h>

#include <boost/json.hpp>
#include <connector_host/sdk/grant.hpp>
#include <connector_host/sdk/http/url.hpp>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench_report.hpp"
#include "complete_config.hpp"
#include "config.hpp"

#ifdef CHP_BENCH_SF_PLUGIN
#include <connector_host/testing/connector_under_test.hpp>

#include "peer_transport.hpp"
#include "salesforce_connector.hpp"
#endif

namespace {

namespace json = boost::json;

constexpr int kGeneratedAccounts = 10000;
constexpr const char* kApi = "/services/data/v59.0";
constexpr const char* kClientId = "demo-consumer-key";         // seeds/demo.json
constexpr const char* kClientSecret = "demo-consumer-secret";  // a public test value

struct CurlHandleFree {
  void operator()(CURL* c) const noexcept { curl_easy_cleanup(c); }
};
struct SlistFree {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

size_t append_body(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// One reused easy handle, so requests share a keep-alive connection as a real client's would.
class PeerClient {
 public:
  explicit PeerClient(std::string base_url)
      : base_url_(std::move(base_url)), curl_(curl_easy_init()) {}

  // Returns the HTTP status (0 on a transport failure) and fills *body.
  long request(const std::string& method, const std::string& path,
               const std::vector<std::string>& headers, const std::string& body,
               std::string* response) {
    response->clear();
    std::unique_ptr<curl_slist, SlistFree> list;
    for (const auto& h : headers) list.reset(curl_slist_append(list.release(), h.c_str()));
    CURL* c = curl_.get();
    curl_easy_setopt(c, CURLOPT_URL, (base_url_ + path).c_str());
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    if (method != "GET") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list.get());
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &append_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, response);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30'000L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, nullptr);
    return status;
  }

  long control(const std::string& path, const std::string& body) {
    std::string ignored;
    return request("POST", "/__peer/" + path, {"Content-Type: application/json"}, body, &ignored);
  }

 private:
  std::string base_url_;
  std::unique_ptr<CURL, CurlHandleFree> curl_;
};

// The peer with the demo seed plus 10,000 Accounts, started once for the whole run.
struct PeerFixture {
  std::unique_ptr<chpeer::sf::SalesforcePeer> peer;
  std::string access_token;
  std::string error;
};

PeerFixture& peer_fixture() {
  static PeerFixture* fixture = [] {
    auto* f = new PeerFixture;
    chpeer::sf::SalesforcePeerOptions options;
    options.seed_path = SF_PEER_DEMO_SEED;
    f->peer = chpeer::sf::SalesforcePeer::Start(options, &f->error);
    if (!f->peer) return f;
    PeerClient client(f->peer->base_url());
    std::string body;
    // The demo org's daily API limit would stop a long run; benchmarks are not about quotas.
    if (client.control("limits", R"({"daily_api_max":1000000000})") != 200 ||
        client.control("generate",
                       R"({"sobject":"Account","count":)" + std::to_string(kGeneratedAccounts) +
                           R"(,"fields":{"Name":"Acct {n}","Industry":"Energy"}})") != 200) {
      f->error = "peer control API failed";
      return f;
    }
    std::string form = std::string("grant_type=client_credentials&client_id=") + kClientId +
                       "&client_secret=" + kClientSecret;
    if (client.request("POST", "/services/oauth2/token",
                       {"Content-Type: application/x-www-form-urlencoded"}, form, &body) != 200) {
      f->error = "client_credentials token request failed";
      return f;
    }
    f->access_token = std::string(json::parse(body).at("access_token").as_string());
    return f;
  }();
  return *fixture;
}

// Pages through `resource`?q=`soql` with batchSize = arg 0 (Sforce-Query-Options). One
// iteration reads every Account.
void page_through(benchmark::State& state, const char* resource, const std::string& soql) {
  PeerFixture& f = peer_fixture();
  if (f.access_token.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  PeerClient client(f.peer->base_url());
  const std::vector<std::string> headers{
      "Authorization: Bearer " + f.access_token,
      "Sforce-Query-Options: batchSize=" + std::to_string(state.range(0))};
  const std::string first =
      std::string(kApi) + "/" + resource + "?q=" + chp::http::url_encode(soql);
  int64_t records = 0;
  int64_t requests = 0;
  std::string body;
  for (auto _ : state) {
    std::string next = first;
    // Bounded: at batchSize 200, 10k records are ~51 pages.
    for (int page = 0; page < 1000 && !next.empty(); ++page) {
      ++requests;
      if (client.request("GET", next, headers, "", &body) != 200) {
        state.SkipWithError(("query page failed: " + body.substr(0, 200)).c_str());
        return;
      }
      json::object page_json = json::parse(body).as_object();
      records += static_cast<int64_t>(page_json.at("records").as_array().size());
      const json::value* more = page_json.if_contains("nextRecordsUrl");
      next = more != nullptr && more->is_string() ? std::string(more->as_string()) : "";
    }
  }
  if (records < kGeneratedAccounts) state.SkipWithError("fewer records than generated");
  state.SetItemsProcessed(records);
  state.counters["requests_per_10k_records"] =
      records > 0 ? 10000.0 * static_cast<double>(requests) / static_cast<double>(records) : 0;
}
// The simplest query: what a hand-written client would send.
void BM_QueryPages(benchmark::State& state) {
  page_through(state, "query", "SELECT Id, Name, Industry FROM Account");
}
BENCHMARK(BM_QueryPages)
    ->ArgName("batch")
    ->Arg(2000)
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The query shape the salesforce plugin sends on a first sync (queryAll, incremental filter,
// ordered by SystemModstamp), so the plugin's overhead can be told apart from the peer's.
void BM_QueryAllOrdered(benchmark::State& state) {
  page_through(state, "queryAll",
               "SELECT Id, SystemModstamp, IsDeleted, Name, Industry FROM Account WHERE "
               "SystemModstamp >= 2000-01-01T00:00:00Z ORDER BY SystemModstamp ASC, Id ASC");
}
BENCHMARK(BM_QueryAllOrdered)
    ->ArgName("batch")
    ->Arg(2000)
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Bytes on the wire for one query page of 2,000 Accounts x 50 fields, as sent (identity) and
// gzipped (Accept-Encoding: gzip, what the host's HTTP client asks for). The client here does
// not decode, so the body it receives is what crossed the wire. Counters, not timings:
// wire_bytes_identity, wire_bytes_gzip and identity_over_gzip (the compression ratio).
constexpr int kWidePageRecords = 2000;
constexpr int kWideCustomFields = 47;  // + Id, Name, Industry = 50 fields

struct WidePeer {
  std::unique_ptr<chpeer::sf::SalesforcePeer> peer;
  std::string access_token;
  std::string soql;
  std::string error;
};

WidePeer& wide_peer() {
  static WidePeer* fixture = [] {
    auto* f = new WidePeer;
    json::array fields;
    json::object values{{"Name", "Wide account {n}"}, {"Industry", "Manufacturing"}};
    f->soql = "SELECT Id, Name, Industry";
    for (int i = 1; i <= kWideCustomFields; ++i) {
      const std::string name = "Bench_Field_" + std::to_string(i) + "__c";
      fields.push_back(json::object{{"name", name}, {"type", "string"}, {"length", 255}});
      values[name] = "value {n} of field " + std::to_string(i);
      f->soql += ", " + name;
    }
    f->soql += " FROM Account WHERE Industry = 'Manufacturing'";
    chpeer::sf::SalesforcePeerOptions options;
    options.seed_path = SF_PEER_DEMO_SEED;
    options.seed_json =
        json::serialize(json::object{{"custom_fields", json::object{{"Account", fields}}}});
    f->peer = chpeer::sf::SalesforcePeer::Start(options, &f->error);
    if (!f->peer) return f;
    PeerClient client(f->peer->base_url());
    std::string body;
    if (client.control("limits", R"({"daily_api_max":1000000000})") != 200 ||
        client.control("generate", json::serialize(json::object{{"sobject", "Account"},
                                                                {"count", kWidePageRecords},
                                                                {"fields", values}})) != 200) {
      f->error = "peer control API failed";
      return f;
    }
    std::string form = std::string("grant_type=client_credentials&client_id=") + kClientId +
                       "&client_secret=" + kClientSecret;
    if (client.request("POST", "/services/oauth2/token",
                       {"Content-Type: application/x-www-form-urlencoded"}, form, &body) != 200) {
      f->error = "client_credentials token request failed";
      return f;
    }
    f->access_token = std::string(json::parse(body).at("access_token").as_string());
    return f;
  }();
  return *fixture;
}

void BM_QueryPageWireBytes(benchmark::State& state) {
  WidePeer& f = wide_peer();
  if (f.access_token.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  PeerClient client(f.peer->base_url());
  const std::string path = std::string(kApi) + "/query?q=" + chp::http::url_encode(f.soql);
  const std::string auth = "Authorization: Bearer " + f.access_token;
  std::string identity, gzipped;
  int64_t pages = 0;
  for (auto _ : state) {
    if (client.request("GET", path, {auth}, "", &identity) != 200 ||
        client.request("GET", path, {auth, "Accept-Encoding: gzip"}, "", &gzipped) != 200) {
      state.SkipWithError("query page failed");
      return;
    }
    pages += 2;
  }
  if (json::parse(identity).at("records").as_array().size() != kWidePageRecords ||
      gzipped.size() < 2 || static_cast<unsigned char>(gzipped[0]) != 0x1f) {
    state.SkipWithError("the page is not 2,000 records, or the gzip answer is not gzip");
    return;
  }
  state.SetItemsProcessed(pages * kWidePageRecords);
  state.counters["wire_bytes_identity"] = static_cast<double>(identity.size());
  state.counters["wire_bytes_gzip"] = static_cast<double>(gzipped.size());
  state.counters["identity_over_gzip"] =
      static_cast<double>(identity.size()) / static_cast<double>(gzipped.size());
}
BENCHMARK(BM_QueryPageWireBytes)->UseRealTime()->Unit(benchmark::kMillisecond);

#ifdef CHP_BENCH_SF_PLUGIN
// Arg 0: page_size_records. One iteration: a fresh FakeHost and plugin instance (untimed), then
// a full first sync of every Account (timed): HTTP through libcurl to the peer, JSON parsing,
// one FakeHost transaction per page.
void BM_PluginFullSync(benchmark::State& state) {
  PeerFixture& f = peer_fixture();
  if (f.access_token.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  const std::string config =
      R"({"login_url":")" + f.peer->base_url() + R"(","client_id":")" + kClientId +
      R"(","client_secret":")" + kClientSecret +
      R"(","auth_flow":"client_credentials","objects":[{"name":"Account","fields":["Name","Industry"]}],"page_size_records":)" +
      std::to_string(state.range(0)) + "}";
  int64_t records = 0;
  int64_t requests = 0;
  for (auto _ : state) {
    state.PauseTiming();
    chp::testing::FakeHost host;
    sfplugin::testing::forward_http_to_network(host);
    chp::testing::PluginUnderTest plugin(
        chp::testing::descriptor_for_test<sfplugin::SalesforceConnector>(), host);
    chp::testing::HookResult r =
        plugin.create(chost::testing::complete_config(sfplugin::kConfigSchemaJson, config));
    if (r.ok()) r = plugin.authorize(R"({"step":"start"})");
    if (!r.ok()) {
      state.SkipWithError(("create/authorize failed: " + r.error).c_str());
      return;
    }
    host.set_connection_token_from_grant(chp::grant_from_json(r.output));
    const size_t requests_before = host.http_requests().size();
    state.ResumeTiming();

    r = plugin.sync(R"({"reason":"manual"})");

    state.PauseTiming();
    if (!r.ok()) {
      state.SkipWithError(("sync failed: " + r.error).c_str());
      return;
    }
    records += static_cast<int64_t>(host.records().size());
    requests += static_cast<int64_t>(host.http_requests().size() - requests_before);
    state.ResumeTiming();
  }
  if (records < kGeneratedAccounts) state.SkipWithError("fewer records than generated");
  state.SetItemsProcessed(records);
  state.counters["requests_per_10k_records"] =
      records > 0 ? 10000.0 * static_cast<double>(requests) / static_cast<double>(records) : 0;
}
BENCHMARK(BM_PluginFullSync)
    ->ArgName("page")
    ->Arg(2000)
    ->Arg(200)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);
#endif

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  int rc = chost::bench::run_benchmarks(
      argc, argv,
      {{"query paging, batchSize 200 vs 2000", "BM_QueryPages/batch:200/real_time",
        "BM_QueryPages/batch:2000/real_time"},
       {"plugin full sync, page 200 vs 2000", "BM_PluginFullSync/page:200/real_time",
        "BM_PluginFullSync/page:2000/real_time"},
       {"queryAll ordered (plugin's query) vs plain query, batch 2000",
        "BM_QueryAllOrdered/batch:2000/real_time", "BM_QueryPages/batch:2000/real_time"},
       {"plugin full sync vs the same query raw, page 2000",
        "BM_PluginFullSync/page:2000/real_time", "BM_QueryAllOrdered/batch:2000/real_time"},
       {"plugin full sync vs the same query raw, page 200", "BM_PluginFullSync/page:200/real_time",
        "BM_QueryAllOrdered/batch:200/real_time"}});
  if (peer_fixture().peer) peer_fixture().peer->Stop();
  if (wide_peer().peer) wide_peer().peer->Stop();
  curl_global_cleanup();
  return rc;
}
