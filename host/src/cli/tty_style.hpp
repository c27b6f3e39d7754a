// Output for people on a terminal: whether to colour (a TTY, and NO_COLOR unset or empty, as
// https://no-color.org asks), and the colour of each state word `status` prints.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace chost::cli {

// True when `out` is a terminal and NO_COLOR is not set to a non-empty value.
bool use_colour(std::FILE* out);

// `state` left-aligned in `width` columns, wrapped in its ANSI colour when `colour`: green for
// connected/running/idle/active, yellow for what waits (unauthorized, refreshing, suspended,
// backoff), red for failed/disconnected, dim for disabled.
std::string styled_state(std::string_view state, int width, bool colour);

}  // namespace chost::cli
