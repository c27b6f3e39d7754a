// The local RollWorks peer: a real HTTP/1.1 server on loopback that speaks the RollWorks ABM
// API v1 contract in tests/peers/rollworks/API.md (API keys and OAuth client credentials,
// CRM batch upserts, account lists, account/contact change feeds), with a control API under
// /__peer/ to seed ABM data, mutate it, revoke credentials, throttle, inject faults and read
// what was uploaded. Embed it with RollWorksPeer::Start, or run the rollworks-peer binary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace chpeer::rollworks {

struct RollWorksPeerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  std::string seed_path;   // optional JSON seed file (see tests/peers/rollworks/README.md)
  std::string seed_json;   // optional inline seed, applied after seed_path
  int io_threads = 1;
};

class RollWorksPeer {
 public:
  // Starts serving. Returns nullptr and sets *error when the seed is invalid or the port busy.
  static std::unique_ptr<RollWorksPeer> Start(const RollWorksPeerOptions& options,
                                              std::string* error);
  ~RollWorksPeer();
  RollWorksPeer(const RollWorksPeer&) = delete;
  RollWorksPeer& operator=(const RollWorksPeer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>": the API base; the API itself lives under /api/v1.
  std::string base_url() const;
  void Stop();

  // In-process shortcut for tests that do not want an HTTP round trip.
  void AdvanceClockForTest(std::int64_t delta_ms);

 private:
  RollWorksPeer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chpeer::rollworks
