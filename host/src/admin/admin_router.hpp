// AdminRouter: maps one admin HTTP request to a backend call and its response: routing,
// method checks (405), bearer auth (401) for non-probe routes, JSON bodies and the mapping
// of backend errors to HTTP statuses. No I/O here; the server feeds it parsed requests from
// its worker threads (handle() is safe to call concurrently).
#pragma once

#include <string>

#include "bearer_auth.hpp"
#include "chost/admin/admin_backend.hpp"
#include "http_types.hpp"

namespace chost::admin {

class AdminRouter {
 public:
  // `backend` and `auth` must outlive the router. `default_redirect_uri` is used by authorize
  // when the request names none.
  AdminRouter(AdminBackend& backend, const BearerAuth& auth, std::string default_redirect_uri);

  HttpResponse handle(const HttpRequest& request) const;

 private:
  HttpResponse route(const HttpRequest& request) const;

  AdminBackend& backend_;
  const BearerAuth& auth_;
  std::string default_redirect_uri_;
};

}  // namespace chost::admin
