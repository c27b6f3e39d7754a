// FormBody: builds an application/x-www-form-urlencoded body, the format of every OAuth 2.0
// token request. Pair it with Request::body_is_secret so the host never logs the body.
#ifndef CONNECTOR_HOST_SDK_HTTP_FORM_HPP_
#define CONNECTOR_HOST_SDK_HTTP_FORM_HPP_

#include <connector_host/sdk/http/message.hpp>
#include <connector_host/sdk/http/url.hpp>

#include <string>
#include <string_view>
#include <utility>

namespace chp::http {

class FormBody {
 public:
  static constexpr std::string_view kContentType = "application/x-www-form-urlencoded";

  FormBody& add(std::string_view name, std::string_view value) {
    params_.emplace_back(std::string(name), std::string(value));
    return *this;
  }

  std::string str() const { return encode_query(params_, SpaceEncoding::kPlus); }

  // A POST request to `url` carrying this body, the content type set and the body marked
  // secret (form posts carry client secrets and refresh tokens).
  Request to_post(std::string url) const {
    Request req;
    req.method = "POST";
    req.url = std::move(url);
    req.headers.emplace_back("Content-Type", std::string(kContentType));
    req.headers.emplace_back("Accept", "application/json");
    req.body = str();
    req.body_is_secret = true;
    return req;
  }

 private:
  QueryParams params_;
};

}  // namespace chp::http

#endif  // CONNECTOR_HOST_SDK_HTTP_FORM_HPP_
