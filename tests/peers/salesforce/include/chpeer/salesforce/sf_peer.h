// The local Salesforce peer: a real HTTP/1.1 server on loopback that speaks Salesforce's OAuth
// 2.0 endpoints and REST API (query/queryAll, sObjects, Collections, limits) as documented,
// with a control API under /__peer/ to seed data, expire tokens, move the clock and inject
// faults. Embed it in tests/benchmarks with SalesforcePeer::Start, or run the sf-peer binary.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace chpeer::sf {

struct PeerState;

struct SalesforcePeerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 picks a free port
  std::string seed_path;   // optional JSON seed file (see tests/peers/salesforce/README.md)
  std::string seed_json;   // optional inline seed, applied after seed_path
  int io_threads = 1;
};

class SalesforcePeer {
 public:
  // Starts serving. Returns nullptr and sets *error when the seed is invalid or the port busy.
  static std::unique_ptr<SalesforcePeer> Start(const SalesforcePeerOptions& options,
                                               std::string* error);
  ~SalesforcePeer();
  SalesforcePeer(const SalesforcePeer&) = delete;
  SalesforcePeer& operator=(const SalesforcePeer&) = delete;

  std::uint16_t port() const;
  // "http://127.0.0.1:<port>": the login URL and the instance_url handed to clients.
  std::string base_url() const;
  void Stop();

  // In-process shortcuts for tests that do not want an HTTP round trip.
  void AdvanceClockForTest(std::int64_t delta_ms);
  std::string OrgIdForTest() const;

 private:
  SalesforcePeer();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chpeer::sf
