// read_descriptor() against hand-made descriptors: ABI version rules for several host
// minors, never reading past struct_size (guard page), names, schemas, required hooks.
#include "chost/loader/plugin_descriptor.hpp"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>

#include "chost/common/abi_status.hpp"

namespace chost::loader {
namespace {

chp_status_code fake_create(chp_host_ctx*, chp_call*, chp_str, chp_instance**) { return CHP_OK; }
chp_status_code fake_hook(chp_instance*, chp_call*, chp_str) { return CHP_OK; }
void fake_destroy(chp_instance*) {}

chp_plugin valid_descriptor() {
  chp_plugin d{};
  d.struct_size = sizeof(chp_plugin);
  d.abi_major = 1;
  d.abi_minor = 0;
  d.name = "fake-plugin";
  d.version = "1.2.3";
  d.description = "a fake";
  d.config_schema_json = R"({"type":"object"})";
  d.capabilities = CHP_CAP_PROVIDES_CONNECTION;
  d.create = fake_create;
  d.authorize = fake_hook;
  d.refresh = fake_hook;
  d.disable = fake_hook;
  d.sync = fake_hook;
  d.destroy = fake_destroy;
  return d;
}

// The first `size_bytes` of a descriptor placed so that the byte after them is on an
// inaccessible page: reading past them crashes the test instead of passing silently.
class GuardedDescriptor {
 public:
  GuardedDescriptor(const chp_plugin& d, std::size_t size_bytes) {
    page_bytes_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    void* mem = ::mmap(nullptr, 2 * page_bytes_, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(mem, MAP_FAILED);
    base_ = static_cast<char*>(mem);
    EXPECT_EQ(::mprotect(base_ + page_bytes_, page_bytes_, PROT_NONE), 0);
    start_ = base_ + page_bytes_ - size_bytes;
    std::memcpy(start_, &d, size_bytes);
  }
  ~GuardedDescriptor() { ::munmap(base_, 2 * page_bytes_); }
  const chp_plugin* get() const { return reinterpret_cast<const chp_plugin*>(start_); }

 private:
  std::size_t page_bytes_ = 0;
  char* base_ = nullptr;
  char* start_ = nullptr;
};

TEST(Descriptor, ValidDescriptorIsCopied) {
  const chp_plugin raw = valid_descriptor();
  auto d = read_descriptor(&raw, "fake.so");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->name, "fake-plugin");
  EXPECT_EQ(d->version, "1.2.3");
  EXPECT_EQ(d->description, "a fake");
  EXPECT_EQ(d->config_schema_json, R"({"type":"object"})");
  EXPECT_EQ(d->capabilities, CHP_CAP_PROVIDES_CONNECTION);
  EXPECT_EQ(d->abi_major, 1);
  EXPECT_EQ(d->abi_minor, 0);
  EXPECT_EQ(d->hooks.sync, &fake_hook);
  EXPECT_EQ(d->hooks.destroy, &fake_destroy);
}

TEST(Descriptor, Minor0PluginLoadsInMinor3HostReadingOnlyItsStructSize) {
  chp_plugin raw = valid_descriptor();
  raw.struct_size = min_descriptor_size_bytes(0);
  GuardedDescriptor guarded(raw, raw.struct_size);
  auto d = read_descriptor(guarded.get(), "old.so", CHP_ABI_VERSION(1, 3));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->name, "fake-plugin");
  EXPECT_EQ(d->abi_minor, 0);
  EXPECT_EQ(d->struct_size_bytes, min_descriptor_size_bytes(0));
}

chp_status_code fake_validate(chp_str, chp_sink, void*) { return CHP_OK; }

TEST(Descriptor, TheValidateHookIsReadOnlyWhenTheStructCoversIt) {
  chp_plugin raw = valid_descriptor();
  raw.abi_minor = 4;
  raw.validate = &fake_validate;
  auto d = read_descriptor(&raw, "new.so");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->hooks.validate, &fake_validate);
  EXPECT_EQ(hook_names(d->hooks).back(), "validate");

