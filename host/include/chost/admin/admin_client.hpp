// AdminClient: the CLI's side of the admin API (authorize, refresh, disable, enable, sync,
// status verbs). One blocking libcurl request per call; a call fails with a clear message when
// no host is answering. The token is sent, never logged or quoted in an error.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "chost/common/result.hpp"

namespace chost::admin {

struct AdminClientOptions {
  int64_t connect_timeout_ms = 3 * 1000;
  // authorize/refresh/sync run plugin hooks behind the API: allow them their own deadlines.
  int64_t request_timeout_ms = 120 * 1000;
};

class AdminClient {
 public:
  // `base_url` like "http://127.0.0.1:8080" (a trailing slash is ignored).
  AdminClient(std::string base_url, std::string token, AdminClientOptions options = {});

  // Probes. healthz: {"ok":true}; readyz: {"ready":bool,"reason":".."} (a 503 is a value here,
  // not an error); metrics: the exposition text.
  Result<boost::json::value> healthz() const;
  Result<boost::json::value> readyz() const;
  Result<std::string> metrics() const;

  Result<boost::json::value> connectors() const;  // {"connectors":[..]}
  Result<boost::json::value> connector(const std::string& name) const;
  Result<boost::json::value> users(const std::string& name) const;  // {"connector","users"}
  Result<boost::json::value> history(const std::string& name, size_t limit = 50) const;
  // {"authorize_url":..} to open in a browser, or {"state":"connected"}. An empty
  // `redirect_uri` lets the host use its own /oauth/callback.
  Result<boost::json::value> authorize(const std::string& name,
                                       const std::string& redirect_uri = "") const;
  Result<boost::json::value> refresh(const std::string& name) const;  // {"ok","connector"}
  Result<boost::json::value> disable(const std::string& name) const;
  Result<boost::json::value> enable(const std::string& name) const;
  Result<boost::json::value> sync(const std::string& name) const;
  // GET .../outbox?state=failed|pending: {"connector","state","entries":[..]}
  Result<boost::json::value> outbox(const std::string& name, const std::string& state,
                                    size_t limit = 1000) const;
  // POST .../outbox/retry: the given entry ids, or every failed entry when empty.
  // {"ok","connector","retried":[ids]}
  Result<boost::json::value> outbox_retry(const std::string& name,
                                          const std::vector<int64_t>& ids) const;

  const std::string& base_url() const { return base_url_; }

 private:
  struct Reply {
    long status = 0;
    std::string body;
  };
  Result<Reply> request(const char* method, const std::string& path, const std::string& body,
                        bool with_token) const;
  Result<boost::json::value> json_call(const char* method, const std::string& path,
                                       const std::string& body = "") const;
  Result<boost::json::value> action(const std::string& name, const char* verb) const;

 public:
  // POST /api/v1/connectors/NAME/users/SUBJECT/{enable,disable,sync}
  Result<boost::json::value> user_action(const std::string& name, const std::string& subject,
                                         const std::string& verb) const;

 private:
  std::string base_url_;
  std::string token_;
  AdminClientOptions options_;
};

}  // namespace chost::admin
