/* A deliberately broken plugin written against the raw C ABI, so that tests can prove the
 * conformance runner actually fails on each kind of violation: it accepts any config,
 * its schema has no "properties", disable is not idempotent, sync after disable "succeeds",
 * and garbage input returns CHP_OK without a message. */
#include <connector_host/plugin_api.h>
#include <stdlib.h>

typedef struct nonconforming_instance {
  int disabled;
} nonconforming_instance;

static chp_status_code nc_create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                 chp_instance** out_instance) {
  (void)ctx;
  (void)call;
  (void)config_json; /* violation: never refuses a config */
  nonconforming_instance* inst = calloc(1, sizeof(*inst));
  if (inst == NULL) return CHP_ERR_PERMANENT;
  *out_instance = (chp_instance*)inst;
  return CHP_OK;
}

static chp_status_code nc_ok(chp_instance* instance, chp_call* call, chp_str input_json) {
  (void)instance;
  (void)call;
  (void)input_json; /* violation: garbage input is "fine" */
  return CHP_OK;
}

static chp_status_code nc_disable(chp_instance* instance, chp_call* call, chp_str input_json) {
  (void)call;
  (void)input_json;
  nonconforming_instance* inst = (nonconforming_instance*)instance;
  if (inst->disabled) return CHP_ERR_PERMANENT; /* violation: not idempotent */
  inst->disabled = 1;
  return CHP_OK;
}

static void nc_destroy(chp_instance* instance) { free(instance); }

static const chp_plugin kDescriptor = {sizeof(chp_plugin),
                                       CHP_ABI_MAJOR,
                                       CHP_ABI_MINOR,
                                       "nonconforming",
                                       "0.0.1",
                                       "violates the conformance suite on purpose",
                                       "{\"type\":\"object\"}", /* violation: no properties */
                                       0,
                                       nc_create,
                                       nc_ok,
                                       nc_ok,
                                       nc_disable,
                                       nc_ok,
                                       nc_destroy,
                                       NULL};

CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  (void)host;
  (void)host_abi;
  return &kDescriptor;
}
