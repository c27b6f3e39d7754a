// Beast implementation of chpeer::HttpServer: one acceptor, async sessions with keep-alive,
// handlers called synchronously on the io threads, delays via timers (never blocking a thread).
#include "chpeer/http_server.h"

#include <atomic>
#include <thread>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace chpeer {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const Handler& handler, std::size_t max_body_bytes)
      : stream_(std::move(socket)),
        timer_(stream_.get_executor()),
        handler_(handler),
        max_body_bytes_(max_body_bytes) {}

  void Run() { ReadNext(); }

 private:
  void ReadNext() {
    parser_.emplace();
    parser_->body_limit(max_body_bytes_);
    parser_->header_limit(64 * 1024);
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec, std::size_t) { self->OnRead(ec); });
    });
  }

  void OnRead(beast::error_code ec) {
    if (ec) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      return;
    }
    auto beast_request = parser_->release();
    Request request;
    request.method = std::string(beast_request.method_string());
    request.target = std::string(beast_request.target());
    auto question = request.target.find('?');
    request.path = PercentDecode(request.target.substr(0, question), false);
    if (question != std::string::npos) {
      request.query = ParseUrlEncoded(std::string_view(request.target).substr(question + 1));
    }
    for (const auto& field : beast_request) {
      request.headers[std::string(field.name_string())] = std::string(field.value());
    }
    request.body = std::move(beast_request.body());
    beast::error_code addr_ec;
    auto endpoint = stream_.socket().remote_endpoint(addr_ec);
    if (!addr_ec) request.remote_address = endpoint.address().to_string();

    Response response;
    try {
      response = handler_(request);
    } catch (const std::exception& e) {
      response = Response::Text(500, std::string("peer handler threw: ") + e.what());
    }
    keep_alive_ = beast_request.keep_alive();
    version_ = beast_request.version();
    head_only_ = beast_request.method() == http::verb::head;
    pending_ = std::move(response);
    if (pending_.delay_ms > 0) {
      timer_.expires_after(std::chrono::milliseconds(pending_.delay_ms));
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Send(); });
    } else {
      Send();
    }
  }

  void Send() {
    if (pending_.reset_connection) {
      beast::error_code ignored;
      stream_.socket().set_option(asio::socket_base::linger(true, 0), ignored);
      stream_.socket().close(ignored);
      return;
    }
    auto out = std::make_shared<http::response<http::string_body>>();
    out->version(version_);
    out->result(static_cast<unsigned>(pending_.status));
    out->set(http::field::server, "chpeer");
    for (const auto& [name, value] : pending_.headers) out->set(name, value);
    out->body() = std::move(pending_.body);
    out->keep_alive(keep_alive_);
    out->prepare_payload();
    if (head_only_) out->body().clear();
    http::async_write(stream_, *out,
                      [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
                        if (ec) return;
                        if (!out->keep_alive()) {
                          beast::error_code ignored;
                          self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          return;
                        }
                        self->ReadNext();
                      });
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  const Handler& handler_;
  std::size_t max_body_bytes_;
  Response pending_;
  bool keep_alive_ = false;
  bool head_only_ = false;
  unsigned version_ = 11;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  Handler handler;
  HttpServerOptions options;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::atomic<bool> stopped{false};

  void Accept() {
    acceptor.async_accept(asio::make_strand(io), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      } else {
        beast::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::make_shared<Session>(std::move(socket), handler, options.max_body_bytes)->Run();
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Stop(); }

std::unique_ptr<HttpServer> HttpServer::Start(const HttpServerOptions& options, Handler handler,
                                              std::string* error) {
  auto impl = std::make_unique<Impl>();
  impl->handler = std::move(handler);
  impl->options = options;
  beast::error_code ec;
  auto address = asio::ip::make_address(options.host, ec);
  if (ec) {
    if (error) *error = "invalid listen address '" + options.host + "': " + ec.message();
    return nullptr;
  }
  tcp::endpoint endpoint(address, options.port);
  impl->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl->acceptor.bind(endpoint, ec);
  if (!ec) impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    if (error) {
      *error = "cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
               ec.message();
    }
    return nullptr;
  }
  impl->port = impl->acceptor.local_endpoint().port();
  impl->Accept();
  int thread_count = options.io_threads < 1 ? 1 : options.io_threads;
  for (int i = 0; i < thread_count; ++i) {
    impl->threads.emplace_back([raw = impl.get()] { raw->io.run(); });
  }
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

std::uint16_t HttpServer::port() const { return impl_->port; }

const std::string& HttpServer::host() const { return impl_->options.host; }

std::string HttpServer::base_url() const {
  return "http://" + impl_->options.host + ":" + std::to_string(impl_->port);
}

void HttpServer::Stop() {
  if (!impl_ || impl_->stopped.exchange(true)) return;
  asio::post(impl_->io, [raw = impl_.get()] {
    beast::error_code ignored;
    raw->acceptor.close(ignored);
  });
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace chpeer