  // A 1.0-sized descriptor ends before `validate`: the memory after it is never touched (the
  // guard page would fault) and the hook is absent.
  raw.abi_minor = 0;
  raw.struct_size = static_cast<uint32_t>(offsetof(chp_plugin, validate));
  GuardedDescriptor guarded(raw, raw.struct_size);
  auto old = read_descriptor(guarded.get(), "old.so");
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_EQ(old->hooks.validate, nullptr);
}

TEST(Descriptor, Minor1PluginIsRefusedByMinor0Host) {
  chp_plugin raw = valid_descriptor();
  raw.abi_minor = 1;
  auto d = read_descriptor(&raw, "new.so", CHP_ABI_VERSION(1, 0));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().cls, ErrorClass::kConfig);
  EXPECT_EQ(d.error().message,
            "plugin new.so was built for plugin ABI 1.1; this host implements 1.0 \u2014 "
            "upgrade the host");
}

TEST(Descriptor, Minor1PluginLoadsInMinor1AndMinor3Hosts) {
  chp_plugin raw = valid_descriptor();
  raw.abi_minor = 1;
  EXPECT_TRUE(read_descriptor(&raw, "new.so", CHP_ABI_VERSION(1, 1)).ok());
  EXPECT_TRUE(read_descriptor(&raw, "new.so", CHP_ABI_VERSION(1, 3)).ok());
}

