// The fixture of rollworks' end-to-end tests: the real connector-host binary with the
// salesforce and rollworks plugins against the local Salesforce peer (Accounts, Contacts, the
// account data custom object, seeds/rollworks.json) and the local RollWorks peer, and helpers
// that read both peers' state and counters.
#ifndef TESTS_INTEGRATION_ROLLWORKS_FIXTURE_HPP_
#define TESTS_INTEGRATION_ROLLWORKS_FIXTURE_HPP_

#include <gtest/gtest.h>
#include <signal.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chpeer/testing/peer_http_client.h"
#include "host_process.hpp"
#include "salesforce_peer_support.hpp"

namespace chost::integration {
namespace {

constexpr int kWaitMs = 30000;  // hang guard only
constexpr const char* kSecret = "it-rollworks-consumer-secret-51ab";
constexpr const char* kApiKey = "rwk_it_rollworks_key";

class RollworksE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SalesforcePeerForTest sf = start_salesforce_peer(dir_, kSecret, kWaitMs);
    sf_peer_ = std::move(sf.process);
    ASSERT_FALSE(sf.base_url.empty()) << sf_peer_->err();
    redirect_port_ = sf.redirect_port;
    sf_ = std::make_unique<chpeer::testing::PeerHttpClient>(sf.base_url);
    seed_salesforce();
    start_rollworks();
    setenv("CHOST_IT_SF_KEY", std::string(64, 'e').c_str(), 1);
    setenv("CHOST_IT_SF_SECRET", kSecret, 1);
    setenv("CHOST_IT_RW_KEY", kApiKey, 1);
    std::string yaml = salesforce_host_yaml(sf);
    yaml +=
        "  - name: rollworks\n"
        "    plugin: rollworks\n"
        "    uses: crm\n"
        "    config:\n"
        "      rollworks_url: \"" +
        rw_url_ +
        "\"\n"
        "      advertiser_id: adv_it\n"
        "      api_key: \"${env:CHOST_IT_RW_KEY}\"\n"
        "      objects_up: [Account, Contact, Opportunity, Campaign]\n"
        "      overlap_seconds: 0\n"
        // Refused records are retried at the very next sync (the tests run on the wall clock).
        "      outbox_retry_backoff_seconds: 0\n";
    dir_.write("host.yaml", yaml);
    authorize();
  }

  void TearDown() override {
    for (HostProcess* p : {rw_peer_.get(), sf_peer_.get()}) {
      if (p) p->signal(SIGTERM);
    }
  }

  // The rollworks additions to the demo org (seeds/rollworks.json): the account data object,
  // the licences and profiles, the RollWorks Admin permission set, the dedicated integration
  // user rollworks-integration@demo.peer, a person jordan.lee@demo.peer and an API-only user.
  void seed_salesforce() {
    auto r = sf_->Request("POST", "/__peer/seed", read_file(SF_ROLLWORKS_SEED),
                          {"Content-Type: application/json"});
    ASSERT_EQ(r.status, 200) << r.body;
    login_as("rollworks-integration@demo.peer");
  }

  // Who the peer's authorize page logs in as next.
  void login_as(const std::string& username) {
    auto r =
        sf_->SendJson("POST", "/__peer/login_user", boost::json::object{{"username", username}});
    ASSERT_EQ(r.status, 200) << r.body;
  }

  void start_rollworks() {
    boost::json::object seed{
        {"advertisers", boost::json::array{{{"id", "adv_it"}, {"name", "IT Audience"}}}},
        {"api_keys", boost::json::array{{{"key", kApiKey}, {"active", true}}}},
        {"account_lists",
         boost::json::array{{{"id", "al_t1"}, {"name", "Tier 1"}, {"type", "static"}}}},
        {"accounts", boost::json::array{{{"id", "rwa_9001"},
                                         {"domain", "rollworks-only.example"},
                                         {"name", "Only In RollWorks"},
                                         {"journey_stage", "aware"},
                                         {"icp_fit_grade", "B"},
                                         {"intent_score", 40},
                                         {"account_lists", boost::json::array{"al_t1"}}}}}};
    dir_.write("rw-seed.json", boost::json::serialize(seed));
    rw_peer_ = std::make_unique<HostProcess>(
        dir_.path(), std::vector<std::string>{"--port", "0", "--seed", "rw-seed.json"}, "rw",
        ROLLWORKS_PEER_BIN);
    ASSERT_TRUE(rw_peer_->wait_for_out("http://", kWaitMs)) << rw_peer_->err();
    std::string out = rw_peer_->out();
    out = out.substr(out.find("http://"));
    rw_url_ = out.substr(0, out.find_first_of("\r\n"));
    rw_ = std::make_unique<chpeer::testing::PeerHttpClient>(rw_url_);
  }

