// Blocking test HTTP client over Boost.Beast (see test_http.hpp).
#include "test_http.hpp"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "chost/common/text.hpp"

namespace chost::admin::testing {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct TestConnection::State {
  net::io_context ioc;
  tcp::socket socket{ioc};
  beast::flat_buffer buffer;
  bool ok = false;
};

TestConnection::TestConnection(uint16_t port) : state_(std::make_unique<State>()) {
  beast::error_code ec;
  state_->socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  if (ec) return;
  // A receive timeout keeps a broken server from hanging the test binary.
  timeval tv{10, 0};
  setsockopt(state_->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  state_->ok = true;
}

TestConnection::~TestConnection() = default;

bool TestConnection::connected() const { return state_->ok; }

std::optional<TestResponse> TestConnection::request(
    const std::string& method, const std::string& target, const std::string& token,
    const std::string& body, const std::map<std::string, std::string>& headers) {
  if (!state_->ok) return std::nullopt;
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  beast::error_code ec;
  http::write(state_->socket, req, ec);
  if (ec) return std::nullopt;
  return read_response();
}

void TestConnection::send_raw(const std::string& bytes) {
  beast::error_code ec;
  net::write(state_->socket, net::buffer(bytes), ec);
}

std::optional<TestResponse> TestConnection::read_response() {
  http::response<http::string_body> res;
  beast::error_code ec;
  http::read(state_->socket, state_->buffer, res, ec);
  if (ec) return std::nullopt;
  TestResponse out;
  out.status = static_cast<int>(res.result_int());
  out.body = res.body();
  out.keep_alive = res.keep_alive();
  for (const auto& field : res) {
    out.headers[chost::text::to_lower(field.name_string())] = std::string(field.value());
  }
  return out;
}

bool TestConnection::closed_by_peer() {
  char byte = 0;
  beast::error_code ec;
  state_->socket.read_some(net::buffer(&byte, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

std::optional<TestResponse> http_call(uint16_t port, const std::string& method,
                                      const std::string& target, const std::string& token,
                                      const std::string& body) {
  TestConnection c(port);
  return c.request(method, target, token, body);
}

}  // namespace chost::admin::testing
