// CancelToken: a flag an HTTP request polls so another thread (shutdown, disable, a hook's
// deadline watchdog) can abort it. Either owns its flag (cancel()) or observes one owned
// elsewhere, e.g. the runtime's per-call std::atomic<bool>.
#pragma once

#include <atomic>

namespace chost::http {

class CancelToken {
 public:
  CancelToken() = default;
  // Observes `external` (which must outlive the token) in addition to the token's own flag.
  explicit CancelToken(const std::atomic<bool>& external) : external_(&external) {}
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  void cancel() { own_.store(true, std::memory_order_release); }
  bool cancelled() const {
    return own_.load(std::memory_order_acquire) ||
           (external_ != nullptr && external_->load(std::memory_order_acquire));
  }

 private:
  std::atomic<bool> own_{false};
  const std::atomic<bool>* external_ = nullptr;
};

}  // namespace chost::http
