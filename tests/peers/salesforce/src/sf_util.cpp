// Implementation of the Salesforce-flavoured primitives (IDs, dates, tokens, error bodies).
#include "sf_util.h"

#include <atomic>
#include <cstdio>
#include <ctime>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <boost/json.hpp>

namespace chpeer::sf {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

std::atomic<std::uint64_t> g_id_counter{1};

bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Days from civil date, proleptic Gregorian (no time zone database needed).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void SplitEpochMs(std::int64_t epoch_ms, std::tm* out, int* millis) {
  std::int64_t secs = epoch_ms >= 0 ? epoch_ms / 1000 : (epoch_ms - 999) / 1000;
  *millis = static_cast<int>(epoch_ms - secs * 1000);
  std::time_t t = static_cast<std::time_t>(secs);
  gmtime_r(&t, out);
}

}  // namespace

std::string To18CharId(std::string_view id15) {
  static constexpr std::string_view kSuffix = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string out(id15);
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out.push_back(kSuffix[bits]);
  }
  return out;
}

std::optional<std::string> NormalizeId(std::string_view id) {
  if (id.size() != 15 && id.size() != 18) return std::nullopt;
  for (char c : id) {
    if (!IsIdChar(c)) return std::nullopt;
  }
  std::string full = To18CharId(id.substr(0, 15));
  if (id.size() == 18) {
    // The suffix is case-insensitive by design; compare it loosely.
    if (ToLower(full.substr(15)) != ToLower(id.substr(15))) return std::nullopt;
  }
  return full;
}

std::string NewId(std::string_view key_prefix) {
  std::uint64_t n = g_id_counter.fetch_add(1);
  std::string counter(7, '0');
  for (int i = 6; i >= 0 && n > 0; --i) {
    counter[i] = kBase62[n % 62];
    n /= 62;
  }
  std::string id15 = std::string(key_prefix.substr(0, 3)) + "Dn000" + counter;
  return To18CharId(id15);
}

std::string FormatDateTime(std::int64_t epoch_ms) {
  std::tm tm{};
  int millis = 0;
  SplitEpochMs(epoch_ms, &tm, &millis);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::string FormatHttpDate(std::int64_t epoch_ms) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm{};
  int millis = 0;
  SplitEpochMs(epoch_ms, &tm, &millis);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string FormatDate(std::int64_t epoch_ms) {
  std::tm tm{};
  int millis = 0;
  SplitEpochMs(epoch_ms, &tm, &millis);
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

std::optional<std::int64_t> ParseDate(std::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  if (std::sscanf(std::string(text).c_str(), "%4d-%2d-%2d", &y, &m, &d) != 3) return std::nullopt;
  if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d)) * 86400000LL;
}

std::optional<std::int64_t> ParseDateTime(std::string_view text) {
  if (text.size() < 20 || text[10] != 'T') return std::nullopt;
  auto date_ms = ParseDate(text.substr(0, 10));
  if (!date_ms) return std::nullopt;
  int hh = 0, mm = 0, ss = 0;
  std::string s(text);
  if (s[13] != ':' || s[16] != ':') return std::nullopt;
  if (std::sscanf(s.c_str() + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3) return std::nullopt;
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  std::int64_t offset_min = 0;
  std::string_view zone = std::string_view(s).substr(pos);
  if (zone == "Z") {
    offset_min = 0;
  } else if (zone.size() == 5 || zone.size() == 6) {
    int sign = zone[0] == '+' ? 1 : zone[0] == '-' ? -1 : 0;
    if (sign == 0) return std::nullopt;
    std::string digits;
    for (char c : zone.substr(1)) {
      if (c != ':') digits.push_back(c);
    }
    if (digits.size() != 4) return std::nullopt;
    offset_min = sign * (std::stoi(digits.substr(0, 2)) * 60 + std::stoi(digits.substr(2)));
  } else {
    return std::nullopt;
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  return *date_ms + ((hh * 60LL + mm) * 60 + ss) * 1000 + millis - offset_min * 60000;
}

std::string RandomToken(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  return Base64UrlEncode(raw);
}

std::string Base64Encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string Base64UrlEncode(std::string_view data) {
  std::string out = Base64Encode(data);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  std::string std_b64(text);
  for (auto& c : std_b64) {
    if (c == '-')
      c = '+';
    else if (c == '_')
      c = '/';
    else if (!(IsIdChar(c) || c == '+' || c == '/' || c == '='))
      return std::nullopt;
  }
  std::size_t pad = 0;
  while (!std_b64.empty() && std_b64.back() == '=') {
    std_b64.pop_back();
  }
  while ((std_b64.size() + pad) % 4 != 0) ++pad;
  if (pad == 3) return std::nullopt;
  std_b64.append(pad, '=');
  std::string out(std_b64.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(std_b64.data()),
                          static_cast<int>(std_b64.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string Sha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof(digest));
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &len);
  return std::string(reinterpret_cast<char*>(digest), len);
}

Response RestError(int status, std::string_view error_code, std::string_view message) {
  boost::json::object e;
  e["message"] = message;
  e["errorCode"] = error_code;
  return Response::Json(status, boost::json::serialize(boost::json::array{e}));
}

Response OAuthError(int status, std::string_view error, std::string_view description) {
  boost::json::object e;
  e["error"] = error;
  e["error_description"] = description;
  return Response::Json(status, boost::json::serialize(e));
}

}  // namespace chpeer::sf
