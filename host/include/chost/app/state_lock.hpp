// StateLock: an exclusive advisory lock (flock) on "<state file>.lock", held by whoever acts on
// the state: a running host, or a CLI verb working on a stopped host's state. A second holder is
// refused at once, so a CLI verb never changes state under a running host that has no admin API
// to go through, and two hosts never run on one SQLite file. Released when the holder exits,
// even on a crash.
#pragma once

#include <filesystem>

#include "chost/common/result.hpp"

namespace chost::app {

class StateLock {
 public:
  // kConflict when someone else holds it; the parent directory is created if needed.
  static Result<StateLock> acquire(const std::filesystem::path& state_path);
  StateLock(StateLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  StateLock& operator=(StateLock&&) = delete;
  ~StateLock();

 private:
  explicit StateLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace chost::app
