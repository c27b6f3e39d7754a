// Secret sealing with libsodium (see secret_box.hpp).
#include "secret_box.hpp"

#include <sodium.h>

namespace chost::store {

namespace {

constexpr size_t kNonceBytes = crypto_secretbox_xchacha20poly1305_NONCEBYTES;
constexpr size_t kMacBytes = crypto_secretbox_xchacha20poly1305_MACBYTES;
constexpr std::string_view kKeyCheckAad = "chost-store-key-check";
constexpr std::string_view kKeyCheckPlain = "connector-host state key check v1";

// secretbox has no associated data, so the location is bound in by deriving a per-location
// key: BLAKE2b keyed with the master key over `aad`.
struct SubKey {
  unsigned char bytes[crypto_secretbox_xchacha20poly1305_KEYBYTES];
  SubKey(const MasterKey& key, std::string_view aad) {
    crypto_generichash(bytes, sizeof bytes, reinterpret_cast<const unsigned char*>(aad.data()),
                       aad.size(), key.data(), MasterKey::kSizeBytes);
  }
  ~SubKey() { sodium_memzero(bytes, sizeof bytes); }
};

}  // namespace

void wipe(std::string& s) {
  if (!s.empty()) sodium_memzero(s.data(), s.size());
  s.clear();
}

std::string seal_secret(const MasterKey& key, std::string_view aad, std::string_view plaintext) {
  SubKey sub(key, aad);
  std::string out(kNonceBytes + kMacBytes + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  crypto_secretbox_xchacha20poly1305_easy(nonce + kNonceBytes,
                                          reinterpret_cast<const unsigned char*>(plaintext.data()),
                                          plaintext.size(), nonce, sub.bytes);
  return out;
}

Result<std::string> open_secret(const MasterKey& key, std::string_view aad,
                                std::string_view sealed) {
  if (sealed.size() < kNonceBytes + kMacBytes) {
    return Error::permanent("stored secret is truncated");
  }
  SubKey sub(key, aad);
  const auto* nonce = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(sealed.size() - kNonceBytes - kMacBytes, '\0');
  if (crypto_secretbox_xchacha20poly1305_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                                   nonce + kNonceBytes, sealed.size() - kNonceBytes,
                                                   nonce, sub.bytes) != 0) {
    wipe(plain);
    return Error::permanent(
        "stored secret cannot be decrypted (master key mismatch or corrupted data)");
  }
  return plain;
}

std::string make_key_check(const MasterKey& key) {
  return seal_secret(key, kKeyCheckAad, kKeyCheckPlain);
}

bool key_check_matches(const MasterKey& key, std::string_view check) {
  Result<std::string> plain = open_secret(key, kKeyCheckAad, check);
  return plain.ok() && *plain == kKeyCheckPlain;
}

}  // namespace chost::store
