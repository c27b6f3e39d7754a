// The runtime's view of the ABI status mapping, which lives in chost_common (abi_status.hpp)
// so the loader, the runtime and the app classify plugin results the same way.
#pragma once

#include "chost/common/abi_status.hpp"

namespace chost::runtime {

using chost::status_code_of;

inline ErrorClass error_class_of_code(chp_status_code code) { return chost::error_class_of(code); }

}  // namespace chost::runtime
