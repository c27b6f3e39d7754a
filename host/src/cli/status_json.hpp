// `status --json`: one document for scripts, the same shape whether the host is running (read
// through its admin API) or stopped (read from the state store):
//   {"running": bool, "admin_url": string|null,
//    "connectors": [{<the admin API's connector fields>, "subjects": [<its user fields>]}],
//    "orphans": [{"name": string, "holds": [string]}]}   (in the state, not in the config)
#pragma once

#include <string>
#include <vector>

#include "chost/app/host.hpp"

namespace boost::json {
class value;
}

namespace chost::cli {

// A stopped host: from Host::status().
std::string status_json(const std::vector<app::ConnectorStatus>& items,
                        const std::vector<app::OrphanStatus>& orphans = {});

// A running host: `connectors` as GET /api/v1/connectors answered, `users` one answer of
// GET /api/v1/connectors/NAME/users per connector that answered.
std::string status_json(const std::string& admin_url, const boost::json::value& connectors,
                        const std::vector<boost::json::value>& users);

}  // namespace chost::cli
