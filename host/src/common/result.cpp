// String names of error classes, as shown to admins and in logs.
#include "chost/common/result.hpp"

namespace chost {

ErrorClass error_class_from_string(std::string_view name) {
  for (auto c : {ErrorClass::kTransient, ErrorClass::kAuthRevoked, ErrorClass::kConfig,
                 ErrorClass::kPermanent, ErrorClass::kNotFound, ErrorClass::kConflict,
                 ErrorClass::kCancelled}) {
    if (name == to_string(c)) return c;
  }
  return ErrorClass::kPermanent;
}

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
