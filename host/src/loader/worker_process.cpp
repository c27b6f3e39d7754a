// Spawning, watching and reaping a plugin worker.
#include "worker_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace chost::loader {
namespace {

std::string errno_text(const char* what, int err) {
  return std::string(what) + ": " + std::strerror(err);
}

}  // namespace

std::string describe_exit(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const int sig = WTERMSIG(wait_status);
    const char* abbrev = ::sigabbrev_np(sig);
    const char* text = ::strsignal(sig);
    return std::string("killed by signal ") +
           (abbrev != nullptr ? std::string("SIG") + abbrev : std::to_string(sig)) +
           (text != nullptr ? std::string(" (") + text + ")" : std::string());
  }
  return "ended with wait status " + std::to_string(wait_status);
}

Result<SpawnedWorker> spawn_worker(const std::filesystem::path& exe,
                                   const std::filesystem::path& plugin) {
  std::error_code ec;
  const std::filesystem::path program =
      exe.empty() ? std::filesystem::read_symlink("/proc/self/exe", ec) : exe;
  if (ec) return Error::permanent(errno_text("plugin worker: /proc/self/exe", ec.value()));
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return Error::transient(errno_text("plugin worker: socketpair", errno));
  }
  // dup2 onto the same number would keep close-on-exec; move the child's end off fd 3 first.
  if (sv[1] == kWorkerSocketFd) {
    const int moved = ::fcntl(sv[1], F_DUPFD_CLOEXEC, kWorkerSocketFd + 1);
    ::close(sv[1]);
    sv[1] = moved;
  }
  posix_spawn_file_actions_t actions;
  ::posix_spawn_file_actions_init(&actions);
  ::posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  ::posix_spawn_file_actions_adddup2(&actions, sv[1], kWorkerSocketFd);
  // Nothing else of the host (the state database, its lock file, sockets) reaches the plugin.
  ::posix_spawn_file_actions_addclosefrom_np(&actions, kWorkerSocketFd + 1);
  std::vector<std::string> args = {
      program.string(), "plugin-worker", "--fd",     std::to_string(kWorkerSocketFd),
      "--plugin",       plugin.string(), "--parent", std::to_string(::getpid())};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The host's threads block the signals it waits for (SIGTERM, SIGHUP) and a spawn inherits
  // the caller's mask: the worker starts with none blocked and default dispositions.
  posix_spawnattr_t attr;
  ::posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGHUP, SIGINT, SIGPIPE, SIGCHLD}) sigaddset(&defaults, sig);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &defaults);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, program.c_str(), &actions, &attr, argv.data(), environ);
  ::posix_spawnattr_destroy(&attr);
  ::posix_spawn_file_actions_destroy(&actions);
  ::close(sv[1]);
  if (rc != 0) {
    ::close(sv[0]);
    return Error::permanent("plugin worker: cannot start " + program.string() + ": " +
                            std::strerror(rc));
  }
  return SpawnedWorker{pid, sv[0]};
}

WorkerProcess::~WorkerProcess() {
  if (running()) (void)kill_and_reap();
}

uint64_t WorkerProcess::resident_bytes() const {
  if (!running()) return 0;
  std::ifstream statm("/proc/" + std::to_string(pid_) + "/statm");
  uint64_t size_pages = 0;
  uint64_t resident_pages = 0;
  if (!(statm >> size_pages >> resident_pages)) return 0;
  return resident_pages * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
}

std::string WorkerProcess::kill_and_reap() {
  if (!running()) return "not running";
  ::kill(pid_, SIGKILL);
  return reap(0);
}

std::string WorkerProcess::reap(int grace_ms) {
  if (!running()) return "not running";
  int status = 0;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
  for (;;) {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (r < 0 && errno != EINTR) {
      pid_ = -1;
      return errno_text("waitpid", errno);
    }
    if (std::chrono::steady_clock::now() >= until) {
      ::kill(pid_, SIGKILL);
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  pid_ = -1;
  return describe_exit(status);
}

}  // namespace chost::loader
