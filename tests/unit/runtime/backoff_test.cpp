// backoff_delay_ms: growth, cap and jitter bounds.
#include "chost/runtime/backoff.hpp"

#include <gtest/gtest.h>

#include "fakes.hpp"

namespace chost::runtime {
namespace {

TEST(Backoff, GrowsExponentiallyUpToTheCapWithoutJitterAtZero) {
  testing::FakeRandom zero({0.0});
  BackoffPolicy p{100, 1000, 0.5};
  EXPECT_EQ(backoff_delay_ms(p, 1, zero), 100);
  EXPECT_EQ(backoff_delay_ms(p, 2, zero), 200);
  EXPECT_EQ(backoff_delay_ms(p, 3, zero), 400);
  EXPECT_EQ(backoff_delay_ms(p, 4, zero), 800);
  EXPECT_EQ(backoff_delay_ms(p, 5, zero), 1000);
  EXPECT_EQ(backoff_delay_ms(p, 500, zero), 1000);
}

TEST(Backoff, JitterStaysWithinItsFractionOfTheBase) {
  testing::FakeRandom r({0.0, 0.25, 0.5, 0.999});
  BackoffPolicy p{1000, 60000, 0.5};
  for (uint32_t attempt = 1; attempt <= 4; ++attempt) {
    const int64_t base = 1000LL << (attempt - 1);
    for (int i = 0; i < 4; ++i) {
      const int64_t d = backoff_delay_ms(p, attempt, r);
      EXPECT_GE(d, base / 2) << attempt;
      EXPECT_LE(d, base) << attempt;
    }
  }
  testing::FakeRandom half({0.5});
  EXPECT_EQ(backoff_delay_ms(p, 1, half), 750);
}

}  // namespace
}  // namespace chost::runtime
