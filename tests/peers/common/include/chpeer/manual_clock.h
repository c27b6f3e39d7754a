// A wall clock that tests can push forward (token expiry, refresh policies) so no test sleeps.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace chpeer {

class ManualClock {
 public:
  std::int64_t NowMs() const {
    auto real_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    return real_ms + offset_ms_.load();
  }
  void AdvanceMs(std::int64_t delta_ms) { offset_ms_ += delta_ms; }
  std::int64_t offset_ms() const { return offset_ms_.load(); }
  void Reset() { offset_ms_ = 0; }

 private:
  std::atomic<std::int64_t> offset_ms_{0};
};

}  // namespace chpeer
