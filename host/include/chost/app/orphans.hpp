// Orphaned state: connectors and connections the state holds something of (credentials,
// status, checkpoints, mirrors...) that the configuration does not name, e.g. a state copied
// from another host under the same key, or a connector renamed. Reported at start and by
// `status`; `connector-host state prune` removes them.
#pragma once

#include <string>
#include <vector>

#include "chost/common/result.hpp"
#include "chost/config/host_config.hpp"
#include "chost/store/state_store.hpp"

namespace chost::app {

// Namespaces of `store` that `config` does not configure (the host's own is never one).
Result<std::vector<store::StateStore::NamespaceUsage>> find_orphans(
    store::StateStore& store, const config::HostConfig& config);

// "name (credentials, status)" for one orphan, for warnings and listings.
std::string describe_orphan(const store::StateStore::NamespaceUsage& orphan);

}  // namespace chost::app
