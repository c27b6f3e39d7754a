// Out-of-line parts of the runtime's store port (store_port.hpp).
#include "chost/runtime/store_port.hpp"

#include <algorithm>

namespace chost::runtime {

StoredSecret::~StoredSecret() {
  // Best effort wipe so a decrypted secret does not linger in freed memory.
  std::fill(value.begin(), value.end(), '\0');
}

}  // namespace chost::runtime
