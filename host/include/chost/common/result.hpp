// Result<T>: the value of an operation that can fail in an expected way, or an Error
// saying why. Host code returns these instead of throwing (GCC 12 has no std::expected).
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace chost {

// Which kind of failure, mirroring the ABI's status classes so that a plugin's status maps
// one-to-one and the scheduler can decide between retry, suspend and stop.
enum class ErrorClass {
  kTransient = 1,    // retry later with backoff
  kAuthRevoked = 2,  // credentials rejected: admin must re-authorize
  kConfig = 3,       // fix the configuration
  kPermanent = 4,    // will not succeed on retry
  kNotFound = 5,
  kConflict = 6,   // compare-and-swap lost
  kCancelled = 7,  // shutdown, disable or deadline
};

const char* to_string(ErrorClass c);
// The class named by to_string(); kPermanent for a name it does not know.
ErrorClass error_class_from_string(std::string_view name);

struct Error {
  ErrorClass cls = ErrorClass::kPermanent;
  std::string message;  // human readable, never contains a secret

  static Error transient(std::string m) { return {ErrorClass::kTransient, std::move(m)}; }
  static Error auth_revoked(std::string m) { return {ErrorClass::kAuthRevoked, std::move(m)}; }
  static Error config(std::string m) { return {ErrorClass::kConfig, std::move(m)}; }
  static Error permanent(std::string m) { return {ErrorClass::kPermanent, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorClass::kNotFound, std::move(m)}; }
  static Error conflict(std::string m) { return {ErrorClass::kConflict, std::move(m)}; }
  static Error cancelled(std::string m) { return {ErrorClass::kCancelled, std::move(m)}; }
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace chost
