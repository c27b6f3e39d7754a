// GraphPeerTest: start/stop of the peer and the small client calls every test uses.
#include "graph_test_fixture.h"

namespace chpeer::graph::testing {

namespace json = boost::json;

std::string Str(const json::value& v, const char* key) {
  const auto* o = v.if_object();
  const json::value* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_string() ? std::string(f->as_string()) : std::string();
}

void GraphPeerTest::SetUp() {
  GraphPeerOptions options;
  options.seed_path = GRAPH_PEER_DEMO_SEED;
  std::string error;
  peer_ = GraphPeer::Start(options, &error);
  ASSERT_TRUE(peer_) << error;
  client_ = std::make_unique<PeerHttpClient>(peer_->base_url());
}

void GraphPeerTest::TearDown() {
  if (peer_) peer_->Stop();
}

HttpResult GraphPeerTest::RequestToken(const std::string& client_id, const std::string& secret,
                                       const std::string& scope, const std::string& tenant) {
  return client_->PostForm("/" + tenant + "/oauth2/v2.0/token",
                           {{"client_id", client_id},
                            {"client_secret", secret},
                            {"scope", scope},
                            {"grant_type", "client_credentials"}});
}

std::string GraphPeerTest::Token(const std::string& client_id, const std::string& secret) {
  HttpResult r = RequestToken(client_id, secret);
  EXPECT_EQ(r.status, 200) << r.body;
  return Str(r.Json(), "access_token");
}

HttpResult GraphPeerTest::Get(const std::string& path, const std::string& token,
                              std::vector<std::string> headers) {
  headers.push_back("Authorization: Bearer " + token);
  return client_->Get(path, headers);
}

json::value GraphPeerTest::Control(const std::string& method, const std::string& path,
                                   const json::value& body) {
  HttpResult r = client_->SendJson(method, "/__peer/" + path, body);
  EXPECT_EQ(r.status, 200) << method << " /__peer/" << path << ": " << r.body;
  return r.status == 200 ? r.Json() : json::value(nullptr);
}

DeltaRoundResult GraphPeerTest::RunDelta(const std::string& url, const std::string& token,
                                         int page_size) {
  DeltaRoundResult result;
  std::string next = url;
  for (int i = 0; i < 100 && !next.empty(); ++i) {
    HttpResult r = Get(next, token, {"Prefer: odata.maxpagesize=" + std::to_string(page_size)});
    result.last_status = r.status;
    if (r.status != 200) {
      ADD_FAILURE() << next << " -> " << r.status << " " << r.body;
      return result;
    }
    ++result.pages;
    json::value page = r.Json();
    for (const auto& item : page.at("value").as_array()) result.items.push_back(item);
    next = Str(page, "@odata.nextLink");
    result.delta_link = Str(page, "@odata.deltaLink");
  }
  return result;
}

std::string GraphPeerTest::MessagesDelta(const std::string& user, const std::string& folder) {
  return "/v1.0/users/" + user + "/mailFolders/" + folder + "/messages/delta";
}

}  // namespace chpeer::graph::testing
