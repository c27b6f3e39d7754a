// Plain scalar typing (see yaml_scalar.hpp).
#include "yaml_scalar.hpp"

#include <boost/json/string.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

namespace chost::config {

namespace json = boost::json;

namespace {

bool is_digit(char c, int base) {
  if (base == 8) return c >= '0' && c <= '7';
  if (base == 16) return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s, int base) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c, base)) return false;
  }
  return true;
}

size_t skip_digits(std::string_view s, size_t i) {
  while (i < s.size() && is_digit(s[i], 10)) ++i;
  return i;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_core_float(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const size_t int_begin = i;
  i = skip_digits(s, i);
  const bool has_int = i > int_begin;
  if (i < s.size() && s[i] == '.') {
    const size_t frac_begin = ++i;
    i = skip_digits(s, i);
    if (!has_int && i == frac_begin) return false;  // "." alone or "-."
  } else if (!has_int) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t exp_begin = i;
    i = skip_digits(s, i);
    if (i == exp_begin) return false;
  }
  return i == s.size();
}

json::value parse_int(std::string_view whole, std::string_view digits, int base, bool negative) {
  uint64_t u = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return json::string(whole);
  if (negative) {
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1) {
      return json::string(whole);
    }
    return static_cast<int64_t>(0 - u);
  }
  if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return static_cast<int64_t>(u);
  }
  return u;
}

}  // namespace

json::value resolve_plain_scalar(std::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;

  std::string_view unsigned_part = s;
  bool negative = false;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    unsigned_part.remove_prefix(1);
  }
  if (all_digits(unsigned_part, 10)) return parse_int(s, unsigned_part, 10, negative);
  if (s.starts_with("0o") && all_digits(s.substr(2), 8)) return parse_int(s, s.substr(2), 8, false);
  if (s.starts_with("0x") && all_digits(s.substr(2), 16)) {
    return parse_int(s, s.substr(2), 16, false);
  }
  if (is_core_float(s)) {
    double d = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), d);
    if (ec == std::errc() && p == s.data() + s.size() && std::isfinite(d)) return d;
  }
  // .inf / .nan have no JSON form; keep them as strings and let the schema reject them.
  return json::string(s);
}

}  // namespace chost::config
