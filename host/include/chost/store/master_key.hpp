// MasterKey: the 32-byte key that encrypts secrets at rest in the state store, and the parser
// for the forms an operator gives it in (64 hex characters or base64 of 32 bytes, from an
// environment variable or a file). Key bytes are wiped when a MasterKey is dropped.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "chost/common/result.hpp"

namespace chost::store {

class MasterKey {
 public:
  static constexpr size_t kSizeBytes = 32;

  // Takes exactly kSizeBytes bytes; anything else is a programming error (use parse_master_key
  // for operator input).
  static MasterKey from_bytes(const uint8_t* bytes, size_t size_bytes);
  // A fresh key from the OS CSPRNG (for `keygen`-style commands and tests).
  static MasterKey random();

  MasterKey(const MasterKey&) = delete;
  MasterKey& operator=(const MasterKey&) = delete;
  // Moves copy the bytes and wipe the source, so only one live copy exists.
  MasterKey(MasterKey&& other) noexcept;
  MasterKey& operator=(MasterKey&& other) noexcept;
  ~MasterKey();

  const uint8_t* data() const { return bytes_.data(); }
  // Lowercase hex of the key: only for printing a freshly generated key to its owner.
  std::string to_hex() const;

 private:
  MasterKey() = default;
  std::array<uint8_t, kSizeBytes> bytes_{};
};

// Accepts 64 hex characters or standard (padded) base64 of 32 bytes; surrounding whitespace
// (e.g. the newline at the end of a key file) is ignored. The error never echoes the input.
Result<MasterKey> parse_master_key(std::string_view text);

}  // namespace chost::store
