// Salesforce datetimes as a SystemModstamp checkpoint needs them: parsing the API's
// "2024-05-01T12:34:56.000+0000" form to epoch seconds and formatting SOQL datetime literals
// ("2024-05-01T12:29:56Z") after the overlap is subtracted. Shared by every plugin that reads
// Salesforce incrementally. Civil-date arithmetic (proleptic Gregorian, Howard Hinnant's
// days_from_civil algorithm) so checkpoints depend neither on the process time zone nor on
// timegm().
#ifndef CONNECTOR_HOST_SDK_SALESFORCE_SOQL_TIME_HPP_
#define CONNECTOR_HOST_SDK_SALESFORCE_SOQL_TIME_HPP_

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace chp::salesforce {

namespace detail {

inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

inline void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

inline bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace detail

// Seconds since the epoch (UTC); std::nullopt for text that is not an ISO-8601 datetime with
// a Z or ±hhmm / ±hh:mm offset.
inline std::optional<std::int64_t> parse_sf_datetime(std::string_view t) {
  int year, month, day, hour, minute, second;
  if (!detail::digits(t, 0, 4, year) || t.size() < 19 || t[4] != '-' ||
      !detail::digits(t, 5, 2, month) || t[7] != '-' || !detail::digits(t, 8, 2, day) ||
      t[10] != 'T' || !detail::digits(t, 11, 2, hour) || t[13] != ':' ||
      !detail::digits(t, 14, 2, minute) || t[16] != ':' || !detail::digits(t, 17, 2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  if (pos < t.size() && t[pos] == '.') {  // fractional seconds: checkpoints keep whole seconds
    ++pos;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') ++pos;
  }
  std::int64_t offset_s = 0;
  if (pos < t.size() && t[pos] == 'Z') {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    int sign = t[pos] == '-' ? -1 : 1;
    int oh, om;
    ++pos;
    if (!detail::digits(t, pos, 2, oh)) return std::nullopt;
    pos += 2;
    if (pos < t.size() && t[pos] == ':') ++pos;
    if (!detail::digits(t, pos, 2, om)) return std::nullopt;
    pos += 2;
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;
  }
  if (pos != t.size()) return std::nullopt;
  std::int64_t days =
      detail::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
}

// The HTTP `Date` header (RFC 9110 IMF-fixdate, "Wed, 01 May 2024 12:00:00 GMT") as epoch
// seconds: the Salesforce server's clock, which bounds the next incremental read. std::nullopt
// for anything else (the obsolete RFC 850 and asctime forms are not sent by Salesforce).
inline std::optional<std::int64_t> parse_http_date(std::string_view t) {
  static constexpr std::string_view kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  // "Www, DD Mmm YYYY hh:mm:ss GMT" is exactly 29 characters.
  if (t.size() != 29 || t[3] != ',' || t[4] != ' ' || t[7] != ' ' || t[11] != ' ' || t[16] != ' ' ||
      t[19] != ':' || t[22] != ':' || t.substr(25) != " GMT") {
    return std::nullopt;
  }
  int day, year, hour, minute, second;
  if (!detail::digits(t, 5, 2, day) || !detail::digits(t, 12, 4, year) ||
      !detail::digits(t, 17, 2, hour) || !detail::digits(t, 20, 2, minute) ||
      !detail::digits(t, 23, 2, second)) {
    return std::nullopt;
  }
  std::size_t month_at = kMonths.find(t.substr(8, 3));
  if (month_at == std::string_view::npos || month_at % 3 != 0) return std::nullopt;
  unsigned month = static_cast<unsigned>(month_at / 3 + 1);
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return detail::days_from_civil(year, month, static_cast<unsigned>(day)) * 86400 + hour * 3600 +
         minute * 60 + second;
}

// "YYYY-MM-DDThh:mm:ssZ" (UTC), the SOQL datetime literal form.
inline std::string format_soql_datetime(std::int64_t epoch_s) {
  std::int64_t days = epoch_s >= 0 ? epoch_s / 86400 : (epoch_s - 86399) / 86400;
  std::int64_t secs = epoch_s - days * 86400;
  std::int64_t y;
  unsigned m, d;
  detail::civil_from_days(days, y, m, d);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(secs / 3600),
                static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  return buf;
}

}  // namespace chp::salesforce

#endif  // CONNECTOR_HOST_SDK_SALESFORCE_SOQL_TIME_HPP_
