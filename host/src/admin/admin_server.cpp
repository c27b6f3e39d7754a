// AdminServer over Boost.Beast: an acceptor and per-connection sessions on the I/O threads;
// request handling (the router and its backend calls) on a worker pool. Each session runs on
// its own strand. Stop is cooperative: idle sessions close at once, busy ones after their
// response; the server waits (bounded) until every session is gone.
#include "chost/admin/admin_server.hpp"

#include <spdlog/spdlog.h>

#include <atomic>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "admin_router.hpp"
#include "bearer_auth.hpp"
#include "listen_address.hpp"
#include "request_reading.hpp"

namespace chost::admin {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

// The access log names the path only: a query may carry an OAuth code.
std::string path_of(std::string_view target) {
  return std::string(target.substr(0, target.find('?')));
}

}  // namespace

class AdminServer::Impl {
 public:
  class Session;

  Impl(AdminOptions options, AdminBackend& backend)
      : options_(std::move(options)), backend_(backend), auth_(options_.bearer_token) {}

  Status start();
  void stop();
  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void unregister(uint64_t id);

  // Declared first: sessions destroyed with the io_context unregister themselves here.
  std::mutex mu_;
  std::condition_variable sessions_gone_;
  std::map<uint64_t, std::weak_ptr<Session>> sessions_;
  uint64_t next_session_id_ = 1;

  AdminOptions options_;
  AdminBackend& backend_;
  BearerAuth auth_;
  std::unique_ptr<AdminRouter> router_;
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};
  std::mutex stop_mu_;
  bool stopped_ = false;  // stop_mu_
  uint16_t port_ = 0;
  std::string base_url_;

  net::io_context ioc_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;
  std::optional<tcp::acceptor> acceptor_;
  std::vector<std::thread> io_threads_;
  std::unique_ptr<net::thread_pool> workers_;
};

class AdminServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& server, uint64_t id, tcp::socket socket)
      : server_(server), id_(id), stream_(std::move(socket)) {}
  ~Session() { server_.unregister(id_); }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_request(); });
  }

  // From stop(): close now when idle, after the response when busy.
  void request_stop() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

  // Makes room for a new connection: closes this one if it is still waiting for the first byte
  // of a request. False when it has begun one meanwhile (or was already chosen).
  bool evict() {
    if (!waiting_.exchange(false)) return false;
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      self->evicted_ = true;
      if (!self->busy_) self->close();
    });
    return true;
  }
  bool waiting() const { return waiting_.load(); }

 private:
  const AdminOptions& opts() const { return server_.options_; }

  // Waits for the first byte of the next request, so that a slow request (read timeout) and a
  // quiet connection differ: a new one gets the short first-byte timeout, a keep-alive one
  // that has been served the idle timeout. While waiting it may be evicted (see on_accept).
  void wait_request() {
    if (closing_ || evicted_ || server_.stopping_) return close();
    if (buffer_.size() > 0) return read_request();
    stream_.expires_after(
        std::chrono::milliseconds(served_ ? opts().idle_timeout_ms : opts().first_byte_timeout_ms));
    waiting_ = true;
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->waiting_ = false;
                              if (ec || self->evicted_) return self->close();
                              self->buffer_.commit(n);
                              self->read_request();
                            });
  }

  void read_request() {
    parser_.emplace();
    limit_request_parser(*parser_, opts());
    stream_.expires_after(std::chrono::milliseconds(opts().read_timeout_ms));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream) return close();
    if (ec == http::error::body_limit) return refuse(413, "the request body is too large");
    if (ec == http::error::header_limit) return refuse(431, "the request header is too large");
    if (ec == beast::error::timeout || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return close();
    }
    if (ec) return refuse(400, "malformed HTTP request");

    busy_ = true;
    const auto& req = parser_->get();
    HttpRequest request = to_http_request(req);
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    started_at_ = Clock::now();
    net::post(*server_.workers_, [self = shared_from_this(), request = std::move(request)] {
      HttpResponse response = self->server_.router_->handle(request);
      spdlog::debug(
          "admin: {} {} -> {} ({} ms)", request.method, path_of(request.target), response.status,
          std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - self->started_at_)
              .count());
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->write(response); });
    });
  }

  // Answers a request that could not be read and closes: the rest of the stream is unusable.
  void refuse(int status, const std::string& message) {
    HttpResponse response;
    response.status = status;
    response.body = "{\"error\":{\"class\":\"config\",\"message\":\"" + message + "\"}}\n";
    keep_alive_ = false;
    version_ = 11;
    busy_ = true;
    write(response);
  }

  void write(const HttpResponse& response) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    res->set(http::field::server, "connector-host");
    res->set(http::field::content_type, response.content_type);
    res->set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : response.headers) res->set(name, value);
    res->body() = response.body;
    res->keep_alive(keep_alive_ && !closing_ && !server_.stopping_);
    res->prepare_payload();
    stream_.expires_after(std::chrono::milliseconds(opts().write_timeout_ms));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, size_t) {
                        self->busy_ = false;
                        self->served_ = true;
                        if (ec || !res->keep_alive()) return self->close();
                        self->wait_request();
                      });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.socket().close(ignored);
  }

  Impl& server_;
  const uint64_t id_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<BeastRequestParser> parser_;
  bool busy_ = false;                 // a request is being handled or answered
  bool served_ = false;               // answered a request: later waits use the idle timeout
  bool evicted_ = false;              // made room for a newer connection
  std::atomic<bool> waiting_{false};  // waiting for a request's first byte (read by on_accept)
  bool closing_ = false;              // stop() asked
  bool keep_alive_ = true;
  unsigned version_ = 11;
  Clock::time_point started_at_;
};

