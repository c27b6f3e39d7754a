// AdminGlue when chost_admin is not part of the build: the admin API never starts.
#include "admin_glue.hpp"

namespace chost::app {

bool AdminGlue::wanted(const config::HostConfig&) { return false; }

Result<std::unique_ptr<AdminGlue>> AdminGlue::start(Host&, const config::HostConfig&) {
  return Error::config("the admin API is not compiled into this build");
}

}  // namespace chost::app
