// CurlHttpPort: HttpPort over libcurl easy handles (RAII), with cancellation via the progress
// callback and transport errors reported as kTransient without echoing the URL's query.
#include "chost/app/curl_http_port.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>
#include <string>

namespace chost::app {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct ListDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

struct Transfer {
  const runtime::HttpResponseHandler* handler;
  const std::atomic<bool>* cancelled;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (t->handler->on_body) t->handler->on_body(std::string_view(data, size * n));
  return size * n;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos && t->handler->on_header) {
    std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    t->handler->on_header(name, value);
  }
  return size * n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<Transfer*>(user)->cancelled->load() ? 1 : 0;
}

// Scheme://host[:port]/path without the query: queries may carry codes or tokens.
std::string url_for_errors(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

}  // namespace

CurlHttpPort::CurlHttpPort() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

Result<uint32_t> CurlHttpPort::perform(const runtime::HttpRequestSpec& request,
                                       const runtime::HttpResponseHandler& handler,
                                       const std::atomic<bool>& cancelled) {
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return Error::transient("http: cannot create a curl handle");
  CURL* h = easy.get();
  const std::string url(request.url);
  const std::string method(request.method);
  const std::string body(request.body);
  std::unique_ptr<curl_slist, ListDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    const std::string line = std::string(name) + ": " + std::string(value);
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return Error::transient("http: out of memory");
    (void)headers.release();
    headers.reset(next);
  }
  Transfer t{&handler, &cancelled};
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout_ms));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_ABORTED_BY_CALLBACK || cancelled.load()) {
    return Error::cancelled("http: request cancelled");
  }
  if (rc != CURLE_OK) {
    return Error::transient("http: " + method + " " + url_for_errors(url) + ": " +
                            curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  return static_cast<uint32_t>(status);
}

}  // namespace chost::app
