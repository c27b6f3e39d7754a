// FakeTokenServer over POSIX sockets: one request per connection, bounded reads.
#include "token_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace chost::integration {

FakeTokenServer::FakeTokenServer() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd_, 16) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("FakeTokenServer: cannot listen");
  }
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

FakeTokenServer::~FakeTokenServer() {
  stop_.store(true);
  shutdown(fd_, SHUT_RDWR);
  thread_.join();
  close(fd_);
}

std::vector<std::string> FakeTokenServer::issued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return issued_;
}

std::string FakeTokenServer::answer(const std::string& request) {
  const bool token = request.rfind("POST /token", 0) == 0;
  if (!token) return "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}";
  ++token_requests_;
  std::string at;
  std::string rt;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++serial_;
    at = std::string("at-") + kSeededSecretMarker + "-" + std::to_string(serial_) + "-x9f3";
    rt = std::string("rt-") + kSeededSecretMarker + "-" + std::to_string(serial_) + "-q7k2";
    issued_.push_back(at);
    issued_.push_back(rt);
  }
  const std::string body = "{\"access_token\":\"" + at + "\",\"refresh_token\":\"" + rt +
                           "\",\"instance_url\":\"" + base_url() + "\"}";
  return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
}

void FakeTokenServer::serve() {
  while (!stop_.load()) {
    const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (stop_.load()) return;
      continue;
    }
    std::string req;
    char buf[4096];
    // Headers, then Content-Length bytes of body; bounded by size and a poll timeout.
    for (int i = 0; i < 64 && req.size() < 64 * 1024; ++i) {
      const size_t end = req.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        const size_t cl = req.find("Content-Length: ");
        if (cl != std::string::npos && cl < end)
          length = std::strtoul(req.c_str() + cl + 16, nullptr, 10);
        if (req.size() >= end + 4 + length) break;
      }
      pollfd p{c, POLLIN, 0};
      if (poll(&p, 1, 2000) <= 0) break;
      const ssize_t n = recv(c, buf, sizeof buf, 0);
      if (n <= 0) break;
      req.append(buf, static_cast<size_t>(n));
    }
    const std::string resp = answer(req);
    (void)send(c, resp.data(), resp.size(), MSG_NOSIGNAL);
    close(c);
  }
}

}  // namespace chost::integration
