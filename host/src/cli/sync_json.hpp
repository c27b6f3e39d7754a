// `sync --json`: the outcome of one sync as one JSON document for scripts:
//   {"connector": NAME, "subject": SUBJECT|null, "running": bool, "queued": bool, "ok": bool,
//    "exit_code": N, "summary": <the plugin's sync summary>|null,
//    "error": {"class": CLASS, "message": TEXT}|null}
// A stopped host runs the sync here: `summary` is what the plugin reported (objects, records,
// API calls, ...). A running host only queues it (`queued`: true, `summary` null; `status`
// shows the summary once it ran). `exit_code` is the process's exit code (exit_codes.hpp).
#pragma once

#include <string>

namespace chost::cli {

struct SyncOutcome {
  std::string connector;
  std::string subject;  // empty: the whole connector
  bool running = false;
  bool ok = false;
  int exit_code = 0;
  std::string summary_json;  // the plugin's summary text; empty: none
  std::string error_class;   // when !ok
  std::string error_message;
};

std::string sync_json(const SyncOutcome& outcome);

}  // namespace chost::cli
