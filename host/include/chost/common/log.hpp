// Host logging: one process-wide logger (spdlog underneath) writing text or JSON lines, with
// every message and field value passed through the Redactor before it is written. Also
// installs itself as spdlog's default logger, so plain `spdlog::info(...)` calls elsewhere in
// the host get the same format and redaction ("[connector] msg" prefixes become the connector).
//
//   chost::log::init({.format = chost::log::Format::kJson, .level = chost::log::Level::kInfo});
//   chost::log::redactor().add(access_token);
//   chost::log::info("sf", "synced {} records", n);
//   chost::log::write(Level::kWarn, "sf", "slow page", {{"page", 3}, {"elapsed_ms", 812}});
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "chost/common/log_level.hpp"
#include "chost/common/redactor.hpp"

namespace chost::log {

// Receives each finished line (no trailing newline). Thread: any, serialised by the logger.
using LineSink = std::function<void(std::string_view line)>;

struct LogOptions {
  Format format = Format::kText;
  Level level = Level::kInfo;
  LineSink sink;  // empty: stderr
};

// A structured field. Strings are quoted in JSON; numbers and booleans are written bare.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const char* v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), bare(true) {}
  template <typename N, std::enable_if_t<std::is_arithmetic_v<N>, int> = 0>
  Field(std::string_view k, N v) : key(k), value(fmt::to_string(v)), bare(true) {
    // JSON has no NaN/Infinity literals: write those as strings.
    if constexpr (std::is_floating_point_v<N>) bare = std::isfinite(v);
  }

  std::string key;
  std::string value;
  bool bare = false;  // JSON: write value without quotes
};

// (Re)configures the process-wide logger. Safe to call again (tests do); lines being written
// concurrently go to either the old or the new sink.
void init(LogOptions options);

// Cheap check (one atomic load) callers use to skip formatting.
bool enabled(Level level);

// The registry of secret values applied to every line.
Redactor& redactor();

// Writes one line when `level` is enabled. `connector` empty for host-level lines.
void write(Level level, std::string_view connector, std::string_view message,
           std::initializer_list<Field> fields = {});

// Formats the full line as it would be written (used by write and tests; no level check).
std::string format_line(Format format, Level level, std::string_view connector,
                        std::string_view message, std::initializer_list<Field> fields);

template <typename... Args>
void logf(Level level, std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  if (!enabled(level)) return;
  write(level, connector, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
void trace(std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  logf(Level::kTrace, connector, f, std::forward<Args>(args)...);
}
template <typename... Args>
void debug(std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  logf(Level::kDebug, connector, f, std::forward<Args>(args)...);
}
template <typename... Args>
void info(std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  logf(Level::kInfo, connector, f, std::forward<Args>(args)...);
}
template <typename... Args>
void warn(std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  logf(Level::kWarn, connector, f, std::forward<Args>(args)...);
}
template <typename... Args>
void error(std::string_view connector, fmt::format_string<Args...> f, Args&&... args) {
  logf(Level::kError, connector, f, std::forward<Args>(args)...);
}

}  // namespace chost::log
