// run_hook(): gate, call state, transaction cleanup.
#include "chost/runtime/hook_runner.hpp"

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
    out.error = ctx.services().redactor->redact(call.error());
    out.output = call.output();
    return out;
  });
}

}  // namespace chost::runtime
