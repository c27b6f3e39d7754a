// Errors, times, normalisation, ids and cursors for the RollWorks peer.
#include "rw_util.h"

#include <cctype>
#include <ctime>
#include <random>

#include <boost/json.hpp>

namespace chpeer::rollworks {

namespace json = boost::json;

Response ApiError(int status, std::string_view code, std::string_view message,
                  const std::string& request_id, const json::object& details) {
  json::object error{{"code", code}, {"message", message}, {"request_id", request_id}};
  if (!details.empty()) error["details"] = details;
  Response r = Response::Json(status, json::serialize(json::object{{"error", std::move(error)}}));
  if (status == 401) {
    r.headers["WWW-Authenticate"] = code == "unauthorized"
                                        ? std::string(R"(Bearer realm="rollworks")")
                                        : std::string(R"(Bearer error="invalid_token")");
  }
  return r;
}

Response JsonResponse(const json::value& body, int status) {
  return Response::Json(status, json::serialize(body));
}

std::string StringField(const json::object& o, const char* key, const std::string& fallback) {
  return OptionalStringField(o, key).value_or(fallback);
}

std::optional<std::string> OptionalStringField(const json::object& o, const char* key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::optional<std::string>(std::string(v->as_string()))
                             : std::nullopt;
}

std::int64_t IntField(const json::object& o, const char* key, std::int64_t fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<std::int64_t>() : fallback;
}

bool BoolField(const json::object& o, const char* key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v && v->is_bool() ? v->as_bool() : fallback;
}

const json::object& ObjectOrEmpty(const json::value& v) {
  static const json::object kEmpty;
  return v.is_object() ? v.as_object() : kEmpty;
}

std::string FormatTime(std::int64_t epoch_ms) {
  std::time_t seconds = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::optional<std::string> NormalizeDomain(std::string_view input) {
  std::string s = ToLower(input);
  auto not_space = [](unsigned char c) { return !std::isspace(c); };
  while (!s.empty() && !not_space(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t first = 0;
  while (first < s.size() && !not_space(static_cast<unsigned char>(s[first]))) ++first;
  s.erase(0, first);
  for (std::string_view scheme : {"https://", "http://", "//"}) {
    if (StartsWith(s, scheme)) {
      s.erase(0, scheme.size());
      break;
    }
  }
  s = s.substr(0, s.find_first_of("/?#"));
  if (auto at = s.rfind('@'); at != std::string::npos) s.erase(0, at + 1);
  s = s.substr(0, s.find(':'));
  if (StartsWith(s, "www.")) s.erase(0, 4);
  while (!s.empty() && s.back() == '.') s.pop_back();
  if (s.empty() || s.find('.') == std::string::npos || s.front() == '.' || s.front() == '-') {
    return std::nullopt;
  }
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return std::nullopt;
  }
  if (s.find("..") != std::string::npos) return std::nullopt;
  return s;
}

bool IsValidEmail(std::string_view email) {
  auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos)
    return false;
  for (char c : email) {
    if (std::isspace(static_cast<unsigned char>(c))) return false;
  }
  auto host = email.substr(at + 1);
  auto dot = host.rfind('.');
  return dot != std::string_view::npos && dot > 0 && dot + 1 < host.size();
}

bool IsValidDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  int month = (text[5] - '0') * 10 + (text[6] - '0');
  int day = (text[8] - '0') * 10 + (text[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

std::string RandomHex(std::size_t bytes) {
  static thread_local std::mt19937_64 engine{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (std::size_t i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(engine() & 0xff);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

namespace {
constexpr char kCursorSeparator = '\x1f';

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}  // namespace

std::string EncodeCursor(const std::vector<std::string>& parts) {
  static const char* kHex = "0123456789abcdef";
  std::string joined;
  for (const auto& part : parts) {
    if (!joined.empty()) joined.push_back(kCursorSeparator);
    joined += part;
  }
  std::string out;
  for (unsigned char c : joined) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::vector<std::string>> DecodeCursor(std::string_view cursor) {
  if (cursor.empty() || cursor.size() % 2 != 0) return std::nullopt;
  std::string joined;
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    int hi = HexDigit(cursor[i]);
    int lo = HexDigit(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    joined.push_back(static_cast<char>(hi * 16 + lo));
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    auto end = joined.find(kCursorSeparator, start);
    parts.push_back(joined.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

}  // namespace chpeer::rollworks
