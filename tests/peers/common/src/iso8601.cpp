// Civil-date arithmetic for chpeer::FormatIso8601 / ParseIso8601 (proleptic Gregorian, UTC).
#include "chpeer/iso8601.h"

#include <cstdio>

namespace chpeer {
namespace {

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void CivilFromDays(std::int64_t z, std::int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<std::int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

}  // namespace

std::string FormatIso8601(std::int64_t epoch_ms, int fraction_digits, bool zulu) {
  std::int64_t days = epoch_ms >= 0 ? epoch_ms / 86400000 : (epoch_ms - 86399999) / 86400000;
  std::int64_t ms_of_day = epoch_ms - days * 86400000;
  std::int64_t y = 0;
  unsigned m = 0, d = 0;
  CivilFromDays(days, &y, &m, &d);
  auto secs = static_cast<int>(ms_of_day / 1000);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04lld-%02u-%02uT%02d:%02d:%02d", static_cast<long long>(y), m,
                d, secs / 3600, (secs / 60) % 60, secs % 60);
  std::string out(buf);
  if (fraction_digits > 0) {
    char frac[16];
    std::snprintf(frac, sizeof(frac), "%03d0000", static_cast<int>(ms_of_day % 1000));
    out += '.';
    out.append(frac, static_cast<std::size_t>(fraction_digits > 7 ? 7 : fraction_digits));
  }
  if (zulu) out += 'Z';
  return out;
}

std::optional<std::int64_t> ParseIso8601(std::string_view s) {
  int y = 0, mo = 0, d = 0, hh = 0, mm = 0, ss = 0;
  if (!Digits(s, 0, 4, &y) || s.size() < 16 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
      !Digits(s, 11, 2, &hh) || s[13] != ':' || !Digits(s, 14, 2, &mm)) {
    return std::nullopt;
  }
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!Digits(s, pos + 1, 2, &ss)) return std::nullopt;
    pos += 3;
  }
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      millis += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      int sign = s[pos] == '-' ? -1 : 1;
      if (!Digits(s, pos + 1, 2, &oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!Digits(s, pos, 2, &om)) return std::nullopt;
      pos += 2;
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (pos != s.size()) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 86400 + hh * 3600 + mm * 60 + ss) - offset_min * 60) * 1000 + millis;
}

}  // namespace chpeer
