// Names and error classes of chp_status_code values.
#include "chost/common/abi_status.hpp"

namespace chost {

std::string status_name(chp_status_code code) {
  switch (code) {
    case CHP_OK:
      return "ok";
    case CHP_ERR_TRANSIENT:
      return "transient";
    case CHP_ERR_AUTH_REVOKED:
      return "auth_revoked";
    case CHP_ERR_CONFIG:
      return "config";
    case CHP_ERR_PERMANENT:
      return "permanent";
    case CHP_ERR_NOT_FOUND:
      return "not_found";
    case CHP_ERR_CONFLICT:
      return "conflict";
    case CHP_ERR_CANCELLED:
      return "cancelled";
    case CHP_ERR_UNSUPPORTED:
      return "unsupported";
    default:
      return "invalid(" + std::to_string(code) + ")";
  }
}

ErrorClass error_class_of(chp_status_code code) {
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
    default:  // CHP_ERR_PERMANENT, CHP_ERR_UNSUPPORTED, CHP_OK as a failure, garbage
      return ErrorClass::kPermanent;
  }
}

chp_status_code status_code_of(ErrorClass cls) {
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

}  // namespace chost
