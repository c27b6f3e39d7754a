// The container image's root filesystem (scripts/image, the package.image fixture) run the way
// deploy/k8s-sidecar.yaml runs it, without a container engine: in_rootfs.sh chroots into it in a
// private mount namespace as uid 10001 with the root read-only, the state on a writable
// directory and the secrets as files of a read-only config directory. Needs root for the mounts
// (skipped otherwise).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "host_process.hpp"
#include "loopback_http.hpp"

namespace chost::integration {
namespace {

namespace fs = std::filesystem;

constexpr const char* kUid = "10001";  // the image's connector-host user (scripts/image)
constexpr const char* kAdminToken = "rootfs-admin-token-7c41e0";
constexpr const char* kClientSecret = "rootfs-sf-client-secret-93ab";
constexpr int kWaitMs = 30000;  // hang guard only

class ContainerRootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "the mounts of in_rootfs.sh need root";
    ASSERT_TRUE(fs::exists(rootfs_ / "usr" / "bin" / "connector-host"))
        << rootfs_ << " (run scripts/image)";
    state_ = dir_.path() / "state";
    config_ = dir_.path() / "config";
    fs::create_directories(state_);
    fs::create_directories(config_ / "secrets");
    ASSERT_EQ(chown(state_.c_str(), 10001, 10001), 0);
    ASSERT_EQ(chmod(state_.c_str(), 0700), 0);
    // The Secret's files, as deploy/k8s-sidecar.yaml mounts them (0400 would hide them from the
    // user here: Kubernetes makes them the pod's fsGroup, this test makes them the user's).
    for (const auto& [name, value] :
         {std::pair<const char*, std::string>{"master-key", std::string(64, 'e')},
          {"admin-token", kAdminToken},
          {"notify-url", "http://127.0.0.1:9/hooks/connector-host"},
          {"notify-secret", "rootfs-notify-secret-0123456789"},
          {"sf-client-id", "3MVG9rootfs"},
          {"sf-client-secret", kClientSecret}}) {
      const fs::path file = dir_.write("config/secrets/" + std::string(name), value);
      ASSERT_EQ(chown(file.c_str(), 10001, 10001), 0);
      ASSERT_EQ(chmod(file.c_str(), 0400), 0);
    }
  }

  // `args` run inside the root filesystem with config_ as /etc/connector-host.
  std::vector<std::string> inside(const std::vector<std::string>& args) const {
    std::vector<std::string> all{rootfs_.string(), state_.string(), config_.string(), kUid};
    all.insert(all.end(), args.begin(), args.end());
    return all;
  }

  CommandResult run_inside(const std::vector<std::string>& args, const std::string& tag) {
    HostProcess p(dir_.path(), inside(args), tag, IN_ROOTFS);
    CommandResult r;
    r.exit_code = p.wait_exit(kWaitMs).value_or(-1);
    r.out = p.out();
    r.err = p.err();
    return r;
  }

  TempDir dir_;
  fs::path rootfs_ = IMAGE_ROOTFS;
  fs::path state_;
  fs::path config_;
};

TEST_F(ContainerRootfsTest, VersionAndTheShippedSidecarConfigCheckAsTheNonRootUser) {
  CommandResult v = run_inside({"/usr/bin/connector-host", "--version"}, "version");
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(v.out.rfind(std::string("connector-host ") + CHOST_VERSION + " ", 0), 0u) << v.out;

  // The image's default config is the shipped deploy/sidecar.yaml; here it is mounted from the
  // config dir as Kubernetes mounts the ConfigMap.
  fs::copy_file(rootfs_ / "etc" / "connector-host" / "host.yaml", config_ / "host.yaml");
  CommandResult c = run_inside(
      {"/usr/bin/connector-host", "check-config", "-c", "/etc/connector-host/host.yaml"}, "check");
  EXPECT_EQ(c.exit_code, 0) << c.out << c.err;
  EXPECT_NE(c.out.find(": ok (1 connector(s), 3 plugin(s))"), std::string::npos) << c.out;

  // A config that is not there: exit 3 (config invalid), naming the file.
  CommandResult w =
      run_inside({"/usr/bin/connector-host", "check-config", "-c", "/usr/x.yaml"}, "missing");
  EXPECT_EQ(w.exit_code, 3) << w.out << w.err;
  EXPECT_NE(w.out.find("/usr/x.yaml"), std::string::npos) << w.out;
}

TEST_F(ContainerRootfsTest, RunAnswersProbesOnLoopbackKeepsStateOnTheVolumeAndStopsOnSigterm) {
  // The shipped sidecar config, with the admin server on a free loopback port instead of the
  // pod's 0.0.0.0:8080.
  const std::string shipped = read_file(rootfs_ / "etc" / "connector-host" / "host.yaml");
  const uint16_t port = free_port();
  const std::string yaml = std::regex_replace(shipped, std::regex("listen: \"0\\.0\\.0\\.0:8080\""),
                                              "listen: \"127.0.0.1:" + std::to_string(port) + "\"");
  ASSERT_NE(yaml, shipped);
  dir_.write("config/host.yaml", yaml);

  HostProcess host(
      dir_.path(),
      inside({"/usr/bin/connector-host", "run", "-c", "/etc/connector-host/host.yaml"}), "run",
      IN_ROOTFS);
  ASSERT_TRUE(host.wait_for_log("running; pid", kWaitMs)) << host.err();
  HttpReply health = loopback_http(port, "GET", "/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  // Not ready: sf-org has never been authorized; /readyz says so by name.
  HttpReply ready = loopback_http(port, "GET", "/readyz");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_NE(ready.body.find("sf-org"), std::string::npos) << ready.body;
  HttpReply api = loopback_http(port, "GET", "/api/v1/connectors", "", kAdminToken);
  EXPECT_EQ(api.status, 200) << api.body;

  host.signal(SIGTERM);
  EXPECT_EQ(host.wait_exit(kWaitMs), std::optional<int>(0)) << host.err();
  // The state went to the volume, owned by the user, and nothing logged a secret.
  struct stat st {};
  ASSERT_EQ(stat((state_ / "host.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 10001u);
  for (const char* secret : {kAdminToken, kClientSecret}) {
    EXPECT_EQ(host.err().find(secret), std::string::npos) << host.err();
    EXPECT_EQ(host.out().find(secret), std::string::npos);
  }
}

}  // namespace
}  // namespace chost::integration
