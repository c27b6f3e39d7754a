// PluginInstance: create/destroy pairing, status mapping, hook forwarding, and that an
// instance keeps its library mapped after everything else let go of it.
#include "chost/loader/plugin_instance.hpp"

#include <dlfcn.h>
#include <gtest/gtest.h>

#include "chost/loader/plugin_registry.hpp"
#include "loader_test_support.hpp"

namespace chost::loader {
namespace {

using testing::as_call;
using testing::as_ctx;
using testing::fake_host;
using testing::FakeCall;
using testing::FakeHostCtx;
using testing::TempDir;

// True while the dynamic linker still has `file` mapped (RTLD_NOLOAD never loads).
bool is_mapped(const std::filesystem::path& file) {
  void* handle = ::dlopen(file.c_str(), RTLD_LAZY | RTLD_NOLOAD);
  if (handle == nullptr) return false;
  ::dlclose(handle);
  return true;
}

std::shared_ptr<PluginLibrary> load_good(const TempDir& dir) {
  auto lib = PluginLibrary::load(dir.add("good"), fake_host());
  EXPECT_TRUE(lib.ok()) << lib.error().message;
  return lib.ok() ? *lib : nullptr;
}

TEST(PluginInstance, CreateHooksAndDestroyOnce) {
  TempDir dir;
  auto lib = load_good(dir);
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall create_call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&create_call), "{}");
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*inst)->ctx(), as_ctx(&ctx));
  EXPECT_EQ(&(*inst)->library(), lib.get());

  FakeCall call;
  EXPECT_EQ((*inst)->sync(as_call(&call), R"({"reason":"manual"})"), CHP_OK);
  EXPECT_EQ((*inst)->sync(as_call(&call), R"({"reason":"manual"})"), CHP_OK);
  EXPECT_EQ(call.output, R"({"syncs":2})");
  FakeCall auth_call;
  EXPECT_EQ((*inst)->authorize(as_call(&auth_call), R"({"step":"start"})"), CHP_OK);
  EXPECT_EQ(auth_call.output, R"({"credentials":{},"connection":{}})");
  EXPECT_EQ((*inst)->refresh(as_call(&auth_call), "{}"), CHP_OK);
  EXPECT_EQ((*inst)->disable(as_call(&auth_call), "{}"), CHP_OK);

  EXPECT_EQ(ctx.logs, (std::vector<std::string>{"created"}));
  inst->reset();
  EXPECT_EQ(ctx.logs, (std::vector<std::string>{"created", "destroyed"}));
}

TEST(PluginInstance, ConfigFailureMapsToConfigClass) {
  TempDir dir;
  auto lib = load_good(dir);
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"({"x":"fail-config"})");
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(inst.error().message, "plugin test-good: create failed (config)");
  EXPECT_EQ(call.error, "config asked create to fail");
  EXPECT_TRUE(ctx.logs.empty());  // no instance, so nothing to destroy
}

TEST(PluginInstance, KeepsLibraryLoadedAfterRegistryIsDropped) {
  TempDir dir;
  const auto file = dir.add("good");
  FakeHostCtx ctx;
  std::unique_ptr<PluginInstance> instance;
  {
    PluginRegistry registry;
    registry.scan({dir.path()}, fake_host());
    auto lib = registry.find("test-good");
    ASSERT_NE(lib, nullptr);
    FakeCall call;
    auto created = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), "{}");
    ASSERT_TRUE(created.ok()) << created.error().message;
    instance = std::move(created).value();
  }
  ASSERT_TRUE(is_mapped(file));
  FakeCall call;
  EXPECT_EQ(instance->sync(as_call(&call), "{}"), CHP_OK);  // code still there
  EXPECT_EQ(call.output, R"({"syncs":1})");

  instance.reset();
  EXPECT_EQ(ctx.logs, (std::vector<std::string>{"created", "destroyed"}));
  EXPECT_FALSE(is_mapped(file));  // the last reference unloaded it
}

TEST(PluginInstance, LibraryUnloadsOnlyAfterTheLastInstance) {
  TempDir dir;
  const auto file = dir.add("good");
  auto lib = PluginLibrary::load(file, fake_host());
  ASSERT_TRUE(lib.ok());
  FakeHostCtx ctx_a;
  FakeHostCtx ctx_b;
  FakeCall call;
  auto a = PluginInstance::create(*lib, as_ctx(&ctx_a), as_call(&call), "{}");
  auto b = PluginInstance::create(*lib, as_ctx(&ctx_b), as_call(&call), "{}");
  ASSERT_TRUE(a.ok() && b.ok());
  lib = Error::permanent("dropped");  // release the test's own reference
  a->reset();
  EXPECT_TRUE(is_mapped(file));
  EXPECT_EQ(ctx_a.logs.back(), "destroyed");
  EXPECT_EQ((*b)->sync(as_call(&call), "{}"), CHP_OK);
  b->reset();
  EXPECT_EQ(ctx_b.logs.back(), "destroyed");
  EXPECT_FALSE(is_mapped(file));
}

TEST(PluginInstance, MisbehavingCreateIsAPermanentError) {
  TempDir dir;
  auto lib = load_good(dir);
  ASSERT_NE(lib, nullptr);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"("no-instance")");
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().cls, ErrorClass::kPermanent);
  EXPECT_EQ(inst.error().message, "plugin test-good: create returned ok without an instance");
  inst = PluginInstance::create(lib, as_ctx(&ctx), as_call(&call), R"("bad-status")");
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().cls, ErrorClass::kPermanent);
  EXPECT_EQ(inst.error().message, "plugin test-good: create failed (invalid(0))");
}

TEST(PluginInstance, MissingOptionalHooksAreUnsupported) {
  TempDir dir;
  auto lib = PluginLibrary::load(dir.add("uses_connection"), fake_host());
  ASSERT_TRUE(lib.ok()) << lib.error().message;
  EXPECT_EQ((*lib)->descriptor().capabilities, CHP_CAP_USES_CONNECTION);
  FakeHostCtx ctx;
  FakeCall call;
  auto inst = PluginInstance::create(*lib, as_ctx(&ctx), as_call(&call), "{}");
  ASSERT_TRUE(inst.ok()) << inst.error().message;
  EXPECT_EQ((*inst)->authorize(as_call(&call), "{}"), CHP_ERR_UNSUPPORTED);
  EXPECT_EQ((*inst)->refresh(as_call(&call), "{}"), CHP_ERR_UNSUPPORTED);
  EXPECT_EQ((*inst)->sync(as_call(&call), "{}"), CHP_OK);
}

}  // namespace
}  // namespace chost::loader
