// AdminGlue: starts the admin HTTP API (chost_admin) over the Host when it is compiled in and
// the config has an admin token. Kept behind this small interface so the Host builds without
// chost_admin (admin_glue_none.cpp) and Beast stays out of every header.
#pragma once

#include <memory>
#include <string>

#include "chost/common/result.hpp"
#include "chost/config/host_config.hpp"

namespace chost::app {

class Host;

class AdminGlue {
 public:
  virtual ~AdminGlue() = default;
  // True when the admin API should run: compiled in and host.admin.token is set.
  static bool wanted(const config::HostConfig& config);
  // `host` must outlive the glue (stop() before the Host tears down).
  static Result<std::unique_ptr<AdminGlue>> start(Host& host, const config::HostConfig& config);
  virtual void stop() = 0;
  virtual std::string url() const = 0;
};

}  // namespace chost::app
