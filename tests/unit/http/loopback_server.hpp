// LoopbackServer: a tiny HTTP/1.1 server on 127.0.0.1 (random port) for the HTTP client
// tests. Keep-alive, Content-Length bodies, one thread per connection; each response comes
// from a handler, which may delay it or drop the connection without answering.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace chost::http::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;  // path and query as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::optional<std::string> header(std::string_view name) const;
};

struct CannedResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  uint32_t delay_ms = 0;         // wait before answering (cut short when the server stops)
  bool drop_connection = false;  // close without answering
};

class LoopbackServer {
 public:
  using Handler = std::function<CannedResponse(const ReceivedRequest&, size_t index)>;

  // `port` 0: a free one. A fixed port lets a test bring a server back where it was.
  explicit LoopbackServer(Handler handler, uint16_t port = 0);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(std::string_view target) const;
  size_t request_count() const;
  size_t connection_count() const;  // accepted so far
  std::vector<ReceivedRequest> requests() const;

 private:
  void accept_loop();
  void serve(int fd);
  bool wait_or_stopped(uint32_t delay_ms);

  Handler handler_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> requests_;
  std::vector<int> open_fds_;
  size_t connections_ = 0;
  std::vector<std::thread> workers_;
  std::thread acceptor_;
};

// A port on 127.0.0.1 with nothing listening (bound then closed).
uint16_t unused_loopback_port();

}  // namespace chost::http::testing
