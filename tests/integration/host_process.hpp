// Test support for running the connector-host binary: a temp directory, a child process with
// its output captured to files, bounded waits for output and exit.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chost::integration {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);

// A loopback TCP port that was free a moment ago (bound to port 0, then closed).
uint16_t free_port();

// Output and exit code of a finished command.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr
};

class HostProcess {
 public:
  // Starts `program` (default CONNECTOR_HOST_BIN) with `args` in `dir`; stdout/stderr go to
  // files in `dir` (<tag>.out / <tag>.err).
  HostProcess(const std::filesystem::path& dir, const std::vector<std::string>& args,
              const std::string& tag, const std::string& program = CONNECTOR_HOST_BIN);
  ~HostProcess();  // SIGKILL if still running

  void signal(int sig) const;
  // Exit code once exited within `timeout_ms` (a hang guard, not a timing check); nullopt else.
  std::optional<int> wait_exit(int timeout_ms);
  // True once `text` appears in stderr within `timeout_ms`.
  bool wait_for_log(const std::string& text, int timeout_ms) const;
  // Same for stdout.
  bool wait_for_out(const std::string& text, int timeout_ms) const;
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::filesystem::path out_path_;
  std::filesystem::path err_path_;
};

// Sets the environment variables the shipped configs (configs/, deploy/) reference, to
// example values, as an admin would set them.
void set_shipped_config_env();

// Runs connector-host `args` in `dir` on a new pseudo-terminal (forkpty): stdin, stdout and
// stderr are that terminal. Returns what it wrote there, once it exited (bounded by
// `timeout_ms`, then killed).
std::string run_on_pty(const std::filesystem::path& dir, const std::vector<std::string>& args,
                       int timeout_ms);

// Runs connector-host to completion (bounded: 60 s, then killed).
CommandResult run_host_command(const std::filesystem::path& dir,
                               const std::vector<std::string>& args, const std::string& tag);

}  // namespace chost::integration
