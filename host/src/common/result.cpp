// String names of error classes, as shown to admins and in logs.
#include "chost/common/result.hpp"

namespace chost {

const char* to_string(ErrorClass c) {
  switch (c) {
    case ErrorClass::kTransient:
      return "transient";
    case ErrorClass::kAuthRevoked:
      return "auth_revoked";
    case ErrorClass::kConfig:
      return "config";
    case ErrorClass::kPermanent:
      return "permanent";
    case ErrorClass::kNotFound:
      return "not_found";
    case ErrorClass::kConflict:
      return "conflict";
    case ErrorClass::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace chost
