// The child process behind a process-isolated instance: spawning `<exe> plugin-worker` with one
// end of a socketpair as fd 3 (nothing else inherited), reading its resident memory, killing
// and reaping it, and saying how it ended in words an admin reads ("killed by signal SIGSEGV
// (Segmentation fault)", "exited with code 3").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "chost/common/result.hpp"

namespace chost::loader {

// The fd number the worker finds its socket on (passed as --fd as well).
inline constexpr int kWorkerSocketFd = 3;

struct SpawnedWorker {
  pid_t pid = -1;
  int host_fd = -1;  // the host's end, close-on-exec
};

// `exe` empty: /proc/self/exe. The child's stdin is /dev/null; stdout and stderr are the host's
// (the worker routes the plugin's stdout into log lines itself).
Result<SpawnedWorker> spawn_worker(const std::filesystem::path& exe,
                                   const std::filesystem::path& plugin);

class WorkerProcess {
 public:
  WorkerProcess() = default;
  explicit WorkerProcess(pid_t pid) : pid_(pid) {}
  ~WorkerProcess();  // kills and reaps a child still running
  WorkerProcess(const WorkerProcess&) = delete;
  WorkerProcess& operator=(const WorkerProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  // Resident set size in bytes (0 when it cannot be read).
  uint64_t resident_bytes() const;
  // SIGKILL now, then reap. Returns how it ended.
  std::string kill_and_reap();
  // Waits up to `grace_ms` for the child to exit on its own, then SIGKILLs it. Returns how it
  // ended.
  std::string reap(int grace_ms);

 private:
  pid_t pid_ = -1;
};

// "exited with code N" / "killed by signal SIGSEGV (Segmentation fault)" for a waitpid status.
std::string describe_exit(int wait_status);

}  // namespace chost::loader
