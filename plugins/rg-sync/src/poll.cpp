#include "poll.hpp"

#include <connector_host/sdk/json.hpp>

#include <algorithm>
#include <boost/json.hpp>

namespace rgsync {

std::optional<PollState> parse_poll_state(std::string_view json) {
  std::optional<boost::json::value> v = chp::try_parse(json);
  if (!v || !v->is_object()) return std::nullopt;
  const boost::json::value* step = v->as_object().if_contains("step");
  const boost::json::value* next = v->as_object().if_contains("next_at_ms");
  if (step == nullptr || next == nullptr || !step->is_int64() || !next->is_int64() ||
      step->as_int64() < 0) {
    return std::nullopt;
  }
  return PollState{static_cast<std::size_t>(step->as_int64()), next->as_int64()};
}

std::string serialize_poll_state(const PollState& s) {
  return boost::json::serialize(boost::json::object{{"step", static_cast<std::int64_t>(s.step)},
                                                    {"next_at_ms", s.next_at_ms}});
}

bool poll_due(const PollState& s, std::int64_t now_ms) { return now_ms >= s.next_at_ms; }

PollState next_poll_state(const PollState& before, bool changed,
                          const std::vector<std::uint32_t>& intervals_minutes,
                          std::int64_t now_ms) {
  const std::size_t last = intervals_minutes.empty() ? 0 : intervals_minutes.size() - 1;
  PollState s;
  s.step = changed ? 0 : std::min(before.step + 1, last);
  const std::int64_t minutes = intervals_minutes.empty() ? 0 : intervals_minutes[s.step];
  s.next_at_ms = now_ms + minutes * 60'000;
  return s;
}

}  // namespace rgsync
