// AdminGlue with chost_admin: an AdminServer over HostAdminBackend, started when the config has
// an admin token (the server refuses to run without one).
#include "admin_backend.hpp"
#include "admin_glue.hpp"
#include "chost/admin/admin_server.hpp"

namespace chost::app {

namespace {

class ServerGlue final : public AdminGlue {
 public:
  ServerGlue(Host& host, admin::AdminOptions options)
      : backend_(host), server_(std::move(options), backend_) {}
  Status start() { return server_.start(); }
  void stop() override { server_.stop(); }
  std::string url() const override { return server_.base_url(); }

 private:
  HostAdminBackend backend_;
  admin::AdminServer server_;  // after backend_: stopped and destroyed first
};

}  // namespace

bool AdminGlue::wanted(const config::HostConfig& config) {
  return config.host.admin.token.has_value();
}

Result<std::unique_ptr<AdminGlue>> AdminGlue::start(Host& host, const config::HostConfig& config) {
  admin::AdminOptions options;
  options.listen = config.host.admin.listen;
  options.bearer_token = *config.host.admin.token;
  options.public_url = config.host.admin.public_url;
  auto glue = std::make_unique<ServerGlue>(host, std::move(options));
  if (Status st = glue->start(); !st) return st.error();
  return std::unique_ptr<AdminGlue>(std::move(glue));
}

}  // namespace chost::app
