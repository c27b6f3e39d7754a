// Process isolation at the loader's interface: the same PluginInstance calls as in-process, with
// the plugin in a `connector-host plugin-worker` child; a worker that crashes or ignores its
// deadline is lost with the reason while the calling process carries on.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "chost/loader/plugin_instance.hpp"
#include "loader_test_support.hpp"

namespace chost::loader {
namespace {

using testing::as_call;
using testing::as_ctx;
using testing::fake_host;
using testing::FakeCall;
using testing::FakeHostCtx;
using testing::TempDir;

IsolationOptions process_mode() {
  IsolationOptions o;
  o.mode = Isolation::kProcess;
  o.worker_exe = CHOST_WORKER_BIN;
  return o;
}

class WorkerInstanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Under AddressSanitizer the worker would report a segfault itself and exit 1; the host's
    // words for a crash ("killed by signal SIGSEGV") are what this test is about.
    const char* asan = std::getenv("ASAN_OPTIONS");
    setenv("ASAN_OPTIONS", (std::string(asan ? asan : "") + ":handle_segv=0").c_str(), 1);
  }

  std::shared_ptr<PluginLibrary> load(const char* test_case) {
    auto lib = PluginLibrary::load(dir_.add(test_case), fake_host());
    EXPECT_TRUE(lib.ok()) << lib.error().message;
    return lib.ok() ? *lib : nullptr;
  }

  TempDir dir_;
};

TEST_F(WorkerInstanceTest, HooksAndCallbacksCrossTheSocketLikeInProcess) {
  auto lib = load("good");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall create_call;
  auto inst =
      PluginInstance::create(lib, as_ctx(&ctx), as_call(&create_call), "{}", process_mode());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  FakeCall call;
  EXPECT_EQ((*inst)->sync(as_call(&call), R"({"reason":"manual"})"), CHP_OK);
  EXPECT_EQ((*inst)->sync(as_call(&call), R"({"reason":"manual"})"), CHP_OK);
  EXPECT_EQ(call.output, R"({"syncs":2})");  // state kept in the worker between hooks
  FakeCall auth_call;
  EXPECT_EQ((*inst)->authorize(as_call(&auth_call), R"({"step":"start"})"), CHP_OK);
  EXPECT_EQ(auth_call.output, R"({"credentials":{},"connection":{}})");
  EXPECT_EQ((*inst)->disable(as_call(&auth_call), "{}"), CHP_OK);
  EXPECT_EQ((*inst)->lost(), std::nullopt);
  EXPECT_EQ(ctx.logs, (std::vector<std::string>{"created"}));
  inst->reset();  // destroy runs in the worker; its log line still arrives
  EXPECT_EQ(ctx.logs, (std::vector<std::string>{"created", "destroyed"}));
}

// ABI 1.6 record_list_ids (op 27) through the worker: the plugin's after_id and limit reach the
// host and the ids come back to the plugin's sink in order.
TEST_F(WorkerInstanceTest, RecordListIdsCrossesTheSocket) {
  auto lib = load("good");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  ctx.ids = {"a", "b", "c", "d"};
  FakeCall create_call;
  auto inst =
      PluginInstance::create(lib, as_ctx(&ctx), as_call(&create_call), "{}", process_mode());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  FakeCall call;
  EXPECT_EQ((*inst)->sync(as_call(&call), R"({"reason":"manual"})"), CHP_OK);
  EXPECT_EQ(call.output, R"({"syncs":1,"ids":"b,c"})");
}

TEST_F(WorkerInstanceTest, ACreateFailureKeepsItsClassAndMessage) {
  auto lib = load("good");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"({"x":"fail-config"})",
                                     process_mode());
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(call.error, "config asked create to fail");
}

TEST_F(WorkerInstanceTest, ASegfaultingPluginIsLostWithTheSignalAndTheCallerCarriesOn) {
  auto lib = load("misbehaving");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call),
                                     R"({"misbehave":"segfault"})", process_mode());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*inst)->sync(as_call(&call), "{}"), CHP_ERR_TRANSIENT);
  EXPECT_NE(call.error.find("killed by signal SIGSEGV"), std::string::npos) << call.error;
  EXPECT_NE(call.error.find("during sync"), std::string::npos) << call.error;
  ASSERT_TRUE((*inst)->lost().has_value());
  // Lost for good: the next hook fails at once with the same reason.
  FakeCall again;
  EXPECT_EQ((*inst)->sync(as_call(&again), "{}"), CHP_ERR_TRANSIENT);
  EXPECT_EQ(again.error, call.error);
}

TEST_F(WorkerInstanceTest, AnAbortingPluginIsLostWithSigabrt) {
  auto lib = load("misbehaving");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"({"misbehave":"abort"})",
                                     process_mode());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*inst)->sync(as_call(&call), "{}"), CHP_ERR_TRANSIENT);
  EXPECT_NE(call.error.find("killed by signal SIGABRT"), std::string::npos) << call.error;
}

TEST_F(WorkerInstanceTest, AHookPastItsDeadlineIsKilled) {
  auto lib = load("misbehaving");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"({"misbehave":"hang"})",
                                     process_mode());
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  call.cancelled = true;  // the deadline has passed; the plugin sleeps 120 s regardless
  EXPECT_EQ((*inst)->sync(as_call(&call), "{}"), CHP_ERR_TRANSIENT);
  EXPECT_NE(call.error.find("plugin worker killed (the call's deadline passed) during sync"),
            std::string::npos)
      << call.error;
}

TEST_F(WorkerInstanceTest, AWorkerOverItsMemoryLimitIsKilled) {
  auto lib = load("misbehaving");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  IsolationOptions opt = process_mode();
  opt.memory_limit_bytes = 256ull << 20;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call),
                                     R"({"misbehave":"leak","leak_mb":1024})", opt);
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*inst)->sync(as_call(&call), "{}"), CHP_ERR_TRANSIENT);
  EXPECT_NE(call.error.find("over its limit of 256 MiB"), std::string::npos) << call.error;
}

TEST_F(WorkerInstanceTest, AMissingWorkerProgramIsAClearError) {
  auto lib = load("good");
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  IsolationOptions opt = process_mode();
  opt.worker_exe = dir_.path() / "no-such-binary";
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), "{}", opt);
  ASSERT_FALSE(inst.ok());
  EXPECT_NE(inst.error().message.find("no-such-binary"), std::string::npos) << inst.error().message;
}

}  // namespace
}  // namespace chost::loader
