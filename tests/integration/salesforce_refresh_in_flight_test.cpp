// The credential broker's concurrency guarantees, at the process level: a real `connector-host
// run` with the salesforce plugin (`crm`, a provider) and the token probe plugin (`reader`, a
// `uses: crm` consumer that times one connection_token call per sync), against the local
// Salesforce peer, whose demo app rotates refresh tokens and revokes the whole grant (counting a
// `reused_rotated_refresh_token` event) when a superseded one is presented. The peer holds chosen
// responses (`faults` with status 0 and `delay_ms`: the request is handled, e.g. the token
// rotated, and only the answer waits), so each test knows a request is in flight:
// * a token POST that was sent is waited for through SIGTERM and through a reload that
//   re-creates its connector, and the rotated token is stored;
// * disabling another connector neither waits for nor disturbs a refresh in flight;
// * a consumer's connection_token never waits behind the provider's sync, and gives up at the
//   consumer's own deadline while a refresh is held (the refresh goes on and is kept);
// * disabling one connector leaves another connector's sync in flight running to success;
// * a store that is busy when the rotated grant arrives is retried until the write succeeds.
// Where a rotated token could have been lost, the stored one is proven by a later refresh on the
// stopped host: presenting a lost (superseded) token would be a reuse, revoking the grant.
#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "host_process.hpp"
#include "loopback_http.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

namespace json = boost::json;

constexpr int kWaitMs = 20000;  // hang guard only
constexpr const char* kSecret = "it-inflight-consumer-secret-93d2a4";
constexpr const char* kAdminToken = "it-inflight-admin-token-5e81c07b";
// Prefixes of the peer's issued tokens: access tokens are "<org id>!...", refresh "5Aep...".
constexpr const char* kAccessTokenPrefix = "00D5g000004PEER!";
constexpr const char* kRefreshTokenPrefix = "5Aep";
// The salesforce plugin's queries (query and queryAll) at its default API version.
constexpr const char* kQueryPath = "/services/data/v59.0/query";

