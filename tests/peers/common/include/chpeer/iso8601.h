// ISO 8601 UTC date/time text <-> epoch milliseconds for the peers, without a time zone
// database: every peer formats its own flavour (Graph "...Z", "...0000000") from these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chpeer {

// "2024-01-01T10:00:00" followed by `fraction_digits` (0..7) digits after a '.', then "Z" when
// `zulu` is set. Digits beyond milliseconds are zeros.
std::string FormatIso8601(std::int64_t epoch_ms, int fraction_digits, bool zulu);
// Accepts YYYY-MM-DDTHH:MM[:SS[.fraction]] with an optional Z, +HH:MM, +HHMM or -HH:MM; a
// missing offset means UTC. nullopt when malformed.
std::optional<std::int64_t> ParseIso8601(std::string_view text);

}  // namespace chpeer
