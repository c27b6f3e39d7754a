// Grant: what a provider's authorize/refresh hook hands the host, parsed once at the ABI boundary
// into types: the secret credentials (stored encrypted, never shown), the public connection
// data (stored in clear, shown to admins), the identity behind the grant and its expiry. Also
// the one place that knows the stored forms (credentials JSON text, connection row columns).
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "chost/common/result.hpp"

namespace chost::runtime {

struct Grant {
  boost::json::object credentials;  // secret
  boost::json::object connection;   // public, e.g. instance_url; never holds a token
  boost::json::object identity;     // user_id, username, display_name, org_id, ...
  int64_t expires_at_ms = 0;        // 0: the provider does not say (Salesforce)

  std::string access_token() const;
  std::string token_type() const;  // "Bearer" unless the grant says otherwise
};

// Parses a hook's output object. Tokens a plugin filed under the public "connection" object are
// moved into the credentials: the public part is stored in clear. `rest` (optional) receives the
// output without "credentials" (what authorize returns to the admin, tokens stripped).
// kPermanent when the output is not an object or has no "credentials" object.
Result<Grant> grant_from_output(std::string_view output_json, boost::json::object* rest = nullptr);
// The same for an output already parsed (authorize looks at it first).
Result<Grant> grant_from_object(boost::json::object output, boost::json::object* rest = nullptr);

// The stored credentials secret back into a grant (public part and identity come from the
// connection row).
Result<Grant> grant_from_stored(std::string_view credentials_json, std::string_view public_json,
                                std::string_view identity_json, int64_t expires_at_ms);

// A refresh keeps the identity it had unless the provider names a different user: fields the
// fresh identity carries win, the others are kept.
boost::json::object merge_identity(const boost::json::object& kept,
                                   const boost::json::object& fresh);

// {"access_token":..,"token_type":..,<public connection members>}: what connection_token gives.
std::string token_json(const Grant& grant);

}  // namespace chost::runtime
