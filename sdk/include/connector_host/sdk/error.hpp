// Exceptions a connector throws to fail a hook. The plugin adapter (plugin.hpp) catches them
// at the ABI line and turns each class into the matching chp_status_code plus a message, so
// authors never handle status codes themselves. Messages reach admins: never put secrets in them.
// Messages never name their class ("transient", "config", ...): the host prints the class in
// front of the message once.
#ifndef CONNECTOR_HOST_SDK_ERROR_HPP_
#define CONNECTOR_HOST_SDK_ERROR_HPP_

#include <connector_host/plugin_api.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace chp {

// The failure classes a hook may report. Values are the ABI's status codes so that the
// mapping cannot drift; none is zero, matching the ABI's "zero is never valid" rule.
enum class ErrorClass : chp_status_code {
  kTransient = CHP_ERR_TRANSIENT,
  kAuthRevoked = CHP_ERR_AUTH_REVOKED,
  kConfig = CHP_ERR_CONFIG,
  kPermanent = CHP_ERR_PERMANENT,
  kCancelled = CHP_ERR_CANCELLED,
  // Another party is changing the same shared thing (e.g. a refresh of the same refresh token
  // in flight): the host re-reads what it holds instead of repeating the request.
  kConflict = CHP_ERR_CONFLICT,
};

inline chp_status_code to_status(ErrorClass cls) noexcept {
  return static_cast<chp_status_code>(cls);
}

// Base of every SDK error. Throw a subclass; catching `chp::Error` catches them all.
class Error : public std::runtime_error {
 public:
  Error(ErrorClass cls, const std::string& message) : std::runtime_error(message), cls_(cls) {}
  ErrorClass cls() const noexcept { return cls_; }

  // True when this error reports a failed host callback that took the hook's chp_call
  // (http_request, connection_token): the host has already attached its own reason to the
  // call with call_set_error, and the plugin cannot read it back. The adapter then leaves the
  // host's reason in place instead of overwriting it with what(), which only names the
  // operation. Errors a connector throws itself never carry the mark.
  bool host_reason_attached() const noexcept { return host_reason_attached_; }
  void mark_host_reason_attached() noexcept { host_reason_attached_ = true; }

 private:
  ErrorClass cls_;
  bool host_reason_attached_ = false;
};

// Worth retrying later with backoff: network errors, 5xx, rate limits. With `retry_after_ms`
// (e.g. a 429's Retry-After, or when a quota window reopens) the scheduler runs the connector
// again after that delay instead of its restart backoff (ABI 1.5; an older host ignores it).
class TransientError : public Error {
 public:
  explicit TransientError(const std::string& message) : Error(ErrorClass::kTransient, message) {}
  TransientError(const std::string& message, std::optional<std::int64_t> retry_after_ms)
      : Error(ErrorClass::kTransient, message), retry_after_ms_(retry_after_ms) {}
  std::optional<std::int64_t> retry_after_ms() const noexcept { return retry_after_ms_; }

 private:
  std::optional<std::int64_t> retry_after_ms_;
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

// A refresh hook's: the provider is processing another token request with the same refresh
// token. The host waits for the stored credentials to change and never resends that token.
class ConflictError : public Error {
 public:
  explicit ConflictError(const std::string& message) : Error(ErrorClass::kConflict, message) {}
};

namespace detail {
template <typename E>
[[noreturn]] void throw_marked(const std::string& message, bool host_reason_attached) {
  E error(message);
  if (host_reason_attached) error.mark_host_reason_attached();
  throw error;
}

[[noreturn]] inline void throw_class(ErrorClass cls, const std::string& message,
                                     bool host_reason_attached) {
  switch (cls) {
    case ErrorClass::kTransient:
      throw_marked<TransientError>(message, host_reason_attached);
    case ErrorClass::kAuthRevoked:
      throw_marked<AuthRevokedError>(message, host_reason_attached);
    case ErrorClass::kConfig:
      throw_marked<ConfigError>(message, host_reason_attached);
    case ErrorClass::kCancelled:
      throw_marked<CancelledError>(message, host_reason_attached);
    case ErrorClass::kConflict:
      throw_marked<ConflictError>(message, host_reason_attached);
    case ErrorClass::kPermanent:
      break;
  }
  throw_marked<PermanentError>(message, host_reason_attached);
}

// The class and message of a failed host-callback status. The five error classes get only
// "failed" (the host prints the class); the statuses that are not classes of their own say
// what happened.
inline std::pair<ErrorClass, std::string> describe_status(chp_status_code status,
                                                          const std::string& what) {
  switch (status) {
    case CHP_ERR_TRANSIENT:
      return {ErrorClass::kTransient, what + " failed"};
    case CHP_ERR_AUTH_REVOKED:
      return {ErrorClass::kAuthRevoked, what + " failed"};
    case CHP_ERR_CONFIG:
      return {ErrorClass::kConfig, what + " failed"};
    case CHP_ERR_CANCELLED:
      return {ErrorClass::kCancelled, what + " failed"};
    case CHP_ERR_PERMANENT:
      return {ErrorClass::kPermanent, what + " failed"};
    case CHP_ERR_NOT_FOUND:
      return {ErrorClass::kPermanent, what + ": not found"};
    case CHP_ERR_CONFLICT:
      return {ErrorClass::kTransient, what + ": conflict"};
    case CHP_ERR_UNSUPPORTED:
      return {ErrorClass::kPermanent, what + ": not supported by this host"};
    default:
      return {ErrorClass::kPermanent, what + ": unknown status " + std::to_string(status)};
  }
}
}  // namespace detail

// Throws the Error subclass of class `cls`, so callers that choose the class at run time
// still let connectors catch e.g. `const ConfigError&`.
[[noreturn]] inline void throw_error(ErrorClass cls, const std::string& message) {
  detail::throw_class(cls, message, false);
}

// Throws the Error subclass matching a failed host-callback status. Used by the wrappers so
// that every callback failure surfaces the same way. `what` names the operation.
[[noreturn]] inline void throw_for_status(chp_status_code status, const std::string& what) {
  auto [cls, message] = detail::describe_status(status, what);
  detail::throw_class(cls, message, false);
}

// Same, for a failed callback that took the hook's chp_call: the host attached its reason to
// the call, so the error is marked and the adapter keeps that reason (see
// Error::host_reason_attached).
[[noreturn]] inline void throw_for_call_status(chp_status_code status, const std::string& what) {
  auto [cls, message] = detail::describe_status(status, what);
  detail::throw_class(cls, message, true);
}

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_ERROR_HPP_
