/* A test plugin whose sync ignores cancellation for up to 60 s, to check that `run` still exits
 * (code 0) soon after its shutdown grace instead of waiting for the hook. */
#include <connector_host/plugin_api.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const chp_host* g_host;

struct chp_instance {
  chp_host_ctx* ctx;
};

static chp_str str(const char* s) {
  chp_str out = {s, strlen(s)};
  return out;
}

static chp_status_code sp_create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                 chp_instance** out_instance) {
  (void)call;
  (void)config_json;
  chp_instance* inst = (chp_instance*)calloc(1, sizeof *inst);
  if (inst == NULL) return CHP_ERR_PERMANENT;
  inst->ctx = ctx;
  *out_instance = inst;
  return CHP_OK;
}

static chp_status_code sp_sync(chp_instance* inst, chp_call* call, chp_str input) {
  (void)call;
  (void)input;
  g_host->log(inst->ctx, CHP_LOG_INFO, str("stuck sync started"));
  struct timespec step = {0, 10 * 1000 * 1000};
  for (int i = 0; i < 6000; ++i) nanosleep(&step, NULL); /* deliberately deaf to cancel */
  return CHP_OK;
}

static chp_status_code sp_disable(chp_instance* inst, chp_call* call, chp_str input) {
  (void)inst;
  (void)call;
  (void)input;
  return CHP_OK;
}

static void sp_destroy(chp_instance* inst) { free(inst); }

static const chp_plugin kPlugin = {
    sizeof(chp_plugin),
    CHP_ABI_MAJOR,
    CHP_ABI_MINOR,
    "test-stuck",
    "0.0.1",
    "Test plugin: a sync that ignores cancellation",
    "{\"type\":\"object\"}",
    0,
    sp_create,
    NULL,
    NULL,
    sp_disable,
    sp_sync,
    sp_destroy,
    NULL, /* validate (ABI 1.4) */
};

CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  if ((host_abi >> 16) != CHP_ABI_MAJOR) return NULL;
  g_host = host;
  return &kPlugin;
}
