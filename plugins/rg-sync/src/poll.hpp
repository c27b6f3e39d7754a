// The adaptive polling interval of one user, as pure functions: a user whose last sync found no
// changes is polled less often, one step of `idle_intervals_minutes` at a time, and is back on
// the first step as soon as a sync finds changes. Kept per user in kv as
// {"step":n,"next_at_ms":t}. No I/O here.
#ifndef PLUGINS_RG_SYNC_POLL_HPP_
#define PLUGINS_RG_SYNC_POLL_HPP_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rgsync {

struct PollState {
  std::size_t step = 0;         // index into idle_intervals_minutes
  std::int64_t next_at_ms = 0;  // Unix ms; due when now >= next_at_ms
};

// nullopt for anything but {"step":n,"next_at_ms":t}: such a user is simply due.
std::optional<PollState> parse_poll_state(std::string_view json);
std::string serialize_poll_state(const PollState& s);

bool poll_due(const PollState& s, std::int64_t now_ms);

// The state after a sync at `now_ms` that found (`changed`) or did not find changes.
// `intervals_minutes` is never empty (the schema says so).
PollState next_poll_state(const PollState& before, bool changed,
                          const std::vector<std::uint32_t>& intervals_minutes, std::int64_t now_ms);

}  // namespace rgsync

#endif  // PLUGINS_RG_SYNC_POLL_HPP_
