// Clock and RandomSource: the two sources of non-determinism in the runtime, behind interfaces
// so that tests inject a fake clock (refresh margins, keep-alive, backoff) and a fixed random
// sequence (jitter). Production code uses system_clock() and system_random().
#pragma once

#include <cstdint>

namespace chost::runtime {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall clock, milliseconds since the Unix epoch: token expiry, history timestamps.
  virtual int64_t now_ms() const = 0;
  // Monotonic milliseconds (arbitrary origin): hook deadlines and backoff.
  virtual int64_t steady_ms() const = 0;
};

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Uniform in [0, 1). Thread-safe.
  virtual double uniform01() = 0;
};

// Process-wide instances, valid for the whole process.
const Clock& system_clock();
RandomSource& system_random();

}  // namespace chost::runtime
