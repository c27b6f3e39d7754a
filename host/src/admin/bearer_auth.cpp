// Constant-time bearer token check (see bearer_auth.hpp).
#include "bearer_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "chost/common/text.hpp"

namespace chost::admin {
namespace {

std::array<unsigned char, 32> digest(std::string_view text) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), out.data());
  return out;
}

}  // namespace

BearerAuth::BearerAuth(std::string_view token) : token_digest_(digest(token)) {}

bool BearerAuth::check(std::string_view authorization) const {
  constexpr std::string_view kScheme = "bearer";
  // The scheme is public; only the credential needs a constant-time comparison.
  std::string_view presented;
  bool well_formed = authorization.size() > kScheme.size() + 1 &&
                     text::iequals(authorization.substr(0, kScheme.size()), kScheme) &&
                     authorization[kScheme.size()] == ' ';
  if (well_formed) {
    presented = authorization.substr(kScheme.size() + 1);
    while (!presented.empty() && presented.front() == ' ') presented.remove_prefix(1);
    while (!presented.empty() && presented.back() == ' ') presented.remove_suffix(1);
  }
  // Compare even for a malformed header so that every refusal costs the same.
  auto presented_digest = digest(presented);
  checks_.fetch_add(1);
  bool same = CRYPTO_memcmp(presented_digest.data(), token_digest_.data(), 32) == 0;
  return well_formed && !presented.empty() && same;
}

}  // namespace chost::admin
