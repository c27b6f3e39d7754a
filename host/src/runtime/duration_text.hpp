// Durations as admins read them in status lines: "15m", "30s", "250ms".
#pragma once

#include <cstdint>
#include <string>

namespace chost::runtime {

inline std::string duration_text(int64_t ms) {
  if (ms >= 60000 && ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
  if (ms >= 1000 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace chost::runtime
