// PagedRest: the SDK's second sample plugin. It owns an OAuth 2.0 client-credentials connection
// (RFC 6749 §4.4) and mirrors a paged REST collection incrementally:
//   authorize / refresh   POST token_url grant_type=client_credentials (no refresh token exists;
//                         a refresh simply asks for a new access token)
//   sync                  GET {base_url}/records?updated_since=C&limit=N[&page_token=T]
//                         -> {"records":[{"id","updated_at",...}],"next_page_token":"..."}
// through chp::IncrementalStream, with the token from the host (ConnectionAuthenticator).
#ifndef PAGED_REST_PAGED_REST_HPP_
#define PAGED_REST_PAGED_REST_HPP_

#include <connector_host/sdk/sdk.hpp>

#include <cstdint>
#include <string>

namespace paged_rest {

inline constexpr const char kSchemaJson[] = R"json({
  "type": "object",
  "additionalProperties": false,
  "required": ["base_url", "token_url", "client_id", "client_secret"],
  "properties": {
    "base_url": {"type": "string", "description": "API root; records are at {base_url}/records"},
    "token_url": {"type": "string", "description": "OAuth 2.0 token endpoint"},
    "client_id": {"type": "string"},
    "client_secret": {"type": "string", "x-secret": true},
    "scope": {"type": "string", "default": ""},
    "collection": {"type": "string", "default": "records"},
    "page_size": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}
  }
})json";

class PagedRest : public chp::Connector {
 public:
  static constexpr chp::PluginInfo kInfo{
      "paged-rest", "1.0.0", "Mirrors a paged REST API with OAuth client credentials (SDK example)",
      kSchemaJson, CHP_CAP_PROVIDES_CONNECTION};

  // What the schema cannot say; check-config runs it dry (ABI 1.4 validate) and create first.
  static void validate(const boost::json::object& config, chp::ConfigProblems& problems);
  PagedRest(chp::Context& ctx, const boost::json::object& config);

  void authorize(chp::Call& call, const boost::json::object& input) override;
  void refresh(chp::Call& call, const boost::json::object& input) override;
  void sync(chp::Call& call, const boost::json::object& input) override;

 private:
  chp::Grant request_grant(const chp::Call& call) const;

  chp::Context& ctx_;
  std::string base_url_;
  std::string token_url_;
  std::string client_id_;
  std::string client_secret_;
  std::string scope_;
  std::string collection_;
  std::int64_t page_size_;
};

}  // namespace paged_rest

#endif  // PAGED_REST_PAGED_REST_HPP_
