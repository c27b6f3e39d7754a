// chp::http::ConnectionAuthenticator: sends requests with the connection's access token
// attached, for a sync of a `uses:` consumer and of a provider alike (both get the token from
// Context::connection_token). After an HTTP 401 it tells the host the token was rejected
// (rejected = true: the host refreshes once, single-flight) and sends the request once more
// with the new token; a second 401 is returned to the caller. The token lives only in the
// Authorization header, which the host redacts; no message, log line or exception of this
// class carries it.
#ifndef CONNECTOR_HOST_SDK_HTTP_AUTHENTICATOR_HPP_
#define CONNECTOR_HOST_SDK_HTTP_AUTHENTICATOR_HPP_

#include <connector_host/sdk/call.hpp>
#include <connector_host/sdk/context.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/json.hpp>

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace chp::http {

class ConnectionAuthenticator {
 public:
  explicit ConnectionAuthenticator(const Context& ctx) noexcept : ctx_(ctx) {}

  // Sends `request` with "Authorization: <token_type> <access_token>" (any Authorization
  // header already in `request` is replaced). Failures of connection_token surface as
  // Context::connection_token throws them (AuthRevokedError when not connected, ...).
  Response send(const Call& call, Request request) {
    if (!token_) fetch(call, false);
    Response response = ctx_.http(call, with_token(request));
    if (response.status != 401) return response;
    ctx_.log(LogLevel::kDebug, "HTTP 401: asking the host for a fresh token and retrying once");
    fetch(call, true);
    ++retries_after_401_;
    return ctx_.http(call, with_token(std::move(request)));
  }

  // The public part of the connection (e.g. instance_url), without the token. Fetches the
  // token first when no request was sent yet.
  boost::json::object connection(const Call& call) {
    if (!token_) fetch(call, false);
    boost::json::object out = *token_;
    out.erase("access_token");
    return out;
  }

  // How often a 401 made this authenticator get a new token (for summaries and tests).
  int retries_after_401() const noexcept { return retries_after_401_; }

 private:
  void fetch(const Call& call, bool rejected) {
    boost::json::object token = ctx_.connection_token(call, rejected);
    std::optional<std::string> access =
        optional_string(token, "access_token", ErrorClass::kPermanent, "connection token");
    if (!access || access->empty()) {
      throw PermanentError("connection token: the host returned no access_token");
    }
    token_ = std::move(token);
  }

  Request with_token(Request request) const {
    std::erase_if(request.headers, [](const auto& h) { return iequals(h.first, "Authorization"); });
    std::string type =
        optional_string(*token_, "token_type", ErrorClass::kPermanent).value_or("Bearer");
    if (type.empty() || iequals(type, "bearer")) type = "Bearer";
    request.headers.emplace_back("Authorization",
                                 type + " " + std::string(token_->at("access_token").as_string()));
    return request;
  }

  const Context& ctx_;
  std::optional<boost::json::object> token_;
  int retries_after_401_ = 0;
};

}  // namespace chp::http

#endif  // CONNECTOR_HOST_SDK_HTTP_AUTHENTICATOR_HPP_
