// LoopbackRedirect over POSIX sockets, and follow_url over libcurl.
#include "chost/app/loopback_redirect.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

#include "chost/common/text.hpp"

namespace chost::app {

namespace {

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    const size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos) {
      out[text::url_decode(pair.substr(0, eq))] = text::url_decode(pair.substr(eq + 1));
    } else if (!pair.empty()) {
      out[text::url_decode(pair)] = "";
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

void send_all(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Result<LoopbackRedirect> LoopbackRedirect::listen(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Error::transient("cannot create the redirect listener socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  // The registered redirect port is fixed, so an admin who authorizes again within a minute
  // meets the last attempt's connection in TIME_WAIT: that must not block the port.
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 4) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    return Error::transient("cannot listen on 127.0.0.1:" + std::to_string(port) +
                            " for the OAuth redirect: " + std::strerror(err));
  }
  return LoopbackRedirect(fd, ntohs(addr.sin_port));
}

LoopbackRedirect::LoopbackRedirect(LoopbackRedirect&& other) noexcept
    : fd_(other.fd_), port_(other.port_) {
  other.fd_ = -1;
}

LoopbackRedirect::~LoopbackRedirect() {
  if (fd_ >= 0) ::close(fd_);
}

std::string LoopbackRedirect::redirect_uri() const {
  return "http://127.0.0.1:" + std::to_string(port_) + "/callback";
}

Result<std::map<std::string, std::string>> LoopbackRedirect::wait(int64_t timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (int attempt = 0; attempt < 64; ++attempt) {  // ignore stray requests (favicon), bounded
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) break;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    Fd conn{::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC)};
    if (conn.fd < 0) continue;
    std::string req;
    char buf[2048];
    while (req.find("\r\n\r\n") == std::string::npos && req.size() < 16 * 1024) {
      pollfd c{conn.fd, POLLIN, 0};
      if (::poll(&c, 1, 2000) <= 0) break;
      const ssize_t n = ::recv(conn.fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    // "GET /callback?code=..&state=.. HTTP/1.1"
    const size_t sp1 = req.find(' ');
    const size_t sp2 = sp1 == std::string::npos ? sp1 : req.find(' ', sp1 + 1);
    if (sp2 == std::string::npos || req.compare(0, sp1, "GET") != 0) continue;
    const std::string target = req.substr(sp1 + 1, sp2 - sp1 - 1);
    const size_t qm = target.find('?');
    if (target.compare(0, qm, "/callback") != 0) {
      send_all(conn.fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      continue;
    }
    auto params = parse_query(qm == std::string::npos ? "" : target.substr(qm + 1));
    const std::string body =
        "<!doctype html><title>connector-host</title><p>Authorization received; you can close "
        "this window and return to the terminal.</p>";
    send_all(conn.fd,
             "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
             "Content-Length: " +
                 std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    return params;
  }
  return Error::cancelled("no OAuth redirect arrived in time");
}

Status follow_url(const std::string& url, int64_t timeout_ms) {
  struct Deleter {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
  };
  std::unique_ptr<CURL, Deleter> h(curl_easy_init());
  if (!h) return Error::transient("cannot create a curl handle");
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h.get(), CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_ms));
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      h.get(), CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t n, void*) -> size_t { return size * n; });
  const CURLcode rc = curl_easy_perform(h.get());
  if (rc != CURLE_OK) {
    // The query may carry a state or code: name only the failure.
    return Error::transient(std::string("following the authorize URL failed: ") +
                            curl_easy_strerror(rc));
  }
  return {};
}

}  // namespace chost::app
