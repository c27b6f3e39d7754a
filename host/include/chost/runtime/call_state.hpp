// CallState: what stands behind the ABI's opaque chp_call for one hook call: the deadline, the
// cancellation flag (shared with whoever may cancel: the scheduler's watchdog, stop, disable)
// and the error message and output the plugin attaches for the caller.
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
  CallState(const Clock& clock, int64_t deadline_steady_ms, CancelFlag cancel);
  CallState(const CallState&) = delete;
  CallState& operator=(const CallState&) = delete;

  chp_call* handle() { return reinterpret_cast<chp_call*>(this); }
  static CallState* from(chp_call* call) { return reinterpret_cast<CallState*>(call); }
  static const CallState* from(const chp_call* call) {
    return reinterpret_cast<const CallState*>(call);
  }

  // True once cancelled or past the deadline.
  bool cancelled() const;
  uint64_t remaining_ms() const;
  void cancel() { cancel_->store(true); }
  const std::atomic<bool>& cancel_flag() const { return *cancel_; }

  void set_error(std::string message);
  void set_output(std::string json);
  std::string error() const;
  std::string output() const;

 private:
  const Clock& clock_;
  int64_t deadline_steady_ms_;
  CancelFlag cancel_;
  mutable std::mutex mu_;  // a stuck hook may write while the watchdog reads
  std::string error_;
  std::string output_;
};

}  // namespace chost::runtime
