// Helpers for loader tests: paths of the test plugins, a private temporary directory to
// copy them into (the build tree's permissions are not ours to rely on), and FakeHost, a
// chp_host that records what plugins tell it.
#pragma once

#include <connector_host/plugin_api.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace chost::loader::testing {

// ${CHP_TEST_PLUGIN_OUTPUT_DIR}/<case>/<case>.so
inline std::filesystem::path test_plugin(std::string_view case_name) {
  const std::string c(case_name);
  return std::filesystem::path(CHP_TEST_PLUGIN_DIR) / c / (c + ".so");
}

// A fresh mode-0700 directory, removed with its contents on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "chost-loader-XXXXXX");
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Copies a test plugin in (as `as_name`, default its own name), mode 0755.
  std::filesystem::path add(std::string_view case_name, std::string as_name = {}) const {
    const auto src = test_plugin(case_name);
    const auto dst = path_ / (as_name.empty() ? src.filename().string() : as_name);
    std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing);
    ::chmod(dst.c_str(), 0755);
    return dst;
  }

 private:
  std::filesystem::path path_;
};

// Per-instance context handed to plugins as chp_host_ctx*.
struct FakeHostCtx {
  std::vector<std::string> logs;
  std::vector<std::string> ids;  // what record_list_ids lists (sorted), any collection
};

// Per-call state handed to plugins as chp_call*.
struct FakeCall {
  std::string error;
  std::string output;
  bool cancelled = false;  // call_cancelled() says so, and call_remaining_ms() is 0
};

inline FakeHostCtx* fake_ctx(chp_host_ctx* ctx) { return reinterpret_cast<FakeHostCtx*>(ctx); }
inline FakeCall* fake_call(chp_call* call) { return reinterpret_cast<FakeCall*>(call); }
inline chp_host_ctx* as_ctx(FakeHostCtx* ctx) { return reinterpret_cast<chp_host_ctx*>(ctx); }
inline chp_call* as_call(FakeCall* call) { return reinterpret_cast<chp_call*>(call); }

// Implements the callbacks the test plugin uses; the rest are unset (never called).
inline const chp_host* fake_host() {
  static const chp_host host = [] {
    chp_host h{};
    h.struct_size = sizeof(chp_host);
    h.abi_major = CHP_ABI_MAJOR;
    h.abi_minor = CHP_ABI_MINOR;
    h.log = [](chp_host_ctx* ctx, chp_log_level, chp_str m) {
      fake_ctx(ctx)->logs.emplace_back(m.ptr, m.len);
    };
    h.call_set_error = [](chp_call* call, chp_str m) {
      fake_call(call)->error.assign(m.ptr, m.len);
    };
    h.call_set_output = [](chp_call* call, chp_str m) {
      fake_call(call)->output.assign(m.ptr, m.len);
    };
    h.call_cancelled = [](const chp_call* call) {
      return reinterpret_cast<const FakeCall*>(call)->cancelled ? 1 : 0;
    };
    h.call_remaining_ms = [](const chp_call* call) -> uint64_t {
      return reinterpret_cast<const FakeCall*>(call)->cancelled ? 0 : 60000;
    };
    h.record_list_ids = [](chp_host_ctx* ctx, chp_str, chp_str after, uint32_t limit, chp_sink sink,
                           void* user) {
      const std::string_view after_id(after.ptr, after.len);
      uint32_t n = 0;
      for (const std::string& id : fake_ctx(ctx)->ids) {
        if (id <= after_id || n == limit) continue;
        ++n;
        sink(user, chp_str{id.data(), id.size()});
      }
      return CHP_OK;
    };
    return h;
  }();
  return &host;
}

}  // namespace chost::loader::testing
