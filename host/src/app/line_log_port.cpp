// LineLogPort: redacted text/JSON log lines.
#include "chost/app/line_log_port.hpp"

#include <boost/json.hpp>
#include <cstdio>
#include <ctime>

namespace chost::app {

namespace {

const char* level_name(runtime::LogLevel level) {
  switch (level) {
    case runtime::LogLevel::kTrace:
      return "trace";
    case runtime::LogLevel::kDebug:
      return "debug";
    case runtime::LogLevel::kInfo:
      return "info";
    case runtime::LogLevel::kWarn:
      return "warn";
    case runtime::LogLevel::kError:
      return "error";
  }
  return "info";
}

// RFC 3339 UTC with milliseconds.
std::string timestamp(int64_t now_ms) {
  const std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(now_ms % 1000));
  return buf;
}

}  // namespace

LineLogPort::LineLogPort(LineFormat format, runtime::LogLevel min_level,
                         const runtime::Redactor& redactor, const runtime::Clock& clock, Sink sink)
    : format_(format),
      min_level_(min_level),
      redactor_(redactor),
      clock_(clock),
      sink_(std::move(sink)) {}

std::string LineLogPort::format_line(LineFormat format, runtime::LogLevel level, int64_t now_ms,
                                     std::string_view connector, std::string_view message) {
  if (format == LineFormat::kJson) {
    boost::json::object o;
    o["ts"] = timestamp(now_ms);
    o["level"] = level_name(level);
    if (!connector.empty()) o["connector"] = connector;
    o["msg"] = message;
    return boost::json::serialize(o);
  }
  std::string line = timestamp(now_ms) + " " + level_name(level) + " ";
  if (!connector.empty()) line += "[" + std::string(connector) + "] ";
  line += message;
  return line;
}

void LineLogPort::log(runtime::LogLevel level, std::string_view connector,
                      std::string_view message) {
  if (static_cast<int>(level) < static_cast<int>(min_level_)) return;
  const std::string line =
      format_line(format_, level, clock_.now_ms(), connector, redactor_.redact(message));
  std::lock_guard<std::mutex> lock(mu_);
  if (sink_) {
    sink_(line);
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
    std::fflush(stderr);
  }
}

}  // namespace chost::app
