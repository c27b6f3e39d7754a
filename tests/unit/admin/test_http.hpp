// A minimal blocking HTTP/1.1 client for the admin server tests: one TCP connection to
// 127.0.0.1 on which requests (or raw bytes) are sent and responses read, so tests can check
// keep-alive, limits and connection closes that a full client library would hide.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace chost::admin::testing {

struct TestResponse {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  bool keep_alive = false;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class TestConnection {
 public:
  explicit TestConnection(uint16_t port);  // connects; reads time out after 10 s
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool connected() const;
  // Sends one request and reads its response; nullopt when the connection failed or closed.
  std::optional<TestResponse> request(const std::string& method, const std::string& target,
                                      const std::string& token = "", const std::string& body = "",
                                      const std::map<std::string, std::string>& headers = {});
  void send_raw(const std::string& bytes);
  std::optional<TestResponse> read_response();
  // True when the server closed the connection (a read sees end of stream or a reset).
  bool closed_by_peer();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// One request on a fresh connection.
std::optional<TestResponse> http_call(uint16_t port, const std::string& method,
                                      const std::string& target, const std::string& token = "",
                                      const std::string& body = "");

}  // namespace chost::admin::testing
