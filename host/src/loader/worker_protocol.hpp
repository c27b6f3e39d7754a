// The message level of the plugin-worker protocol (README.md in this folder): which hooks the
// host asks the worker to run, which host callbacks the worker forwards, and which of those wait
// for an answer. Both sides dispatch through these tables, so a new ABI hook of the usual form
// (instance, call, input) is one row in kInputHooks, and a new callback one row in kCallbacks
// plus its two handlers (plugin_worker.cpp, worker_instance.cpp).
#pragma once

#include <cstdint>
#include <span>

#include "chost/loader/plugin_descriptor.hpp"

namespace chost::loader::wire {

// Values are on the wire: append, never renumber.
enum class HookOp : uint8_t {
  kCreate = 1,  // input: the config JSON; creates the worker's one instance
  kAuthorize = 2,
  kRefresh = 3,
  kDisable = 4,
  kSync = 5,
  kDestroy = 6,  // no input; the worker exits after answering
};

// Hooks called as hook(instance, call, input_json).
struct InputHookRow {
  HookOp op;
  const char* name;
  chp_status_code (*PluginHooks::*member)(chp_instance*, chp_call*, chp_str);
};

inline constexpr InputHookRow kInputHooks[] = {
    {HookOp::kAuthorize, "authorize", &PluginHooks::authorize},
    {HookOp::kRefresh, "refresh", &PluginHooks::refresh},
    {HookOp::kDisable, "disable", &PluginHooks::disable},
    {HookOp::kSync, "sync", &PluginHooks::sync},
};

const InputHookRow* find_input_hook(HookOp op);
const char* hook_name(HookOp op);

// Host callbacks (chp_host members), in the order of the struct. Values are on the wire.
enum class CallbackOp : uint8_t {
  kLog = 1,
  kCallCancelled,
  kCallRemainingMs,
  kCallSetError,
  kCallSetOutput,
  kStateGet,
  kTxnBegin,
  kTxnPut,
  kTxnDelete,
  kTxnUpsertRecord,
  kTxnOutboxAdd,
  kTxnOutboxDone,
  kTxnCommit,
  kTxnRollback,
  kRecordGet,
  kOutboxPending,
  kSecretGet,
  kSecretPut,
  kReportStatus,
  kReportSubject,
  kMetricAdd,
  kMetricSet,
  kHttpRequest,
  kConnectionToken,
  kCallSetRetryAfter,  // ABI 1.5
  kRemoveSubject,      // ABI 1.5
  kRecordListIds,      // ABI 1.6
  kEnd                 // one past the last
};

struct CallbackRow {
  CallbackOp op;
  const char* name;
  // False for callbacks that return nothing (log, status, metrics, set_error, rollback): the
  // worker does not wait, so a plugin's other threads may use them at any time.
  bool answered;
};

std::span<const CallbackRow> callbacks();
const CallbackRow* find_callback(uint8_t op);

// kHello's fields, in order: str error (empty when the plugin loaded; else why not, and nothing
// follows), u32 abi_major, u32 abi_minor, str name, str version, u64 capabilities. The host
// compares them with the descriptor it read itself.

}  // namespace chost::loader::wire
