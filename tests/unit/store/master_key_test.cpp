// Master key parsing (hex, base64, whitespace) and its errors, which must not leak the input.
#include "chost/store/master_key.hpp"

#include <gtest/gtest.h>

#include <cstring>

namespace chost::store {
namespace {

const char* kHex = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
// base64 of the same 32 bytes 0x00..0x1f.
const char* kBase64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

TEST(MasterKey, ParsesHexAndBase64ToTheSameBytes) {
  auto from_hex = parse_master_key(kHex);
  auto from_b64 = parse_master_key(kBase64);
  ASSERT_TRUE(from_hex.ok()) << from_hex.error().message;
  ASSERT_TRUE(from_b64.ok()) << from_b64.error().message;
  EXPECT_EQ(std::memcmp(from_hex->data(), from_b64->data(), MasterKey::kSizeBytes), 0);
  for (size_t i = 0; i < MasterKey::kSizeBytes; ++i) EXPECT_EQ(from_hex->data()[i], i);
  EXPECT_EQ(from_hex->to_hex(), kHex);
}

TEST(MasterKey, IgnoresSurroundingWhitespaceAndUppercaseHex) {
  std::string upper = kHex;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto key = parse_master_key("  " + upper + "\n");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(key->to_hex(), kHex);
}

TEST(MasterKey, RejectsWrongLengthsAndAlphabetsWithoutEchoingThem) {
  const std::string bad[] = {
      "",
      std::string(kHex).substr(2),                                         // 31 bytes of hex
      std::string(kHex) + "00",                                            // 33 bytes
      "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",  // not hex
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==",                      // base64 of 31 bytes
      "hunter2-secret-passphrase",
  };
  for (const std::string& text : bad) {
    auto key = parse_master_key(text);
    ASSERT_FALSE(key.ok()) << text;
    EXPECT_EQ(key.error().cls, ErrorClass::kConfig);
    EXPECT_NE(key.error().message.find("64 hex characters"), std::string::npos);
    if (!text.empty()) {
      EXPECT_EQ(key.error().message.find(text), std::string::npos);
    }
  }
}

TEST(MasterKey, MoveLeavesTheSourceWiped) {
  auto key = parse_master_key(kHex);
  ASSERT_TRUE(key.ok());
  MasterKey moved = std::move(key).value();
  EXPECT_EQ(moved.to_hex(), kHex);
  MasterKey target = MasterKey::random();
  target = std::move(moved);
  EXPECT_EQ(target.to_hex(), kHex);
  EXPECT_EQ(moved.to_hex(), std::string(64, '0'));  // NOLINT(bugprone-use-after-move)
}

TEST(MasterKey, RandomKeysDiffer) {
  EXPECT_NE(MasterKey::random().to_hex(), MasterKey::random().to_hex());
}

}  // namespace
}  // namespace chost::store
