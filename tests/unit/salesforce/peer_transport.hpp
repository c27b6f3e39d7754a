// FakeHost HTTP handler that performs the request for real with libcurl, so the salesforce
// plugin's integration tests reach the in-process Salesforce peer on loopback exactly as they
// would through the host's HTTP client. Redirects are not followed (the OAuth authorize step
// reads the 302 Location itself).
#ifndef TESTS_UNIT_SALESFORCE_PEER_TRANSPORT_HPP_
#define TESTS_UNIT_SALESFORCE_PEER_TRANSPORT_HPP_

#include <curl/curl.h>
#include <connector_host/testing/fake_host.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sfplugin::testing {

struct PeerResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string header(const std::string& name) const {
    for (const auto& [k, v] : headers) {
      if (strcasecmp(k.c_str(), name.c_str()) == 0) return v;
    }
    return {};
  }
};

inline std::size_t peer_write_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

inline std::size_t peer_write_header(char* data, std::size_t size, std::size_t n, void* user) {
  std::string line(data, size * n);
  std::size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    static_cast<std::vector<std::pair<std::string, std::string>>*>(user)->emplace_back(
        line.substr(0, colon), value);
  }
  return size * n;
}

// One real HTTP exchange; status 0 when the transport failed.
inline PeerResponse peer_request(const std::string& method, const std::string& url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const std::string& body) {
  PeerResponse out;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  struct SlistFree {
    void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
  };
  std::unique_ptr<curl_slist, SlistFree> list;
  for (const auto& [k, v] : headers) {
    list.reset(curl_slist_append(list.release(), (k + ": " + v).c_str()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty() || method == "POST" || method == "PATCH") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, list.get());
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &peer_write_body);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, &peer_write_header);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &out.headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, 20'000L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (curl_easy_perform(curl.get()) != CURLE_OK) return PeerResponse{};
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

// Installs the forwarding handler on `host`.
inline void forward_http_to_network(chp::testing::FakeHost& host) {
  host.set_http_handler([](const chp::testing::FakeHttpRequest& req) {
    PeerResponse r = peer_request(req.method, req.url, req.headers, req.body);
    if (r.status == 0) return chp::testing::FakeHttpResponse{CHP_ERR_TRANSIENT, 0, {}, {}};
    return chp::testing::FakeHttpResponse{CHP_OK, static_cast<std::uint32_t>(r.status),
                                          std::move(r.headers), std::move(r.body)};
  });
}

}  // namespace sfplugin::testing

#endif  // TESTS_UNIT_SALESFORCE_PEER_TRANSPORT_HPP_
