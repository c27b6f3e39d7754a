// inert_host(): host callbacks that do nothing, for loading plugins only to inspect their
// descriptors (CLI `plugins`, `plugin-info`, config checks) without a runtime behind them.
#pragma once

#include <connector_host/plugin_api.h>

namespace chost::loader {

// Static storage, valid for the whole process. Callbacks returning a status return
// CHP_ERR_UNSUPPORTED; the others do nothing (call_cancelled reports "cancelled" so a hook
// run against it by mistake stops early).
const chp_host* inert_host();

}  // namespace chost::loader
