// FakeTokenServer: a loopback HTTP server (127.0.0.1, random port) playing the OAuth token
// endpoint and the API the fake connection plugin calls. Tokens it hands out contain
// kSeededSecretMarker so tests can grep every output for leaks.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace chost::integration {

inline constexpr const char* kSeededSecretMarker = "SEEDEDSECRET";

class FakeTokenServer {
 public:
  FakeTokenServer();
  ~FakeTokenServer();
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Every token handed out so far.
  std::vector<std::string> issued() const;
  int token_requests() const { return token_requests_.load(); }

 private:
  void serve();
  std::string answer(const std::string& request);

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> token_requests_{0};
  mutable std::mutex mu_;
  std::vector<std::string> issued_;
  int serial_ = 0;
  std::thread thread_;
};

}  // namespace chost::integration
