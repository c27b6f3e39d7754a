// How the admin server reads one request off the wire, shared by its sessions
// (admin_server.cpp) and the admin request fuzzer (tests/fuzz/admin_request_fuzz.cpp): the
// parser's limits and the transport-neutral HttpRequest the router gets. Includes Beast, so it
// stays private to host/src/admin and is included by those two files only.
#pragma once

#include <boost/beast/http.hpp>
#include <string>

#include "chost/admin/admin_server.hpp"
#include "http_types.hpp"

namespace chost::admin {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastRequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// A fresh parser bounded by the server's header and body limits (413 / 431 beyond them).
inline void limit_request_parser(BeastRequestParser& parser, const AdminOptions& options) {
  parser.header_limit(static_cast<uint32_t>(options.max_header_bytes));
  parser.body_limit(options.max_body_bytes);
}

// What the router sees of a parsed request: method, target, Authorization and body.
inline HttpRequest to_http_request(const BeastRequest& req) {
  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  request.authorization = std::string(req[boost::beast::http::field::authorization]);
  request.body = req.body();
  return request;
}

}  // namespace chost::admin
