// The documented exit codes (commands.hpp, `connector-host --help`) that depend on what went
// wrong rather than on the verb: 4 when a connection is not authorized or disconnected, 5 when
// a connector is paused by its API quota. `sync` returns them for its own failure, `status` for
// the worst state it shows.
#pragma once

#include <string_view>
#include <vector>

#include "chost/app/host.hpp"
#include "chost/common/result.hpp"

namespace boost::json {
class value;
}

namespace chost::cli {

// A failed sync (or another connector verb): 4 for kAuthRevoked (the admin must authorize
// again), 5 for the quota pause, 1 otherwise.
// kExitQuotaPaused when a sync summary says the run paused at the API quota, else kExitOk.
int exit_code_for_summary(std::string_view summary_json);
int exit_code_for_failure(ErrorClass cls, std::string_view message);

// status of a stopped host: 4 if a connection is unauthorized or disconnected (or a connector
// is suspended waiting for one), else 5 if a connector's last error is the quota pause, else 0.
int exit_code_for_status(const std::vector<app::ConnectorStatus>& items);

// The same for a running host: `connectors` as GET /api/v1/connectors answers.
int exit_code_for_status(const boost::json::value& connectors);

}  // namespace chost::cli
