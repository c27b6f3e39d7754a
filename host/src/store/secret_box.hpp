// Private to chost_store: encryption of secret values at rest with XChaCha20-Poly1305
// secretbox (random 24-byte nonce per value, stored in front of the ciphertext), and the
// key-check value that tells "wrong master key" apart from corruption.
#pragma once

#include <string>
#include <string_view>

#include "chost/common/result.hpp"
#include "chost/store/master_key.hpp"

namespace chost::store {

// nonce || ciphertext+MAC. `aad` binds the value to where it is stored (namespace and name),
// so a row copied under another name does not decrypt.
std::string seal_secret(const MasterKey& key, std::string_view aad, std::string_view plaintext);

// nullopt-like failure (kPermanent) when the key is wrong or the data was tampered with.
// The error never contains plaintext.
Result<std::string> open_secret(const MasterKey& key, std::string_view aad,
                                std::string_view sealed);

// A sealed constant that only the same key opens.
std::string make_key_check(const MasterKey& key);
bool key_check_matches(const MasterKey& key, std::string_view check);

// Wipes a string's bytes (for plaintext copies that go out of scope).
void wipe(std::string& s);

}  // namespace chost::store
