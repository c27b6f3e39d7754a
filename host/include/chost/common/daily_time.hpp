// DailyTime: the time-of-day form of a connector's `schedule` ({at: "12:00", tz: UTC}), parsed
// once from the config and used by the scheduler to compute the next run. Time zones are UTC
// or a fixed offset ("+02:00", "UTC-05:30"): g++ 12's libstdc++ has no C++20 time zone
// database (std::chrono::locate_zone), so IANA names ("Europe/Berlin") are refused with that
// reason rather than guessed; a zone with daylight saving needs its offset changed twice a year.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chost::common {

struct DailyTime {
  int minute_of_day = 0;       // 0..1439, local to the offset
  int utc_offset_minutes = 0;  // local = UTC + offset
  bool operator==(const DailyTime&) const = default;
};

// "HH:MM" (00:00..23:59) -> minutes; std::nullopt otherwise.
std::optional<int> parse_time_of_day(std::string_view text);
// "UTC", "Z", "+hh:mm", "-hh:mm", "UTC+hh:mm", "UTC-hh" -> offset minutes (|offset| <= 14 h);
// std::nullopt otherwise.
std::optional<int> parse_utc_offset(std::string_view text);

// The first run strictly after `now_ms` (epoch milliseconds).
int64_t next_daily_run_ms(const DailyTime& at, int64_t now_ms);
// The latest run time at or before `now_ms`.
int64_t previous_daily_run_ms(const DailyTime& at, int64_t now_ms);

}  // namespace chost::common
