// libcurl global init, the share object's locking and the easy-handle pool.
#include "curl_handles.hpp"

namespace chost::http::detail {

bool ensure_curl_global_init() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  return ok;
}

CurlShare::CurlShare() {
  share_ = curl_share_init();
  if (!share_) return;
  curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::lock);
  curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock);
  curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
}

CurlShare::~CurlShare() {
  if (share_) curl_share_cleanup(share_);
}

void CurlShare::lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
  auto* self = static_cast<CurlShare*>(user);
  self->locks_[static_cast<size_t>(data) % self->locks_.size()].lock();
}

void CurlShare::unlock(CURL*, curl_lock_data data, void* user) {
  auto* self = static_cast<CurlShare*>(user);
  self->locks_[static_cast<size_t>(data) % self->locks_.size()].unlock();
}

EasyPool::Lease EasyPool::acquire() {
  {
    std::lock_guard lock(mu_);
    if (!idle_.empty()) {
      CurlEasyPtr h = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(h));
    }
  }
  return Lease(this, CurlEasyPtr(curl_easy_init()));
}

void EasyPool::give_back(CurlEasyPtr handle) {
  // Forget the previous request's options (URL, body pointer, callbacks) before reuse.
  curl_easy_reset(handle.get());
  std::lock_guard lock(mu_);
  if (idle_.size() < max_idle_) idle_.push_back(std::move(handle));
}

}  // namespace chost::http::detail
