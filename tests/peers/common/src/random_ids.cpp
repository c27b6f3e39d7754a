// A process-wide, mutex-guarded PRNG seeded from std::random_device for chpeer::NewGuid and
// chpeer::RandomUrlSafe.
#include "chpeer/random_ids.h"

#include <cstdio>
#include <mutex>
#include <random>

namespace chpeer {
namespace {

std::uint64_t Next() {
  static std::mutex mu;
  static std::mt19937_64 engine{std::random_device{}()};
  std::lock_guard lock(mu);
  return engine();
}

}  // namespace

std::string NewGuid() {
  std::uint64_t hi = Next();
  std::uint64_t lo = Next();
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buf;
}

std::string RandomUrlSafe(std::size_t length) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve(length);
  while (out.size() < length) {
    std::uint64_t bits = Next();
    for (int i = 0; i < 10 && out.size() < length; ++i, bits >>= 6) out += kAlphabet[bits & 63];
  }
  return out;
}

}  // namespace chpeer
