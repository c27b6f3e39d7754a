// chp::Call: one hook invocation as seen by the connector — cancellation, deadline and the
// hook's output (JSON, or the typed credential outputs of grant.hpp). Valid only during the hook
// that received it, on that hook's thread.
#ifndef CONNECTOR_HOST_SDK_CALL_HPP_
#define CONNECTOR_HOST_SDK_CALL_HPP_

#include <connector_host/plugin_api.h>
#include <connector_host/sdk/detail/abi_str.hpp>
#include <connector_host/sdk/error.hpp>
#include <connector_host/sdk/grant.hpp>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

namespace chp {

class Call {
 public:
  // Both pointers are borrowed; `call` may be null (e.g. tests driving a hook directly), in
  // which case the call is never cancelled and has no deadline.
  Call(const chp_host* host, chp_call* call) noexcept : host_(host), call_(call) {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  // True once the host wants the hook to stop. Check between pages/batches.
  bool cancelled() const noexcept {
    return call_ != nullptr && host_->call_cancelled != nullptr &&
           host_->call_cancelled(call_) != 0;
  }

  // Milliseconds left before the hook's deadline (0 once passed).
  std::uint64_t remaining_ms() const noexcept {
    if (call_ == nullptr || host_->call_remaining_ms == nullptr) return UINT64_MAX;
    return host_->call_remaining_ms(call_);
  }

  // Throws CancelledError when the host cancelled the call or its deadline passed, so a
  // sync loop stops with one line and the adapter returns CHP_ERR_CANCELLED.
  void throw_if_cancelled() const {
    if (cancelled()) throw CancelledError("cancelled by the host");
    if (call_ != nullptr && remaining_ms() == 0) throw CancelledError("deadline passed");
  }

  // Sleeps `ms` (e.g. a Retry-After) in short steps so a cancel or the deadline ends the wait
  // at once, with CancelledError as throw_if_cancelled().
  void sleep_ms(std::int64_t ms) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    while (std::chrono::steady_clock::now() < until) {
      throw_if_cancelled();
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          until - std::chrono::steady_clock::now(), std::chrono::milliseconds(50)));
    }
    throw_if_cancelled();
  }

  // With a TransientError from sync: "run me again in `ms`" instead of the scheduler's restart
  // backoff (ABI 1.5 call_set_retry_after; the status shows the time). The adapter calls it for
  // a thrown TransientError that carries a retry-after, so connectors rarely need it. Does
  // nothing in a 1.0-1.4 host, which retries at its backoff.
  void set_retry_after_ms(std::int64_t ms) const noexcept {
    if (call_ == nullptr || !CHP_HAS_MEMBER(host_, chp_host, call_set_retry_after) ||
        host_->call_set_retry_after == nullptr) {
      return;
    }
    host_->call_set_retry_after(call_, ms > 0 ? static_cast<std::uint64_t>(ms) : 0);
  }

  // The hook's JSON output (authorize/refresh: credentials; sync: a summary). The last call
  // wins. The host copies it.
  void set_output(const boost::json::value& output) const {
    if (call_ == nullptr || host_->call_set_output == nullptr) return;
    std::string text = boost::json::serialize(output);
    host_->call_set_output(call_, detail::to_chp(text));
  }

  // authorize/refresh output: the grant in the wire shape of plugin_api.h. Throws
  // PermanentError (and sets nothing) when grant.connection holds a token; see grant.hpp.
  void set_grant(const Grant& grant) const { set_output(to_json(grant)); }

  // Interactive authorize start output: {"authorize_url","state"}.
  void set_authorize_redirect(std::string authorize_url, std::string state) const {
    set_output(to_json(AuthorizeRedirect{std::move(authorize_url), std::move(state)}));
  }

  // Attaches a failure message. The adapter does this from exceptions; connectors rarely
  // need it directly. Must not contain secrets.
  void set_error(std::string_view message) const noexcept {
    if (call_ == nullptr || host_->call_set_error == nullptr) return;
    host_->call_set_error(call_, detail::to_chp(message));
  }

  chp_call* raw() const noexcept { return call_; }

 private:
  const chp_host* host_;
  chp_call* call_;
};

}  // namespace chp

#endif  // CONNECTOR_HOST_SDK_CALL_HPP_