TEST(Descriptor, OtherMajorIsRefusedWithoutReadingPastTheHeader) {
  chp_plugin raw = valid_descriptor();
  raw.abi_major = 2;
  raw.struct_size = 8;
  GuardedDescriptor guarded(raw, 8);
  auto d = read_descriptor(guarded.get(), "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "plugin x.so was built for plugin ABI 2.0; this host implements 1.6");

  raw.abi_major = 0;
  EXPECT_FALSE(read_descriptor(&raw, "x.so").ok());
}

TEST(Descriptor, TooSmallStructIsRefusedWithoutReadingPastIt) {
  chp_plugin raw = valid_descriptor();
  raw.struct_size = 16;  // header and half of `name`'s pointer
  GuardedDescriptor guarded(raw, 16);
  auto d = read_descriptor(guarded.get(), "small.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "plugin small.so declares a descriptor of 16 bytes; plugin ABI "
            "1.0 needs at least " +
                std::to_string(offsetof(chp_plugin, validate)));
}

TEST(Descriptor, NullDescriptorIsAnError) {
  auto d = read_descriptor(nullptr, "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("x.so"), std::string::npos);
}

TEST(Descriptor, PluginNames) {
  EXPECT_TRUE(is_valid_plugin_name("salesforce"));
  EXPECT_TRUE(is_valid_plugin_name("rg-sync2"));
  EXPECT_TRUE(is_valid_plugin_name("a"));
  EXPECT_FALSE(is_valid_plugin_name(""));
  EXPECT_FALSE(is_valid_plugin_name("2fa"));
  EXPECT_FALSE(is_valid_plugin_name("-x"));
  EXPECT_FALSE(is_valid_plugin_name("Sales"));
  EXPECT_FALSE(is_valid_plugin_name("rg_sync"));
  EXPECT_FALSE(is_valid_plugin_name("a b"));
  EXPECT_FALSE(is_valid_plugin_name("caf\xc3\xa9"));
}

TEST(Descriptor, BadNameIsQuotedPrintably) {
  chp_plugin raw = valid_descriptor();
  raw.name = "Bad\nName";
  auto d = read_descriptor(&raw, "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message,
            "plugin x.so has an invalid name \"Bad?Name\": it must match [a-z][a-z0-9-]*");
  raw.name = nullptr;
  d = read_descriptor(&raw, "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "plugin x.so has no name");
}

TEST(Descriptor, SchemaMustBeJsonObjectOrBoolean) {
  chp_plugin raw = valid_descriptor();
  for (const char* bad : {"", "{", R"({"a":1,})", R"({"a":1} x)", "[1,2]", "\"s\""}) {
    raw.config_schema_json = bad;
    auto d = read_descriptor(&raw, "x.so");
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_NE(d.error().message.find("plugin x.so (fake-plugin) has an invalid config schema: "),
              std::string::npos)
        << d.error().message;
  }
  for (const char* good : {"true", " {} \n", R"({"properties":{"a":{"type":"string"}}})"}) {
    raw.config_schema_json = good;
    EXPECT_TRUE(read_descriptor(&raw, "x.so").ok()) << good;
  }
  raw.config_schema_json = nullptr;
  auto d = read_descriptor(&raw, "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "plugin x.so (fake-plugin) has no config schema");
}

TEST(Descriptor, RequiredHooksDependOnCapabilities) {
  chp_plugin raw = valid_descriptor();
  raw.authorize = nullptr;
  auto d = read_descriptor(&raw, "x.so");
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().message, "plugin x.so (fake-plugin) has a NULL `authorize` hook (required)");

  // A connector that only uses another's connection needs no authorize/refresh.
  raw.capabilities = CHP_CAP_USES_CONNECTION;
  raw.refresh = nullptr;
  d = read_descriptor(&raw, "x.so");
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->hooks.authorize, nullptr);

  for (auto clear :
       {+[](chp_plugin& p) { p.create = nullptr; }, +[](chp_plugin& p) { p.sync = nullptr; },
        +[](chp_plugin& p) { p.disable = nullptr; }, +[](chp_plugin& p) { p.destroy = nullptr; }}) {
    chp_plugin broken = valid_descriptor();
    clear(broken);
    EXPECT_FALSE(read_descriptor(&broken, "x.so").ok());
  }
}

TEST(Descriptor, NullDescriptionBecomesEmptyButVersionIsRequired) {
  chp_plugin raw = valid_descriptor();
  raw.description = nullptr;
  auto d = read_descriptor(&raw, "x.so");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->description, "");
  raw.version = "";
  EXPECT_FALSE(read_descriptor(&raw, "x.so").ok());
}

TEST(Descriptor, CapabilityAndHookNames) {
  EXPECT_EQ(capability_names(0), "-");
  EXPECT_EQ(capability_names(CHP_CAP_PROVIDES_CONNECTION | CHP_CAP_INTERACTIVE_AUTHORIZE),
            "provides-connection,interactive-authorize");
  EXPECT_EQ(capability_names(CHP_CAP_WRITE_BACK | (uint64_t{1} << 40)), "write-back,0x10000000000");
  PluginHooks hooks;
  hooks.create = fake_create;
  hooks.sync = fake_hook;
  EXPECT_EQ(hook_names(hooks), (std::vector<std::string>{"create", "sync"}));
}

TEST(Status, MapsToErrorClasses) {
  EXPECT_EQ(error_class_of(CHP_ERR_CONFIG), ErrorClass::kConfig);
  EXPECT_EQ(error_class_of(CHP_ERR_TRANSIENT), ErrorClass::kTransient);
  EXPECT_EQ(error_class_of(CHP_ERR_AUTH_REVOKED), ErrorClass::kAuthRevoked);
  EXPECT_EQ(error_class_of(CHP_ERR_CANCELLED), ErrorClass::kCancelled);
  EXPECT_EQ(error_class_of(CHP_ERR_PERMANENT), ErrorClass::kPermanent);
  EXPECT_EQ(error_class_of(0), ErrorClass::kPermanent);
  EXPECT_EQ(status_name(CHP_ERR_AUTH_REVOKED), "auth_revoked");
  EXPECT_EQ(status_name(77), "invalid(77)");
}

}  // namespace
}  // namespace chost::loader
