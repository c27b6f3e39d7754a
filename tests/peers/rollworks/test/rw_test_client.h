// Test helpers for the RollWorks peer tests: the peers' shared libcurl client
// (chpeer_test_client) with RollWorks' auth and error envelope, and a fixture that starts the
// peer with the demo seed on a free port.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "chpeer/rollworks/rw_peer.h"
#include "chpeer/testing/peer_http_client.h"

namespace chpeer::rollworks::testing {

struct HttpResult : chpeer::testing::HttpResult {
  // The parsed body; a body that is not JSON fails the test.
  boost::json::value Json() const;
  // error.code of the API's error envelope ("" when absent).
  std::string ErrorCode() const;
};

using Params = std::vector<std::pair<std::string, std::string>>;

class FakeRollWorksClient {
 public:
  explicit FakeRollWorksClient(std::string base_url) : http_(std::move(base_url)) {}

  HttpResult Request(const std::string& method, const std::string& path, const std::string& body,
                     const std::vector<std::string>& headers) const;
  HttpResult Get(const std::string& path, const std::string& token) const;
  HttpResult PostForm(const std::string& path, const Params& params,
                      const std::vector<std::string>& extra = {}) const;
  HttpResult PostJson(const std::string& path, const boost::json::value& body,
                      const std::string& token, const std::vector<std::string>& extra = {}) const;
  // Control API call; fails the test when the peer answers non-200.
  boost::json::value Control(const std::string& method, const std::string& path,
                             const boost::json::value& body = boost::json::object{}) const;

  const std::string& base_url() const { return http_.base_url(); }

 private:
  chpeer::testing::PeerHttpClient http_;
};

// Demo-seed constants (tests/peers/rollworks/seeds/demo.json).
inline constexpr const char* kApiKey = "rwk_demo_0123456789abcdef";
inline constexpr const char* kInactiveKey = "rwk_inactive_key";
inline constexpr const char* kClientId = "demo-rollworks-client";
inline constexpr const char* kClientSecret = "demo-rollworks-secret";
inline constexpr const char* kAdvertiser = "adv_demo";
inline constexpr const char* kOtherAdvertiser = "adv_other";
inline constexpr const char* kBase = "/api/v1/advertisers/adv_demo";

class RwPeerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string OAuthToken();
  // POST {kBase}/crm/{object}:batchUpsert with the demo API key.
  HttpResult Upsert(const std::string& object, const boost::json::array& records,
                    const std::vector<std::string>& extra = {});
  HttpResult Get(const std::string& path) { return client_->Get(path, kApiKey); }
  std::int64_t Counter(const char* group, const std::string& key);

  std::unique_ptr<RollWorksPeer> peer_;
  std::unique_ptr<FakeRollWorksClient> client_;
};

}  // namespace chpeer::rollworks::testing
