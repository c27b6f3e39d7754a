// Internal to chost_http: RAII owners of libcurl handles, the process-wide curl_global_init,
// the share object (DNS, connection and TLS session caches) and the pool of easy handles.
#pragma once

#include <curl/curl.h>

#include <array>
#include <memory>
#include <mutex>
#include <vector>

namespace chost::http::detail {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlEasyPtr = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlSlistPtr = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Runs curl_global_init exactly once per process (never cleaned up: other threads or static
// destructors may still use libcurl at exit). Returns false when it failed.
bool ensure_curl_global_init();

// A CURLSH sharing DNS, connections and TLS sessions between every handle of one client, with
// the locks libcurl needs to use it from several threads.
class CurlShare {
 public:
  CurlShare();
  ~CurlShare();
  CurlShare(const CurlShare&) = delete;
  CurlShare& operator=(const CurlShare&) = delete;

  CURLSH* get() const { return share_; }

 private:
  static void lock(CURL* handle, curl_lock_data data, curl_lock_access access, void* user);
  static void unlock(CURL* handle, curl_lock_data data, void* user);

  CURLSH* share_ = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> locks_;
};

// Idle easy handles for reuse (a reset handle keeps its buffers and caches warm). Borrowed
// handles come back on Lease destruction.
class EasyPool {
 public:
  explicit EasyPool(size_t max_idle) : max_idle_(max_idle) {}

  class Lease {
   public:
    Lease(EasyPool* pool, CurlEasyPtr handle) : pool_(pool), handle_(std::move(handle)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (handle_) pool_->give_back(std::move(handle_));
    }
    CURL* get() const { return handle_.get(); }

   private:
    EasyPool* pool_;
    CurlEasyPtr handle_;
  };

  // A fresh or reset handle; its get() is null when libcurl could not allocate one.
  Lease acquire();

 private:
  void give_back(CurlEasyPtr handle);

  size_t max_idle_;
  std::mutex mu_;
  std::vector<CurlEasyPtr> idle_;
};

}  // namespace chost::http::detail