Status AdminServer::Impl::start() {
  if (options_.bearer_token.empty()) {
    return Error::config("the admin bearer token is empty; the admin API would be open");
  }
  auto address = parse_listen_address(options_.listen);
  if (!address) return address.error();
  if (!address->loopback) {
    spdlog::warn(
        "admin: listening on non-loopback address {}; the admin API is reachable from the "
        "network (bearer token required except for probes)",
        address->host);
  }
  beast::error_code ec;
  tcp::endpoint endpoint(net::ip::make_address(address->host), address->port);
  acceptor_.emplace(ioc_);
  auto fail = [&](const char* what) {
    acceptor_.reset();
    return Error::transient("admin: cannot " + std::string(what) + " " + options_.listen + ": " +
                            ec.message());
  };
  if (acceptor_->open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor_->set_option(net::socket_base::reuse_address(true), ec)) return fail("configure");
  if (acceptor_->bind(endpoint, ec)) return fail("bind");
  if (acceptor_->listen(net::socket_base::max_listen_connections, ec)) return fail("listen on");
  port_ = acceptor_->local_endpoint().port();
  std::string host = address->ipv6 ? "[" + address->host + "]" : address->host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "[::]") host = "[::1]";
  base_url_ = "http://" + host + ":" + std::to_string(port_);
  std::string public_url = options_.public_url.empty() ? base_url_ : options_.public_url;
  while (!public_url.empty() && public_url.back() == '/') public_url.pop_back();
  router_ = std::make_unique<AdminRouter>(backend_, auth_, public_url + "/oauth/callback");

  workers_ = std::make_unique<net::thread_pool>(std::max(1, options_.worker_threads));
  work_.emplace(ioc_.get_executor());
  do_accept();
  for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
    io_threads_.emplace_back([this] { ioc_.run(); });
  }
  started_ = true;
  spdlog::info("admin: listening on {}", base_url_);
  return {};
}

void AdminServer::Impl::do_accept() {
  acceptor_->async_accept(net::make_strand(ioc_), [this](beast::error_code ec, tcp::socket s) {
    on_accept(ec, std::move(s));
  });
}

void AdminServer::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping_ || !acceptor_->is_open()) return;
  if (ec) {
    spdlog::warn("admin: accept failed: {}", ec.message());
  } else {
    std::shared_ptr<Session> session;
    std::vector<std::shared_ptr<Session>> looked_at;  // released after the lock: ~Session locks
    {
      std::lock_guard lock(mu_);
      bool room = sessions_.size() < options_.max_connections;
      // Oldest first (ids grow): the connection that has waited longest without a request.
      for (auto it = sessions_.begin(); !room && it != sessions_.end(); ++it) {
        std::shared_ptr<Session> old = it->second.lock();
        if (old && old->evict()) room = true;
        if (old) looked_at.push_back(std::move(old));
      }
      if (room) {
        uint64_t id = next_session_id_++;
        session = std::make_shared<Session>(*this, id, std::move(socket));
        sessions_[id] = session;
      }
    }
    if (session) {
      session->start();
    } else {
      beast::error_code ignored;
      socket.close(ignored);  // at the limit, and every connection is in a request
    }
  }
  do_accept();
}

void AdminServer::Impl::unregister(uint64_t id) {
  std::lock_guard lock(mu_);
  sessions_.erase(id);
  sessions_gone_.notify_all();
}

void AdminServer::Impl::stop() {
  std::lock_guard stop_lock(stop_mu_);  // stop() from the destructor and a signal thread
  if (!started_ || stopped_) return;
  stopped_ = true;
  stopping_ = true;
  net::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_->close(ignored);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (auto& s : live) s->request_stop();
  live.clear();
  {
    std::unique_lock lock(mu_);
    bool all_gone =
        sessions_gone_.wait_for(lock, std::chrono::milliseconds(options_.stop_timeout_ms),
                                [this] { return sessions_.empty(); });
    if (!all_gone) {
      spdlog::warn("admin: {} connection(s) still busy after {} ms; closing them", sessions_.size(),
                   options_.stop_timeout_ms);
    }
  }
  work_.reset();
  ioc_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  // A backend call still running holds a session; wait for it (backend calls have their own
  // deadlines) so nothing touches the backend after stop() returns.
  workers_->join();
  spdlog::info("admin: stopped");
}

AdminServer::AdminServer(AdminOptions options, AdminBackend& backend)
    : impl_(std::make_unique<Impl>(std::move(options), backend)) {}

AdminServer::~AdminServer() { stop(); }

Status AdminServer::start() {
  if (impl_->started_) return Error::conflict("the admin server is already started");
  return impl_->start();
}

void AdminServer::stop() { impl_->stop(); }

uint16_t AdminServer::port() const { return impl_->port_; }
std::string AdminServer::base_url() const { return impl_->base_url_; }
uint64_t AdminServer::token_checks_ForTest() const { return impl_->auth_.checks(); }
bool AdminServer::stopping_ForTest() const { return impl_->stopping_; }

}  // namespace chost::admin
