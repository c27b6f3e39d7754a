// Loading one plugin file: file checks (readable, ELF, permissions), dlopen through
// Boost.DLL, the entry symbol, and descriptor validation.
#include "chost/loader/plugin_library.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/dll/shared_library.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

namespace chost::loader {

struct PluginLibrary::Impl {
  boost::dll::shared_library library;
};

namespace {

Error fail(const std::filesystem::path& file, const std::string& what) {
  return Error::config("plugin " + file.string() + " " + what);
}

bool writable_by_others(const struct stat& st) { return (st.st_mode & (S_IWGRP | S_IWOTH)) != 0; }

// Resolves `path` and checks the file before any of its code runs. Returns the resolved
// path to load.
Result<std::filesystem::path> check_file(const std::filesystem::path& path,
                                         const LoadOptions& options) {
  char* resolved = ::realpath(path.c_str(), nullptr);
  if (resolved == nullptr)
    return fail(path, std::string("cannot be read: ") + std::strerror(errno));
  std::filesystem::path real(resolved);
  std::free(resolved);

  struct stat st {};
  if (::stat(real.c_str(), &st) != 0) {
    return fail(path, std::string("cannot be read: ") + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) return fail(path, "is not a regular file");

  if (!options.allow_world_writable) {
    if (writable_by_others(st)) {
      return fail(path,
                  "is writable by group or others; refusing to load it (fix its permissions "
                  "or set allow_world_writable)");
    }
    struct stat dir_st {};
    const std::filesystem::path dir = real.parent_path();
    if (::stat(dir.c_str(), &dir_st) != 0) {
      return fail(path, "is in a directory that cannot be read: " + dir.string());
    }
    if (writable_by_others(dir_st)) {
      return fail(path, "is in directory " + dir.string() +
                            " writable by group or others; refusing to load it (fix its "
                            "permissions or set allow_world_writable)");
    }
  }

  // dlopen's own message for a text file is obscure; look at the ELF magic first.
  const int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail(path, std::string("cannot be read: ") + std::strerror(errno));
  unsigned char magic[4] = {};
  const ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  if (n != static_cast<ssize_t>(sizeof magic) || std::memcmp(magic,
                                                             "\x7f"
                                                             "ELF",
                                                             4) != 0) {
    return fail(path, "is not a shared object (no ELF header)");
  }
  return real;
}

}  // namespace

PluginLibrary::PluginLibrary(std::unique_ptr<Impl> impl, std::filesystem::path path,
                             PluginDescriptor descriptor, const chp_host* host)
    : impl_(std::move(impl)),
      path_(std::move(path)),
      descriptor_(std::move(descriptor)),
      host_(host) {}

PluginLibrary::~PluginLibrary() = default;

Result<std::shared_ptr<PluginLibrary>> PluginLibrary::load(const std::filesystem::path& path,
                                                           const chp_host* host,
                                                           const LoadOptions& options) {
  auto real = check_file(path, options);
  if (!real) return real.error();

  auto impl = std::make_unique<Impl>();
  boost::dll::fs::error_code ec;
  // RTLD_NOW: an unresolved symbol fails here, not in the middle of a sync. RTLD_LOCAL:
  // plugins' symbols never satisfy each other's.
  ::dlerror();  // clear, so a message read below belongs to this load
  impl->library.load(boost::dll::fs::path(real->string()), ec,
                     boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  if (ec || !impl->library.is_loaded()) {
    const char* why = ::dlerror();
    return fail(path, std::string("cannot be loaded: ") + (why != nullptr ? why : ec.message()));
  }
  if (!impl->library.has(CHP_ENTRY_SYMBOL)) {
    return fail(path, "does not export " CHP_ENTRY_SYMBOL " (not a connector-host plugin?)");
  }
  auto& entry = impl->library.get<const chp_plugin*(const chp_host*, uint32_t)>(CHP_ENTRY_SYMBOL);
  const chp_plugin* raw = entry(host, options.host_abi);
  if (raw == nullptr) {
    return fail(path, CHP_ENTRY_SYMBOL " returned NULL: the plugin refused this host (ABI " +
                          std::to_string(abi_major_of(options.host_abi)) + "." +
                          std::to_string(abi_minor_of(options.host_abi)) + ")");
  }
  auto descriptor = read_descriptor(raw, path.string(), options.host_abi);
  if (!descriptor) return descriptor.error();
  return std::shared_ptr<PluginLibrary>(
      new PluginLibrary(std::move(impl), path, std::move(descriptor).value(), host));
}

}  // namespace chost::loader
