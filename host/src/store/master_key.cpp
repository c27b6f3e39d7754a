// MasterKey lifetime (wipe on drop) and parsing of the operator-supplied key text.
#include "chost/store/master_key.hpp"

#include <sodium.h>

#include <cassert>
#include <cstring>

#include "chost/common/text.hpp"

namespace chost::store {

MasterKey MasterKey::from_bytes(const uint8_t* bytes, size_t size_bytes) {
  assert(size_bytes == kSizeBytes);
  MasterKey key;
  std::memcpy(key.bytes_.data(), bytes, kSizeBytes);
  return key;
}

MasterKey MasterKey::random() {
  MasterKey key;
  randombytes_buf(key.bytes_.data(), kSizeBytes);
  return key;
}

MasterKey::MasterKey(MasterKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), kSizeBytes);
}

MasterKey& MasterKey::operator=(MasterKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), kSizeBytes);
  }
  return *this;
}

MasterKey::~MasterKey() { sodium_memzero(bytes_.data(), kSizeBytes); }

std::string MasterKey::to_hex() const {
  std::string hex(kSizeBytes * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), bytes_.data(), kSizeBytes);
  hex.pop_back();  // the terminating NUL sodium writes
  return hex;
}

namespace {

// Decodes into `out` (kSizeBytes); true only when the whole input was exactly 32 bytes.
bool decode_hex(std::string_view text, uint8_t* out) {
  if (text.size() != MasterKey::kSizeBytes * 2) return false;
  size_t len = 0;
  const char* end = nullptr;
  return sodium_hex2bin(out, MasterKey::kSizeBytes, text.data(), text.size(), nullptr, &len,
                        &end) == 0 &&
         len == MasterKey::kSizeBytes && end == text.data() + text.size();
}

bool decode_base64(std::string_view text, uint8_t* out) {
  // 32 bytes are 44 base64 characters with one '=' of padding.
  if (text.size() != 44) return false;
  size_t len = 0;
  const char* end = nullptr;
  return sodium_base642bin(out, MasterKey::kSizeBytes, text.data(), text.size(), nullptr, &len,
                           &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
         len == MasterKey::kSizeBytes && end == text.data() + text.size();
}

}  // namespace

Result<MasterKey> parse_master_key(std::string_view text) {
  if (sodium_init() < 0) return Error::permanent("libsodium failed to initialize");
  std::string_view t = text::trim(text);
  uint8_t buf[MasterKey::kSizeBytes];
  bool ok = decode_hex(t, buf) || decode_base64(t, buf);
  if (!ok) {
    sodium_memzero(buf, sizeof buf);
    // The length is safe to report; the content is not.
    return Error::config(
        "master key must be 64 hex characters or standard base64 of 32 bytes (got " +
        std::to_string(t.size()) + " characters)");
  }
  MasterKey key = MasterKey::from_bytes(buf, sizeof buf);
  sodium_memzero(buf, sizeof buf);
  return key;
}

}  // namespace chost::store
