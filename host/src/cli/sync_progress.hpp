// `sync` for people on a terminal: while the sync runs, one line on stderr that keeps being
// rewritten (\r + erase line) with what the plugin reports (e.g. "Account: 4000 of 12000
// records synced") and the time so far; at the end a summary table on stdout (objects, records
// upserted/deleted, records/s, API calls). Neither is printed when the stream is not a TTY, so
// scripts (and --json) see only the one result line or document.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include "chost/app/host.hpp"

namespace chost::cli {

class SyncProgress {
 public:
  // Starts the progress line for connector `name` of `host` when `enabled` (stderr is a TTY).
  SyncProgress(app::Host& host, std::string name, bool enabled);
  ~SyncProgress();  // stops and erases the line
  SyncProgress(const SyncProgress&) = delete;
  SyncProgress& operator=(const SyncProgress&) = delete;

  // Milliseconds since construction.
  int64_t elapsed_ms() const;

 private:
  void loop();

  app::Host& host_;
  std::string name_;
  int64_t start_ms_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// The table of a sync summary ({"objects": {NAME: {"upserted","deleted"}}, "api_calls", ...}):
// one row per object, a total with records/s over `elapsed_ms`, and the API calls. Prints
// nothing for a summary of another shape.
void print_sync_table(std::FILE* out, const std::string& summary_json, int64_t elapsed_ms);

}  // namespace chost::cli
