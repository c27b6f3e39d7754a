// TempDir / HostProcess: fork+exec of the host binary with captured output.
#include "host_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

namespace chost::integration {

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("chost-int-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::filesystem::path TempDir::write(const std::string& name, const std::string& text) const {
  const auto p = path_ / name;
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
  return p;
}

uint16_t free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HostProcess::HostProcess(const std::filesystem::path& dir, const std::vector<std::string>& args,
                         const std::string& tag, const std::string& program)
    : out_path_(dir / (tag + ".out")), err_path_(dir / (tag + ".err")) {
  std::vector<std::string> argv_s = {program};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  pid_ = fork();
  if (pid_ == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    const int out = open(out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = open(err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out < 0 || err < 0) _exit(127);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
}

HostProcess::~HostProcess() {
  if (pid_ > 0 && !exit_code_) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void HostProcess::signal(int sig) const { kill(pid_, sig); }

std::optional<int> HostProcess::wait_exit(int timeout_ms) {
  if (exit_code_) return exit_code_;
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      return exit_code_;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

bool HostProcess::wait_for_log(const std::string& text, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (read_file(err_path_).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

bool HostProcess::wait_for_out(const std::string& text, int timeout_ms) const {
  for (int waited = 0; waited <= timeout_ms; waited += 20) {
    if (read_file(out_path_).find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::string HostProcess::out() const { return read_file(out_path_); }
std::string HostProcess::err() const { return read_file(err_path_); }

std::string run_on_pty(const std::filesystem::path& dir, const std::vector<std::string>& args,
                       int timeout_ms) {
  int master = -1;
  const pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    std::vector<char*> argv{const_cast<char*>(CONNECTOR_HOST_BIN)};
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(CONNECTOR_HOST_BIN, argv.data());
    _exit(127);
  }
  if (pid < 0) return "forkpty failed";
  std::string out;
  for (int polls = 0; polls < timeout_ms / 100;
       ++polls) {  // bounded; ends at the child's EOF (EIO)
    pollfd fd{master, POLLIN, 0};
    if (poll(&fd, 1, 100) <= 0) continue;
    char buf[4096];
    const ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  close(master);
  int status = 0;
  if (waitpid(pid, &status, WNOHANG) == 0) kill(pid, SIGKILL);
  waitpid(pid, &status, 0);
  return out;
}

CommandResult run_host_command(const std::filesystem::path& dir,
                               const std::vector<std::string>& args, const std::string& tag) {
  HostProcess p(dir, args, tag);
  CommandResult r;
  r.exit_code = p.wait_exit(60 * 1000).value_or(-1);
  r.out = p.out();
  r.err = p.err();
  return r;
}

void set_shipped_config_env() {
  for (const auto& [name, value] :
       {std::pair<const char*, const char*>{"CHP_MASTER_KEY",
                                            "00112233445566778899aabbccddeeff"
                                            "00112233445566778899aabbccddeeff"},
        {"CHP_ADMIN_TOKEN", "shipped-config-admin-token"},
        {"CHP_NOTIFY_SECRET", "shipped-config-notify-secret"},
        {"SF_CLIENT_ID", "3MVG9example"},
        {"SF_CLIENT_SECRET", "example-secret"},
        {"GRAPH_CLIENT_ID", "11111111-2222-4333-8444-555555555555"},
        {"GRAPH_CLIENT_SECRET", "example-graph-secret"},
        {"ROLLWORKS_API_KEY", "example-rollworks-key"},
        {"DEMO_SF_LOGIN_URL", "http://127.0.0.1:9"},
        {"DEMO_SF_CLIENT_SECRET", "demo-consumer-secret"},
        {"DEMO_GRAPH_URL", "http://127.0.0.1:9"},
        {"DEMO_GRAPH_CLIENT_SECRET", "demo-graph-secret"},
        {"DEMO_RW_URL", "http://127.0.0.1:9"},
        {"DEMO_RW_API_KEY", "rwk_demo_0123456789abcdef"}}) {
    setenv(name, value, 1);
  }
}

}  // namespace chost::integration
