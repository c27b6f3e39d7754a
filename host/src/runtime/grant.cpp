// Grant: one parse of a hook's credentials output; the stored forms.
#include "grant.hpp"

#include <boost/json.hpp>

namespace chost::runtime {

namespace json = boost::json;

namespace {

std::string string_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

int64_t int_member(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end()) return 0;
  if (it->value().is_int64()) return it->value().as_int64();
  if (it->value().is_uint64()) return static_cast<int64_t>(it->value().as_uint64());
  if (it->value().is_double()) return static_cast<int64_t>(it->value().as_double());
  return 0;
}

Result<json::object> parse_object(std::string_view text, const char* what) {
  if (text.empty()) return json::object{};
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) return Error::permanent(std::string(what) + " is not a JSON object");
  return std::move(v.as_object());
}

json::object take_object(json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_object()) return {};
  json::object out = std::move(it->value().as_object());
  o.erase(it);
  return out;
}

}  // namespace

std::string Grant::access_token() const { return string_member(credentials, "access_token"); }

std::string Grant::token_type() const {
  std::string t = string_member(credentials, "token_type");
  if (t.empty()) t = string_member(connection, "token_type");
  return t.empty() ? "Bearer" : t;
}

Result<Grant> grant_from_output(std::string_view output_json, json::object* rest) {
  auto out = parse_object(output_json, "plugin output");
  if (!out) return out.error();
  return grant_from_object(std::move(*out), rest);
}

Result<Grant> grant_from_object(json::object output, json::object* rest) {
  json::object* out = &output;
  auto creds = out->find("credentials");
  if (creds == out->end() || !creds->value().is_object()) {
    return Error::permanent("plugin output has no \"credentials\" object");
  }
  Grant g;
  g.credentials = take_object(*out, "credentials");
  g.connection = take_object(*out, "connection");
  for (const char* key : {"access_token", "refresh_token", "id_token"}) {
    auto it = g.connection.find(key);
    if (it == g.connection.end()) continue;
    if (!g.credentials.contains(key)) g.credentials[key] = std::move(it->value());
    g.connection.erase(it);
  }
  g.identity = take_object(*out, "identity");
  g.expires_at_ms = int_member(*out, "expires_at_ms");
  if (rest) {
    out->erase("expires_at_ms");
    (*out)["connection"] = g.connection;
    (*out)["identity"] = g.identity;
    *rest = std::move(*out);
  }
  return g;
}

Result<Grant> grant_from_stored(std::string_view credentials_json, std::string_view public_json,
                                std::string_view identity_json, int64_t expires_at_ms) {
  Grant g;
  auto creds = parse_object(credentials_json, "stored credentials");
  if (!creds) return creds.error();
  g.credentials = std::move(*creds);
  if (auto pub = parse_object(public_json, "stored connection data"))
    g.connection = std::move(*pub);
  if (auto id = parse_object(identity_json, "stored identity")) g.identity = std::move(*id);
  g.expires_at_ms = expires_at_ms;
  return g;
}

json::object merge_identity(const json::object& kept, const json::object& fresh) {
  const std::string kept_user = string_member(kept, "user_id");
  const std::string fresh_user = string_member(fresh, "user_id");
  if (!fresh_user.empty() && !kept_user.empty() && fresh_user != kept_user) return fresh;
  json::object merged = kept;
  for (const auto& kv : fresh) {
    if (kv.value().is_string() && kv.value().as_string().empty()) continue;
    merged[kv.key()] = kv.value();
  }
  return merged;
}

std::string token_json(const Grant& grant) {
  json::object o = grant.connection;
  o["access_token"] = grant.access_token();
  o["token_type"] = grant.token_type();
  return json::serialize(o);
}

}  // namespace chost::runtime
