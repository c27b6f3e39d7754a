// Checks across connectors that no schema can express: unique names, the plugin exists, `uses:`
// points at a connector that provides a connection, and `uses:` chains have no cycles.
#pragma once

#include <vector>

#include "chost/config/host_config.hpp"
#include "load_context.hpp"

namespace chost::config {

// Reports into ctx. Entries that failed the host schema in a way that hides their name or
// plugin are skipped (the schema error already says why).
void check_connectors(LoadContext& ctx, const std::vector<PluginSchemaInfo>& plugins);

}  // namespace chost::config
