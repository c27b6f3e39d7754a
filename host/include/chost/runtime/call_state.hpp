// CallState: what stands behind the ABI's opaque chp_call for one hook call: the deadline, the
// cancellation flag (shared with whoever may cancel: the scheduler's watchdog, stop, disable)
// and the error message and output the plugin attaches for the caller.
//
// A credential call (refresh, authorize) has a response bound: the deadline and the flag only
// keep it from *sending* a request. Once one is sent (note_request_sent), the call is no longer
// cancelled and has `response_bound_ms` per request, because a token endpoint that rotates the
// refresh token has already invalidated the old one: dropping its answer loses the grant.
#pragma once

#include <connector_host/plugin_api.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "chost/runtime/clock.hpp"

namespace chost::runtime {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;
inline CancelFlag make_cancel_flag() { return std::make_shared<std::atomic<bool>>(false); }

class CallState {
 public:
  // `deadline_steady_ms` is on clock.steady_ms(). `cancel` may be shared with other owners.
  CallState(const Clock& clock, int64_t deadline_steady_ms, CancelFlag cancel,
            int64_t response_bound_ms = 0);
  CallState(const CallState&) = delete;
  CallState& operator=(const CallState&) = delete;

  chp_call* handle() { return reinterpret_cast<chp_call*>(this); }
  static CallState* from(chp_call* call) { return reinterpret_cast<CallState*>(call); }
  static const CallState* from(const chp_call* call) {
    return reinterpret_cast<const CallState*>(call);
  }

  // True once cancelled or past the deadline; for a credential call, only until it sent a
  // request.
  bool cancelled() const;
  uint64_t remaining_ms() const;
  bool credential_call() const { return response_bound_ms_ > 0; }
  int64_t response_bound_ms() const { return response_bound_ms_; }
  // Credential calls: a request is about to be sent; from now on the call runs to its end.
  void note_request_sent();
  int64_t deadline_steady_ms() const { return deadline_steady_ms_; }
  void cancel() { cancel_->store(true); }
  const std::atomic<bool>& cancel_flag() const { return *cancel_; }

  void set_error(std::string message);
  void set_output(std::string json);
  std::string error() const;
  std::string output() const;
  // call_set_retry_after (ABI 1.5): 0 clears it.
  void set_retry_after_ms(uint64_t delay_ms) { retry_after_ms_.store(delay_ms); }
  uint64_t retry_after_ms() const { return retry_after_ms_.load(); }

 private:
  const Clock& clock_;
  int64_t deadline_steady_ms_;
  CancelFlag cancel_;
  int64_t response_bound_ms_;
  std::atomic<int64_t> response_deadline_steady_ms_{0};  // 0: nothing sent yet
  std::atomic<uint64_t> retry_after_ms_{0};
  mutable std::mutex mu_;  // a stuck hook may write while the watchdog reads
  std::string error_;
  std::string output_;
};

}  // namespace chost::runtime