// Polls `done` every 20 ms until it holds or `timeout_ms` passed.
bool eventually(const std::function<bool()>& done, int timeout_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// What the token probe logged for its last sync: "token probe: status=<s> took_ms=<n>".
struct ProbeLine {
  std::string status;
  long long took_ms = -1;
};

std::optional<ProbeLine> last_probe_line(const std::string& log) {
  const size_t at = log.rfind("token probe: status=");
  if (at == std::string::npos) return std::nullopt;
  const size_t status_at = at + std::string("token probe: status=").size();
  const size_t took_at = log.find(" took_ms=", status_at);
  if (took_at == std::string::npos) return std::nullopt;
  ProbeLine line;
  line.status = log.substr(status_at, took_at - status_at);
  line.took_ms = std::atoll(log.c_str() + took_at + std::string(" took_ms=").size());
  return line;
}

// SQLite's write lock on a database file, taken the way the host's store writes (BEGIN
// IMMEDIATE), from this process, until release() or destruction.
class StoreWriteLockForTest {
 public:
  explicit StoreWriteLockForTest(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) return;
    sqlite3_busy_timeout(db_, 2000);  // the host may be mid-write for a moment
    held_ = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
  }
  ~StoreWriteLockForTest() {
    release();
    sqlite3_close(db_);
  }
  StoreWriteLockForTest(const StoreWriteLockForTest&) = delete;
  StoreWriteLockForTest& operator=(const StoreWriteLockForTest&) = delete;

  bool held() const { return held_; }
  void release() {
    if (held_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    held_ = false;
  }

 private:
  sqlite3* db_ = nullptr;
  bool held_ = false;
};

// A peer seeded with the demo org, `crm` authorized on the stopped host, `reader` using it.
class SalesforceRefreshInFlightTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sf_ = start_salesforce_peer(dir_, kSecret, kWaitMs);
    ASSERT_FALSE(sf_.base_url.empty()) << sf_.process->err();
    // The demo app must rotate, or a lost refresh token would go unnoticed.
    ASSERT_TRUE(sf_.app.at("refresh_policy").at("rotate").as_bool());
    setenv("CHOST_IT_SF_KEY", std::string(64, 'e').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    setenv("CHOST_IT_SF_ADMIN", kAdminToken, 1);
    admin_port_ = free_port();
    write_config("none");
    CommandResult auth = cli({"authorize", "crm", "--follow", "--redirect-port",
                              std::to_string(sf_.redirect_port), "--timeout", "30"});
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
    ASSERT_NE(auth.out.find("crm: connected"), std::string::npos) << auth.out;
  }

  void TearDown() override {
    host_.reset();
    if (sf_.process) {
      sf_.process->signal(SIGTERM);
      EXPECT_EQ(sf_.process->wait_exit(kWaitMs), std::optional<int>(0));
    }
    // No secret in anything the host or the CLI printed (the peer's own output aside).
    for (const auto& e : std::filesystem::directory_iterator(dir_.path())) {
      const auto ext = e.path().extension();
      if ((ext != ".out" && ext != ".err") || e.path().stem() == "peer") continue;
      const std::string text = read_file(e.path());
      for (const char* secret : {kSecret, kAdminToken, kAccessTokenPrefix, kRefreshTokenPrefix}) {
        EXPECT_EQ(text.find(secret), std::string::npos) << secret << " in " << e.path();
      }
    }
  }

  // `reader_token_flags`: "none" or "rejected" (the probe's token call then needs a refresh).
  void write_config(const std::string& reader_token_flags,
                    const std::string& extra_host_lines = "") {
    SalesforceHostYaml extra;
    extra.extra_host_lines = "  admin: { listen: \"127.0.0.1:" + std::to_string(admin_port_) +
                             "\", token: \"${env:CHOST_IT_SF_ADMIN}\" }\n"
                             "  shutdown_grace: 5s\n" +
                             extra_host_lines;
    extra.extra_plugin_dirs = {TOKEN_PROBE_PLUGIN_DIR};
    extra.extra_connectors =
        "  - name: reader\n"
        "    plugin: test-token-probe\n"
        "    uses: crm\n"
        "    config: { token_flags: " +
        reader_token_flags + " }\n";
    dir_.write("host.yaml", salesforce_host_yaml(sf_, extra));
  }

  // A connector-host verb on host.yaml, run to completion (through the admin API while the
  // host runs).
  CommandResult cli(const std::vector<std::string>& verb_args) {
    std::vector<std::string> args = verb_args;
    args.insert(args.end(), {"-c", "host.yaml"});
    return run_host_command(dir_.path(), args, "cli" + std::to_string(++cli_count_));
  }

  // The same, left running (e.g. a `refresh` that waits for a held token response).
  std::unique_ptr<HostProcess> cli_started(const std::vector<std::string>& verb_args) {
    std::vector<std::string> args = verb_args;
    args.insert(args.end(), {"-c", "host.yaml"});
    return std::make_unique<HostProcess>(dir_.path(), args, "cli" + std::to_string(++cli_count_));
  }

  void start_host() {
    host_ = std::make_unique<HostProcess>(dir_.path(),
                                          std::vector<std::string>{"run", "-c", "host.yaml"},
                                          "run" + std::to_string(++run_count_));
    ASSERT_TRUE(host_->wait_for_log("running; pid", kWaitMs)) << host_->err();
  }

  void stop_host() {
    host_->signal(SIGTERM);
    EXPECT_EQ(host_->wait_exit(kWaitMs), std::optional<int>(0)) << host_->err();
  }

  // GET /api/v1/connectors/<name> of the running host; empty when it does not answer.
  json::object connector(const std::string& name) {
    const HttpReply r =
        loopback_http(admin_port_, "GET", "/api/v1/connectors/" + name, "", kAdminToken);
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return r.status == 200 && !ec && v.is_object() ? v.as_object() : json::object{};
  }

  static std::string state_of(const json::object& view) {
    const json::value* s = view.if_contains("state");
    return s && s->is_string() ? std::string(s->as_string()) : std::string();
  }

  static bool has_success(const json::object& view) {
    const json::value* s = view.if_contains("last_success_at_ms");
    return s && !s->is_null();
  }

  // The peer handles the next request matching and holds its answer `delay_ms`.
  bool hold_next(const char* path_prefix, const char* method, int delay_ms) {
    return peer_control(sf_, "POST", "faults",
                        json::object{{"path_prefix", path_prefix},
                                     {"method", method},
                                     {"status", 0},
                                     {"delay_ms", delay_ms},
                                     {"next", 1}});
  }
  bool hold_next_token_response(int delay_ms) {
    return hold_next("/services/oauth2/token", "POST", delay_ms);
  }
  bool hold_next_query(int delay_ms) { return hold_next(kQueryPath, "GET", delay_ms); }
  bool expire_access_tokens() { return peer_control(sf_, "POST", "tokens/expire", json::object{}); }

  int64_t counter(const char* group, const char* name) {
    return peer_counter(peer_counters(sf_), group, name);
  }
  int64_t refresh_posts() { return counter("grant_type", "refresh_token"); }
  int64_t held_requests() { return counter("events", "faults_injected"); }
  int64_t reuse_events() { return counter("events", "reused_rotated_refresh_token"); }
  // Requests the peer received for crm's queries (one per page, retries and restarts included).
  int64_t query_requests() {
    const json::value c = peer_counters(sf_);
    const json::value* paths = c.as_object().if_contains("paths");
    int64_t n = 0;
    if (!paths || !paths->is_object()) return n;
    for (const auto& kv : paths->as_object()) {
      if (kv.key().starts_with(kQueryPath) && kv.value().is_int64()) n += kv.value().as_int64();
    }
    return n;
  }

  // On the stopped host: a refresh presents the stored refresh token, which is a reuse (the
  // peer revokes the grant) unless it is the rotated one; then a sync works on the new token.
  void expect_stored_refresh_token_is_current() {
    CommandResult refresh = cli({"refresh", "crm"});
    EXPECT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
    EXPECT_NE(refresh.out.find("crm: refresh ok"), std::string::npos) << refresh.out;
    CommandResult sync = cli({"sync", "crm"});
    EXPECT_EQ(sync.exit_code, 0) << sync.out << sync.err;
    EXPECT_NE(sync.out.find("crm: sync ok"), std::string::npos) << sync.out;
    EXPECT_EQ(reuse_events(), 0) << peer_counters(sf_);
  }

  TempDir dir_;
  SalesforcePeerForTest sf_;
  std::unique_ptr<HostProcess> host_;
  uint16_t admin_port_ = 0;
  int cli_count_ = 0;
  int run_count_ = 0;
};

