// The process-wide host logger: level gate, redaction, spdlog sinks and the formatter that also
// serves plain spdlog calls made elsewhere in the host.
#include "chost/common/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <memory>
#include <mutex>
#include <vector>

#include "chost/common/text.hpp"
#include "log_format.hpp"

namespace chost::log {

namespace {

// Lines written through chost::log arrive at the formatter already formatted, on a logger of
// this name; anything else is a plain spdlog call to format here.
constexpr const char* kRawLoggerName = "chost";

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::kTrace:
      return spdlog::level::trace;
    case Level::kDebug:
      return spdlog::level::debug;
    case Level::kInfo:
      return spdlog::level::info;
    case Level::kWarn:
      return spdlog::level::warn;
    case Level::kError:
      return spdlog::level::err;
    case Level::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

Level from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return Level::kTrace;
    case spdlog::level::debug:
      return Level::kDebug;
    case spdlog::level::info:
      return Level::kInfo;
    case spdlog::level::warn:
      return Level::kWarn;
    case spdlog::level::err:
    case spdlog::level::critical:
      return Level::kError;
    default:
      return Level::kOff;
  }
}

// Formats records of plain spdlog calls ("[connector] message" → connector field) and passes
// through pre-formatted chost lines.
class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(Format format) : format_(format) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (msg.logger_name == kRawLoggerName) {
      dest.append(payload.data(), payload.data() + payload.size());
    } else {
      std::string_view connector;
      if (payload.size() > 2 && payload[0] == '[') {
        const size_t close = payload.find("] ");
        if (close != std::string_view::npos && close > 1) {
          connector = payload.substr(1, close - 1);
          payload.remove_prefix(close + 2);
        }
      }
      const std::string redacted = redactor().redact(payload);
      const std::string line = detail::format_redacted_line(
          format_, msg.time, from_spdlog(msg.level), connector, redacted, nullptr, 0);
      dest.append(line.data(), line.data() + line.size());
    }
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  Format format_;
};

// Hands each finished line to a LineSink (tests, embedding).
class CallbackSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit CallbackSink(LineSink fn) : fn_(std::move(fn)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    std::string_view line(buf.data(), buf.size());
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    fn_(line);
  }
  void flush_() override {}

 private:
  LineSink fn_;
};

struct LoggerState {
  std::atomic<int> level{static_cast<int>(Level::kInfo)};
  std::atomic<int> format{static_cast<int>(Format::kText)};
  std::mutex mu;  // guards raw
  std::shared_ptr<spdlog::logger> raw;
};

LoggerState& state() {
  static LoggerState* s = [] {
    auto* st = new LoggerState();  // never destroyed: logging may happen during exit
    return st;
  }();
  return *s;
}

std::shared_ptr<spdlog::logger> make_logger(const char* name, spdlog::sink_ptr sink, Level level) {
  auto logger = std::make_shared<spdlog::logger>(name, std::move(sink));
  logger->set_level(to_spdlog(level));
  return logger;
}

void install(LogOptions options) {
  LoggerState& s = state();
  spdlog::sink_ptr sink;
  if (options.sink) {
    sink = std::make_shared<CallbackSink>(std::move(options.sink));
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  }
  sink->set_formatter(std::make_unique<LineFormatter>(options.format));
  auto raw = make_logger(kRawLoggerName, sink, options.level);
  auto plain = make_logger("", sink, options.level);
  {
    std::lock_guard lock(s.mu);
    s.raw = std::move(raw);
  }
  s.format.store(static_cast<int>(options.format), std::memory_order_relaxed);
  s.level.store(static_cast<int>(options.level), std::memory_order_relaxed);
  spdlog::set_default_logger(std::move(plain));
}

std::shared_ptr<spdlog::logger> raw_logger() {
  LoggerState& s = state();
  static std::once_flag default_once;
  std::call_once(default_once, [&] {
    std::lock_guard lock(s.mu);
    if (s.raw) return;
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    sink->set_formatter(std::make_unique<LineFormatter>(Format::kText));
    s.raw = make_logger(kRawLoggerName, sink, Level::kInfo);
  });
  std::lock_guard lock(s.mu);
  return s.raw;
}

}  // namespace

const char* to_string(Level level) {
  switch (level) {
    case Level::kTrace:
      return "trace";
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
    case Level::kOff:
      return "off";
  }
  return "info";
}

bool parse_level(std::string_view text, Level* out) {
  const std::string lower = text::to_lower(text);
  for (Level l :
       {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError, Level::kOff}) {
    if (lower == to_string(l)) {
      *out = l;
      return true;
    }
  }
  if (lower == "warning") {
    *out = Level::kWarn;
    return true;
  }
  return false;
}

void init(LogOptions options) { install(std::move(options)); }

bool enabled(Level level) {
  return level != Level::kOff &&
         static_cast<int>(level) >= state().level.load(std::memory_order_relaxed);
}

Redactor& redactor() {
  static Redactor* r = new Redactor();  // never destroyed: logging may happen during exit
  return *r;
}

std::string format_line(Format format, Level level, std::string_view connector,
                        std::string_view message, std::initializer_list<Field> fields) {
  std::vector<Field> redacted_fields;
  redacted_fields.reserve(fields.size());
  for (const Field& f : fields) {
    Field copy = f;
    if (!copy.bare) copy.value = redactor().redact(copy.value);
    redacted_fields.push_back(std::move(copy));
  }
  return detail::format_redacted_line(format, std::chrono::system_clock::now(), level, connector,
                                      redactor().redact(message), redacted_fields.data(),
                                      redacted_fields.size());
}

void write(Level level, std::string_view connector, std::string_view message,
           std::initializer_list<Field> fields) {
  if (!enabled(level)) return;
  const auto format = static_cast<Format>(state().format.load(std::memory_order_relaxed));
  const std::string line = format_line(format, level, connector, message, fields);
  raw_logger()->log(to_spdlog(level), "{}", line);
}

}  // namespace chost::log
