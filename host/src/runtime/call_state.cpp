// CallState: deadline, cancellation and the messages of one hook call.
#include "chost/runtime/call_state.hpp"

#include <utility>

namespace chost::runtime {

CallState::CallState(const Clock& clock, int64_t deadline_steady_ms, CancelFlag cancel,
                     int64_t response_bound_ms)
    : clock_(clock),
      deadline_steady_ms_(deadline_steady_ms),
      cancel_(cancel ? std::move(cancel) : make_cancel_flag()),
      response_bound_ms_(response_bound_ms) {}

bool CallState::cancelled() const {
  if (response_deadline_steady_ms_.load() != 0) return false;
  return cancel_->load() || clock_.steady_ms() >= deadline_steady_ms_;
}

uint64_t CallState::remaining_ms() const {
  const int64_t sent = response_deadline_steady_ms_.load();
  const int64_t left = (sent != 0 ? sent : deadline_steady_ms_) - clock_.steady_ms();
  return left > 0 ? static_cast<uint64_t>(left) : 0;
}

void CallState::note_request_sent() {
  if (credential_call())
    response_deadline_steady_ms_.store(clock_.steady_ms() + response_bound_ms_);
}

void CallState::set_error(std::string message) {
  std::lock_guard<std::mutex> lock(mu_);
  error_ = std::move(message);
}

void CallState::set_output(std::string json) {
  std::lock_guard<std::mutex> lock(mu_);
  output_ = std::move(json);
}

std::string CallState::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

std::string CallState::output() const {
  std::lock_guard<std::mutex> lock(mu_);
  return output_;
}

}  // namespace chost::runtime
