// Test helpers for the Salesforce peer tests: the peers' shared libcurl client
// (chpeer_test_client: no redirects followed, bounded timeouts) with Salesforce's auth, and a
// fixture that starts the peer with the demo seed on a free port.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "chpeer/salesforce/sf_peer.h"
#include "chpeer/testing/peer_http_client.h"

namespace chpeer::sf::testing {

struct HttpResult : chpeer::testing::HttpResult {
  // The parsed body; a body that is not JSON fails the test.
  boost::json::value Json() const;
};

using Params = std::vector<std::pair<std::string, std::string>>;

class FakeSalesforceClient {
 public:
  explicit FakeSalesforceClient(std::string base_url) : http_(std::move(base_url)) {}

  HttpResult Request(const std::string& method, const std::string& path, const std::string& body,
                     const std::vector<std::string>& headers) const;
  HttpResult Get(const std::string& path, const std::string& token = "",
                 const std::vector<std::string>& extra = {}) const;
  HttpResult PostForm(const std::string& path, const Params& params) const;
  HttpResult SendJson(const std::string& method, const std::string& path,
                      const boost::json::value& body, const std::string& token) const;
  // Control API call; fails the test when the peer answers non-200.
  boost::json::value Control(const std::string& method, const std::string& path,
                             const boost::json::value& body = boost::json::object{}) const;

  const std::string& base_url() const { return http_.base_url(); }

 private:
  chpeer::testing::PeerHttpClient http_;
};

std::string Q(const std::string& soql);  // "/services/data/v59.0/query?q=<encoded>"

// Demo-seed constants (tests/peers/salesforce/seeds/demo.json).
inline constexpr const char* kClientId = "demo-consumer-key";
inline constexpr const char* kClientSecret = "demo-consumer-secret";
inline constexpr const char* kRedirectUri = "http://127.0.0.1:8080/api/v1/oauth/callback";
inline constexpr const char* kApi = "/services/data/v59.0";

class SfPeerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Token for the integration user via client_credentials.
  std::string ServiceToken();
  // Full authorization code + PKCE flow; returns the token response.
  boost::json::value AuthorizeAndExchange(const std::string& client_id = kClientId,
                                          const std::string& login_hint = "");
  std::string Str(const boost::json::value& v, const char* key) const;

  std::unique_ptr<SalesforcePeer> peer_;
  std::unique_ptr<FakeSalesforceClient> client_;
};

}  // namespace chpeer::sf::testing