  CommandResult authorize_command() {
    return run_host_command(dir_.path(),
                            {"authorize", "crm", "-c", "host.yaml", "--follow", "--redirect-port",
                             std::to_string(redirect_port_), "--timeout", "30"},
                            "authorize");
  }

  void authorize() {
    CommandResult auth = authorize_command();
    ASSERT_EQ(auth.exit_code, 0) << auth.out << auth.err;
  }

  CommandResult cli(const std::vector<std::string>& args, const std::string& tag) {
    std::vector<std::string> full = args;
    full.insert(full.end(), {"-c", "host.yaml"});
    return run_host_command(dir_.path(), full, tag);
  }

  // The service account's own password session on the Salesforce peer.
  std::string sf_session() {
    auto token = sf_->PostForm("/services/oauth2/token", {{"grant_type", "password"},
                                                          {"client_id", "demo-consumer-key"},
                                                          {"client_secret", kSecret},
                                                          {"username", "integration@demo.peer"},
                                                          {"password", "integration-pass"}});
    EXPECT_EQ(token.status, 200) << token.body;
    return "Authorization: Bearer " + std::string(token.Json().at("access_token").as_string());
  }

  boost::json::array sf_query(const std::string& soql_plus) {
    auto r = sf_->Get("/services/data/v59.0/query?q=" + soql_plus, {sf_session()});
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("records").as_array();
  }

  void sf_patch_account(const std::string& id, const boost::json::object& fields) {
    auto r = sf_->SendJson("PATCH", "/services/data/v59.0/sobjects/Account/" + id, fields,
                           {sf_session()});
    ASSERT_LT(r.status, 300) << r.body;
  }

  // external_id -> version of what RollWorks received for `object`.
  std::map<std::string, int64_t> rw_uploaded(const std::string& object) {
    boost::json::value v = rw_->Get("/__peer/crm/" + object).Json();
    std::map<std::string, int64_t> out;
    for (const auto& rec : v.at("records").as_array()) {
      out[std::string(rec.at("external_id").as_string())] = rec.at("version").to_number<int64_t>();
    }
    return out;
  }

  // Batch upserts RollWorks received so far, all objects.
  int64_t rw_batches() {
    const boost::json::value v = rw_->Get("/__peer/counters").Json();
    int64_t n = 0;
    if (const auto* b = v.as_object().if_contains("batches"); b && b->is_object()) {
      for (const auto& kv : b->as_object()) n += kv.value().to_number<int64_t>();
    }
    return n;
  }

  // One counter of the RollWorks peer, e.g. ("batches", "accounts"); 0 when absent.
  int64_t rw_counter(const std::string& group, const std::string& name) {
    const boost::json::value v = rw_->Get("/__peer/counters").Json();
    const auto* g = v.as_object().if_contains(group);
    const auto* n = g && g->is_object() ? g->as_object().if_contains(name) : nullptr;
    return n ? n->to_number<int64_t>() : 0;
  }

  // RollWorks account id -> Intent_Score__c of the account data records (a duplicate fails).
  std::map<std::string, double> account_data() {
    std::map<std::string, double> out;
    for (const auto& rec : sf_query("SELECT+Id,+RollWorks_Account_Id__c,+Intent_Score__c,+"
                                    "Account__c+FROM+RollWorks_Account_Data__c")) {
      const std::string id(rec.at("RollWorks_Account_Id__c").as_string());
      EXPECT_FALSE(out.contains(id)) << "duplicate account data for " << id;
      const auto& score = rec.at("Intent_Score__c");
      out[id] = score.is_null() ? -1 : score.to_number<double>();
    }
    return out;
  }

  TempDir dir_;
  std::unique_ptr<HostProcess> sf_peer_;
  std::unique_ptr<HostProcess> rw_peer_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> sf_;
  std::unique_ptr<chpeer::testing::PeerHttpClient> rw_;
  std::string rw_url_;
  uint16_t redirect_port_ = 0;
};

}  // namespace
}  // namespace chost::integration

#endif  // TESTS_INTEGRATION_ROLLWORKS_FIXTURE_HPP_
