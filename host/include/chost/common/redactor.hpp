// Redactor: removes secrets from text before it is logged or put into an error message.
// Two layers: a registry of known secret values (tokens the host has seen, client secrets from
// the config) replaced wherever they appear, and patterns for things that are obviously secret
// whatever their value (`Bearer <token>`, `access_token=...`, `"refresh_token":"..."`).
#pragma once

#include <bitset>
#include <map>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chost::log {

// What every redacted value is replaced with.
inline constexpr std::string_view kRedactedMask = "***";

// Shorter values are not registered: masking e.g. "true" or "1234" everywhere would make logs
// unreadable, and values that short are not credentials.
inline constexpr size_t kMinSecretChars = 6;

class Redactor {
 public:
  Redactor() = default;
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // Registers a secret value. Registrations are counted, so a value added by two owners stays
  // registered until both remove it. Values shorter than kMinSecretChars are ignored.
  // Thread: any.
  void add(std::string_view secret);
  void remove(std::string_view secret);
  size_t size() const;  // distinct registered forms

  // `text` with every registered value and every pattern match replaced by kRedactedMask.
  // Overlapping or adjacent occurrences become one mask, so no character of any registered
  // value survives. One pass over `text` whatever the number of secrets (see the index).
  // Thread: any (readers do not block each other).
  std::string redact(std::string_view text) const;

 private:
  void rebuild_index();  // under the unique lock, after every change of secrets_

  mutable std::shared_mutex mu_;
  std::map<std::string, int> secrets_;  // value -> registration count
  // The index the single pass uses: secrets by their last kMinSecretChars characters (their
  // ends differ where their starts do not: Salesforce tokens of one org share the org id), and
  // a filter of the last two bytes, so that almost every position costs one bit test.
  std::unordered_map<std::string_view, std::vector<std::string_view>> by_suffix_;
  std::bitset<65536> last_pairs_;
};

// Pattern redaction alone (no registry): bearer tokens, Authorization header values,
// `key=value` and `"key":"value"` for well-known secret keys (access_token, refresh_token,
// id_token, client_secret, code_verifier, assertion, client_assertion, password).
std::string redact_patterns(std::string_view text);

}  // namespace chost::log
