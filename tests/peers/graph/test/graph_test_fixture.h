// Test helpers for the Graph peer tests: a fixture that starts the peer with the demo seed on a
// free port and talks to it with libcurl (chpeer::testing::PeerHttpClient) as a real client.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "chpeer/graph/graph_peer.h"
#include "chpeer/testing/peer_http_client.h"

namespace chpeer::graph::testing {

using chpeer::testing::HttpResult;
using chpeer::testing::PeerHttpClient;

// Demo-seed constants (tests/peers/graph/seeds/demo.json).
inline constexpr const char* kTenant = "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e6f7";
inline constexpr const char* kAppId = "11111111-2222-4333-8444-555555555555";  // alice + bob
inline constexpr const char* kAppSecret = "rg-sync-secret~demo";
inline constexpr const char* kAdminAppId = "99999999-8888-4777-8666-555555555555";  // all
inline constexpr const char* kAdminSecret = "admin-secret~demo";
inline constexpr const char* kAlice = "a1a1a1a1-0000-4000-8000-000000000001";
inline constexpr const char* kBob = "b2b2b2b2-0000-4000-8000-000000000002";
inline constexpr const char* kCarol = "c3c3c3c3-0000-4000-8000-000000000003";
inline constexpr const char* kGraphScope = "https://graph.microsoft.com/.default";

// One delta round followed to its deltaLink.
struct DeltaRoundResult {
  std::vector<boost::json::value> items;
  int pages = 0;
  std::string delta_link;
  long last_status = 0;
};

class GraphPeerTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  HttpResult RequestToken(const std::string& client_id, const std::string& secret,
                          const std::string& scope = kGraphScope,
                          const std::string& tenant = kTenant);
  // A token for the rg-sync app (fails the test when none is issued).
  std::string Token(const std::string& client_id = kAppId, const std::string& secret = kAppSecret);
  HttpResult Get(const std::string& path, const std::string& token,
                 std::vector<std::string> headers = {});
  // Control API call; fails the test when the peer answers non-200.
  boost::json::value Control(const std::string& method, const std::string& path,
                             const boost::json::value& body = boost::json::object{});
  // Follows nextLinks from `url` until a deltaLink (at most 100 pages).
  DeltaRoundResult RunDelta(const std::string& url, const std::string& token, int page_size);
  static std::string MessagesDelta(const std::string& user, const std::string& folder);

  std::unique_ptr<GraphPeer> peer_;
  std::unique_ptr<PeerHttpClient> client_;
};

std::string Str(const boost::json::value& v, const char* key);

}  // namespace chpeer::graph::testing
