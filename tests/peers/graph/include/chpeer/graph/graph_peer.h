// The local Microsoft Graph peer: a real HTTP/1.1 server on loopback that plays the Microsoft
// identity platform's v2.0 token endpoint (client credentials) and the Microsoft Graph v1.0
// mail and calendar APIs an app-only mailbox reader uses (users, messages delta, calendarView
// delta, $batch), with Outlook's throttling limits and a control API under /__peer/ to seed
// mailboxes, change them, expire delta tokens, scope apps, move the clock and inject faults.
// Embed it with GraphPeer::Start or run the graph-peer binary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace chpeer::graph {

struct GraphPeerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  std::string seed_path;   // optional JSON seed file (see tests/peers/graph/README.md)
  std::string seed_json;   // optional inline seed, applied after seed_path
  int io_threads = 1;
};

class GraphPeer {
 public:
  // Starts serving. Returns nullptr and sets *error when the seed is invalid or the port busy.
  static std::unique_ptr<GraphPeer> Start(const GraphPeerOptions& options, std::string* error);
  ~GraphPeer();
  GraphPeer(const GraphPeer&) = delete;
  GraphPeer& operator=(const GraphPeer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>": the login host (/{tenant}/oauth2/v2.0/token) and the Graph
  // host (/v1.0/...) at once.
  std::string base_url() const;
  void Stop();

  // In-process shortcut for tests that do not want an HTTP round trip.
  void AdvanceClockForTest(std::int64_t delta_ms);

 private:
  GraphPeer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chpeer::graph
