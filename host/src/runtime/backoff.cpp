// Exponential backoff with jitter.
#include "chost/runtime/backoff.hpp"

#include <algorithm>

namespace chost::runtime {

int64_t backoff_delay_ms(const BackoffPolicy& policy, uint32_t attempt, RandomSource& random) {
  const int64_t initial = std::max<int64_t>(1, policy.initial_ms);
  const int64_t max = std::max(initial, policy.max_ms);
  int64_t base = initial;
  // Doubling stops at max, which also keeps the shift from overflowing.
  for (uint32_t i = 1; i < attempt && base < max; ++i) base = std::min(max, base * 2);
  const double jitter = std::clamp(policy.jitter_ratio, 0.0, 1.0);
  const double u = std::clamp(random.uniform01(), 0.0, 1.0);
  const auto delay = static_cast<int64_t>(static_cast<double>(base) * (1.0 - jitter * u));
  return std::max<int64_t>(1, delay);
}

}  // namespace chost::runtime
