// chp::testing::FakeCall: an in-memory chp_call for driving plugin hooks in tests — settable
// cancellation and deadline, and the error/output the hook attached.
#ifndef CONNECTOR_HOST_TESTING_FAKE_CALL_HPP_
#define CONNECTOR_HOST_TESTING_FAKE_CALL_HPP_

#include <connector_host/plugin_api.h>

#include <atomic>
#include <cstdint>
#include <string>

namespace chp::testing {

class FakeCall {
 public:
  explicit FakeCall(std::uint64_t remaining_ms = 60'000) : remaining_ms_(remaining_ms) {}
  FakeCall(const FakeCall&) = delete;
  FakeCall& operator=(const FakeCall&) = delete;

  chp_call* get() noexcept { return reinterpret_cast<chp_call*>(this); }
  static FakeCall* from(chp_call* call) noexcept { return reinterpret_cast<FakeCall*>(call); }
  static const FakeCall* from(const chp_call* call) noexcept {
    return reinterpret_cast<const FakeCall*>(call);
  }

  // Cancels immediately, or after `checks` more calls of call_cancelled (0: now), so a test
  // can let a sync loop run a few batches first.
  void cancel(std::uint32_t after_checks = 0) noexcept {
    cancel_after_checks_.store(static_cast<std::int64_t>(after_checks));
  }
  void set_remaining_ms(std::uint64_t remaining_ms) noexcept { remaining_ms_ = remaining_ms; }

  bool has_error() const noexcept { return has_error_; }
  const std::string& error() const noexcept { return error_; }
  bool has_output() const noexcept { return has_output_; }
  const std::string& output() const noexcept { return output_; }
  std::uint32_t cancelled_checks() const noexcept { return cancelled_checks_; }
  // What the hook passed to call_set_retry_after (ABI 1.5); 0: nothing (or cleared).
  std::uint64_t retry_after_ms() const noexcept { return retry_after_ms_; }

  // The chp_host.call_* callbacks.
  static int on_cancelled(const chp_call* call) noexcept {
    FakeCall* self = const_cast<FakeCall*>(from(call));
    ++self->cancelled_checks_;
    std::int64_t left = self->cancel_after_checks_.load();
    if (left < 0) return 0;
    if (left == 0) return 1;
    self->cancel_after_checks_.store(left - 1);
    return 0;
  }
  static std::uint64_t on_remaining_ms(const chp_call* call) noexcept {
    return from(call)->remaining_ms_;
  }
  static void on_set_error(chp_call* call, chp_str message) noexcept {
    FakeCall* self = from(call);
    self->error_.assign(message.ptr == nullptr ? "" : std::string(message.ptr, message.len));
    self->has_error_ = true;
  }
  static void on_set_output(chp_call* call, chp_str json) noexcept {
    FakeCall* self = from(call);
    self->output_.assign(json.ptr == nullptr ? "" : std::string(json.ptr, json.len));
    self->has_output_ = true;
  }
  static void on_set_retry_after(chp_call* call, std::uint64_t delay_ms) noexcept {
    from(call)->retry_after_ms_ = delay_ms;
  }

 private:
  std::atomic<std::int64_t> cancel_after_checks_{-1};  // -1: never cancelled
  std::uint64_t remaining_ms_;
  std::uint32_t cancelled_checks_ = 0;
  std::uint64_t retry_after_ms_ = 0;
  bool has_error_ = false;
  bool has_output_ = false;
  std::string error_;
  std::string output_;
};

}  // namespace chp::testing

#endif  // CONNECTOR_HOST_TESTING_FAKE_CALL_HPP_
