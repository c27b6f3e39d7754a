/* One small C plugin compiled into every test case: the good plugin by default, and each
 * bad-ABI case by a compile definition (see CMakeLists.txt). Written against the raw ABI,
 * not the SDK, so the loader is tested independently of it.
 *
 * Behaviour of the good plugin (used by loader and runtime tests):
 *  - create: config containing "fail-config" -> CHP_ERR_CONFIG with an error message;
 *    "no-instance" -> CHP_OK without an instance; "bad-status" -> 0 (not a status);
 *    otherwise an instance; logs "created".
 *  - authorize: output {"credentials":{},"connection":{}}; refresh: same.
 *  - sync: output {"syncs":N} (N counts this instance's syncs), or {"syncs":N,"ids":"x,y"} when
 *    the host's record_list_ids (1.6) lists ids of collection "items" after "a" (limit 2);
 *    disable: CHP_OK.
 *  - destroy: logs "destroyed" through the host, then frees the instance. */
#include <connector_host/plugin_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef TP_NAME
#define TP_NAME "test-good"
#endif
#ifndef TP_ABI_MAJOR
#define TP_ABI_MAJOR CHP_ABI_MAJOR
#endif
#ifndef TP_ABI_MINOR
#define TP_ABI_MINOR CHP_ABI_MINOR
#endif
#ifndef TP_STRUCT_SIZE
#define TP_STRUCT_SIZE sizeof(chp_plugin)
#endif
#ifndef TP_SCHEMA
#define TP_SCHEMA \
  "{\"type\":\"object\",\"properties\":{\"label\":{\"type\":\"string\"}},\"required\":[]}"
#endif

static const chp_host* g_host;

struct chp_instance {
  chp_host_ctx* ctx;
  unsigned syncs;
};

static chp_str str(const char* s) {
  chp_str out = {s, strlen(s)};
  return out;
}

static int contains(chp_str haystack, const char* needle) {
  size_t n = strlen(needle);
  if (haystack.ptr == NULL || haystack.len < n) return 0;
  for (size_t i = 0; i + n <= haystack.len; ++i) {
    if (memcmp(haystack.ptr + i, needle, n) == 0) return 1;
  }
  return 0;
}

static chp_status_code tp_create(chp_host_ctx* ctx, chp_call* call, chp_str config_json,
                                 chp_instance** out_instance) {
  if (contains(config_json, "fail-config")) {
    g_host->call_set_error(call, str("config asked create to fail"));
    return CHP_ERR_CONFIG;
  }
  if (contains(config_json, "no-instance")) return CHP_OK;
  if (contains(config_json, "bad-status")) return 0;
  chp_instance* inst = (chp_instance*)calloc(1, sizeof *inst);
  if (inst == NULL) return CHP_ERR_PERMANENT;
  inst->ctx = ctx;
  g_host->log(ctx, CHP_LOG_INFO, str("created"));
  *out_instance = inst;
  return CHP_OK;
}

__attribute__((unused)) static chp_status_code tp_credentials(chp_instance* inst, chp_call* call,
                                                              chp_str input) {
  g_host->call_set_output(call, str("{\"credentials\":{},\"connection\":{}}"));
  return CHP_OK;
}

static chp_status_code tp_disable(chp_instance* inst, chp_call* call, chp_str input) {
  return CHP_OK;
}

struct tp_ids {
  char text[64];
  size_t len;
};

static void tp_collect_id(void* user, chp_str id) {
  struct tp_ids* ids = (struct tp_ids*)user;
  if (ids->len + id.len + 2 > sizeof ids->text) return;
  if (ids->len > 0) ids->text[ids->len++] = ',';
  memcpy(ids->text + ids->len, id.ptr, id.len);
  ids->len += id.len;
  ids->text[ids->len] = '\0';
}

__attribute__((unused)) static chp_status_code tp_sync(chp_instance* inst, chp_call* call,
                                                       chp_str input) {
  char out[128];
  struct tp_ids ids = {{0}, 0};
  inst->syncs++;
  if (CHP_HAS_MEMBER(g_host, chp_host, record_list_ids) && g_host->record_list_ids != NULL &&
      g_host->record_list_ids(inst->ctx, str("items"), str("a"), 2, tp_collect_id, &ids) ==
          CHP_OK &&
      ids.len > 0) {
    snprintf(out, sizeof out, "{\"syncs\":%u,\"ids\":\"%s\"}", inst->syncs, ids.text);
  } else {
    snprintf(out, sizeof out, "{\"syncs\":%u}", inst->syncs);
  }
  g_host->call_set_output(call, str(out));
  return CHP_OK;
}

static void tp_destroy(chp_instance* inst) {
  g_host->log(inst->ctx, CHP_LOG_INFO, str("destroyed"));
  free(inst);
}

static const chp_plugin k_descriptor = {
    (uint32_t)(TP_STRUCT_SIZE), TP_ABI_MAJOR, TP_ABI_MINOR, TP_NAME, "0.1.0",
    "Minimal plugin for host tests", TP_SCHEMA,
#ifdef TP_USES_CONNECTION
    /* A consumer of another instance's connection: no authorize/refresh of its own. */
    CHP_CAP_USES_CONNECTION, tp_create, NULL, NULL,
#else
    CHP_CAP_PROVIDES_CONNECTION,
    tp_create,
    tp_credentials,
    tp_credentials,
#endif
    tp_disable,
#ifdef TP_NULL_SYNC
    NULL,
#else
    tp_sync,
#endif
    tp_destroy, NULL, /* validate (1.4): no config check of its own */
};

#ifdef TP_NO_ENTRY
/* Same function, but hidden: the library loads and has no entry symbol. */
const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi);
#else
CHP_EXPORT const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi);
#endif

const chp_plugin* chp_plugin_entry(const chp_host* host, uint32_t host_abi) {
  g_host = host;
#ifdef TP_NULL_DESCRIPTOR
  (void)&k_descriptor;
  return NULL;
#else
  /* Works with any 1.x host: it only needs 1.0 callbacks. */
  if ((host_abi >> 16) != CHP_ABI_MAJOR) return NULL;
  return &k_descriptor;
#endif
}
