// TEST-ONLY crash points in the refresh path (issue 4). Integration tests kill the host between
// receiving a rotated refresh token from the plugin and storing it, or right after storing it,
// to prove the rotation is durable before anyone uses the new access token. Armed ONLY by the
// environment variable CHOST_CRASH_POINT_FOR_TEST (read once per process), whose value names
// the point: `before_credentials_stored` or `after_credentials_stored`. Unset (production),
// nothing happens. When armed, the process ends with `_exit(137)` at that point: no destructors,
// no flushing, like a SIGKILL, which is the crash the tests simulate.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>

namespace chost::runtime {

inline void crash_point_ForTest(std::string_view point) {
  static const std::string armed = [] {
    const char* value = std::getenv("CHOST_CRASH_POINT_FOR_TEST");
    return std::string(value ? value : "");
  }();
  if (!armed.empty() && armed == point) _exit(137);
}

}  // namespace chost::runtime
