// run_hook(): the one way the runtime calls a plugin hook: under the instance's HookGate, with a
// CallState carrying the deadline, the cancellation flag and (credential calls) the response
// bound, and with transactions the hook left open rolled back afterwards.
#pragma once

#include <connector_host/plugin_api.h>

#include <cstdint>
#include <functional>
#include <string>

#include "chost/runtime/call_state.hpp"
#include "chost/runtime/instance_context.hpp"
#include "chost/runtime/plugin_port.hpp"

namespace chost::runtime {

struct HookOutcome {
  chp_status_code status = CHP_ERR_PERMANENT;
  std::string error;   // the plugin's call_set_error message, redacted
  std::string output;  // the plugin's call_set_output JSON (may hold credentials: never log)
  // call_set_retry_after of a CHP_ERR_TRANSIENT outcome (0: none, or another status).
  uint64_t retry_after_ms = 0;
};

struct HookCall {
  int64_t deadline_steady_ms = 0;
  CancelFlag cancel;  // null: a fresh flag nobody else sets
  // > 0 for credential hooks (authorize, refresh, disable): see CallState.
  int64_t response_bound_ms = 0;
};

HookOutcome run_hook(InstanceContext& ctx, HookGate& gate, const HookCall& call,
                     const std::function<chp_status_code(chp_call*)>& hook);

inline HookOutcome run_hook(InstanceContext& ctx, HookGate& gate, int64_t deadline_steady_ms,
                            CancelFlag cancel,
                            const std::function<chp_status_code(chp_call*)>& hook) {
  return run_hook(ctx, gate, HookCall{deadline_steady_ms, std::move(cancel), 0}, hook);
}

}  // namespace chost::runtime
