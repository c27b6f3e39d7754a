// PagedRest: config, the client-credentials grant and the stream over /records.
#include "paged_rest.hpp"

#include <connector_host/sdk/oauth/token.hpp>

#include <chrono>
#include <string>

namespace paged_rest {
namespace {

bool is_http_url(const std::string& url) {
  return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

void PagedRest::validate(const boost::json::object& config, chp::ConfigProblems& problems) {
  for (const char* key : {"base_url", "token_url"}) {
    if (!is_http_url(chp::config_optional_string(config, key).value_or(""))) {
      problems.add(std::string("/") + key, "must be an http:// or https:// URL");
    }
  }
}

PagedRest::PagedRest(chp::Context& ctx, const boost::json::object& config)
    : ctx_(ctx),
      base_url_(without_trailing_slash(chp::config_require_string(config, "base_url"))),
      token_url_(chp::config_require_string(config, "token_url")),
      client_id_(chp::config_require_string(config, "client_id")),
      client_secret_(chp::config_require_string(config, "client_secret")),
      scope_(chp::config_optional_string(config, "scope").value_or("")),
      collection_(chp::config_optional_string(config, "collection").value_or("records")),
      page_size_(chp::config_optional_int(config, "page_size", 100)) {}

chp::Grant PagedRest::request_grant(const chp::Call& call) const {
  chp::http::FormBody form;
  form.add("grant_type", "client_credentials")
      .add("client_id", client_id_)
      .add("client_secret", client_secret_);
  if (!scope_.empty()) form.add("scope", scope_);
  chp::oauth::TokenResponse token =
      chp::oauth::request_token(ctx_, call, token_url_, form, "client credentials grant");
  chp::Grant grant;
  grant.credentials = {{"access_token", token.access_token}, {"token_type", token.token_type}};
  grant.connection = {{"base_url", base_url_}};
  grant.identity.user_id = client_id_;  // an app acts as itself
  grant.identity.username = client_id_;
  if (token.expires_in_s) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    grant.expires_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count() +
                          *token.expires_in_s * 1000;
  }
  return grant;
}

void PagedRest::authorize(chp::Call& call, const boost::json::object& input) {
  if (!std::holds_alternative<chp::AuthorizeStart>(chp::parse_authorize_input(input))) {
    throw chp::PermanentError("client credentials need no browser callback");
  }
  call.set_grant(request_grant(call));
}

void PagedRest::refresh(chp::Call& call, const boost::json::object& input) {
  // No refresh token in this grant: a new client-credentials request is the refresh. The
  // identity stays the same, so the host keeps what it has.
  call.set_grant(request_grant(call));
}

void PagedRest::sync(chp::Call& call, const boost::json::object& input) {
  chp::http::ConnectionAuthenticator auth(ctx_);
  chp::StreamSpec spec;
  spec.name = "records";
  spec.collection = collection_;
  spec.request = [this](const chp::StreamPosition& at) {
    chp::http::QueryParams query{{"limit", std::to_string(page_size_)}};
    if (!at.cursor.empty()) query.emplace_back("updated_since", at.cursor);
    if (at.page_token) query.emplace_back("page_token", *at.page_token);
    return chp::http::Request::get(chp::http::append_query(base_url_ + "/records", query));
  };
  spec.send = [&auth](const chp::Call& c, const chp::http::Request& r) { return auth.send(c, r); };
  spec.parse_page = [](const chp::http::Response& response) {
    boost::json::object body = response.json_object();
    const boost::json::value* records = body.if_contains("records");
    if (records == nullptr || !records->is_array()) {
      throw chp::PermanentError("response has no \"records\" array");
    }
    return chp::StreamPage{
        records->as_array(),
        chp::optional_string(body, "next_page_token", chp::ErrorClass::kPermanent, "response")};
  };
  spec.record_id = [](const boost::json::object& r) {
    return chp::require_string(r, "id", chp::ErrorClass::kPermanent, "record");
  };
  spec.record_cursor = [](const boost::json::object& r) {
    return chp::optional_string(r, "updated_at", chp::ErrorClass::kPermanent, "record");
  };
  chp::StreamResult result = chp::IncrementalStream(ctx_, std::move(spec)).run(call);
  ctx_.metric_add("records_changed_total", static_cast<double>(result.changed));
  call.set_output(result.to_json());
}

}  // namespace paged_rest
