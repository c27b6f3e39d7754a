// Exponential backoff with jitter, shared by credential refresh retries and the restart of
// failed connector instances, so both back off by the same rules.
#pragma once

#include <cstdint>

#include "chost/runtime/clock.hpp"

namespace chost::runtime {

struct BackoffPolicy {
  int64_t initial_ms = 1000;
  int64_t max_ms = 5 * 60 * 1000;
  // Fraction of the delay that is randomised: the delay lies in [base * (1 - jitter), base].
  // Spreads retries of many connections that failed together (e.g. a provider outage).
  double jitter_ratio = 0.5;
};

// Delay before retry number `attempt` (1 for the first retry): base = min(max, initial *
// 2^(attempt-1)), then jittered. Always >= 1 ms.
int64_t backoff_delay_ms(const BackoffPolicy& policy, uint32_t attempt, RandomSource& random);

}  // namespace chost::runtime
