// The host's logging vocabulary (levels and line formats) without the logger itself, so the
// config and the runtime can name a level without pulling in spdlog. The one Level enum of the
// host: config's `host.log.level` and every runtime log line use it.
#pragma once

#include <string_view>

namespace chost::log {

enum class Level { kTrace = 1, kDebug, kInfo, kWarn, kError, kOff };
enum class Format { kText = 1, kJson };

// "trace" ... "error", "off"; parse accepts the same (case-insensitive) and "warning".
const char* to_string(Level level);
bool parse_level(std::string_view text, Level* out);

}  // namespace chost::log
