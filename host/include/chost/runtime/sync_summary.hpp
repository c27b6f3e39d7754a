// The few members of a sync's output (its summary) that the host itself reads, whatever the
// plugin: records moved, the API quota, and a pause. Everything else in a summary is the
// plugin's own and only shown. Documented for plugin authors in README.md ("Ops", /metrics):
//   "records":   {"in": N, "out": N, "failed": N}   records read from / written to the SaaS, and
//                                                   records refused (counted once, not per retry)
//   "api_quota": {"used": N, "limit": N}            the provider's API quota after the run
//   "paused":    {"reason": "api_quota", "message": "..."}  the run stopped early on purpose
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chost::runtime {

struct SyncSummaryFigures {
  std::optional<int64_t> records_in;
  std::optional<int64_t> records_out;
  std::optional<int64_t> records_failed;
  std::optional<int64_t> quota_used;
  std::optional<int64_t> quota_limit;
  bool paused_by_quota = false;
  std::string pause_message;  // the plugin's words, e.g. "API quota threshold reached: ..."
};

// Never throws: text that is not a JSON object, or members of the wrong type, are left out
// (a summary is the plugin's output and must not break the host's bookkeeping).
SyncSummaryFigures read_sync_summary(std::string_view summary_json);

}  // namespace chost::runtime
