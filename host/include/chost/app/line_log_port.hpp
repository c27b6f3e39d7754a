// LineLogPort: the runtime's LogPort writing one text or JSON line per message to a sink
// (stderr by default), each message passed through the Redactor first, so a secret a plugin
// logs by mistake is masked before it reaches any output. Used until common/'s logger lands.
#pragma once

#include <functional>
#include <mutex>
#include <string>

#include "chost/runtime/clock.hpp"
#include "chost/runtime/services.hpp"

namespace chost::app {

enum class LineFormat { kText = 1, kJson };

class LineLogPort final : public runtime::LogPort {
 public:
  using Sink = std::function<void(const std::string& line)>;  // no trailing newline

  // `redactor` and `clock` must outlive the port. Empty `sink`: stderr.
  LineLogPort(LineFormat format, runtime::LogLevel min_level, const runtime::Redactor& redactor,
              const runtime::Clock& clock, Sink sink = {});

  void log(runtime::LogLevel level, std::string_view connector, std::string_view message) override;

  // The line as it would be written (no redaction, no level check): tests and log().
  static std::string format_line(LineFormat format, runtime::LogLevel level, int64_t now_ms,
                                 std::string_view connector, std::string_view message);

 private:
  LineFormat format_;
  runtime::LogLevel min_level_;
  const runtime::Redactor& redactor_;
  const runtime::Clock& clock_;
  Sink sink_;
  std::mutex mu_;  // whole lines, never interleaved
};

}  // namespace chost::app
