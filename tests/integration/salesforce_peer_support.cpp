// The Salesforce peer and host.yaml shared by the Salesforce integration tests.
#include "salesforce_peer_support.hpp"

namespace chost::integration {

SalesforcePeerForTest start_salesforce_peer(const TempDir& dir, const std::string& client_secret,
                                            int wait_ms) {
  SalesforcePeerForTest peer;
  peer.redirect_port = free_port();
  boost::json::value seed = boost::json::parse(read_file(SF_DEMO_SEED));
  boost::json::object& app = seed.at("connected_apps").as_array().at(0).as_object();
  app["client_secret"] = client_secret;
  app["redirect_uris"] =
      boost::json::array{"http://127.0.0.1:" + std::to_string(peer.redirect_port) + "/callback"};
  peer.app = app;
  dir.write("seed.json", boost::json::serialize(seed));
  peer.process = std::make_unique<HostProcess>(
      dir.path(), std::vector<std::string>{"--port", "0", "--seed", "seed.json"}, "peer",
      SF_PEER_BIN);
  if (!peer.process->wait_for_out("http://", wait_ms)) return peer;
  std::string base = peer.process->out();
  base = base.substr(base.find("http://"));
  peer.base_url = base.substr(0, base.find_first_of("\r\n"));
  return peer;
}

std::string salesforce_host_yaml(const SalesforcePeerForTest& peer,
                                 const std::string& extra_host_lines) {
  return std::string(
             "host:\n"
             "  state: { path: ./state/host.db }\n"
             "  master_key: \"${env:CHOST_IT_SF_KEY}\"\n"
             "  plugin_dirs: [") +
         SF_PLUGIN_DIR +
         "]\n"
         "  log: { format: json, level: debug }\n" +
         extra_host_lines +
         "connectors:\n"
         "  - name: crm\n"
         "    plugin: salesforce\n"
         "    config:\n"
         "      login_url: \"" +
         peer.base_url +
         "\"\n"
         "      client_id: " +
         std::string(peer.app.at("client_id").as_string()) +
         "\n"
         "      client_secret: \"${env:CHOST_IT_SF_SECRET}\"\n"
         "      objects: [{ name: Account, fields: [Name] }]\n";
}

}  // namespace chost::integration
