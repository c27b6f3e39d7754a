// PluginInstance: one configured connector, i.e. a chp_instance created by a plugin's
// `create` hook, together with a reference to its PluginLibrary so the library cannot be
// unloaded while the instance exists. The destructor calls `destroy` exactly once.
// Thin by design: scheduling, deadlines and the chp_call contents belong to the runtime.
//
// Two isolation modes stand behind the same interface: in-process (the plugin's code runs on
// the calling host thread) and process (the plugin runs in a `connector-host plugin-worker`
// child; every hook and every host callback the plugin makes crosses a socketpair, see
// host/src/loader/README.md). Callers see no difference except lost(): a worker that crashed,
// was killed at a deadline or went over its memory limit takes no more hooks.
#pragma once

#include <connector_host/plugin_api.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "chost/common/result.hpp"
#include "chost/loader/plugin_library.hpp"

namespace chost::loader {

enum class Isolation {
  kInProcess = 1,  // the default: fastest, but a crash in the plugin is a crash of the host
  kProcess = 2,    // a worker process per instance
};

struct IsolationOptions {
  Isolation mode = Isolation::kInProcess;
  // Process mode: the connector-host binary that has the `plugin-worker` verb. Empty: this
  // process's own executable (/proc/self/exe).
  std::filesystem::path worker_exe;
  // Process mode: the worker is killed once its resident memory exceeds this (0: no limit).
  uint64_t memory_limit_bytes = 0;
};

class PluginInstance {
 public:
  // Calls the plugin's create(ctx, call, config_json). A failure status becomes an Error of
  // the matching class (CHP_ERR_CONFIG -> kConfig, ...); the plugin's own message is in
  // `call`, which the caller owns and reads. `ctx` must stay valid until destruction.
  // `ctx` and `call` go to the library's chp_host callbacks (process mode: on this thread, for
  // the callbacks the worker forwards).
  static Result<std::unique_ptr<PluginInstance>> create(std::shared_ptr<PluginLibrary> library,
                                                        chp_host_ctx* ctx, chp_call* call,
                                                        std::string_view config_json,
                                                        const IsolationOptions& isolation = {});

  virtual ~PluginInstance() = default;  // destroy(instance), once
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  // Each forwards to the hook; CHP_ERR_UNSUPPORTED when the plugin has no such hook.
  virtual chp_status_code authorize(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code refresh(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code disable(chp_call* call, std::string_view input_json) = 0;
  virtual chp_status_code sync(chp_call* call, std::string_view input_json) = 0;

  // Why this instance takes no more hooks (process mode: "plugin worker killed by signal
  // SIGSEGV (Segmentation fault) during sync"); nullopt while it is usable. Every hook of a lost
  // instance fails with CHP_ERR_TRANSIENT and this reason: re-create it.
  virtual std::optional<std::string> lost() const { return std::nullopt; }

  const PluginLibrary& library() const { return *library_; }
  chp_host_ctx* ctx() const { return ctx_; }

 protected:
  PluginInstance(std::shared_ptr<PluginLibrary> library, chp_host_ctx* ctx)
      : library_(std::move(library)), ctx_(ctx) {}

  std::shared_ptr<PluginLibrary> library_;  // first member: released last
  chp_host_ctx* ctx_;
};

}  // namespace chost::loader
