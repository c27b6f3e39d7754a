// Test support for the Salesforce integration tests: the local Salesforce peer (sf-peer)
// seeded with the demo org, its connected app's secret and redirect URI set for the test, calls
// to its control API, and the host.yaml that points a `crm` salesforce connector at it.
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "host_process.hpp"

namespace chost::integration {

struct SalesforcePeerForTest {
  std::unique_ptr<HostProcess> process;
  std::string base_url;        // empty when the peer did not start (see process->err())
  uint16_t port = 0;           // of base_url
  uint16_t redirect_port = 0;  // the app's registered redirect: http://127.0.0.1:<port>/callback
  boost::json::object app;     // the seeded connected app
};

// Starts sf-peer in `dir` with the demo seed; the connected app gets `client_secret` and a
// free loopback redirect port. Waits (bounded by `wait_ms`) for the peer to print its URL.
SalesforcePeerForTest start_salesforce_peer(const TempDir& dir, const std::string& client_secret,
                                            int wait_ms);

// A control API call (`path` under /__peer/, e.g. "faults"); true on a 2xx answer.
bool peer_control(const SalesforcePeerForTest& peer, const std::string& method,
                  const std::string& path, const boost::json::value& body = nullptr);
// GET /__peer/counters; an empty object when the peer does not answer.
boost::json::value peer_counters(const SalesforcePeerForTest& peer);
// counters[group][name], 0 when absent.
int64_t peer_counter(const boost::json::value& counters, const char* group, const char* name);

struct SalesforceHostYaml {
  std::string extra_host_lines;                // go into `host:`
  std::vector<std::string> extra_plugin_dirs;  // searched after the salesforce plugin's
  std::string extra_connectors;                // list entries after `crm`
  std::string crm_lines;         // keys of the `crm` entry itself (schedule, isolation), indented
  std::string crm_config_lines;  // keys under crm's `config:` (indented 6)
  std::string crm_objects = "[{ name: Account, fields: [Name] }]";
};

// host.yaml for a `crm` connector on the peer. The master key and client secret come from the
// env vars CHOST_IT_SF_KEY and CHOST_IT_SF_SECRET.
std::string salesforce_host_yaml(const SalesforcePeerForTest& peer,
                                 const SalesforceHostYaml& extra);
std::string salesforce_host_yaml(const SalesforcePeerForTest& peer,
                                 const std::string& extra_host_lines = "");

}  // namespace chost::integration
