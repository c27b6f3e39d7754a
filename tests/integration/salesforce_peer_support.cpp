// The Salesforce peer and host.yaml shared by the Salesforce integration tests.
#include "salesforce_peer_support.hpp"

#include "loopback_http.hpp"

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
  peer.port = static_cast<uint16_t>(std::stoi(peer.base_url.substr(peer.base_url.rfind(':') + 1)));
  return peer;
}

bool peer_control(const SalesforcePeerForTest& peer, const std::string& method,
                  const std::string& path, const boost::json::value& body) {
  const HttpReply r = loopback_http(peer.port, method, "/__peer/" + path,
                                    body.is_null() ? std::string() : boost::json::serialize(body));
  return r.status >= 200 && r.status < 300;
}

boost::json::value peer_counters(const SalesforcePeerForTest& peer) {
  const HttpReply r = loopback_http(peer.port, "GET", "/__peer/counters");
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(r.body, ec);
  return ec || !v.is_object() ? boost::json::value(boost::json::object{}) : v;
}

int64_t peer_counter(const boost::json::value& counters, const char* group, const char* name) {
  const auto* g = counters.is_object() ? counters.as_object().if_contains(group) : nullptr;
  if (!g || !g->is_object()) return 0;
  const auto* v = g->as_object().if_contains(name);
  return v && v->is_int64() ? v->as_int64() : 0;
}

std::string salesforce_host_yaml(const SalesforcePeerForTest& peer,
                                 const SalesforceHostYaml& extra) {
  std::string dirs = SF_PLUGIN_DIR;
  for (const std::string& d : extra.extra_plugin_dirs) dirs += ", " + d;
  return "host:\n"
         "  state: { path: ./state/host.db }\n"
         "  master_key: \"${env:CHOST_IT_SF_KEY}\"\n"
         "  plugin_dirs: [" +
         dirs +
         "]\n"
         "  log: { format: json, level: debug }\n" +
         extra.extra_host_lines +
         "connectors:\n"
         "  - name: crm\n"
         "    plugin: salesforce\n" +
         extra.crm_lines +
         "    config:\n"
         "      login_url: \"" +
         peer.base_url +
         "\"\n"
         "      client_id: " +
         std::string(peer.app.at("client_id").as_string()) +
         "\n"
         "      client_secret: \"${env:CHOST_IT_SF_SECRET}\"\n"
         "      objects: " +
         extra.crm_objects + "\n" + extra.crm_config_lines + extra.extra_connectors;
}

std::string salesforce_host_yaml(const SalesforcePeerForTest& peer,
                                 const std::string& extra_host_lines) {
  SalesforceHostYaml extra;
  extra.extra_host_lines = extra_host_lines;
  return salesforce_host_yaml(peer, extra);
}

}  // namespace chost::integration
