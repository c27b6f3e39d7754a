// ErrorClass <-> chp_status_code for the runtime (the loader has the same mapping for plugin
// results; this direction, host error -> ABI code, is only needed by the host callbacks).
#pragma once

#include <connector_host/plugin_api.h>

#include "chost/common/result.hpp"

namespace chost::runtime {

inline chp_status_code status_code_of(ErrorClass cls) {
  switch (cls) {
    case ErrorClass::kTransient:
      return CHP_ERR_TRANSIENT;
    case ErrorClass::kAuthRevoked:
      return CHP_ERR_AUTH_REVOKED;
    case ErrorClass::kConfig:
      return CHP_ERR_CONFIG;
    case ErrorClass::kPermanent:
      return CHP_ERR_PERMANENT;
    case ErrorClass::kNotFound:
      return CHP_ERR_NOT_FOUND;
    case ErrorClass::kConflict:
      return CHP_ERR_CONFLICT;
    case ErrorClass::kCancelled:
      return CHP_ERR_CANCELLED;
  }
  return CHP_ERR_PERMANENT;
}

inline ErrorClass error_class_of_code(chp_status_code code) {
  switch (code) {
    case CHP_ERR_TRANSIENT:
      return ErrorClass::kTransient;
    case CHP_ERR_AUTH_REVOKED:
      return ErrorClass::kAuthRevoked;
    case CHP_ERR_CONFIG:
      return ErrorClass::kConfig;
    case CHP_ERR_NOT_FOUND:
      return ErrorClass::kNotFound;
    case CHP_ERR_CONFLICT:
      return ErrorClass::kConflict;
    case CHP_ERR_CANCELLED:
      return ErrorClass::kCancelled;
    default:
      return ErrorClass::kPermanent;
  }
}

}  // namespace chost::runtime
