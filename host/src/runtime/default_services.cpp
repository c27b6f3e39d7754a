// Default Redactor (substring replacement) and LogPort (spdlog) for wiring the runtime before
// or without the common/ subsystem's implementations.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <shared_mutex>

#include "chost/runtime/services.hpp"
#include "chost/runtime/store_port.hpp"

namespace chost::runtime {

StoredSecret::~StoredSecret() {
  // Best effort wipe so a decrypted secret does not linger in freed memory.
  std::fill(value.begin(), value.end(), '\0');
}

namespace {

// Secrets shorter than this are not redacted: replacing e.g. "1" everywhere would make logs
// unreadable, and such short values are not credentials.
constexpr size_t kMinSecretChars = 4;
constexpr const char* kMask = "[REDACTED]";

class SubstringRedactor final : public Redactor {
 public:
  void add_secret(std::string_view secret) override {
    if (secret.size() < kMinSecretChars) return;
    std::unique_lock lock(mu_);
    secrets_.emplace(secret);
  }

  std::string redact(std::string_view text) const override {
    std::string out(text);
    std::shared_lock lock(mu_);
    // Longest first, so a secret containing another is masked whole.
    for (auto it = secrets_.rbegin(); it != secrets_.rend(); ++it) {
      const std::string& s = *it;
      for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos)) {
        out.replace(pos, s.size(), kMask);
        pos += std::char_traits<char>::length(kMask);
      }
    }
    return out;
  }

 private:
  struct LongerFirst {
    bool operator()(const std::string& a, const std::string& b) const {
      return a.size() != b.size() ? a.size() < b.size() : a < b;
    }
  };
  mutable std::shared_mutex mu_;
  std::set<std::string, LongerFirst> secrets_;
};

class SpdlogLogPort final : public LogPort {
 public:
  void log(LogLevel level, std::string_view connector, std::string_view message) override {
    spdlog::level::level_enum l = spdlog::level::info;
    switch (level) {
      case LogLevel::kTrace:
        l = spdlog::level::trace;
        break;
      case LogLevel::kDebug:
        l = spdlog::level::debug;
        break;
      case LogLevel::kInfo:
        l = spdlog::level::info;
        break;
      case LogLevel::kWarn:
        l = spdlog::level::warn;
        break;
      case LogLevel::kError:
        l = spdlog::level::err;
        break;
    }
    if (connector.empty()) {
      spdlog::log(l, "{}", message);
    } else {
      spdlog::log(l, "[{}] {}", connector, message);
    }
  }
};

}  // namespace

std::unique_ptr<Redactor> make_substring_redactor() {
  return std::make_unique<SubstringRedactor>();
}

std::unique_ptr<LogPort> make_spdlog_log_port() { return std::make_unique<SpdlogLogPort>(); }

}  // namespace chost::runtime