TEST_F(SalesforceRefreshInFlightTest, StopDuringRefreshKeepsRotatedToken) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  // crm's sync meets an expired session, so the host refreshes; the peer rotates the refresh
  // token at once and holds the answer.
  ASSERT_TRUE(hold_next_token_response(3000));
  ASSERT_TRUE(expire_access_tokens());
  CommandResult sync = cli({"sync", "crm"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ASSERT_TRUE(eventually([&] { return refresh_posts() == 1; }, kWaitMs)) << host_->err();
  const auto posted = std::chrono::steady_clock::now();

  stop_host();  // SIGTERM while the token POST is at the peer
  // Not before the answer, which the peer sends 3 s after it took the POST (seen within 20 ms).
  EXPECT_GE(std::chrono::steady_clock::now() - posted, std::chrono::milliseconds(2500))
      << "the host exited before the token response arrived";
  const std::string log = host_->err();
  EXPECT_NE(log.find("waiting for the refresh in flight"), std::string::npos) << log;
  EXPECT_NE(log.find("refreshing -> connected: refreshed"), std::string::npos) << log;
  EXPECT_EQ(refresh_posts(), 1);

  ASSERT_NO_FATAL_FAILURE(expect_stored_refresh_token_is_current());
  EXPECT_EQ(refresh_posts(), 2) << peer_counters(sf_);  // the held one + the proof
}

TEST_F(SalesforceRefreshInFlightTest, ReloadDuringRefreshKeepsRotatedToken) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(hold_next_token_response(3000));
  ASSERT_TRUE(expire_access_tokens());
  CommandResult sync = cli({"sync", "crm"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ASSERT_TRUE(eventually([&] { return refresh_posts() == 1; }, kWaitMs)) << host_->err();

  // crm's configuration changes, so the reload re-creates it (and its connection) while the
  // token POST is at the peer.
  const std::string yaml = read_file(dir_.path() / "host.yaml");
  const std::string objects = "      objects: [{ name: Account, fields: [Name] }]\n";
  ASSERT_NE(yaml.find(objects), std::string::npos) << yaml;
  std::string changed = yaml;
  changed.insert(yaml.find(objects) + objects.size(), "      overlap_seconds: 120\n");
  dir_.write("host.yaml", changed);
  host_->signal(SIGHUP);
  ASSERT_TRUE(host_->wait_for_log("configuration reloaded", kWaitMs)) << host_->err();
  EXPECT_NE(host_->err().find("reloaded: 1 connector(s) (re)created"), std::string::npos)
      << host_->err();
  EXPECT_NE(host_->err().find("refreshing -> connected: refreshed"), std::string::npos)
      << host_->err();
  EXPECT_EQ(state_of(connector("crm")), "connected") << connector("crm");

  // The re-created connection starts from the store: its refresh presents the rotated token.
  CommandResult refresh = cli({"refresh", "crm"});
  EXPECT_EQ(refresh.exit_code, 0) << refresh.out << refresh.err;
  EXPECT_EQ(reuse_events(), 0) << peer_counters(sf_);
  EXPECT_EQ(state_of(connector("crm")), "connected") << connector("crm");
  stop_host();
}

TEST_F(SalesforceRefreshInFlightTest, DisableOtherConnectorDuringRefresh) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(hold_next_token_response(3000));
  auto refresh = cli_started({"refresh", "crm"});  // waits for the held answer
  ASSERT_TRUE(eventually([&] { return refresh_posts() == 1; }, kWaitMs)) << host_->err();

  CommandResult disable = cli({"disable", "reader"});
  EXPECT_EQ(disable.exit_code, 0) << disable.out << disable.err;
  // The disable touched only the reader: it did not wait for crm's refresh (held ~3 s).
  EXPECT_EQ(refresh->wait_exit(0), std::nullopt) << "disable waited for the refresh";

  EXPECT_EQ(refresh->wait_exit(kWaitMs), std::optional<int>(0)) << refresh->out() << refresh->err();
  EXPECT_NE(host_->err().find("refreshing -> connected: refreshed"), std::string::npos)
      << host_->err();
  EXPECT_EQ(state_of(connector("crm")), "connected") << connector("crm");
  EXPECT_EQ(state_of(connector("reader")), "disabled") << connector("reader");
  EXPECT_EQ(reuse_events(), 0);
  stop_host();

  ASSERT_NO_FATAL_FAILURE(expect_stored_refresh_token_is_current());
}

TEST_F(SalesforceRefreshInFlightTest, ConsumerTokenWithinOwnDeadline) {
  // The reader reports its token rejected, so it needs a refresh, while crm's own sync is held
  // at the peer for 6 s: the refresh runs on crm's credential instance, not behind that sync.
  write_config("rejected");
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(hold_next_query(6000));
  CommandResult provider = cli({"sync", "crm"});
  ASSERT_EQ(provider.exit_code, 0) << provider.out << provider.err;
  ASSERT_TRUE(eventually([&] { return held_requests() == 1; }, kWaitMs)) << host_->err();

  CommandResult consumer = cli({"sync", "reader"});
  ASSERT_EQ(consumer.exit_code, 0) << consumer.out << consumer.err;
  ASSERT_TRUE(host_->wait_for_log("token probe:", kWaitMs)) << host_->err();
  const std::optional<ProbeLine> probe = last_probe_line(host_->err());
  ASSERT_TRUE(probe) << host_->err();
  EXPECT_EQ(probe->status, "ok") << host_->err();
  EXPECT_LT(probe->took_ms, 3000) << "the consumer's token waited behind the provider's sync";
  EXPECT_FALSE(has_success(connector("crm"))) << "the provider's sync was not in flight";
  EXPECT_EQ(refresh_posts(), 1);
  stop_host();  // cancels crm's held sync
  EXPECT_EQ(reuse_events(), 0);
}

TEST_F(SalesforceRefreshInFlightTest, ConsumerTokenWaitEndsAtOwnDeadline) {
  // Syncs get 1.5 s; the refresh the reader needs is held at the peer for 4 s.
  write_config("rejected", "  timeouts: { sync: 1500ms }\n");
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(hold_next_token_response(4000));
  CommandResult consumer = cli({"sync", "reader"});
  ASSERT_EQ(consumer.exit_code, 0) << consumer.out << consumer.err;
  ASSERT_TRUE(host_->wait_for_log("token probe:", kWaitMs)) << host_->err();
  const std::optional<ProbeLine> probe = last_probe_line(host_->err());
  ASSERT_TRUE(probe) << host_->err();
  EXPECT_EQ(probe->status, "cancelled") << host_->err();
  EXPECT_GE(probe->took_ms, 1000) << "gave up before its deadline";
  EXPECT_LT(probe->took_ms, 3000) << "waited past its own deadline for the held refresh";
  EXPECT_EQ(refresh_posts(), 1);

  // The refresh goes on without its caller and is kept.
  EXPECT_TRUE(host_->wait_for_log("refreshing -> connected: refreshed", kWaitMs)) << host_->err();
  EXPECT_EQ(state_of(connector("crm")), "connected") << connector("crm");
  EXPECT_EQ(reuse_events(), 0);
  stop_host();
}

TEST_F(SalesforceRefreshInFlightTest, DisableOneConnectorLeavesOthersRunning) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  // Authorize already queried once (the Organization's IsSandbox): count the sync's own.
  const int64_t queries_before_sync = query_requests();
  ASSERT_TRUE(hold_next_query(3000));
  CommandResult sync = cli({"sync", "crm"});
  ASSERT_EQ(sync.exit_code, 0) << sync.out << sync.err;
  ASSERT_TRUE(eventually([&] { return held_requests() == 1; }, kWaitMs)) << host_->err();

  CommandResult disable = cli({"disable", "reader"});
  EXPECT_EQ(disable.exit_code, 0) << disable.out << disable.err;
  EXPECT_FALSE(has_success(connector("crm"))) << "crm's sync was no longer in flight";
  ASSERT_TRUE(eventually([&] { return has_success(connector("crm")); }, kWaitMs)) << host_->err();
  const json::object crm = connector("crm");
  EXPECT_TRUE(crm.at("last_error").is_null()) << crm;
  EXPECT_EQ(state_of(crm), "connected") << crm;
  // The success is the held sync's own, not a restart's after it was cut short.
  EXPECT_EQ(query_requests() - queries_before_sync, 1) << peer_counters(sf_);
  EXPECT_EQ(host_->err().find("sync failed"), std::string::npos) << host_->err();
  EXPECT_EQ(state_of(connector("reader")), "disabled") << connector("reader");

  CommandResult enable = cli({"enable", "reader"});
  EXPECT_EQ(enable.exit_code, 0) << enable.out << enable.err;
  CommandResult again = cli({"sync", "reader"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_TRUE(eventually([&] { return has_success(connector("reader")); }, kWaitMs))
      << host_->err();
  const std::optional<ProbeLine> probe = last_probe_line(host_->err());
  ASSERT_TRUE(probe) << host_->err();
  EXPECT_EQ(probe->status, "ok");
  stop_host();
}

TEST_F(SalesforceRefreshInFlightTest, StoreBusyDuringTheWriteIsRetried) {
  ASSERT_NO_FATAL_FAILURE(start_host());
  ASSERT_TRUE(hold_next_token_response(1000));
  auto refresh = cli_started({"refresh", "crm"});
  ASSERT_TRUE(eventually([&] { return refresh_posts() == 1; }, kWaitMs)) << host_->err();
  {
    // Held from before the answer arrives until the host's first write attempt has failed
    // (after its store's busy timeout): far less than its retry budget.
    StoreWriteLockForTest lock((dir_.path() / "state/host.db").string());
    ASSERT_TRUE(lock.held());
    ASSERT_TRUE(eventually(
        [&] {
          const std::string log = host_->err();
          return log.find("could not store credentials (attempt") != std::string::npos ||
                 log.find("could not store the refreshed credentials") != std::string::npos;
        },
        kWaitMs))
        << host_->err();
    EXPECT_NE(host_->err().find("could not store credentials (attempt 1 of"), std::string::npos)
        << "the first failed write was not retried: " << host_->err();
  }
  EXPECT_EQ(refresh->wait_exit(kWaitMs), std::optional<int>(0)) << refresh->out() << refresh->err();
  EXPECT_NE(host_->err().find("refreshing -> connected: refreshed"), std::string::npos)
      << host_->err();
  EXPECT_EQ(state_of(connector("crm")), "connected") << connector("crm");
  stop_host();

  ASSERT_NO_FATAL_FAILURE(expect_stored_refresh_token_is_current());
}

}  // namespace
}  // namespace chost::integration
