// Exceptions a connector throws to fail a hook. The plugin adapter (plugin.hpp) catches them
// at the ABI line and turns each class into the matching chp_status_code plus a message, so
// authors never handle status codes themselves. Messages reach admins: never put secrets in them.
#ifndef CONNECTOR_HOST_SDK_ERROR_HPP_
#define CONNECTOR_HOST_SDK_ERROR_HPP_

#include <connector_host/plugin_api.h>

#include <stdexcept>
#include <string>

namespace chp {

// The failure classes a hook may report. Values are the ABI's status codes so that the
// mapping cannot drift; none is zero, matching the ABI's "zero is never valid" rule.
enum class ErrorClass : chp_status_code {
  kTransient = CHP_ERR_TRANSIENT,
  kAuthRevoked = CHP_ERR_AUTH_REVOKED,
  kConfig = CHP_ERR_CONFIG,
  kPermanent = CHP_ERR_PERMANENT,
  kCancelled = CHP_ERR_CANCELLED,
};

inline chp_status_code to_status(ErrorClass cls) noexcept {
  return static_cast<chp_status_code>(cls);
}

// Base of every SDK error. Throw a subclass; catching `chp::Error` catches them all.
class Error : public std::runtime_error {
 public:
  Error(ErrorClass cls, const std::string& message) : std::runtime_error(message), cls_(cls) {}
  ErrorClass cls() const noexcept { return cls_; }

 private:
  ErrorClass cls_;
};

// Worth retrying later with backoff: network errors, 5xx, rate limits.
class TransientError : public Error {
 public:
  explicit TransientError(const std::string& message) : Error(ErrorClass::kTransient, message) {}
};

// The remote system rejected the credentials for good: an admin must re-authorize.
class AuthRevokedError : public Error {
 public:
  explicit AuthRevokedError(const std::string& message)
      : Error(ErrorClass::kAuthRevoked, message) {}
};

// The connector's configuration is invalid; name the offending field in the message.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(ErrorClass::kConfig, message) {}
};

// Will not succeed on retry.
class PermanentError : public Error {
 public:
  explicit PermanentError(const std::string& message) : Error(ErrorClass::kPermanent, message) {}
};

// The host cancelled the call (shutdown, disable, deadline). Thrown by Call::throw_if_cancelled
// and by host callbacks that report CHP_ERR_CANCELLED.
class CancelledError : public Error {
 public:
  explicit CancelledError(const std::string& message) : Error(ErrorClass::kCancelled, message) {}
};

// Throws the Error subclass of class `cls`, so callers that choose the class at run time
// still let connectors catch e.g. `const ConfigError&`.
[[noreturn]] inline void throw_error(ErrorClass cls, const std::string& message) {
  switch (cls) {
    case ErrorClass::kTransient:
      throw TransientError(message);
    case ErrorClass::kAuthRevoked:
      throw AuthRevokedError(message);
    case ErrorClass::kConfig:
      throw ConfigError(message);
    case ErrorClass::kCancelled:
      throw CancelledError(message);
    case ErrorClass::kPermanent:
      break;
  }
  throw PermanentError(message);
}

// Throws the Error subclass matching a failed host-callback status. Used by the wrappers so
// that every callback failure surfaces the same way. `what` names the operation.
[[noreturn]] inline void throw_for_status(chp_status_code status, const std::string& what) {
  switch (status) {
    case CHP_ERR_TRANSIENT:
      throw TransientError(what + ": transient host error");
    case CHP_ERR_AUTH_REVOKED:
      throw AuthRevokedError(what + ": connection is not authorized");
    case CHP_ERR_CONFIG:
      throw ConfigError(what + ": configuration error");
    case CHP_ERR_CANCELLED:
      throw CancelledError(what + ": cancelled");
    case CHP_ERR_NOT_FOUND:
      throw PermanentError(what + ": not found");
    case CHP_ERR_CONFLICT:
      throw TransientError(what + ": conflict");
    case CHP_ERR_UNSUPPORTED:
      throw PermanentError(what + ": not supported by this host");
    default:
      throw PermanentError(what + ": failed with status " + std::to_string(status));
  }
}

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_ERROR_HPP_
