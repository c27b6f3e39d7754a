// A small HTTP/1.1 server on loopback for the local SaaS peers. Each request is handed to one
// synchronous Handler; the Response may ask for a delay or a connection reset (fault
// injection). Beast/Asio stay in the .cpp (pimpl).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "chpeer/http_types.h"

namespace chpeer {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port; see HttpServer::port()
  int io_threads = 1;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

class HttpServer {
 public:
  // Binds and starts serving on background threads. On failure returns nullptr and sets *error.
  static std::unique_ptr<HttpServer> Start(const HttpServerOptions& options, Handler handler,
                                           std::string* error);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  const std::string& host() const;
  // "http://host:port" without a trailing slash.
  std::string base_url() const;
  // Stops accepting, closes connections and joins the threads. Idempotent.
  void Stop();

 private:
  struct Impl;
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chpeer
