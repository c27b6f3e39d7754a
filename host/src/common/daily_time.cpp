#include "chost/common/daily_time.hpp"

namespace chost::common {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

std::optional<int> two_digits(std::string_view s) {
  if (s.size() != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9') return std::nullopt;
  return (s[0] - '0') * 10 + (s[1] - '0');
}

int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

}  // namespace

std::optional<int> parse_time_of_day(std::string_view text) {
  if (text.size() != 5 || text[2] != ':') return std::nullopt;
  const std::optional<int> h = two_digits(text.substr(0, 2));
  const std::optional<int> m = two_digits(text.substr(3, 2));
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

std::optional<int> parse_utc_offset(std::string_view text) {
  if (text == "UTC" || text == "Z" || text == "utc") return 0;
  if (text.starts_with("UTC")) text.remove_prefix(3);
  if (text.empty() || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  const int sign = text[0] == '-' ? -1 : 1;
  text.remove_prefix(1);
  std::optional<int> h = two_digits(text.substr(0, 2));
  int m = 0;
  if (text.size() == 5 && text[2] == ':') {
    const std::optional<int> mm = two_digits(text.substr(3, 2));
    if (!mm || *mm > 59) return std::nullopt;
    m = *mm;
  } else if (text.size() != 2) {
    return std::nullopt;
  }
  if (!h || *h * 60 + m > 14 * 60) return std::nullopt;
  return sign * (*h * 60 + m);
}

int64_t previous_daily_run_ms(const DailyTime& at, int64_t now_ms) {
  // The run's instant in UTC: local midnight + minute_of_day - offset.
  const int64_t shift_ms = (static_cast<int64_t>(at.minute_of_day) - at.utc_offset_minutes) * 60000;
  const int64_t day = floor_div(now_ms - shift_ms, kDayMs);
  return day * kDayMs + shift_ms;
}

int64_t next_daily_run_ms(const DailyTime& at, int64_t now_ms) {
  return previous_daily_run_ms(at, now_ms) + kDayMs;
}

}  // namespace chost::common
