// run_hook(): gate, call state, transaction cleanup.
#include "chost/runtime/hook_runner.hpp"

#include <optional>
#include <string>
#include <utility>

namespace chost::runtime {

HookOutcome run_hook(InstanceContext& ctx, HookGate& gate, const HookCall& spec,
                     const std::function<chp_status_code(chp_call*)>& hook) {
  return gate.run([&] {
    CallState call(*ctx.services().clock, spec.deadline_steady_ms, spec.cancel,
                   spec.response_bound_ms);
    ctx.begin_hook();
    HookOutcome out;
    out.status = hook(call.handle());
    ctx.end_hook();
    std::string error = call.error();
    // The plugin says which store operation failed ("record upsert failed"); the store's own
    // words say why ("... database disk image is malformed"): the admin needs both.
    if (std::optional<std::string> store_error = ctx.take_store_error();
        store_error && out.status != CHP_OK && error.find(*store_error) == std::string::npos) {
      error = error.empty() ? *store_error : error + ": " + *store_error;
    }
    out.error = ctx.services().redactor->redact(error);
    out.output = call.output();
    if (out.status == CHP_ERR_TRANSIENT) out.retry_after_ms = call.retry_after_ms();
    return out;
  });
}

}  // namespace chost::runtime
