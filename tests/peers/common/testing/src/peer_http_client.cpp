// libcurl implementation of chpeer::testing::PeerHttpClient.
#include "chpeer/testing/peer_http_client.h"

#include <memory>

#include <curl/curl.h>
#include <boost/json.hpp>

namespace chpeer::testing {
namespace {

std::size_t WriteBody(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::size_t WriteHeader(char* data, std::size_t size, std::size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<HeaderMap*>(user))[line.substr(0, colon)] = value;
  }
  return size * n;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

}  // namespace

boost::json::value HttpResult::Json() const {
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  return ec ? boost::json::value(nullptr) : v;
}

std::string HttpResult::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpResult PeerHttpClient::Request(const std::string& method, const std::string& path,
                                   const std::string& body,
                                   const std::vector<std::string>& headers) const {
  static CurlGlobal init;
  HttpResult result;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::string url = StartsWith(path, "http") ? path : base_url_ + path;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST" || method == "PATCH" || method == "PUT" || !body.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  struct curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> list_guard(list, curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &result.headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 20000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROXY, "*");
  result.curl_code = curl_easy_perform(curl.get());
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &result.status);
  return result;
}

HttpResult PeerHttpClient::Get(const std::string& path,
                               const std::vector<std::string>& headers) const {
  return Request("GET", path, "", headers);
}

HttpResult PeerHttpClient::PostForm(
    const std::string& path, const std::vector<std::pair<std::string, std::string>>& params) const {
  return Request("POST", path, BuildUrlEncoded(params),
                 {"Content-Type: application/x-www-form-urlencoded"});
}

HttpResult PeerHttpClient::SendJson(const std::string& method, const std::string& path,
                                    const boost::json::value& body,
                                    const std::vector<std::string>& headers) const {
  std::vector<std::string> all{"Content-Type: application/json"};
  all.insert(all.end(), headers.begin(), headers.end());
  return Request(method, path, boost::json::serialize(body), all);
}

}  // namespace chpeer::testing
