/* A `uses:` consumer whose sync asks the host for its connection's token once and reports how
 * long connection_token took and what it returned, as the log line
 *   token probe: status=<ok|cancelled|auth_revoked|transient|code N> took_ms=<N>
 * and as its sync summary. With config {"token_flags":"rejected"} it passes CHP_TOKEN_REJECTED,
 * as after an HTTP 401, so that the call needs a refresh. The sync succeeds whatever the token
 * call returned: the caller reads the outcome from the line. */
#include <connector_host/plugin_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const chp_host* g_host;

struct chp_instance {
  chp_host_ctx* ctx;
  uint32_t token_flags;
};

static chp_str str(const char* s) {
  chp_str out = {s, strlen(s)};
  return out;
}

static long long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char* status_text(chp_status_code st) {
  switch (st) {
    case CHP_OK:
      return "ok";
    case CHP_ERR_CANCELLED:
      return "cancelled";
    case CHP_ERR_AUTH_REVOKED:
      return "auth_revoked";
    case CHP_ERR_TRANSIENT:
      return "transient";
    default:
      return "other";
  }
}

/* The token itself is a secret: only its arrival is noted. */
static void ignore_token(void* user, chp_str data) {
  (void)user;
  (void)data;
}

static chp_status_code tp_create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                 chp_instance** out_instance) {
  (void)call;
  chp_instance* inst = (chp_instance*)calloc(1, sizeof *inst);
  if (inst == NULL) return CHP_ERR_PERMANENT;
  inst->ctx = ctx;
  /* The host validated the config against the schema below: the only string value it can
   * hold is the flag's. */
  for (size_t i = 0; i + 10 <= config_json.len; ++i) {
    if (memcmp(config_json.ptr + i, "\"rejected\"", 10) == 0)
      inst->token_flags = CHP_TOKEN_REJECTED;
  }
  *out_instance = inst;
  return CHP_OK;
}

static chp_status_code tp_sync(chp_instance* inst, chp_call* call, chp_str input) {
  (void)input;
  const long long started = monotonic_ms();
  const chp_status_code st =
      g_host->connection_token(inst->ctx, call, inst->token_flags, ignore_token, NULL);
  const long long took = monotonic_ms() - started;
  char line[128];
  snprintf(line, sizeof line, "token probe: status=%s took_ms=%lld", status_text(st), took);
  g_host->log(inst->ctx, CHP_LOG_INFO, str(line));
  char summary[128];
  snprintf(summary, sizeof summary, "{\"token_status\":\"%s\",\"token_ms\":%lld}", status_text(st),
           took);
  g_host->call_set_output(call, str(summary));
  return CHP_OK;
}

static chp_status_code tp_disable(chp_instance* inst, chp_call* call, chp_str input) {
  (void)inst;
  (void)call;
  (void)input;
  return CHP_OK;
}

static void tp_destroy(chp_instance* inst) { free(inst); }

static const chp_plugin kPlugin = {
    sizeof(chp_plugin),
    CHP_ABI_MAJOR,
    CHP_ABI_MINOR,
    "test-token-probe",
    "0.0.1",
    "Test plugin: times one connection_token call per sync",
    "{\"type\":\"object\",\"properties\":{\"token_flags\":{\"type\":\"string\","
    "\"enum\":[\"none\",\"rejected\"]}},\"additionalProperties\":false}",
    CHP_CAP_USES_CONNECTION,
    tp_create,
    NULL,
    NULL,
    tp_disable,
    tp_sync,
    tp_destroy,
    NULL, /* validate (ABI 1.4) */
};

CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  if ((host_abi >> 16) != CHP_ABI_MAJOR) return NULL;
  g_host = host;
  return &kPlugin;
}
