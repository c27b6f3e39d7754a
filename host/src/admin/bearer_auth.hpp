// BearerAuth: checks an Authorization header against the admin token in constant time.
// Both sides are hashed (SHA-256) before a constant-time comparison so that neither the
// token's content nor its length leaks through timing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace chost::admin {

class BearerAuth {
 public:
  explicit BearerAuth(std::string_view token);

  // True when `authorization` is "Bearer <token>" (scheme case-insensitive, RFC 7235).
  bool check(std::string_view authorization) const;

  uint64_t checks() const { return checks_.load(); }  // comparisons made, for tests

 private:
  std::array<unsigned char, 32> token_digest_{};
  mutable std::atomic<uint64_t> checks_{0};
};

}  // namespace chost::admin
