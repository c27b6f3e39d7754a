// find_orphans: the state's namespaces minus the configured connectors and the host's own.
#include "chost/app/orphans.hpp"

#include <set>

#include "chost/app/options.hpp"

namespace chost::app {

Result<std::vector<store::StateStore::NamespaceUsage>> find_orphans(
    store::StateStore& store, const config::HostConfig& config) {
  auto all = store.list_namespaces();
  if (!all) return all.error();
  std::set<std::string> configured{kHostNamespace};
  for (const auto& c : config.connectors) configured.insert(c.name);
  std::vector<store::StateStore::NamespaceUsage> out;
  for (auto& usage : *all) {
    if (configured.count(usage.name) == 0) out.push_back(std::move(usage));
  }
  return out;
}

std::string describe_orphan(const store::StateStore::NamespaceUsage& orphan) {
  std::string text = orphan.name + " (";
  for (size_t i = 0; i < orphan.holds.size(); ++i) text += (i ? ", " : "") + orphan.holds[i];
  return text + ")";
}

}  // namespace chost::app
