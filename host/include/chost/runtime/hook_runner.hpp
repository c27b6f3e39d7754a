// run_hook(): the one way the runtime calls a plugin hook on behalf of an instance: under the
// instance's HookGate, with a CallState carrying the deadline and cancellation flag, and with
// transactions the hook left open rolled back afterwards.
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
};

HookOutcome run_hook(InstanceContext& ctx, HookGate& gate, int64_t deadline_steady_ms,
                     CancelFlag cancel, const std::function<chp_status_code(chp_call*)>& hook);

}  // namespace chost::runtime
