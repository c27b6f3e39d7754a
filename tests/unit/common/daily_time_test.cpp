// The daily `schedule: {at, tz}` arithmetic: parsing and the next/previous run in epoch ms.
#include "chost/common/daily_time.hpp"

#include <gtest/gtest.h>

namespace chost::common {
namespace {

constexpr int64_t kMin = 60'000;
constexpr int64_t kHour = 60 * kMin;
// 2026-12-02T00:00:00Z
constexpr int64_t kDec2 = 1'796'169'600'000;

TEST(DailyTime, ParsesTimesOfDayAndOffsets) {
  EXPECT_EQ(parse_time_of_day("12:00"), 720);
  EXPECT_EQ(parse_time_of_day("00:00"), 0);
  EXPECT_EQ(parse_time_of_day("23:59"), 1439);
  for (const char* bad : {"24:00", "12:60", "1:00", "12:0", "12-00", "", "noon"}) {
    EXPECT_FALSE(parse_time_of_day(bad)) << bad;
  }
  EXPECT_EQ(parse_utc_offset("UTC"), 0);
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_EQ(parse_utc_offset("+02:00"), 120);
  EXPECT_EQ(parse_utc_offset("-05:30"), -330);
  EXPECT_EQ(parse_utc_offset("UTC+01"), 60);
  EXPECT_EQ(parse_utc_offset("UTC-08:00"), -480);
  for (const char* bad : {"Europe/Berlin", "+2", "+15:00", "GMT", "+02:60", ""}) {
    EXPECT_FALSE(parse_utc_offset(bad)) << bad;
  }
}

TEST(DailyTime, NextRunIsTodayBeforeTheTimeAndTomorrowAtOrAfterIt) {
  const DailyTime noon{720, 0};
  EXPECT_EQ(next_daily_run_ms(noon, kDec2 + 9 * kHour), kDec2 + 12 * kHour);
  EXPECT_EQ(next_daily_run_ms(noon, kDec2 + 12 * kHour), kDec2 + 36 * kHour);  // strictly after
  EXPECT_EQ(previous_daily_run_ms(noon, kDec2 + 12 * kHour), kDec2 + 12 * kHour);
  EXPECT_EQ(previous_daily_run_ms(noon, kDec2 + 9 * kHour), kDec2 - 12 * kHour);
}

TEST(DailyTime, NextRunAcrossMidnightAndTheYearsEnd) {
  const DailyTime late{23 * 60 + 30, 0};
  EXPECT_EQ(next_daily_run_ms(late, kDec2 + 23 * kHour + 45 * kMin),
            kDec2 + 47 * kHour + 30 * kMin);
  const DailyTime early{5, 0};  // 00:05
  const int64_t dec31_2359 = kDec2 + 29 * 24 * kHour + 23 * kHour + 59 * kMin;
  EXPECT_EQ(next_daily_run_ms(early, dec31_2359), kDec2 + 30 * 24 * kHour + 5 * kMin);  // Jan 1
}

TEST(DailyTime, AnOffsetMovesTheRunToThatZonesClock) {
  // 12:00 at +02:00 is 10:00 UTC; 01:00 at -05:00 is 06:00 UTC.
  EXPECT_EQ(next_daily_run_ms({720, 120}, kDec2), kDec2 + 10 * kHour);
  EXPECT_EQ(next_daily_run_ms({60, -300}, kDec2), kDec2 + 6 * kHour);
  // 00:30 at +05:30 is the previous day's 19:00 UTC.
  EXPECT_EQ(next_daily_run_ms({30, 330}, kDec2), kDec2 + 19 * kHour);
  // Before the epoch too (floor division).
  EXPECT_EQ(next_daily_run_ms({720, 0}, -1), 12 * kHour);
}

}  // namespace
}  // namespace chost::common
