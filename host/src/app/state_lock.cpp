// StateLock over flock(2).
#include "chost/app/state_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chost::app {

Result<StateLock> StateLock::acquire(const std::filesystem::path& state_path) {
  std::error_code ec;
  // Created owner-only, as the store creates it: the state directory holds the secrets' file.
  if (state_path.has_parent_path() && !std::filesystem::exists(state_path.parent_path(), ec)) {
    std::filesystem::create_directories(state_path.parent_path(), ec);
    std::filesystem::permissions(state_path.parent_path(), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  const std::string lock_path = state_path.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Error::permanent("cannot open the state lock " + lock_path + ": " +
                            std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error::conflict("the state " + state_path.string() +
                           " is in use by another connector-host process (a running host "
                           "without an admin API, or another command)");
  }
  return StateLock(fd);
}

StateLock::~StateLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace chost::app
