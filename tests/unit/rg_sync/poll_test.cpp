// rg-sync's adaptive polling schedule: steps up while idle, back to the first on changes.
#include "poll.hpp"

#include <gtest/gtest.h>

namespace rgsync {
namespace {

const std::vector<std::uint32_t> kSteps = {0, 30, 60, 120};
constexpr std::int64_t kMinute = 60'000;

TEST(Poll, IdleSyncsStepUpToTheLastIntervalAndChangesGoBackToTheFirst) {
  PollState s;
  EXPECT_TRUE(poll_due(s, 0));
  s = next_poll_state(s, false, kSteps, 1000);
  EXPECT_EQ(s.step, 1u);
  EXPECT_EQ(s.next_at_ms, 1000 + 30 * kMinute);
  EXPECT_FALSE(poll_due(s, 1000 + 29 * kMinute));
  EXPECT_TRUE(poll_due(s, 1000 + 30 * kMinute));
  s = next_poll_state(s, false, kSteps, 0);
  s = next_poll_state(s, false, kSteps, 0);
  EXPECT_EQ(s.step, 3u);
  s = next_poll_state(s, false, kSteps, 0);
  EXPECT_EQ(s.step, 3u);  // the last step repeats
  EXPECT_EQ(s.next_at_ms, 120 * kMinute);
  s = next_poll_state(s, true, kSteps, 5);
  EXPECT_EQ(s.step, 0u);
  EXPECT_EQ(s.next_at_ms, 5);  // 0 minutes: every cycle
}

TEST(Poll, AStepBeyondAShorterListIsTheLastStep) {
  PollState s{7, 0};
  s = next_poll_state(s, false, {0, 10}, 0);
  EXPECT_EQ(s.step, 1u);
  EXPECT_EQ(s.next_at_ms, 10 * kMinute);
}

TEST(Poll, StateRoundTripsAndJunkMeansDue) {
  const PollState s{2, 1796126400000};
  EXPECT_EQ(serialize_poll_state(s), R"({"step":2,"next_at_ms":1796126400000})");
  std::optional<PollState> back = parse_poll_state(serialize_poll_state(s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->step, 2u);
  EXPECT_EQ(back->next_at_ms, 1796126400000);
  EXPECT_FALSE(parse_poll_state("not json"));
  EXPECT_FALSE(parse_poll_state(R"({"step":-1,"next_at_ms":0})"));
  EXPECT_FALSE(parse_poll_state(R"({"step":1})"));
}

}  // namespace
}  // namespace rgsync
