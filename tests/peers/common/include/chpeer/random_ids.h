// Random identifiers for the peers (GUIDs, opaque tokens). Not cryptographic: the peers only
// need values a client cannot predict by accident.
#pragma once

#include <cstddef>
#include <string>

namespace chpeer {

// "8-4-4-4-12" lower-case hex, version-4 layout.
std::string NewGuid();
// `length` characters from [A-Za-z0-9-_].
std::string RandomUrlSafe(std::size_t length);

}  // namespace chpeer
