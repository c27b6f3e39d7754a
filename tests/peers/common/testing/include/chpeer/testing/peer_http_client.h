// A tiny libcurl client for the peers' integration tests: one request per call, no redirects
// followed, no proxy, bounded timeouts, response headers captured. Test-only (links libcurl).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "chpeer/http_types.h"

namespace chpeer::testing {

struct HttpResult {
  int curl_code = 0;  // CURLcode; 0 when a response arrived
  long status = 0;
  std::string body;
  HeaderMap headers;

  // Parsed body; null when it is not JSON.
  boost::json::value Json() const;
  std::string Header(const std::string& name) const;
};

class PeerHttpClient {
 public:
  explicit PeerHttpClient(std::string base_url) : base_url_(std::move(base_url)) {}

  // `path` is appended to the base URL unless it is already absolute ("http...").
  HttpResult Request(const std::string& method, const std::string& path, const std::string& body,
                     const std::vector<std::string>& headers) const;
  HttpResult Get(const std::string& path, const std::vector<std::string>& headers = {}) const;
  HttpResult PostForm(const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& params) const;
  HttpResult SendJson(const std::string& method, const std::string& path,
                      const boost::json::value& body,
                      const std::vector<std::string>& headers = {}) const;

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
};

}  // namespace chpeer::testing
