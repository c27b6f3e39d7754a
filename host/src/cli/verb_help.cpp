// Examples and completion options per verb (verb_help.hpp).
#include "verb_help.hpp"

#include <cstdio>

namespace chost::cli {
namespace {

constexpr VerbHelp kHelp[] = {
    {"plugins", "connector-host plugins --plugin-dir /usr/lib/connector-host/plugins --json",
     "--plugin-dir --allow-world-writable --json --help"},
    {"plugin-info", "connector-host plugin-info /usr/lib/connector-host/plugins/salesforce.so",
     "--allow-world-writable --json --help"},
    {"run", "connector-host run -c /etc/connector-host/host.yaml", "-c --config --help"},
    {"check-config", "connector-host check-config -c host.yaml --json | jq '.diagnostics'",
     "-c --config --json --help"},
    {"schema", "connector-host schema -c host.yaml > host.schema.json",
     "-c --config --plugin-dir --help"},
    {"status", "connector-host status -c host.yaml --json | jq '.connectors[].state'",
     "-c --config --json --help"},
    {"authorize", "connector-host authorize sf-org -c host.yaml --redirect-port 8765",
     "-c --config --follow --timeout --redirect-port --code --state --redirect-uri --help"},
    {"refresh", "connector-host refresh sf-org -c host.yaml", "-c --config --help"},
    {"disable", "connector-host disable rg-sync -c host.yaml --user alice@example.com",
     "-c --config --user --help"},
    {"enable", "connector-host enable rg-sync -c host.yaml", "-c --config --user --help"},
    {"sync", "connector-host sync sf-org -c host.yaml --json  # exit 4: authorize first",
     "-c --config --user --json --help"},
    {"outbox", "connector-host outbox sf-org -c host.yaml --state failed --retry",
     "-c --config --state --retry --id --help"},
    {"rotate-key",
     "NEW_KEY=$(openssl rand -hex 32) connector-host rotate-key -c host.yaml "
     "--new-key-ref '${env:NEW_KEY}'",
     "-c --config --new-key-ref --help"},
    {"state", "connector-host state prune -c host.yaml  # lists; --yes removes them",
     "prune -c --config --yes --help"},
    {"completion", "source <(connector-host completion bash)", "bash --help"},
};

}  // namespace

std::span<const VerbHelp> verb_help() { return kHelp; }

void print_verb_help(std::string_view verb, const char* usage) {
  std::printf("usage: %s\n", usage);
  for (const VerbHelp& h : kHelp) {
    if (verb == h.verb) std::printf("\nexample:\n  %s\n", h.example);
  }
}

}  // namespace chost::cli
