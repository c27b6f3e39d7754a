// Secret redaction: registry of known values plus patterns for obviously secret fields.
#include "chost/common/redactor.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <utility>

#include "chost/common/text.hpp"

namespace chost::log {

// Each secret is registered raw and in the form it takes in a URL query or a form body: tokens
// with '!', '/', '+' or '=' (Salesforce, base64) are logged that way more often than raw, e.g. in
// a request line.
void Redactor::add(std::string_view secret) {
  if (secret.size() < kMinSecretChars) return;
  std::string encoded = text::url_encode(secret);
  std::unique_lock lock(mu_);
  ++secrets_[std::string(secret)];
  if (encoded != secret) ++secrets_[std::move(encoded)];
  rebuild_index();
}

void Redactor::remove(std::string_view secret) {
  if (secret.size() < kMinSecretChars) return;
  std::string encoded = text::url_encode(secret);
  std::unique_lock lock(mu_);
  auto drop = [this](const std::string& value) {
    auto it = secrets_.find(value);
    if (it != secrets_.end() && --it->second <= 0) secrets_.erase(it);
  };
  drop(std::string(secret));
  if (encoded != secret) drop(encoded);
  rebuild_index();
}

namespace {

size_t pair_of(char a, char b) {
  return (static_cast<size_t>(static_cast<unsigned char>(a)) << 8) | static_cast<unsigned char>(b);
}

}  // namespace

void Redactor::rebuild_index() {
  by_suffix_.clear();
  last_pairs_.reset();
  for (const auto& [value, count] : secrets_) {
    const std::string_view v(value);  // map keys do not move: views stay valid until erased
    by_suffix_[v.substr(v.size() - kMinSecretChars)].push_back(v);
    last_pairs_.set(pair_of(v[v.size() - 2], v[v.size() - 1]));
  }
}

size_t Redactor::size() const {
  std::shared_lock lock(mu_);
  return secrets_.size();
}

std::string Redactor::redact(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> found;  // [begin, end) of every occurrence
  {
    std::shared_lock lock(mu_);
    if (!secrets_.empty()) {
      for (size_t end = kMinSecretChars; end <= text.size(); ++end) {
        if (!last_pairs_.test(pair_of(text[end - 2], text[end - 1]))) continue;
        auto it = by_suffix_.find(text.substr(end - kMinSecretChars, kMinSecretChars));
        if (it == by_suffix_.end()) continue;
        for (std::string_view secret : it->second) {
          if (secret.size() <= end && text.substr(end - secret.size(), secret.size()) == secret) {
            found.emplace_back(end - secret.size(), end);
          }
        }
      }
    }
  }
  if (found.empty()) return redact_patterns(text);
  std::sort(found.begin(), found.end());
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;  // text before this is in `out`
  for (size_t i = 0; i < found.size();) {
    const size_t begin = found[i].first;
    size_t end = found[i].second;
    for (++i; i < found.size() && found[i].first <= end; ++i) end = std::max(end, found[i].second);
    out.append(text.substr(copied, begin - copied));
    out.append(kRedactedMask);
    copied = end;
  }
  out.append(text.substr(copied));
  return redact_patterns(out);
}

namespace {

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Case-insensitive find of an ASCII lower-case needle.
size_t ifind(std::string_view hay, std::string_view needle, size_t from) {
  if (needle.empty() || hay.size() < needle.size()) return std::string_view::npos;
  for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(hay[i + j]) == needle[j]) ++j;
    if (j == needle.size()) return i;
  }
  return std::string_view::npos;
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

// Characters that end an unquoted value (form/query encoding, header lists, prose).
bool ends_bare_value(char c) {
  switch (c) {
    case '&':
    case '"':
    case '\'':
    case ',':
    case ';':
    case ')':
    case '<':
    case '>':
    case ' ':
    case '\t':
    case '\r':
    case '\n':
    case '\\':
      return true;
    default:
      return false;
  }
}

// Replaces out[begin, end) by the mask when non-empty; returns the index just past the mask
// (or `end` when nothing was replaced).
size_t mask_range(std::string& out, size_t begin, size_t end) {
  if (end <= begin) return end;
  out.replace(begin, end - begin, kRedactedMask);
  return begin + kRedactedMask.size();
}

constexpr std::array<std::string_view, 8> kSecretKeys = {
    "access_token",  "refresh_token",    "id_token",  "client_secret",
    "code_verifier", "client_assertion", "assertion", "password"};

// `key=value` and `"key": "value"` (also inside an escaped JSON string: `\"key\":\"value\"`).
void redact_keys(std::string& out) {
  for (std::string_view key : kSecretKeys) {
    for (size_t pos = ifind(out, key, 0); pos != std::string::npos; pos = ifind(out, key, pos)) {
      size_t i = pos + key.size();
      pos = i;
      if (i < out.size() && out[i] == '=') {
        size_t begin = i + 1, end = begin;
        while (end < out.size() && !ends_bare_value(out[end])) ++end;
        if (out.compare(begin, end - begin, kRedactedMask) != 0) pos = mask_range(out, begin, end);
        continue;
      }
      // JSON member: the key must be followed by its closing quote, optionally escaped.
      bool escaped = false;
      if (i < out.size() && out[i] == '\\') {
        escaped = true;
        ++i;
      }
      if (i >= out.size() || out[i] != '"') continue;
      ++i;
      while (i < out.size() && is_space(out[i])) ++i;
      if (i >= out.size() || out[i] != ':') continue;
      ++i;
      while (i < out.size() && is_space(out[i])) ++i;
      if (escaped) {
        if (i + 1 >= out.size() || out[i] != '\\' || out[i + 1] != '"') continue;
        size_t begin = i + 2;
        size_t end = out.find("\\\"", begin);
        if (end == std::string::npos) end = out.size();
        pos = mask_range(out, begin, end);
      } else {
        if (i >= out.size() || out[i] != '"') continue;
        size_t begin = i + 1, end = begin;
        while (end < out.size() && out[end] != '"') end += (out[end] == '\\') ? 2 : 1;
        if (end > out.size()) end = out.size();
        pos = mask_range(out, begin, end);
      }
    }
  }
}

// `Authorization: <scheme> <credentials>` up to the end of the line, whatever the scheme.
void redact_authorization_headers(std::string& out) {
  constexpr std::string_view kHeader = "authorization:";
  for (size_t pos = ifind(out, kHeader, 0); pos != std::string::npos;
       pos = ifind(out, kHeader, pos)) {
    size_t i = pos + kHeader.size();
    while (i < out.size() && is_space(out[i])) ++i;
    // Keep the scheme word so the log still says what kind of credential it was.
    while (i < out.size() && !is_space(out[i]) && out[i] != '\r' && out[i] != '\n') ++i;
    while (i < out.size() && is_space(out[i])) ++i;
    size_t end = i;
    while (end < out.size() && out[end] != '\r' && out[end] != '\n' && out[end] != '"') ++end;
    pos = (out.compare(i, end - i, kRedactedMask) == 0) ? end : mask_range(out, i, end);
  }
}

// A word after "Bearer" that looks like a credential rather than prose: long, or containing a
// digit or symbol (JWTs, Salesforce "00D...!AQ..." tokens, opaque base64).
bool looks_like_token(std::string_view word) {
  if (word.size() < kMinSecretChars) return false;
  if (word.size() >= 20) return true;
  for (char c : word) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// `Bearer <token>` anywhere (headers, prose, JSON), so "the bearer of" stays readable.
void redact_bearer(std::string& out) {
  constexpr std::string_view kBearer = "bearer";
  for (size_t pos = ifind(out, kBearer, 0); pos != std::string::npos;
       pos = ifind(out, kBearer, pos)) {
    const size_t start = pos;
    size_t i = start + kBearer.size();
    pos = i;
    if (start > 0 && std::isalnum(static_cast<unsigned char>(out[start - 1]))) continue;
    if (i >= out.size() || !is_space(out[i])) continue;
    while (i < out.size() && is_space(out[i])) ++i;
    size_t end = i;
    while (end < out.size() && !ends_bare_value(out[end])) ++end;
    if (!looks_like_token(std::string_view(out).substr(i, end - i))) continue;
    pos = mask_range(out, i, end);
  }
}

}  // namespace

std::string redact_patterns(std::string_view text) {
  std::string out(text);
  redact_authorization_headers(out);
  redact_bearer(out);
  redact_keys(out);
  return out;
}

}  // namespace chost::log
